#pragma once
// The scene of BoxView3D (box_view_3d.h): plain line geometry of boxes, grid and ego car (testable
// without VTK), and the VTK actors built from it. Private to lnscope_widgets.
//
// Frame: KITTI's rectified camera frame, x right, y down, z forward, metres.

#include "lnscope/widgets/box_frame.h"

#include <QColor>
#include <QString>

#include <array>
#include <vector>

class vtkRenderer;

namespace lnscope::widgets::box3d {

using Point3 = std::array<double, 3>;

struct Segment
{
    Point3 a, b;
};

/// The look of the 3-D view: Okabe–Ito hues of bev_style.h for the sets, on a dark background.
struct Style
{
    static constexpr int kBackground[3] = {30, 33, 39};
    static QColor groundTruth();
    static QColor floatBoxes();
    static QColor converted();
    static QColor link();
    static QColor gridMinor();
    static QColor gridMajor();
    static QColor ego();
};

/// A distance written beside the ground grid, at a point of the ground plane.
struct GridLabel
{
    Point3 position;
    QString text;
};

/// What the widget needs to know about the built scene.
struct SceneInfo
{
    double groundY = 1.65;             ///< the ground plane y, metres
    std::vector<GridLabel> gridLabels; ///< distances along the forward axis
};

/// True for boxes that are drawn: not DontCare, finite location and heading, l, w, h > 0.
bool drawable(const core::KittiObject& object);

/// The 12 edges of core::boxCorners() plus the heading line (bottom centre → middle of the
/// front edge, the face at +l/2 along the object's x axis).
std::vector<Segment> boxSegments(const core::KittiObject& object);

/// Splits every segment into dashes of `dash` metres with gaps of about `gap` metres, a dash at
/// both ends (so corners stay visible); segments shorter than a dash stay whole.
std::vector<Segment> dashed(const std::vector<Segment>& segments, double dash, double gap);

/// The ground plane y: the median bottom of the drawable ground-truth boxes, else of every
/// drawable box, else 1.65 m (KITTI's camera height).
double groundHeight(const BevData& boxes);

/// The geometric centre of a box (the bottom centre lifted by h/2).
Point3 boxCentre(const core::KittiObject& object);

/// Replaces every prop of `renderer` with the scene of `data`.
SceneInfo buildScene(vtkRenderer* renderer, const BoxFrameData& data);

} // namespace lnscope::widgets::box3d
