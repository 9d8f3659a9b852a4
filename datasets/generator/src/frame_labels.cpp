#include "frame_labels.h"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace lnscope::synth::detail {

namespace {

struct Rect
{
    double x0, y0, x1, y1;
    double area() const { return std::max(0.0, x1 - x0) * std::max(0.0, y1 - y0); }
};

double wrap(double a)
{
    while (a > std::numbers::pi)
        a -= 2 * std::numbers::pi;
    while (a < -std::numbers::pi)
        a += 2 * std::numbers::pi;
    return a;
}

} // namespace

std::vector<FrameObject> labelObjects(const Scene& scene, const Frame& frame, const StereoRig& rig,
                                      const SoloPixelCount& soloPixels)
{
    const core::KittiCalib calib = rig.calib();
    std::vector<int64_t> visible(scene.objects.size() + 1, 0);
    for (const uint8_t id : frame.instance)
        if (id > 0 && id <= scene.objects.size())
            ++visible[id];

    std::vector<FrameObject> out;
    const Rect image{0.0, 0.0, double(rig.width - 1), double(rig.height - 1)};
    for (size_t i = 0; i < scene.objects.size(); ++i) {
        const int instance = int(i) + 1;
        if (visible[size_t(instance)] == 0)
            continue;
        core::KittiObject label = scene.objects[i].box;
        Rect box{1e300, 1e300, -1e300, -1e300};
        for (const auto& c : core::boxCorners(label)) {
            const auto [u, v] = core::project(calib, c[0], c[1], c[2]);
            box = {std::min(box.x0, u), std::min(box.y0, v), std::max(box.x1, u), std::max(box.y1, v)};
        }
        const Rect clipped{std::max(box.x0, image.x0), std::max(box.y0, image.y0), std::min(box.x1, image.x1),
                           std::min(box.y1, image.y1)};
        if (clipped.x1 < clipped.x0 || clipped.y1 < clipped.y0)
            continue;
        const double fullArea = box.area();
        const double truncated = fullArea > 0 ? std::clamp(1.0 - clipped.area() / fullArea, 0.0, 1.0) : 0.0;

        // The solo render is read a pixel beyond the clipped box: pixel centres inside the box's
        // silhouette can sit up to half a pixel past its rounded corners.
        const PixelRect rect{std::max(0, int(std::floor(clipped.x0)) - 1), std::max(0, int(std::floor(clipped.y0)) - 1),
                             std::min(rig.width - 1, int(std::ceil(clipped.x1)) + 1),
                             std::min(rig.height - 1, int(std::ceil(clipped.y1)) + 1)};
        FrameObject object;
        object.instance = instance;
        object.visiblePixels = visible[size_t(instance)];
        object.fullPixels = std::max(object.visiblePixels, soloPixels(i, rect));
        const double share = double(object.visiblePixels) / double(object.fullPixels);
        label.occluded = share >= kFullyVisibleShare ? 0 : share >= kPartlyVisibleShare ? 1 : 2;
        label.truncated = float(centi(truncated));
        label.alpha = float(std::clamp(
            centi(wrap(double(label.rotationY) - std::atan2(double(label.x), double(label.z)))), -3.14, 3.14));
        label.bbox[0] = float(centi(clipped.x0));
        label.bbox[1] = float(centi(clipped.y0));
        label.bbox[2] = float(centi(clipped.x1));
        label.bbox[3] = float(centi(clipped.y1));
        object.label = label;
        out.push_back(object);
    }
    return out;
}

} // namespace lnscope::synth::detail
