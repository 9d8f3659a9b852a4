// Colour maps and palettes; see color_maps.h.

#include "lnscope/widgets/color_maps.h"

#include <algorithm>
#include <array>
#include <cmath>

namespace lnscope::widgets {

namespace {

QColor mix(const QColor& a, const QColor& b, double t)
{
    auto channel = [t](int x, int y) { return int(std::lround(x + (y - x) * t)); };
    return QColor(channel(a.red(), b.red()), channel(a.green(), b.green()), channel(a.blue(), b.blue()));
}

/// Position t in [0, 1] of `c` on the segment from → to (least squares over the three channels),
/// and the squared distance of `c` from that point.
std::pair<double, double> projectOnSegment(const QColor& c, const QColor& from, const QColor& to)
{
    const std::array<double, 3> d{double(to.red() - from.red()), double(to.green() - from.green()),
                                  double(to.blue() - from.blue())};
    const std::array<double, 3> e{double(c.red() - from.red()), double(c.green() - from.green()),
                                  double(c.blue() - from.blue())};
    const double dd = d[0] * d[0] + d[1] * d[1] + d[2] * d[2];
    const double t = dd > 0.0 ? std::clamp((e[0] * d[0] + e[1] * d[1] + e[2] * d[2]) / dd, 0.0, 1.0) : 0.0;
    double residual = 0.0;
    for (size_t i = 0; i < 3; ++i)
        residual += (e[i] - t * d[i]) * (e[i] - t * d[i]);
    return {t, residual};
}

// Paul Tol, "muted" qualitative scheme (https://personal.sron.nl/~pault/), without its pale grey.
constexpr std::array<QRgb, 9> kMuted{0xCC6677, 0x332288, 0xDDCC77, 0x117733, 0x88CCEE,
                                     0x882255, 0x44AA99, 0x999933, 0xAA4499};

} // namespace

QColor DivergingColorMap::map(double v, double maxAbs) const
{
    if (std::isnan(v))
        return invalid;
    if (!(maxAbs > 0.0) || !std::isfinite(maxAbs))
        return zero;
    const double t = std::clamp(v / maxAbs, -1.0, 1.0);
    return t < 0.0 ? mix(zero, negative, -t) : mix(zero, positive, t);
}

double DivergingColorMap::unmap(const QColor& colour, double maxAbs) const
{
    if (!(maxAbs > 0.0) || !std::isfinite(maxAbs))
        return 0.0;
    const auto [tNeg, rNeg] = projectOnSegment(colour, zero, negative);
    const auto [tPos, rPos] = projectOnSegment(colour, zero, positive);
    return rNeg < rPos ? -tNeg * maxAbs : tPos * maxAbs;
}

int QualitativePalette::size()
{
    return int(kMuted.size());
}

QColor QualitativePalette::color(int index)
{
    const int n = size();
    return QColor(kMuted[size_t(((index % n) + n) % n)]);
}

} // namespace lnscope::widgets
