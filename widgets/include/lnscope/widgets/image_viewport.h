#pragma once
// ImageViewport: the zoom/pan map between image pixels and widget pixels of an image pane (the
// segmentation comparison's four panes share one). A plain value, tested without pixels
// (STYLE.md 12); the panes only paint through it.
//
// Frames: image pixels have (0, 0) at the top-left corner of the top-left pixel, x right, y down,
// so pixel (i, j) covers [i, i + 1) × [j, j + 1). Widget pixels are the pane's local coordinates,
// same orientation. widget = image · scale + offset (no rotation, no flip, one scale for x and y).
//
// Threading: a value type, usable from any thread.

#include <QPointF>
#include <QSize>

namespace lnscope::widgets {

struct ImageViewport
{
    /// Zoom limits (widget pixels per image pixel): zoomAt() clamps to them.
    static constexpr double kMinScale = 1.0 / 64.0;
    static constexpr double kMaxScale = 64.0;

    double scale = 1.0; ///< widget pixels per image pixel, > 0
    QPointF offset;     ///< widget position of the image's top-left corner (image (0, 0))

    /// Image pixel coordinates → widget pixel coordinates.
    QPointF map(QPointF imagePx) const { return imagePx * scale + offset; }
    /// Widget pixel coordinates → image pixel coordinates (the inverse of map()).
    QPointF unmap(QPointF widgetPx) const { return (widgetPx - offset) / scale; }

    /// Multiplies the scale by `factor` (> 1 zooms in) keeping the image point under `widgetPx`
    /// where it is. The resulting scale is clamped to [kMinScale, kMaxScale] (the point still
    /// stays fixed). A factor that is not finite and > 0 is ignored.
    void zoomAt(QPointF widgetPx, double factor);
    /// Moves the image by `deltaWidgetPx` (a drag of the mouse by that much).
    void pan(QPointF deltaWidgetPx) { offset += deltaWidgetPx; }
    /// The largest scale that shows all of `image` inside `widget`, centred (letterboxed). An
    /// empty image or widget gives scale 1 and offset (0, 0).
    void fit(QSize image, QSize widget);

    bool operator==(const ImageViewport&) const = default;
};

} // namespace lnscope::widgets
