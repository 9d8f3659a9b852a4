// Ground ↔ pixel map of the bird's-eye view; see bev_transform.h.

#include "lnscope/widgets/bev_transform.h"

#include <algorithm>
#include <cmath>

namespace lnscope::widgets {

QPointF BevTransform::map(double x, double z) const
{
    return {viewSize.width() / 2.0 + (x - centreMetres.x()) / metresPerPixel,
            viewSize.height() / 2.0 - (z - centreMetres.y()) / metresPerPixel};
}

std::pair<double, double> BevTransform::unmap(QPointF widgetPx) const
{
    return {centreMetres.x() + (widgetPx.x() - viewSize.width() / 2.0) * metresPerPixel,
            centreMetres.y() - (widgetPx.y() - viewSize.height() / 2.0) * metresPerPixel};
}

void BevTransform::zoomAt(QPointF widgetPx, double factor)
{
    if (!std::isfinite(factor) || factor <= 0.0)
        return;
    const auto [x, z] = unmap(widgetPx);
    metresPerPixel = std::clamp(metresPerPixel / factor, kMinMetresPerPixel, kMaxMetresPerPixel);
    // Move the centre so that (x, z) maps back to widgetPx.
    centreMetres = QPointF(x - (widgetPx.x() - viewSize.width() / 2.0) * metresPerPixel,
                           z + (widgetPx.y() - viewSize.height() / 2.0) * metresPerPixel);
}

void BevTransform::pan(QPointF deltaWidgetPx)
{
    // Dragging right moves the ground right: the centre moves left; dragging down moves it up.
    centreMetres += QPointF(-deltaWidgetPx.x() * metresPerPixel, deltaWidgetPx.y() * metresPerPixel);
}

void BevTransform::fit(double minX, double maxX, double minZ, double maxZ, double marginPx)
{
    if (maxX - minX < 1.0) {
        const double mid = (minX + maxX) / 2.0;
        minX = mid - 0.5;
        maxX = mid + 0.5;
    }
    if (maxZ - minZ < 1.0) {
        const double mid = (minZ + maxZ) / 2.0;
        minZ = mid - 0.5;
        maxZ = mid + 0.5;
    }
    const double w = std::max(1.0, viewSize.width() - 2.0 * marginPx);
    const double h = std::max(1.0, viewSize.height() - 2.0 * marginPx);
    metresPerPixel = std::clamp(std::max((maxX - minX) / w, (maxZ - minZ) / h), kMinMetresPerPixel, kMaxMetresPerPixel);
    centreMetres = QPointF((minX + maxX) / 2.0, (minZ + maxZ) / 2.0);
}

QRectF BevTransform::visibleMetres() const
{
    const auto [x0, z1] = unmap(QPointF(0.0, 0.0));
    const auto [x1, z0] = unmap(QPointF(viewSize.width(), viewSize.height()));
    return QRectF(QPointF(x0, z0), QPointF(x1, z1));
}

double BevTransform::gridSpacing(double minPixels) const
{
    for (const double spacing : {1.0, 5.0, 10.0}) {
        if (spacing / metresPerPixel >= minPixels)
            return spacing;
    }
    return 10.0;
}

bool BevTransform::footprintContains(const std::array<std::array<double, 2>, 4>& footprint, double x, double z)
{
    // Inside a convex polygon: the point is on the same side of every edge (cross products of one
    // sign; zero on an edge). Works for either winding. A degenerate (zero-area) or non-finite
    // footprint contains nothing.
    double twiceArea = 0.0;
    for (size_t i = 0; i < footprint.size(); ++i) {
        const auto& a = footprint[i];
        const auto& b = footprint[(i + 1) % footprint.size()];
        twiceArea += a[0] * b[1] - b[0] * a[1];
    }
    if (!std::isfinite(twiceArea) || std::abs(twiceArea) < 1e-12 || !std::isfinite(x) || !std::isfinite(z))
        return false;
    bool anyPositive = false, anyNegative = false;
    for (size_t i = 0; i < footprint.size(); ++i) {
        const auto& a = footprint[i];
        const auto& b = footprint[(i + 1) % footprint.size()];
        const double cross = (b[0] - a[0]) * (z - a[1]) - (b[1] - a[1]) * (x - a[0]);
        anyPositive = anyPositive || cross > 0.0;
        anyNegative = anyNegative || cross < 0.0;
    }
    return !(anyPositive && anyNegative);
}

} // namespace lnscope::widgets
