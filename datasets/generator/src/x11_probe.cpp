#include "x11_probe.h"

#include "lnscope/synth/synth.h"

#include <X11/Xlib.h>

#include <cstdlib>
#include <mutex>

namespace lnscope::synth::detail {

X11Display sharedX11Display()
{
    static std::mutex mutex;
    static Display* open = nullptr;
    static std::string openName;
    const std::lock_guard<std::mutex> lock(mutex);

    const char* name = std::getenv("DISPLAY");
    if (!name || !*name)
        return {nullptr, "DISPLAY is not set (the generator renders with VTK through X; run it under "
                         "xvfb-run -a -s \"-screen 0 1280x1024x24\" on a machine without a screen)"};
    if (open && openName == name)
        return {open, {}};
    if (open)
        return {nullptr, "DISPLAY changed from " + openName + " to " + name + " after rendering started"};

    static const bool threadsReady = XInitThreads() != 0;
    if (!threadsReady)
        return {nullptr, "Xlib cannot be used from several threads (XInitThreads failed)"};
    Display* display = XOpenDisplay(name);
    if (!display)
        return {nullptr, std::string("cannot connect to X display ") + name};
    // VTK's X render window needs GLX; without it VTK fails later, and less politely.
    int opcode = 0, firstEvent = 0, firstError = 0;
    if (!XQueryExtension(display, "GLX", &opcode, &firstEvent, &firstError)) {
        XCloseDisplay(display);
        return {nullptr, std::string("X display ") + name + " has no GLX extension"};
    }
    open = display;
    openName = name;
    return {display, {}};
}

} // namespace lnscope::synth::detail

namespace lnscope::synth {

std::string displayProblem()
{
    return detail::sharedX11Display().reason;
}

} // namespace lnscope::synth
