// Zoom and fit of ImageViewport; see image_viewport.h.

#include "lnscope/widgets/image_viewport.h"

#include <algorithm>
#include <cmath>

namespace lnscope::widgets {

void ImageViewport::zoomAt(QPointF widgetPx, double factor)
{
    if (!std::isfinite(factor) || factor <= 0.0)
        return;
    const QPointF anchor = unmap(widgetPx);
    scale = std::clamp(scale * factor, kMinScale, kMaxScale);
    // Keep `anchor` under the cursor: widgetPx = anchor · scale + offset.
    offset = widgetPx - anchor * scale;
}

void ImageViewport::fit(QSize image, QSize widget)
{
    if (image.isEmpty() || widget.isEmpty()) {
        scale = 1.0;
        offset = {};
        return;
    }
    scale = std::clamp(std::min(double(widget.width()) / image.width(), double(widget.height()) / image.height()),
                       kMinScale, kMaxScale);
    offset = QPointF((widget.width() - image.width() * scale) / 2.0, (widget.height() - image.height() * scale) / 2.0);
}

} // namespace lnscope::widgets
