#pragma once
// The X display that VTK renders through, opened before VTK may touch X (Debian's VTK aborts
// the process when its own XOpenDisplay fails). Kept apart from Qt code because Xlib.h defines
// macros (None, Bool, Status...) that clash with Qt's names.

#include <string>

namespace lnscope::widgets::detail {

struct X11Display
{
    void* display = nullptr; ///< a Display*, for vtkRenderWindow::SetDisplayId; null when unusable
    std::string reason;      ///< why there is none ("DISPLAY is not set", ...), "" when there is
};

/// The process-wide connection to the X server named by $DISPLAY, if it answers and offers GLX.
/// The connection is opened once per display name and never closed: every render window shares
/// it, and because one client stays connected, the X server (Xvfb in tests) does not reset
/// between two views — a reset makes the next XOpenDisplay fail and VTK abort. GUI thread only.
X11Display sharedX11Display();

} // namespace lnscope::widgets::detail
