#pragma once
// The procedural stereo driving-scene generator behind `lnscope-cli synth` (spec/data.md "The
// bundled dataset"). Scenes are built from a per-frame seeded random generator, rendered with VTK
// offscreen through X (Xvfb in tests), and written in the KITTI object layout plus class-id
// labels and disparity (datasets/README.md "Synthetic driving scenes (synthdrive)").
//
// Frames: the rectified left camera (KITTI camera 2) is the reference frame of everything here:
// x right, y down, z forward, metres; the ground under the camera is the plane y = cameraHeight.
// The right camera sits at x = +baseline. Pixels: (u, v) with u right, v down, pixel centres at
// integer coordinates (the KITTI convention, which P2 encodes).
//
// This header holds plain value types only; VTK, X11 and OpenCV are private to the library.

#include "lnscope/core/kitti_io.h"
#include "lnscope/core/seg_labels.h"

#include <cstdint>
#include <filesystem>
#include <iosfwd>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace lnscope::synth {

/// Bumped whenever the same arguments would produce different files.
inline constexpr int kGeneratorVersion = 1;
inline constexpr int kDefaultWidth = 640;
inline constexpr int kDefaultHeight = 192;
/// Stereo baseline, metres (KITTI: 0.54 m between the two colour cameras).
inline constexpr double kBaseline = 0.54;
/// KITTI's colour-camera focal length (pixels) at its image width; other widths scale it.
inline constexpr double kKittiFocal = 721.5377;
inline constexpr double kKittiWidth = 1242.0;
/// Frame numbers are written with six digits.
inline constexpr int kMaxFrameNumber = 999999;

/// Occlusion levels from the share of an object's pixels that are visible (the rendered instance
/// mask over the object rendered alone): >= 0.9 is 0 (fully visible), >= 0.5 is 1 (partly
/// occluded), anything less is 2 (largely occluded).
inline constexpr double kFullyVisibleShare = 0.9;
inline constexpr double kPartlyVisibleShare = 0.5;

/// Class ids of the label images (resources/palettes/classes.json, same order and colours).
enum ClassId : uint8_t {
    kRoad = 0,
    kLaneMarking = 1,
    kSidewalk = 2,
    kBuilding = 3,
    kVegetation = 4,
    kSky = 5,
    kPole = 6,
    kCar = 7,
    kPedestrian = 8,
    kCyclist = 9,
    kClassCount = 10
};

/// The ten classes with names and RGB colours.
const std::vector<core::ClassInfo>& synthClasses();

/// The command line was wrong; the message says which argument and why.
class UsageError : public std::runtime_error
{
public:
    using std::runtime_error::runtime_error;
};

/// The generator cannot render (no X display, no GLX, a render window that failed).
class RenderUnavailable : public std::runtime_error
{
public:
    using std::runtime_error::runtime_error;
};

struct SynthOptions
{
    std::filesystem::path out;   ///< output folder (created if missing)
    int frames = 0;              ///< how many frames, >= 1
    uint32_t seed = 0;           ///< 0 .. 2^32-1
    int width = kDefaultWidth;   ///< pixels, 64 .. 4096
    int height = kDefaultHeight; ///< pixels, 32 .. 4096
    int start = 0;               ///< first frame number; start + frames - 1 <= kMaxFrameNumber
    int threads = 1;             ///< worker threads, each with its own render window, 1 .. 64
};

/// The generator's usage text (lnscope-cli prints its own, with the same options).
const char* synthUsage();

/// Parses `--out DIR --frames N --seed S [--width W --height H] [--start I] [--threads T]`
/// ("--name value" or "--name=value"). --out and --frames are required; --seed defaults to 0.
/// Throws UsageError naming the option and the reason (unknown option, missing or repeated
/// value, not an integer, out of range, frame numbers past 999999).
SynthOptions parseSynthArgs(const std::vector<std::string>& args);

/// The stereo rig for an image size. f = 721.5377 * width / 1242 (KITTI's focal length scaled to
/// the width), square pixels, principal point at the image centre ((W-1)/2, (H-1)/2), level
/// cameras, right camera at x = +baseline. The VTK cameras use the vertical view angle
/// 2 atan(H / 2 / f), so rendered pixels and P2 / P3 agree.
struct StereoRig
{
    int width = kDefaultWidth, height = kDefaultHeight;
    double focal = 0.0;                     ///< pixels
    double cx = 0.0, cy = 0.0;              ///< principal point, pixels
    double baseline = kBaseline;            ///< metres
    double nearClip = 1.0, farClip = 400.0; ///< the depth range rendered, metres

    /// P0 = P2 = K [I | 0], P1 = P3 = K [I | (-baseline, 0, 0)] (the grey cameras of KITTI's rig
    /// coincide with the colour ones here), R0_rect = I, Tr_velo_to_cam the nominal axis swap
    /// (velodyne x forward, y left, z up, at the camera origin), Tr_imu_to_velo = [I | 0].
    core::KittiCalib calib() const;
};
StereoRig rigFor(int width, int height);

/// What was drawn in a frame (written to synth.json).
struct SceneInfo
{
    std::string layout;        ///< "straight", "curved", "intersection"
    std::string setting;       ///< "urban", "suburban", "rural"
    std::string timeOfDay;     ///< "noon", "morning", "evening", "overcast", "dusk"
    double cameraHeight = 0.0; ///< metres above the ground
    int placedObjects = 0;     ///< cars, pedestrians and cyclists in the scene (visible or not)
};

/// One labelled object: its KITTI label and how it was seen.
struct FrameObject
{
    core::KittiObject label;
    int instance = 0;          ///< its value in Frame::instance
    int64_t visiblePixels = 0; ///< pixels of the instance mask in the left image
    int64_t fullPixels = 0;    ///< pixels when rendered alone (no occluders), inside the image
};

/// One rendered frame. Images are row-major with the top row first.
struct Frame
{
    int index = 0;
    int width = 0, height = 0;
    std::vector<uint8_t> left, right; ///< RGB, 3 bytes per pixel
    core::LabelMap semantic;          ///< class ids of the left image (sky where nothing was hit)
    std::vector<uint8_t> instance;    ///< 0 for the static scene, else the object's instance id
    std::vector<uint16_t> disparity;  ///< left image, KITTI format: round(256 * f * B / z), 0 = no surface
    std::vector<FrameObject> objects; ///< the visible cars, pedestrians and cyclists
    SceneInfo scene;
};

/// Checks that VTK can render here: $DISPLAY names an X server that answers and has GLX.
/// Returns "" when it can, else the reason. Opens the process-wide X connection on success.
std::string displayProblem();

/// Renders frames with one offscreen render window that it reuses. Not thread-safe: use one per
/// thread. Construction throws RenderUnavailable when there is no usable display.
class FrameRenderer
{
public:
    explicit FrameRenderer(const StereoRig& rig);
    ~FrameRenderer();
    FrameRenderer(const FrameRenderer&) = delete;
    FrameRenderer& operator=(const FrameRenderer&) = delete;

    /// Builds and renders frame `index` of the sequence `seed`. The scene depends only on
    /// (seed, index) and the image size: one std::mt19937 per frame.
    Frame render(uint32_t seed, int index);

private:
    struct Private;
    std::unique_ptr<Private> d;
};

/// Writes image_2, image_3, label_2, calib, semantic and disparity files of one frame into dir
/// (the folders must exist), each to a temporary name first, then renamed. Throws core::IoError.
void writeFrame(const std::filesystem::path& dir, const Frame& frame, const StereoRig& rig);

/// Runs the whole generation: creates the folders, writes classes.json, renders and writes the
/// frames on options.threads threads, then writes synth.json (last, so its presence marks a
/// complete run). Progress and the final frames/s go to `log` (nullptr: silent).
/// Throws UsageError, RenderUnavailable, core::IoError or std::filesystem::filesystem_error.
/// Returns the wall-clock seconds spent.
double generate(const SynthOptions& options, std::ostream* log);

/// main() of lnscope-synth: parses, generates, prints errors as "lnscope-synth: reason".
/// Exit codes as lnscope-cli: 0 ok, 1 bad input or no display, 2 usage, 3 internal error.
int synthMain(const std::vector<std::string>& args);

} // namespace lnscope::synth
