// The generator's command line, its stereo rig and its class list.

#include "lnscope/synth/synth.h"

#include <charconv>
#include <limits>
#include <map>

namespace lnscope::synth {

namespace {

constexpr int kMinWidth = 64, kMaxWidth = 4096;
constexpr int kMinHeight = 32, kMaxHeight = 4096;
constexpr int kMaxThreads = 64;

long long parseInteger(const std::string& option, const std::string& text, long long min, long long max)
{
    long long value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || ec == std::errc::invalid_argument || end != text.data() + text.size())
        throw UsageError(option + ": '" + text + "' is not an integer");
    if (ec == std::errc::result_out_of_range || value < min || value > max)
        throw UsageError(option + ": " + text + " is out of range (" + std::to_string(min) + " to "
                         + std::to_string(max) + ")");
    return value;
}

} // namespace

const char* synthUsage()
{
    return R"(usage: lnscope-synth --out DIR --frames N [--seed S] [--width W --height H] [--start I]
                     [--threads T]

Renders procedural stereo driving scenes with VTK offscreen (needs an X display: use xvfb-run on
a machine without a screen) and writes them in the KITTI object layout: image_2/ and image_3/
(left and right PNG), label_2/ (KITTI labels of every visible car, pedestrian and cyclist),
calib/ (P0..P3, R0_rect, Tr_velo_to_cam, Tr_imu_to_velo), semantic/ (8-bit class ids),
disparity/ (16-bit PNG, disparity * 256, 0 = no surface), classes.json and synth.json.
The same arguments always give the same files; each frame depends only on the seed and its number.

options:
  --out DIR       output folder (created if missing; existing frames are overwritten)
  --frames N      number of frames (1 to 1000000)
  --seed S        scene seed, 0 to 4294967295 (default 0)
  --width W       image width in pixels, 64 to 4096 (default 640)
  --height H      image height in pixels, 32 to 4096 (default 192); the focal length is
                  721.5377 * W / 1242 (KITTI's, scaled to the width)
  --start I       number of the first frame (default 0); frames are named with six digits
  --threads T     worker threads, each with its own render window (default 1, at most 64)
  -h, --help      show this help
)";
}

SynthOptions parseSynthArgs(const std::vector<std::string>& args)
{
    static const char* const kOptions[] = {"--out",    "--frames", "--seed",   "--width",
                                           "--height", "--start",  "--threads"};
    std::map<std::string, std::string> values;
    for (size_t i = 0; i < args.size(); ++i) {
        std::string name = args[i], value;
        const size_t eq = name.find('=');
        const bool inlineValue = name.rfind("--", 0) == 0 && eq != std::string::npos;
        if (inlineValue) {
            value = name.substr(eq + 1);
            name = name.substr(0, eq);
        }
        bool known = false;
        for (const char* o : kOptions)
            known = known || name == o;
        if (!known)
            throw UsageError(name.rfind("-", 0) == 0 ? "unknown option '" + name + "'"
                                                     : "unexpected argument '" + name + "'");
        if (!inlineValue) {
            if (i + 1 >= args.size())
                throw UsageError(name + " needs a value");
            value = args[++i];
        }
        if (!values.emplace(name, value).second)
            throw UsageError(name + " is given more than once");
    }
    const auto get = [&](const char* name) -> const std::string* {
        const auto it = values.find(name);
        return it == values.end() ? nullptr : &it->second;
    };

    SynthOptions o;
    if (!get("--out"))
        throw UsageError("missing --out DIR");
    if (get("--out")->empty())
        throw UsageError("--out: the folder name is empty");
    o.out = *get("--out");
    if (!get("--frames"))
        throw UsageError("missing --frames N");
    o.frames = int(parseInteger("--frames", *get("--frames"), 1, kMaxFrameNumber + 1));
    if (const std::string* v = get("--seed"))
        o.seed = uint32_t(parseInteger("--seed", *v, 0, std::numeric_limits<uint32_t>::max()));
    if (const std::string* v = get("--width"))
        o.width = int(parseInteger("--width", *v, kMinWidth, kMaxWidth));
    if (const std::string* v = get("--height"))
        o.height = int(parseInteger("--height", *v, kMinHeight, kMaxHeight));
    if (const std::string* v = get("--start"))
        o.start = int(parseInteger("--start", *v, 0, kMaxFrameNumber));
    if (const std::string* v = get("--threads"))
        o.threads = int(parseInteger("--threads", *v, 1, kMaxThreads));
    if (o.start + o.frames - 1 > kMaxFrameNumber)
        throw UsageError("--start " + std::to_string(o.start) + " with --frames " + std::to_string(o.frames)
                         + " runs past frame " + std::to_string(kMaxFrameNumber) + " (names have six digits)");
    return o;
}

StereoRig rigFor(int width, int height)
{
    StereoRig rig;
    rig.width = width;
    rig.height = height;
    rig.focal = kKittiFocal * width / kKittiWidth;
    // Pixel centres are integers (KITTI), and OpenGL puts the optical axis at the window's middle.
    rig.cx = (width - 1) / 2.0;
    rig.cy = (height - 1) / 2.0;
    return rig;
}

core::KittiCalib StereoRig::calib() const
{
    core::KittiCalib c;
    c.P2 = {focal, 0, cx, 0, 0, focal, cy, 0, 0, 0, 1, 0};
    c.P3 = c.P2;
    c.P3[3] = -focal * baseline;
    c.P0 = c.P2;
    c.P1 = c.P3;
    c.R0_rect = {1, 0, 0, 0, 1, 0, 0, 0, 1};
    // Velodyne axes (x forward, y left, z up) to camera axes (x right, y down, z forward).
    c.Tr_velo_to_cam = {0, -1, 0, 0, 0, 0, -1, 0, 1, 0, 0, 0};
    c.Tr_imu_to_velo = {1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0};
    return c;
}

const std::vector<core::ClassInfo>& synthClasses()
{
    // The same ids, names and colours as resources/palettes/classes.json.
    static const std::vector<core::ClassInfo> kClasses = {{kRoad, "road", {128, 64, 128}},
                                                          {kLaneMarking, "lane marking", {157, 234, 50}},
                                                          {kSidewalk, "sidewalk", {244, 35, 232}},
                                                          {kBuilding, "building", {70, 70, 70}},
                                                          {kVegetation, "vegetation", {107, 142, 35}},
                                                          {kSky, "sky", {70, 130, 180}},
                                                          {kPole, "pole", {153, 153, 153}},
                                                          {kCar, "car", {0, 0, 142}},
                                                          {kPedestrian, "pedestrian", {220, 20, 60}},
                                                          {kCyclist, "cyclist", {255, 0, 0}}};
    return kClasses;
}

} // namespace lnscope::synth
