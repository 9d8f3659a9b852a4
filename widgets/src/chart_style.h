#pragma once
// Internal to lnscope_widgets (Qt Charts stays PRIVATE): the common look of the chart views.
// Qt Charts' themes hard-code their own font family; charts here follow the widget's font instead,
// so that they match the rest of the UI and render the same wherever that font is installed.

#include <QBarCategoryAxis>
#include <QChart>
#include <QChartView>
#include <QEvent>
#include <QFont>
#include <QFontMetrics>
#include <QGraphicsPathItem>
#include <QGraphicsTextItem>
#include <QLegend>
#include <QLineF>
#include <QPainter>
#include <QTextDocument>
#include <QTransform>
#include <QValueAxis>

#include <algorithm>
#include <cmath>
#include <functional>
#include <memory>
#include <vector>

namespace lnscope::widgets::detail {

/// A light, flat chart with small margins and no animation (views redraw instantly).
inline QChart* makeChart()
{
    auto* chart = new QChart;
    chart->setTheme(QChart::ChartThemeLight);
    chart->setBackgroundRoundness(0);
    chart->setMargins(QMargins(2, 2, 2, 2));
    chart->setAnimationOptions(QChart::NoAnimation);
    chart->legend()->setAlignment(Qt::AlignBottom);
    return chart;
}

inline QChartView* makeChartView(QChart* chart, const QString& objectName, QWidget* parent)
{
    auto* view = new QChartView(chart, parent);
    view->setObjectName(objectName);
    view->setRenderHint(QPainter::Antialiasing);
    view->setFrameShape(QFrame::NoFrame);
    return view;
}

/// Title, legend and every axis in `base` (axis titles in the same size, not bold).
inline void applyChartFonts(QChart* chart, const QFont& base)
{
    QFont title = base;
    title.setBold(true);
    chart->setTitleFont(title);
    chart->legend()->setFont(base);
    for (QAbstractAxis* axis : chart->axes()) {
        axis->setLabelsFont(base);
        axis->setTitleFont(base);
    }
}

/// About how high the plot of `chart` is in a chart view `chartHeight` pixels high: what the
/// bottom axis (labels, turned or not, and its title), a legend below and `marginsHeight` leave.
inline int plotHeightEstimate(QChart* chart, int chartHeight, int marginsHeight)
{
    int used = marginsHeight;
    const QLegend* legend = chart->legend();
    if (legend->isVisible() && legend->alignment() == Qt::AlignBottom)
        used += QFontMetrics(legend->font()).height() + 12;
    if (QAbstractAxis* x = chart->axes(Qt::Horizontal).value(0)) {
        const QFontMetrics labels(x->labelsFont());
        int labelsHeight = labels.height();
        if (auto* categories = qobject_cast<QBarCategoryAxis*>(x); categories && categories->labelsAngle() != 0)
            for (const QString& category : categories->categories())
                labelsHeight = std::max(labelsHeight, labels.horizontalAdvance(category));
        used += (x->labelsVisible() ? labelsHeight : 0) + 10;
        if (x->isTitleVisible() && !x->titleText().isEmpty())
            used += QFontMetrics(x->titleFont()).height() + 6;
    }
    return chartHeight - used;
}

/// Category labels turned upright (−90°) need their full length below the plot. In a short chart
/// Qt Charts gives the axis less than that, and the turned labels run into the axis title. This
/// hides the title of `chart`'s bottom category axis when its labels are turned and, with the
/// title, a chart view `chartHeight` pixels high would leave less than `minPlotHeight` pixels for
/// the plot (plotHeightEstimate()); it shows it otherwise.
inline void fitTurnedLabelsTitle(QChart* chart, int chartHeight, int marginsHeight, int minPlotHeight = 120)
{
    auto* x = qobject_cast<QBarCategoryAxis*>(chart->axes(Qt::Horizontal).value(0));
    if (!x || x->labelsAngle() == 0)
        return;
    x->setTitleVisible(true);
    x->setTitleVisible(plotHeightEstimate(chart, chartHeight, marginsHeight) >= minPlotHeight);
}

/// Calls `fit` whenever a chart view is resized (and when asked: apply()), so that what depends on
/// the chart's height — axis titles, tick spacing — follows it. Owned by the view.
class ChartFitter : public QObject
{
public:
    ChartFitter(QChartView* view, std::function<void()> fit) : QObject(view), m_view(view), m_fit(std::move(fit))
    {
        view->installEventFilter(this);
    }
    void apply() const { m_fit(); }

protected:
    bool eventFilter(QObject* watched, QEvent* event) override
    {
        if (watched == m_view && event->type() == QEvent::Resize)
            m_fit();
        return QObject::eventFilter(watched, event);
    }

private:
    QChartView* m_view;
    std::function<void()> m_fit;
};

/// Line segments in a chart's value space (x along `x`, y along `y`: linear axes of the chart), drawn
/// as one path item: many short lines cost one graphics item, where a QLineSeries per line costs a
/// series each (its item, legend marker and axis bindings: 0.15 ms apiece or more). Follows
/// the plot area and both axes' ranges (resize, zoom) and is clipped to the plot area like a series.
///
/// A child item of `chart` (which owns it; clearChart() deletes it), stacked at `z`: above the
/// chart's items at that z made before it, below those made after. Its path, in chart coordinates
/// (those of QChart::mapToPosition), is one moveTo/lineTo pair per segment, in the given order;
/// data(kRoleKey) is `role`, by which views and tests find it.
class ChartSegments final : public QGraphicsPathItem
{
public:
    /// QGraphicsItem::data() key of the role; clearChart() deletes the chart's items that have one.
    static constexpr int kRoleKey = 0x4c4e53;

    ChartSegments(QChart* chart, QValueAxis* x, QValueAxis* y, std::vector<QLineF> segments, const QPen& pen, qreal z,
                  const QString& role)
        : QGraphicsPathItem(chart)
        , m_chart(chart)
        , m_x(x)
        , m_y(y)
        , m_segments(std::move(segments))
        , m_signals(std::make_unique<QObject>())
    {
        setPen(pen);
        setZValue(z);
        setData(kRoleKey, role);
        setAcceptedMouseButtons(Qt::NoButton);
        const auto follow = [this] { relayout(); };
        QObject::connect(chart, &QChart::plotAreaChanged, m_signals.get(), follow);
        QObject::connect(x, &QValueAxis::rangeChanged, m_signals.get(), follow);
        QObject::connect(y, &QValueAxis::rangeChanged, m_signals.get(), follow);
        relayout();
    }

    void paint(QPainter* painter, const QStyleOptionGraphicsItem* option, QWidget* widget) override
    {
        painter->setClipRect(m_clip);
        QGraphicsPathItem::paint(painter, option, widget);
    }

private:
    /// Value → chart coordinates, as Qt Charts maps a linear axis (reversed ones too).
    QPointF map(const QPointF& v) const
    {
        const double fx = (v.x() - m_x->min()) / (m_x->max() - m_x->min());
        const double fy = (v.y() - m_y->min()) / (m_y->max() - m_y->min());
        return {m_clip.left() + (m_x->isReverse() ? 1.0 - fx : fx) * m_clip.width(),
                m_clip.bottom() - (m_y->isReverse() ? 1.0 - fy : fy) * m_clip.height()};
    }

    void relayout()
    {
        m_clip = m_chart->plotArea();
        QPainterPath path;
        if (m_x->max() > m_x->min() && m_y->max() > m_y->min())
            for (const QLineF& s : m_segments) {
                path.moveTo(map(s.p1()));
                path.lineTo(map(s.p2()));
            }
        setPath(path);
    }

    QChart* m_chart;
    QValueAxis* m_x;
    QValueAxis* m_y;
    std::vector<QLineF> m_segments;
    QRectF m_clip;
    std::unique_ptr<QObject> m_signals; ///< context of the connections: they end with the item
};

/// How wide Qt Charts takes the label `text` of an axis to be, turned by `angle` degrees (its
/// ChartPresenter::textBoundingRect: a text item with half-pixel document margins).
inline double axisLabelWidth(const QFont& font, const QString& text, int angle)
{
    QGraphicsTextItem item;
    item.document()->setDocumentMargin(0.5);
    item.setFont(font);
    item.setHtml(text);
    return QTransform().rotate(angle).mapRect(item.boundingRect()).width();
}

/// Whether the labels of `x` fit side by side, not turned, on a plot `plotWidth` pixels wide: Qt
/// Charts cuts each to a slot of plotWidth / (categories + 2) less 4 pixels of padding either side.
inline bool categoryLabelsFitUnturned(QBarCategoryAxis* x, double plotWidth)
{
    const double slot = plotWidth / double(x->count() + 2) - 8.0;
    for (const QString& label : x->categories())
        if (axisLabelWidth(x->labelsFont(), label, 0) > slot)
            return false;
    return true;
}

/// One pass of fitEdgeCategoryLabels(); whether it zoomed.
inline bool fitEdgeCategoryLabelsOnce(QChart* chart)
{
    auto* x = qobject_cast<QBarCategoryAxis*>(chart->axes(Qt::Horizontal).value(0));
    QAbstractSeries* series = nullptr;
    for (QAbstractSeries* s : chart->series())
        if (s->attachedAxes().contains(x)) {
            series = s;
            break;
        }
    const QRectF plot = chart->plotArea();
    const qsizetype n = x ? x->count() : 0;
    if (!series || n == 0 || plot.width() < 1.0 || plot.height() < 1.0)
        return false;
    // Room p beside the outer bars, n categories of (W − 2p)/n in a plot W wide: an outer category
    // then no longer touches the plot's edge, and Qt shows its label when that label (L wide,
    // turned) reaches at most a pixel past the edge: p + (W − 2p)/(2n) ≥ L/2 − 1. Solved for p,
    // with 3 pixels to spare (label positions are rounded).
    double pad = 0.0;
    if (x->labelsVisible() && x->labelsAngle() % 180 != 0 && n > 1) {
        const double label = std::max(axisLabelWidth(x->labelsFont(), x->at(0), x->labelsAngle()),
                                      axisLabelWidth(x->labelsFont(), x->at(n - 1), x->labelsAngle()));
        constexpr double kSlack = 2.0; // pixels, on top of the one Qt allows
        pad = std::clamp(((label - plot.width() / double(n)) / 2.0 + kSlack) / (1.0 - 1.0 / double(n)), 0.0,
                         plot.width() / 4.0);
    }
    const double extra = pad > 0.0 ? pad * double(n) / (plot.width() - 2.0 * pad) : 0.0; // in categories
    const double lo = -0.5 - extra, hi = double(n) - 0.5 + extra;
    const double a = chart->mapToValue(plot.topLeft(), series).x();
    const double b = chart->mapToValue(plot.topRight(), series).x();
    if (!(b > a) || (std::abs(a - lo) < 1e-9 * double(n) && std::abs(b - hi) < 1e-9 * double(n)))
        return false;
    // zoomIn() takes the part of the plot (chart coordinates) that becomes the whole plot. Over the
    // full height it keeps the y range, up to rounding (a y axis from 3.6e-15): that is put back.
    auto* y = qobject_cast<QValueAxis*>(chart->axes(Qt::Vertical, series).value(0));
    const double y0 = y ? y->min() : 0.0, y1 = y ? y->max() : 0.0;
    const double scale = plot.width() / (b - a);
    chart->zoomIn(QRectF(plot.left() + (lo - a) * scale, plot.top(), (hi - lo) * scale, plot.height()));
    if (y)
        y->setRange(y0, y1);
    return true;
}

/// Qt Charts hides the label of the first or the last category of a bottom QBarCategoryAxis when
/// that label, turned, is wider than its category: with many layers in a small pane the first and
/// the last layer names vanish (labels in between are never hidden). This widens the x range of
/// `chart` (a zoom: the bars, their values and indices stay) by just enough that those two labels
/// fit, leaving a little room between the plot's edges and the outer bars; with room to spare, or
/// labels not turned (Qt cuts those to fit), it keeps the categories' own range. Call it whenever
/// the plot area changes (QChart::plotAreaChanged) and after a new axis is set up.
inline void fitEdgeCategoryLabels(QChart* chart)
{
    // A zoom lays the chart out again before it returns, which can move the plot for a moment (a
    // y label of another width while the y range is off by a rounding) and emit plotAreaChanged:
    // such nested calls return at once, and this one takes another pass while the plot moves.
    static const char* const kBusy = "lnscopeFittingEdgeLabels";
    if (chart->property(kBusy).toBool())
        return;
    chart->setProperty(kBusy, true);
    for (int pass = 0; pass < 4; ++pass) {
        const QRectF plot = chart->plotArea();
        if (!fitEdgeCategoryLabelsOnce(chart) || chart->plotArea() == plot)
            break;
    }
    chart->setProperty(kBusy, false);
}

/// Removes every series, axis and ChartSegments (the chart owns and deletes them).
inline void clearChart(QChart* chart)
{
    for (QGraphicsItem* item : chart->childItems())
        if (item->data(ChartSegments::kRoleKey).isValid())
            delete item;
    chart->removeAllSeries();
    for (QAbstractAxis* axis : chart->axes()) {
        chart->removeAxis(axis);
        delete axis;
    }
}

} // namespace lnscope::widgets::detail
