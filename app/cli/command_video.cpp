// lnscope-cli video: the float-vs-converted comparison video. It is drawn with Qt (the same views
// as the window) and written with OpenCV's VideoWriter, and lnscope-cli must not link Qt
// (DESIGN.md: one dependency rule), so this command checks the arguments and runs the
// lnscope-export helper built next to lnscope-cli, passing them on and returning its exit code.

#include "cli_common.h"

#include "sibling_exec.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>

namespace lnscope::app {

namespace {

const char* const kUsage = R"(usage: lnscope-cli video --out FILE.avi|FILE.mp4 [--fps F] [--frames N]
                         (--demo | --session FILE | --model M [--adapter A]
                          [--stereo-model M --stereo-adapter A] --data DIR)
                         [--config FILE] [--calib-frames N] [--threads N]

Converts the models like the workbench (batch-norm folding, cluster compression, LNS), runs the
float and the converted networks on every frame of the dataset and writes one video frame per
dataset frame:
  segmentation     the float network's classes over the camera image on top, the converted
                   network's below;
  stereo 3-D boxes the ground truth (grey) and the float boxes (blue) projected on the camera
                   image on top, the ground truth and the converted boxes (dashed orange) below;
  bird's-eye view  all three sets from above, matched float/converted pairs linked;
  footer           the frame's and the running figures: pixel agreement, mIoU of each network
                   against the labels, boxes matched or found by one network only.
With only a segmentation model the side column shows the difference map and the errors against
the labels instead of the bird's-eye view.

options:
  --out FILE       the video: .avi (Motion JPEG) or .mp4 (MPEG-4 part 2, mp4v). Written to
                   FILE's stem + ".part" + extension in the same folder, renamed at the end: an
                   interrupted or failed export leaves no file at FILE
  --fps F          frames per second, 0.1 to 120 (default 4)
  --frames N       only the first N frames of the dataset (default 0 = all)
source (one of):
  --demo           the bundled demo models on datasets/synthdrive/val
  --session FILE   a saved workbench session (models, adapters, dataset, settings)
  --model M [--adapter A]               a segmentation model and its adapter file, and/or
  --stereo-model M --stereo-adapter A   a stereo 3-D model and its adapter file
  --data DIR       the dataset (with --model / --stereo-model)
  --config FILE    conversion settings (JSON, as lnscope-cli convert --config)
  --calib-frames N calibration frames from the dataset (default 4)
  --threads N      worker threads (default 2)
  -h, --help       show this help

Runs the lnscope-export executable next to lnscope-cli (headless: no display needed).
)";

std::string lowerExtension(const std::string& path)
{
    const size_t slash = path.find_last_of('/');
    const size_t dot = path.find_last_of('.');
    if (dot == std::string::npos || (slash != std::string::npos && dot < slash))
        return {};
    std::string ext = path.substr(dot);
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    return ext;
}

void checkArguments(const std::vector<std::string>& args)
{
    const std::vector<OptionSpec> specs = {
        {"--out", "", true},     {"--fps", "", true},          {"--frames", "", true},
        {"--demo", "", false},   {"--session", "", true},      {"--model", "", true},
        {"--adapter", "", true}, {"--stereo-model", "", true}, {"--stereo-adapter", "", true},
        {"--data", "", true},    {"--config", "", true},       {"--calib-frames", "", true},
        {"--threads", "", true}};
    const ParsedArgs parsed = parseArgs(args, specs);
    if (!parsed.positionals().empty())
        throw UsageError("unexpected argument '" + parsed.positionals().front() + "'");
    const std::optional<std::string> out = parsed.value("--out");
    if (!out)
        throw UsageError("missing --out FILE.avi|FILE.mp4");
    const std::string ext = lowerExtension(*out);
    if (ext != ".avi" && ext != ".mp4")
        throw UsageError("--out: the video name must end in .avi or .mp4, got '" + *out + "'");
    if (const auto fps = parsed.value("--fps")) {
        double v = 0;
        const auto [end, ec] = std::from_chars(fps->data(), fps->data() + fps->size(), v);
        if (fps->empty() || ec != std::errc() || end != fps->data() + fps->size() || !std::isfinite(v) || v < 0.1
            || v > 120.0)
            throw UsageError("--fps: expected a number from 0.1 to 120, got '" + *fps + "'");
    }
    parsed.intValue("--frames", 0, 0, 1000000);
    parsed.intValue("--calib-frames", 4, 1, 10000);
    parsed.intValue("--threads", 2, 1, 256);
    const int sources = int(parsed.has("--demo")) + int(parsed.has("--session"))
                        + int(parsed.has("--model") || parsed.has("--stereo-model"));
    if (sources == 0)
        throw UsageError("expected --demo, --session FILE or --model M (and/or --stereo-model M) with --data DIR");
    if (sources > 1)
        throw UsageError("--demo, --session and --model/--stereo-model exclude each other");
}

int runVideo(const std::vector<std::string>& args)
{
    checkArguments(args);
    std::vector<std::string> forwarded{"video"};
    forwarded.insert(forwarded.end(), args.begin(), args.end());
    return runSibling(siblingExecutable("lnscope-export", "the export helper"), forwarded);
}

} // namespace

const Command kVideoCommand{"video", "write the float-vs-converted comparison video (.avi or .mp4)", kUsage, &runVideo};

} // namespace lnscope::app
