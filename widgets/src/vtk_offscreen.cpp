#include "vtk_offscreen.h"

#include <QCoreApplication>
#include <QPainter>
#include <QWidget>

#include <vtkNew.h>
#include <vtkRenderWindow.h>
#include <vtkRenderer.h>
#include <vtkUnsignedCharArray.h>

#include <cstring>

namespace lnscope::widgets::detail {

vtkSmartPointer<vtkRenderWindow> makeOffscreenWindow(void* x11Display, vtkRenderer* renderer, QSize pixels)
{
    auto window = vtkSmartPointer<vtkRenderWindow>::New();
    window->SetDisplayId(x11Display); // the shared, already-probed connection (x11_display.h)
    window->SetOffScreenRendering(1); // never map an X window; the pixels are read back instead
    window->SetMultiSamples(0);       // identical pixels on every Mesa build (tests)
    window->AddRenderer(renderer);
    window->SetSize(pixels.width(), pixels.height());
    return window;
}

QImage renderOffscreen(vtkRenderWindow* window, vtkRenderer* renderer, QSize pixels)
{
    window->SetSize(pixels.width(), pixels.height());
    renderer->ResetCameraClippingRange();
    window->Render();
    // Read the frame just rendered straight from the back buffer (offscreen: it holds the frame).
    // Not through vtkWindowToImageFilter: by default that renders the whole scene a second time
    // before it reads.
    vtkNew<vtkUnsignedCharArray> rgb;
    const int w = pixels.width(), h = pixels.height();
    if (!window->GetPixelData(0, 0, w - 1, h - 1, /*front=*/0, rgb) || rgb->GetNumberOfComponents() != 3
        || rgb->GetNumberOfTuples() != vtkIdType(w) * h)
        return {};
    // VTK's rows run bottom-up, QImage's top-down.
    QImage out(w, h, QImage::Format_RGB888);
    const unsigned char* src = rgb->GetPointer(0);
    const size_t rowBytes = size_t(w) * 3;
    for (int y = 0; y < h; ++y)
        std::memcpy(out.scanLine(h - 1 - y), src + size_t(y) * rowBytes, rowBytes);
    return out;
}

QSize devicePixelSize(const QWidget& widget)
{
    const qreal ratio = widget.devicePixelRatioF();
    return QSize(qMax(1, qRound(widget.width() * ratio)), qMax(1, qRound(widget.height() * ratio)));
}

void paintUnavailable(QPainter& painter, const QRect& rect, const QColor& background, const QColor& text,
                      const QString& reason)
{
    painter.fillRect(rect, background);
    painter.setPen(text);
    QFont font = painter.font();
    font.setPointSizeF(font.pointSizeF() * 1.2);
    painter.setFont(font);
    const QString title = QCoreApplication::translate("lnscope::widgets", "3-D view unavailable: no OpenGL display");
    painter.drawText(rect.adjusted(12, 12, -12, -12), Qt::AlignCenter | Qt::TextWordWrap, title + QLatin1Char('\n') + reason);
}

} // namespace lnscope::widgets::detail
