#pragma once
// The look of BevView (bev_view.h), shared by its two source files; private to lnscope_widgets.
// Colours are Okabe–Ito hues where they carry meaning (colour-blind safe).

#include "lnscope/widgets/bev_view.h"
#include "lnscope/widgets/color_maps.h"

#include <QColor>
#include <QPainter>
#include <QPen>
#include <QPolygonF>
#include <QString>

#include <cmath>

namespace lnscope::widgets::bev_style {

const QColor kBackground(250, 250, 248);
const QColor kGridLine(230, 230, 230);
const QColor kGridAxis(195, 195, 195);
const QColor kLabel(100, 100, 100);
const QColor kRing(175, 185, 210);
const QColor kEgo(70, 70, 75);
/// Float blue, converted orange, pair links reddish purple; ground truth neutral grey.
const QColor kGroundTruth = network_colors::kGroundTruth;
const QColor kFloat = network_colors::kFloat;
const QColor kConverted = network_colors::kConverted;
const QColor kLink(170, 60, 150);
const QColor kHalo(255, 205, 0, 120);
constexpr double kRingStepMetres = 10.0;
/// Width of the line / box samples in the legend, pixels.
constexpr int kLegendSample = 24;

/// "−12.5" with a real minus sign.
inline QString signedNumber(double value, int decimals, bool plus = false)
{
    QString s = QString::number(std::abs(value), 'f', decimals);
    if (value < 0 && s.toDouble() != 0.0)
        return QStringLiteral("−") + s;
    return plus ? QStringLiteral("+") + s : s;
}

inline QColor setColour(BevView::BoxSet set)
{
    switch (set) {
    case BevView::BoxSet::GroundTruth: return kGroundTruth;
    case BevView::BoxSet::Float: return kFloat;
    case BevView::BoxSet::Converted: return kConverted;
    }
    return kGroundTruth;
}

inline QPen setPen(BevView::BoxSet set, double width)
{
    QPen pen(setColour(set), width, Qt::SolidLine, Qt::FlatCap, Qt::MiterJoin);
    if (set == BevView::BoxSet::Converted)
        pen.setDashPattern({3.0, 2.0});
    return pen;
}

inline double setWidth(BevView::BoxSet set)
{
    return set == BevView::BoxSet::GroundTruth ? 1.0 : 2.0;
}

inline void drawDiamond(QPainter& painter, QPointF centre, double radius, const QColor& fill)
{
    const QPolygonF diamond{centre + QPointF(0, -radius), centre + QPointF(radius, 0), centre + QPointF(0, radius),
                            centre + QPointF(-radius, 0)};
    painter.setPen(QPen(Qt::white, 1.5));
    painter.setBrush(fill);
    painter.drawPolygon(diamond);
}

} // namespace lnscope::widgets::bev_style
