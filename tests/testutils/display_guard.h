#pragma once
// Render tests need an X display with GLX (Debian's VTK renders through X only). Without one they
// skip — unless LNSCOPE_REQUIRE_DISPLAY is set (scripts/test sets it), so that a CI run that forgot
// xvfb-run fails instead of passing on skips.
//
// The views must degrade to a placeholder without a display, or with one that does not answer:
// ScopedDisplay sets DISPLAY for a test's scope (unset, or a bogus one) and restores it after.

#include <QByteArray>
#include <QTest>

#include <cstdlib>

namespace lnscope::test {

inline bool hasDisplayEnv()
{
    const char* display = std::getenv("DISPLAY");
    return display && *display;
}

/// Sets DISPLAY to `value` ("" unsets it) until the end of the scope, then restores the value it
/// had (or unsets it again). Declare it before the view under test, so the view goes first.
class ScopedDisplay
{
public:
    explicit ScopedDisplay(const QByteArray& value = {}) : m_saved(qgetenv("DISPLAY")), m_wasSet(qEnvironmentVariableIsSet("DISPLAY"))
    {
        if (value.isEmpty())
            qunsetenv("DISPLAY");
        else
            qputenv("DISPLAY", value);
    }
    ~ScopedDisplay()
    {
        if (m_wasSet)
            qputenv("DISPLAY", m_saved);
        else
            qunsetenv("DISPLAY");
    }
    ScopedDisplay(const ScopedDisplay&) = delete;
    ScopedDisplay& operator=(const ScopedDisplay&) = delete;

private:
    QByteArray m_saved;
    bool m_wasSet;
};

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
