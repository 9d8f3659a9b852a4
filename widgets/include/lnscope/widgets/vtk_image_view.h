#pragma once
// A QWidget that shows a VTK scene rendered offscreen.
//
// Why not QVTKOpenGLNativeWidget: Debian's VTK 9.1 Qt module is built against Qt 5, and Qt 5 and
// Qt 6 cannot share a process (DESIGN.md). So the scene renders into an offscreen
// vtkRenderWindow, is read back into a QImage and painted with QPainter; mouse and wheel events
// are forwarded to a vtkGenericRenderWindowInteractor with a trackball-camera style (left drag:
// orbit, middle drag: pan, right drag / wheel: zoom).
//
// Debian's VTK renders through X only and aborts the process without a display, so the view
// probes the X display (and its GLX extension) before creating any VTK window. Without one it
// shows a placeholder text instead; hasRenderer() tells which case applies.
//
// The scene is, for now, a ground grid, the world axes and one sample 3-D box: the seed of the
// 3-D box view. World frame: y up, metres (the grid is 20 m × 20 m at y = 0).
//
// Threading: GUI thread only. VTK types stay private (pimpl): users of lnscope_widgets need no
// VTK headers.

#include <QImage>
#include <QString>
#include <QWidget>

#include <memory>

class QPainter;

namespace lnscope::widgets {

class VtkImageView : public QWidget
{
    Q_OBJECT
public:
    explicit VtkImageView(QWidget* parent = nullptr);
    ~VtkImageView() override;

    /// True when an X display with GLX was found and the VTK scene exists.
    bool hasRenderer() const;
    /// Why there is no renderer (e.g. "DISPLAY is not set"), or "" when there is one.
    QString unavailableReason() const;

    /// Renders the scene at `size` device pixels and returns it (RGB888, top row first).
    /// Returns a null QImage when !hasRenderer() or the size is empty. Does not change the
    /// camera; the widget's own frame is re-rendered at its size on the next paint.
    QImage renderToImage(QSize size);

    /// Frames the whole scene from the default viewpoint (slightly above, looking down the road).
    void resetCamera();

    /// The solid background colour of the scene (tests and placeholders use it).
    static QColor backgroundColor();

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

protected:
    void paintEvent(QPaintEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void wheelEvent(QWheelEvent* event) override;

private:
    void paintPlaceholder(QPainter& painter);

    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace lnscope::widgets
