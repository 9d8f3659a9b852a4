#pragma once
// KITTI labels from a rendered frame: the 2-D box, truncation and observation angle from the
// projected 3-D box, the occlusion level from the rendered instance masks.

#include "scene.h"

#include <functional>

namespace lnscope::synth::detail {

/// A pixel rectangle, inclusive, rows counted from the top.
struct PixelRect
{
    int x0 = 0, y0 = 0, x1 = -1, y1 = -1;
    bool empty() const { return x1 < x0 || y1 < y0; }
};

/// Renders object `objectIndex` alone and counts its pixels inside `rect` (the renderer's part).
using SoloPixelCount = std::function<int64_t(size_t objectIndex, const PixelRect& rect)>;

/// Labels of the scene's objects that are visible in the frame (frame.instance must be filled).
/// - bbox: the rectangle around the eight projected box corners, clipped to [0, W-1] x [0, H-1].
///   It is the box of the whole object, occluded parts included, like KITTI's amodal boxes.
/// - truncated: the share of that rectangle's area (before clipping) outside the image.
/// - occluded: from visible pixels / pixels when rendered alone (kFullyVisibleShare, kPartlyVisibleShare).
/// - alpha: rotation_y - atan2(x, z), wrapped to [-pi, pi].
/// Objects with no visible pixel are left out. All values are rounded to 0.01, as written.
std::vector<FrameObject> labelObjects(const Scene& scene, const Frame& frame, const StereoRig& rig,
                                      const SoloPixelCount& soloPixels);

} // namespace lnscope::synth::detail
