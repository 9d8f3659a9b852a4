#pragma once
// BoxFrameData: everything the box views of one frame draw — the BEV (BevView), the 3-D scene
// (BoxView3D) and the boxes projected on the camera image (CameraBoxView). A plain value, built
// on a worker by the application from core's results; the views compute no numbers.

#include "lnscope/core/kitti_io.h"
#include "lnscope/widgets/bev_view.h"

#include <QImage>

#include <optional>
#include <vector>

namespace lnscope::widgets {

/// One coloured point of the scene, in the KITTI camera frame (metres; x right, y down, z forward).
struct ScenePoint
{
    float x = 0, y = 0, z = 0;
    unsigned char r = 0, g = 0, b = 0;
};

struct BoxFrameData
{
    BevData bev;                            ///< ground truth, float, converted boxes + matching
    QImage image;                           ///< left camera image; may be null
    std::optional<core::KittiCalib> calib;  ///< the frame's calibration (P2 projects camera → image)
    std::vector<ScenePoint> points;         ///< scene points from disparity (may be empty)
};

} // namespace lnscope::widgets
