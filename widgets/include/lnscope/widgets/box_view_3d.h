#pragma once
// BoxView3D: the 3-D boxes of one frame over its scene, rendered by VTK offscreen and shown as an
// image, drawn from a BoxFrameData (box_frame.h; built by the caller, the view computes no metric).
//
//   scene        the frame's points (from disparity, coloured from the left image) as a point
//                cloud; a ground grid in metres (lines every 5 m, brighter every 10 m, distances
//                along the forward axis written beside it) on the ground plane y = ground height,
//                taken from the ground-truth boxes (objects stand on the ground) or, without them,
//                from any box, else KITTI's 1.65 m; the ego camera as a small frustum at the origin
//                looking along +z, with the ego car's footprint on the ground under it;
//   boxes        the 12 edges of core::boxCorners() (KITTI: location = bottom centre, y down,
//                rotation_y about y) plus a heading line from the bottom centre to the middle of
//                the front edge. Styles as BevView (bev_style.h, Okabe–Ito, colour-blind safe):
//                ground truth thin grey, float solid blue, converted dashed orange; matched
//                float/converted pairs linked by a purple line between their centres; boxes found
//                by only one network drawn thicker, with a diamond marker above them. DontCare
//                objects and boxes with non-finite or non-positive sizes are not drawn;
//   legend       top right, with the number of boxes of each set; a "no boxes" note when there
//                are none.
//
// Frames: the scene is drawn in KITTI's rectified camera frame (kitti_io.h): x right, y down,
// z forward, metres; the VTK camera's view-up is −y, so the ground is at the bottom.
//
// Mouse: left-drag orbits around the focal point, middle-drag pans, right-drag and the wheel
// zoom; a double-click resets the camera. Keyboard (shortcuts()): R resets the camera, + / − zoom,
// arrow keys orbit. Orbiting turns about the vertical through the focal point, so the ground stays
// level, and stops short of straight down.
// Default camera: behind and above the ego car, looking forward down the road.
//
// Rendering: VTK renders into an offscreen window that is read back into a QImage and painted
// (Debian's VTK Qt module is built for Qt 5, DESIGN.md), like VtkImageView. The frame is rendered
// lazily in paintEvent, only after the data, the size or the camera changed; several mouse
// events between two paints cost one render. Without an X display with GLX (Debian's VTK would
// abort the process) the view draws a placeholder text instead; hasRenderer() tells which.
//
// Threading: GUI thread only. BoxFrameData is a plain value that can be built on a worker. VTK
// types stay private (pimpl): users of lnscope_widgets need no VTK headers.

#include "lnscope/widgets/box_frame.h"

#include <QColor>
#include <QImage>
#include <QList>
#include <QPair>
#include <QString>
#include <QWidget>

#include <array>
#include <memory>

class QPainter;

namespace lnscope::widgets {

class BoxView3D : public QWidget
{
    Q_OBJECT
public:
    /// A perspective camera in the scene (camera frame, metres). viewAngle is the vertical field
    /// of view in degrees.
    struct CameraPose
    {
        std::array<double, 3> position{0, 0, 0};
        std::array<double, 3> focalPoint{0, 0, 1};
        std::array<double, 3> viewUp{0, -1, 0};
        double viewAngle = 45.0;
    };

    explicit BoxView3D(QWidget* parent = nullptr);
    ~BoxView3D() override;

    /// Shows `data` (a copy is kept). The camera stays where it is.
    void setFrame(const BoxFrameData& data);
    /// No boxes and no points (the grid and the ego camera stay, with a "no boxes" note).
    void clear();
    const BoxFrameData& frame() const;
    bool hasBoxes() const;

    /// True when an X display with GLX was found and the VTK scene exists.
    bool hasRenderer() const;
    /// Why there is no renderer (e.g. "DISPLAY is not set"), or "" when there is one.
    QString unavailableReason() const;

    /// Renders the VTK scene (without the legend overlay) at `size` device pixels with the current
    /// camera (RGB888, top row first). Null when !hasRenderer() or the size is empty.
    QImage renderToImage(QSize size);

    /// The default camera: behind and above the ego car, looking forward (see defaultCamera()).
    void resetCamera();
    /// Moves the camera towards (> 1) or away from (< 1) its focal point by `factor`.
    void zoomBy(double factor);
    /// Orbits the camera about its focal point: azimuth about the view-up, elevation about the
    /// camera's right axis, degrees.
    void orbit(double azimuthDegrees, double elevationDegrees);
    CameraPose camera() const;
    void setCamera(const CameraPose& pose);
    /// The pose resetCamera() restores: 11 m behind the ego camera and 6 m above it, looking at a
    /// point 18 m ahead near the ground; 45° vertical field of view.
    static CameraPose defaultCamera();

    /// The solid background colour of the scene.
    static QColor backgroundColor();
    /// Colours of the drawn sets on the dark background: ground truth, float, converted, pair link.
    static QColor groundTruthColor();
    static QColor floatColor();
    static QColor convertedColor();
    static QColor linkColor();

    /// The keyboard and mouse controls, (keys, what they do), for a shortcut list.
    static QList<QPair<QString, QString>> shortcuts();

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

signals:
    /// The user moved the camera (mouse, wheel or keys), or resetCamera()/setCamera() did.
    void cameraChanged();

protected:
    void paintEvent(QPaintEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void mouseDoubleClickEvent(QMouseEvent* event) override;
    void wheelEvent(QWheelEvent* event) override;
    void keyPressEvent(QKeyEvent* event) override;

private:
    void paintPlaceholder(QPainter& painter);
    void paintOverlay(QPainter& painter);
    void paintGridLabels(QPainter& painter);
    void paintLegend(QPainter& painter);
    QStringList legendLabels() const;

    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace lnscope::widgets
