// lnscope-cli synth: the procedural stereo driving-scene generator. The rendering needs VTK, which
// lnscope-cli must not link (DESIGN.md: one dependency rule), so this command checks the
// arguments and runs the lnscope-synth executable that is built next to lnscope-cli
// (datasets/generator), passing the arguments on and returning its exit code; its output goes
// straight to this process's stdout and stderr.

#include "cli_common.h"

#include "lnscope/core/progress.h"

#include "sibling_exec.h"

#include <charconv>

namespace lnscope::app {

namespace {

namespace fs = std::filesystem;

const char* const kUsage = R"(usage: lnscope-cli synth --out DIR --frames N [--seed S] [--width W --height H]
                         [--start I] [--threads T]

Renders procedural stereo driving scenes (roads straight, curved or with a junction; lane
markings, sidewalks, buildings, vegetation, poles; cars, pedestrians and cyclists; varied light
and camera height) with VTK offscreen and writes them in the KITTI object layout:
  DIR/image_2/NNNNNN.png    left colour image      DIR/image_3/NNNNNN.png    right colour image
  DIR/label_2/NNNNNN.txt    KITTI labels (Car, Pedestrian, Cyclist)
  DIR/calib/NNNNNN.txt      P0..P3, R0_rect, Tr_velo_to_cam, Tr_imu_to_velo
  DIR/semantic/NNNNNN.png   8-bit class ids of the left image (classes.json)
  DIR/disparity/NNNNNN.png  16-bit disparity of the left image * 256, 0 = no surface
  DIR/classes.json, DIR/synth.json (generator version, arguments, rig, one line per frame)
Stereo rig: baseline 0.54 m, focal length 721.5377 * W / 1242 pixels (KITTI's, scaled to the
width). The same arguments always give the same files. Needs an X display (VTK renders through
X): on a machine without a screen run it under xvfb-run -a.

options:
  --out DIR       output folder (created if missing; existing frames are overwritten)
  --frames N      number of frames (1 to 1000000)
  --seed S        scene seed, 0 to 4294967295 (default 0)
  --width W       image width in pixels, 64 to 4096 (default 640)
  --height H      image height in pixels, 32 to 4096 (default 192)
  --start I       number of the first frame (default 0)
  --threads T     worker threads, each with its own render window (default 1, at most 64)
  -h, --help      show this help

Runs the lnscope-synth executable next to lnscope-cli.
)";

constexpr int kMaxFrame = 999999;

void checkArguments(const std::vector<std::string>& args)
{
    const std::vector<OptionSpec> specs = {{"--out", "", true},    {"--frames", "", true}, {"--seed", "", true},
                                           {"--width", "", true},  {"--height", "", true}, {"--start", "", true},
                                           {"--threads", "", true}};
    const ParsedArgs parsed = parseArgs(args, specs);
    if (!parsed.positionals().empty())
        throw UsageError("unexpected argument '" + parsed.positionals().front() + "'");
    if (!parsed.has("--out"))
        throw UsageError("missing --out DIR");
    if (parsed.value("--out")->empty())
        throw UsageError("option '--out' needs a folder name");
    if (!parsed.has("--frames"))
        throw UsageError("missing --frames N");
    const int frames = parsed.intValue("--frames", 1, 1, kMaxFrame + 1);
    if (const auto seed = parsed.value("--seed")) {
        unsigned long long v = 0;
        const auto [end, ec] = std::from_chars(seed->data(), seed->data() + seed->size(), v);
        if (seed->empty() || ec != std::errc() || end != seed->data() + seed->size() || v > 4294967295ull)
            throw UsageError("option '--seed' needs an integer from 0 to 4294967295, got '" + *seed + "'");
    }
    parsed.intValue("--width", 640, 64, 4096);
    parsed.intValue("--height", 192, 32, 4096);
    parsed.intValue("--threads", 1, 1, 64);
    const int start = parsed.intValue("--start", 0, 0, kMaxFrame);
    if (start + frames - 1 > kMaxFrame)
        throw UsageError("--start " + std::to_string(start) + " with --frames " + std::to_string(frames)
                         + " runs past frame 999999 (names have six digits)");
}

int runSynth(const std::vector<std::string>& args)
{
    checkArguments(args);
    return runSibling(siblingExecutable("lnscope-synth", "the scene generator"), args);
}

} // namespace

const Command kSynthCommand{"synth", "render procedural stereo driving scenes (KITTI layout)", kUsage, &runSynth};

} // namespace lnscope::app
