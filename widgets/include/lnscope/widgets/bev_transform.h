#pragma once
// BevTransform: the map between the bird's-eye-view ground plane and the pixels of a BevView. A
// plain value, tested without pixels (STYLE.md 12); the view only paints through it.
//
// Frames: BEV is KITTI's camera x–z plane (kitti_io.h), metres: x right, z forward. On screen x
// goes right and z goes up (forward is up), so the ego car at the origin faces the top of the
// widget. Widget pixels: (0, 0) top-left, x right, y down. One scale for both axes (squares stay
// square, angles are kept).
//
// Threading: a value type, usable from any thread.

#include <QPointF>
#include <QRectF>
#include <QSizeF>

#include <array>
#include <utility>

namespace lnscope::widgets {

struct BevTransform
{
    /// Zoom limits (metres per pixel): zoomAt() clamps to them.
    static constexpr double kMinMetresPerPixel = 0.005;
    static constexpr double kMaxMetresPerPixel = 2.0;

    double metresPerPixel = 0.1;     ///< ground metres per widget pixel, > 0
    QPointF centreMetres{0.0, 20.0}; ///< the ground point (x, z) shown at the centre of the view
    QSizeF viewSize{400.0, 400.0};   ///< widget size, pixels

    /// Ground (x, z) in metres → widget pixels.
    QPointF map(double x, double z) const;
    /// Widget pixels → ground (x, z) in metres (the inverse of map()).
    std::pair<double, double> unmap(QPointF widgetPx) const;

    /// Zooms by `factor` (> 1 zooms in: fewer metres per pixel) keeping the ground point under
    /// `widgetPx` where it is; clamped to [kMinMetresPerPixel, kMaxMetresPerPixel]. A factor that is
    /// not finite and > 0 is ignored.
    void zoomAt(QPointF widgetPx, double factor);
    /// Moves the ground with the mouse: a drag by `deltaWidgetPx` pixels.
    void pan(QPointF deltaWidgetPx);
    /// Shows the ground rectangle x ∈ [minX, maxX], z ∈ [minZ, maxZ] (metres) as large as it fits,
    /// centred, with `marginPx` pixels kept free on every side. Degenerate rectangles are grown to
    /// at least 1 m.
    void fit(double minX, double maxX, double minZ, double maxZ, double marginPx = 20.0);

    /// The ground rectangle visible in the view: x from left() to right(), z from top() (the
    /// smaller z, the bottom of the screen) to bottom(). Plain metres, not screen orientation.
    QRectF visibleMetres() const;

    /// Grid spacing in metres for the current zoom: the smallest of 1, 5 and 10 m whose lines are at
    /// least `minPixels` apart; 10 m when none is.
    double gridSpacing(double minPixels = 40.0) const;

    /// Whether the ground point (x, z) lies inside (or on the edge of) a convex footprint given by
    /// its 4 corners in order (either winding), e.g. core::bevFootprint(). Hit-testing for hover.
    /// A zero-area or non-finite footprint (or point) contains nothing.
    static bool footprintContains(const std::array<std::array<double, 2>, 4>& footprint, double x, double z);

    bool operator==(const BevTransform&) const = default;
};

} // namespace lnscope::widgets
