#pragma once
// CameraBoxView: the left camera image of one frame with the 3-D boxes of the ground truth, the
// float network and the converted network projected on it through the frame's calibration (P2),
// drawn from a BoxFrameData (box_frame.h; built by the caller, the view computes no metric).
//
//   boxes        the 12 edges of core::boxCorners() (KITTI: location = bottom centre, y down,
//                rotation_y about y), each clipped to the near plane z ≥ kNearPlaneMetres before it
//                is projected, so that a box partly behind the camera keeps its visible part and
//                never explodes across the image; the front face (+l/2 along the heading) carries
//                its two diagonals. Styles as BevView: ground truth thin grey, float solid blue,
//                converted dashed orange (Okabe–Ito, colour-blind safe), over a light halo so that
//                they read on any background; boxes found by only one network drawn thicker, with a
//                diamond at their centre. DontCare regions are not drawn;
//   legend       top right, with the number of boxes of each set that is shown;
//   readout      hovering a box highlights it and shows its set, class, score, distance and whether
//                the other network found it (bottom left);
//   image        fitted to the widget keeping its aspect ratio, centred on a dark background.
//
// Empty states: "no camera image" without an image; the image with a "no calibration" note when
// the frame has none (boxes need P2).
//
// Frames: camera = KITTI's rectified camera frame (kitti_io.h), metres, x right, y down, z forward;
// image = pixels of the left colour image, (0, 0) top-left; widget = widget pixels.
//
// Threading: the widget is GUI-thread only. paint(), projectBox() and imageToTarget() are pure
// functions usable on any thread (the comparison video paints on QImages in a worker).

#include "lnscope/core/kitti_io.h"
#include "lnscope/widgets/bev_view.h"
#include "lnscope/widgets/box_frame.h"

#include <QFont>
#include <QLineF>
#include <QRectF>
#include <QString>
#include <QTransform>
#include <QWidget>

#include <array>
#include <optional>
#include <vector>

class QPainter;

namespace lnscope::widgets {

class CameraBoxView : public QWidget
{
    Q_OBJECT
public:
    using BoxSet = BevView::BoxSet;
    using BoxRef = BevView::BoxRef;

    /// Edges are clipped to camera z ≥ this many metres before projection.
    static constexpr double kNearPlaneMetres = 0.1;
    /// The 12 edges of a box as pairs of core::boxCorners() indices: ground face, top face, pillars.
    static constexpr std::array<std::array<int, 2>, 12> kBoxEdges{
        {{0, 1}, {1, 2}, {2, 3}, {3, 0}, {4, 5}, {5, 6}, {6, 7}, {7, 4}, {0, 4}, {1, 5}, {2, 6}, {3, 7}}};
    /// The front face (+l/2 along the heading): corners 0, 1, 5, 4; its diagonals mark it.
    static constexpr std::array<std::array<int, 2>, 2> kFrontDiagonals{{{0, 5}, {1, 4}}};

    /// One projected segment of a box, image pixels.
    struct ImageEdge
    {
        QLineF line;          ///< from the first to the second corner (clipped end moved to the near plane)
        int edge = -1;        ///< index into kBoxEdges, or 12 + index into kFrontDiagonals
        bool clipped = false; ///< an end was moved to the near plane
    };

    /// What paint() draws besides the image.
    struct Options
    {
        bool showGroundTruth = true;
        bool showFloat = true;
        bool showConverted = true;
        bool showLegend = true;
        std::optional<BoxRef> hovered; ///< highlighted (halo) box, e.g. the one under the mouse
        QFont font;                    ///< legend and notes
    };

    explicit CameraBoxView(QWidget* parent = nullptr);
    ~CameraBoxView() override;

    /// Shows `frame` (a copy is kept).
    void setFrame(const BoxFrameData& frame);
    /// Back to the empty state.
    void clear();
    const BoxFrameData& frame() const { return m_frame; }

    /// Which sets are drawn (all by default).
    void setSetVisible(BoxSet set, bool visible);
    bool isSetVisible(BoxSet set) const;

    /// Where the image is drawn, widget pixels (empty without an image).
    QRectF imageRect() const;
    /// The box under a widget point (inside the bounding rectangle of its projected box, or within a few
    /// pixels of its projected centre); of several, the one with the smallest outline (so that a
    /// far box seen through a near one can be picked). Float and converted boxes before ground
    /// truth; hidden sets are not picked.
    std::optional<BoxRef> boxAt(QPointF widgetPx) const;
    /// The readout of a box: "<set> <class> #<index> · score <s>" and its distance and pairing;
    /// "" for an invalid reference.
    QString describe(BoxRef box) const;
    std::optional<BoxRef> hoveredBox() const { return m_hovered; }
    /// The readout shown now ("" when no box is hovered).
    QString hoverText() const;

    /// The segments of `object`'s box on the image of `calib` (P2): the 12 edges, then the two
    /// front-face diagonals, each clipped to camera z ≥ kNearPlaneMetres and projected; segments
    /// wholly behind the near plane, and every segment of a box with a non-finite or non-positive
    /// size, are left out. Does not throw.
    static std::vector<ImageEdge> projectBox(const core::KittiObject& object, const core::KittiCalib& calib);
    /// Image pixels → target pixels: the image scaled to fit `target` keeping its aspect ratio,
    /// centred. Identity for an empty image size.
    static QTransform imageToTarget(QSizeF imageSize, const QRectF& target);
    /// Draws `frame` into `target` (background, image fitted keeping aspect, boxes, legend,
    /// notes) with `options`. Paints only through `painter`: usable on a QImage in a worker.
    static void paint(QPainter& painter, const QRectF& target, const BoxFrameData& frame, const Options& options);

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

signals:
    /// The hovered box changed (hoverText() has the readout).
    void hoveredBoxChanged();

protected:
    void paintEvent(QPaintEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void leaveEvent(QEvent* event) override;

private:
    Options currentOptions() const;
    void setHovered(std::optional<BoxRef> box);
    void drawReadout(QPainter& painter) const;

    BoxFrameData m_frame;
    std::array<bool, 3> m_visible{true, true, true};
    std::optional<BoxRef> m_hovered;
};

} // namespace lnscope::widgets
