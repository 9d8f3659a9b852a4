#pragma once
// Internal to lnscope_widgets: what the VTK views (VtkImageView, BoxView3D) share — an offscreen
// render window on the shared X connection, the render + read-back into a QImage, the widget's
// size in device pixels and the placeholder drawn without an OpenGL display. VTK stays private
// to the library: only its .cpp files include this header.

#include <QImage>
#include <QSize>

#include <vtkSmartPointer.h>

class QColor;
class QPainter;
class QRect;
class QString;
class QWidget;
class vtkRenderWindow;
class vtkRenderer;

namespace lnscope::widgets::detail {

/// A render window holding `renderer`, `pixels` in size, on `x11Display` (the shared, already
/// probed connection of x11_display.h). It never maps an X window (the pixels are read back)
/// and does not multisample (identical pixels on every Mesa build, for the tests).
vtkSmartPointer<vtkRenderWindow> makeOffscreenWindow(void* x11Display, vtkRenderer* renderer, QSize pixels);

/// Renders `window` at `pixels` (the clipping range of `renderer` fitted to its props first) and
/// reads the frame back: RGB888, top row first. A null image when nothing could be read.
QImage renderOffscreen(vtkRenderWindow* window, vtkRenderer* renderer, QSize pixels);

/// `widget`'s size in device pixels, at least 1×1.
QSize devicePixelSize(const QWidget& widget);

/// The placeholder of a 3-D view without an OpenGL display: a title and `reason`, centred in
/// `rect` on `background`, in `text` colour, a little larger than the painter's font.
void paintUnavailable(QPainter& painter, const QRect& rect, const QColor& background, const QColor& text,
                      const QString& reason);

} // namespace lnscope::widgets::detail
