#pragma once
// Colour maps and palettes shared by the views. Pure value → colour mappings with inverses, so
// that they are tested without pixels (STYLE.md 12); the views only paint what they return.
//
// Threading: plain values, usable from any thread (QColor is a value type).

#include <QColor>

namespace lnscope::widgets {

/// A diverging blue–white–red ramp, symmetric around 0 (the end colours of ColorBrewer's RdBu):
/// v = −maxAbs → `negative`, 0 → `zero`, +maxAbs → `positive`, linear in sRGB in between. Values
/// beyond ±maxAbs clamp to the end colours. A NaN value gives `invalid`; maxAbs ≤ 0 (or not
/// finite) means "nothing to show" and maps every finite value to `zero`.
struct DivergingColorMap
{
    QColor negative = QColor(33, 102, 172);
    QColor zero = QColor(247, 247, 247);
    QColor positive = QColor(178, 24, 43);
    QColor invalid = QColor(160, 160, 160);

    /// The colour of v on a scale of ±maxAbs (same units as v).
    QColor map(double v, double maxAbs) const;
    /// The value in [−maxAbs, maxAbs] whose colour is nearest to `colour` (least squares along the
    /// ramp). unmap(map(v, a), a) == v up to the 8-bit colour quantization (|Δ| ≤ a / 100 with the
    /// default end colours). Returns 0 when maxAbs ≤ 0.
    double unmap(const QColor& colour, double maxAbs) const;
};

/// The colours that mean "float network", "converted network" and "ground truth" in every view,
/// figure and video (Okabe–Ito blue and orange, a neutral grey: colour-blind safe).
namespace network_colors {
inline const QColor kFloat(0, 114, 178);
inline const QColor kConverted(230, 130, 0);
inline const QColor kGroundTruth(120, 120, 120);
} // namespace network_colors

/// A fixed qualitative palette (Paul Tol's "muted" scheme: colour-blind safe, readable on white).
/// Indices beyond its size cycle, so cluster c and c + size() share a colour.
struct QualitativePalette
{
    static int size();
    /// The colour of `index` (any int; negative indices cycle too).
    static QColor color(int index);
};

} // namespace lnscope::widgets
