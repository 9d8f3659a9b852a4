#pragma once
// Render tests need an X display with GLX (Debian's VTK renders through X only). Without one they
// skip — unless LNSCOPE_REQUIRE_DISPLAY is set (scripts/test sets it), so that a CI run that forgot
// xvfb-run fails instead of passing on skips.

#include <QTest>

#include <cstdlib>

namespace lnscope::test {

inline bool hasDisplayEnv()
{
    const char* display = std::getenv("DISPLAY");
    return display && *display;
}

} // namespace lnscope::test

/// Use at the top of a render test function.
#define LNSCOPE_NEED_DISPLAY()                                                                     \
    do {                                                                                           \
        if (!lnscope::test::hasDisplayEnv()) {                                                     \
            if (!qEnvironmentVariableIsEmpty("LNSCOPE_REQUIRE_DISPLAY"))                           \
                QFAIL("LNSCOPE_REQUIRE_DISPLAY is set but DISPLAY is not: run under xvfb-run -a"); \
            QSKIP("needs an X display with GLX: run under xvfb-run -a");                           \
        }                                                                                          \
    } while (false)
