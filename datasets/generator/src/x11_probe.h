#pragma once
// The X display VTK renders through, opened before VTK may touch X: Debian's VTK aborts the
// process when its own XOpenDisplay fails. Kept apart from VTK code because Xlib.h defines
// macros (None, Bool, Status...) that clash with other headers.

#include <string>

namespace lnscope::synth::detail {

struct X11Display
{
    void* display = nullptr; ///< a Display*, for vtkRenderWindow::SetDisplayId; null when unusable
    std::string reason;      ///< why there is none, "" when there is
};

/// The process-wide connection to $DISPLAY, if it answers and offers GLX. Calls XInitThreads()
/// first (render windows on several threads share the connection). Opened once and never
/// closed: a connection that stays open also keeps Xvfb from resetting between render windows.
/// Thread-safe.
X11Display sharedX11Display();

} // namespace lnscope::synth::detail
