#include "x11_display.h"

#include <X11/Xlib.h>

#include <cstdlib>
#include <map>

namespace lnscope::widgets::detail {

X11Display sharedX11Display()
{
    // Open connections by display name. $DISPLAY may change during the process (tests do it);
    // an earlier display stays open because render windows may still use it.
    static std::map<std::string, Display*> open;

    const char* name = std::getenv("DISPLAY");
    if (!name || !*name)
        return {nullptr, "DISPLAY is not set"};
    if (const auto it = open.find(name); it != open.end())
        return {it->second, {}};

    Display* display = XOpenDisplay(name);
    if (!display)
        return {nullptr, std::string("cannot connect to X display ") + name};
    // VTK's X render window needs GLX; without it VTK fails later, and less politely.
    int opcode = 0;
    int firstEvent = 0;
    int firstError = 0;
    if (!XQueryExtension(display, "GLX", &opcode, &firstEvent, &firstError)) {
        XCloseDisplay(display);
        return {nullptr, std::string("X display ") + name + " has no GLX extension"};
    }
    open.emplace(name, display);
    return {display, {}};
}

} // namespace lnscope::widgets::detail
