// Per-layer SQNR lines over a ConversionReport; see sqnr_chart_view.h.

#include "lnscope/widgets/sqnr_chart_view.h"

#include "chart_style.h"
#include "lnscope/widgets/layer_table_model.h"
#include "lnscope/widgets/memory_budget_view.h"

#include <QBarCategoryAxis>
#include <QGraphicsSceneMouseEvent>
#include <QLabel>
#include <QLegendMarker>
#include <QLineSeries>
#include <QMouseEvent>
#include <QResizeEvent>
#include <QScatterSeries>
#include <QVBoxLayout>

#include <array>
#include <cmath>
#include <limits>

namespace lnscope::widgets {

namespace {

// One colour per compared stage, in report order (Paul Tol's "bright" scheme): BNF, CC, the
// weight format, +act. More stages cycle.
constexpr std::array<QRgb, 4> kStageColors{0x66CCEE, 0x4477AA, 0x228833, 0xAA3377};
const QColor kDivergingColor(204, 51, 17);
const QColor kSelectionColor(120, 120, 120);
/// Where "exact" points sit: this far above the highest finite value (dB).
constexpr double kExactHeadroomDb = 10.0;
/// Category labels turn when there are more layers than this (as in MemoryBudgetView).
constexpr int kUprightLabelLayers = 8;
/// Height of the chart that is neither plot, bottom axis nor legend: margins and the half label
/// above the top tick.
constexpr int kChartMarginsHeight = 12;

double sqnrAt(const core::LayerReport& layer, size_t stage)
{
    if (stage >= layer.agreement.size() || !layer.agreement[stage])
        return std::numeric_limits<double>::quiet_NaN();
    return layer.agreement[stage]->sqnrDb;
}

QLineSeries* markerLine(QChart* chart, const QPen& pen, double x, double y0, double y1)
{
    auto* line = new QLineSeries;
    line->append(x, y0);
    line->append(x, y1);
    line->setPen(pen);
    chart->addSeries(line);
    return line;
}

} // namespace

struct SqnrChartView::Private
{
    core::ConversionReport report;
    bool hasReport = false;
    QStringList nodes, names;
    QString selected;
    int divergingRow = -1;
    double exactAt = 0.0;  ///< y of the "exact" points (when any)
    bool anyExact = false;
    QLabel* header = nullptr;
    QChart* chart = nullptr;
    QChartView* view = nullptr;
    detail::ChartFitter* fitter = nullptr;
    double ySpan = 0.0;    ///< dB from the lowest to the highest tick
    bool headerLong = true; ///< the header has the sentence on what the chart shows
    std::vector<QLineSeries*> stageSeries;

    const core::StageAgreement* lastStage() const { return report.stages.empty() ? nullptr : &report.stages.back(); }
    /// The y a value is drawn at, or NaN when it is not drawn.
    double plotted(double db) const
    {
        if (std::isnan(db) || (std::isinf(db) && db < 0))
            return std::numeric_limits<double>::quiet_NaN();
        return std::isinf(db) ? exactAt : db;
    }
};

SqnrChartView::SqnrChartView(QWidget* parent) : QWidget(parent), d(std::make_unique<Private>())
{
    d->header = new QLabel(this);
    d->header->setObjectName(QStringLiteral("sqnrHeader"));
    d->header->setTextFormat(Qt::RichText);
    d->header->setWordWrap(true);
    d->chart = detail::makeChart();
    d->chart->legend()->setShowToolTips(true);
    d->view = detail::makeChartView(d->chart, QStringLiteral("sqnrChart"), this);
    d->view->viewport()->installEventFilter(this);
    d->fitter = new detail::ChartFitter(d->view, [this] { fitAxes(); });
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->setSpacing(2);
    layout->addWidget(d->header);
    layout->addWidget(d->view, 1);
    rebuild();
}

SqnrChartView::~SqnrChartView() = default;

QSize SqnrChartView::sizeHint() const
{
    return {640, 400};
}

void SqnrChartView::setReport(const core::ConversionReport& report)
{
    d->report = report;
    d->hasReport = true;
    d->nodes.clear();
    for (const core::LayerReport& l : report.layers)
        d->nodes << QString::fromStdString(l.node);
    d->names = MemoryBudgetView::shortLayerNames(d->nodes);
    if (!d->nodes.contains(d->selected))
        d->selected.clear();
    LayerTableModel table; // the table's rule for the first diverging layer, so both mark the same
    table.setReport(report);
    d->divergingRow = table.divergingRow();
    rebuild();
}

void SqnrChartView::clear()
{
    d->report = {};
    d->hasReport = false;
    d->nodes.clear();
    d->names.clear();
    d->selected.clear();
    d->divergingRow = -1;
    rebuild();
}

bool SqnrChartView::hasReport() const
{
    return d->hasReport;
}

void SqnrChartView::setSelectedLayer(const QString& node)
{
    const QString next = d->nodes.contains(node) ? node : QString();
    if (next == d->selected)
        return;
    d->selected = next;
    rebuild();
}

QString SqnrChartView::selectedLayer() const
{
    return d->selected;
}

QString SqnrChartView::divergingLayer() const
{
    return d->divergingRow >= 0 ? d->nodes.value(d->divergingRow) : QString();
}

void SqnrChartView::rebuild()
{
    detail::clearChart(d->chart);
    d->stageSeries.clear();
    d->anyExact = false;
    if (!d->hasReport || d->nodes.isEmpty() || d->report.stages.empty()) {
        updateHeader();
        return;
    }
    double lo = 0.0, hi = 0.0;
    for (const core::LayerReport& l : d->report.layers)
        for (size_t s = 0; s < d->report.stages.size(); ++s) {
            const double db = sqnrAt(l, s);
            if (std::isinf(db) && db > 0)
                d->anyExact = true;
            else if (std::isfinite(db)) {
                lo = std::min(lo, db);
                hi = std::max(hi, db);
            }
        }
    const double yMin = 10.0 * std::floor(lo / 10.0);
    double yMax = 10.0 * std::ceil(hi / 10.0);
    if (yMax <= yMin)
        yMax = yMin + 10.0;
    d->exactAt = yMax + kExactHeadroomDb;
    if (d->anyExact)
        yMax = d->exactAt;

    auto* x = new QBarCategoryAxis;
    x->append(d->names);
    x->setTitleText(tr("layer (graph order)"));
    if (d->names.size() > kUprightLabelLayers) {
        x->setLabelsAngle(-90);
        x->setTruncateLabels(false);
    }
    auto* y = new QValueAxis;
    y->setTitleText(tr("SQNR vs float32 (dB)"));
    y->setLabelFormat(QStringLiteral("%g"));
    y->setRange(yMin, yMax);
    d->ySpan = yMax - yMin; // the tick interval: fitAxes()
    y->setTickType(QValueAxis::TicksDynamic);
    y->setTickAnchor(0.0);
    d->chart->addAxis(x, Qt::AlignBottom);
    d->chart->addAxis(y, Qt::AlignLeft);

    for (size_t s = 0; s < d->report.stages.size(); ++s) {
        auto* series = new QLineSeries;
        series->setName(QString::fromStdString(d->report.stages[s].label));
        series->setPen(QPen(QColor(kStageColors[s % kStageColors.size()]), 2.0));
        series->setPointsVisible(true);
        for (qsizetype i = 0; i < d->nodes.size(); ++i) {
            const double v = d->plotted(sqnrAt(d->report.layers[size_t(i)], s));
            if (!std::isnan(v))
                series->append(double(i), v);
        }
        d->chart->addSeries(series);
        series->attachAxis(x);
        series->attachAxis(y);
        d->stageSeries.push_back(series);
    }
    addMarkers(yMin, yMax);
    detail::applyChartFonts(d->chart, font());
    d->fitter->apply();
    updateHeader();
}

void SqnrChartView::fitAxes()
{
    auto* y = qobject_cast<QValueAxis*>(d->chart->axes(Qt::Vertical).value(0));
    if (!y)
        return;
    detail::fitTurnedLabelsTitle(d->chart, d->view->height(), kChartMarginsHeight);
    const int plot = detail::plotHeightEstimate(d->chart, d->view->height(), kChartMarginsHeight);
    // Ticks every 10 dB, or every 20 / 50 / 100 dB over a wide range or in a short plot: every
    // label needs its line.
    const int fitting = std::max(2, plot / (QFontMetrics(y->labelsFont()).height() + 6));
    double interval = d->ySpan <= 100.0 ? 10.0 : d->ySpan <= 200.0 ? 20.0 : 50.0;
    for (double wider : {20.0, 50.0, 100.0})
        if (d->ySpan / interval > fitting && wider > interval)
            interval = wider;
    y->setTickInterval(interval);
    // The whole title when the plot is tall enough for it, else its short form.
    const QString title = tr("SQNR vs float32 (dB)");
    y->setTitleText(QFontMetrics(y->titleFont()).horizontalAdvance(title) + 8 <= plot ? title : tr("SQNR (dB)"));
}

void SqnrChartView::addMarkers(double yMin, double yMax)
{
    QAbstractAxis* x = d->chart->axes(Qt::Horizontal).value(0);
    QAbstractAxis* y = d->chart->axes(Qt::Vertical).value(0);
    auto attach = [&](QAbstractSeries* s, bool inLegend) {
        s->attachAxis(x);
        s->attachAxis(y);
        for (QLegendMarker* m : d->chart->legend()->markers(s))
            m->setVisible(inLegend);
    };
    const int selectedRow = int(d->nodes.indexOf(d->selected));
    if (selectedRow >= 0)
        attach(markerLine(d->chart, QPen(kSelectionColor, 1.5), selectedRow, yMin, yMax), false);
    if (d->divergingRow < 0)
        return;
    const size_t last = d->report.stages.size() - 1;
    const double v = d->plotted(sqnrAt(d->report.layers[size_t(d->divergingRow)], last));
    attach(markerLine(d->chart, QPen(kDivergingColor, 1.0, Qt::DashLine), d->divergingRow, yMin, yMax), false);
    if (std::isnan(v))
        return;
    auto* ring = new QScatterSeries;
    ring->setName(tr("first diverging (%1)").arg(QString::fromStdString(d->report.stages.back().label)));
    ring->setMarkerShape(QScatterSeries::MarkerShapeCircle);
    ring->setMarkerSize(16.0);
    ring->setBrush(Qt::NoBrush);
    ring->setPen(QPen(kDivergingColor, 2.5));
    ring->append(d->divergingRow, v);
    d->chart->addSeries(ring);
    attach(ring, true);
    for (QLegendMarker* m : d->chart->legend()->markers(ring)) {
        m->setBrush(kDivergingColor); // an open ring would be an empty square in the legend
        m->setPen(QPen(kDivergingColor));
    }
}

void SqnrChartView::updateHeader()
{
    d->header->setToolTip(QString());
    d->headerLong = height() >= kLongHeaderMinHeight;
    if (!d->hasReport || d->report.stages.empty() || d->nodes.isEmpty()) {
        d->header->setText(tr("No conversion yet: the per-layer SQNR of each stage appears here after a conversion."));
        return;
    }
    const QString last = QString::fromStdString(d->report.stages.back().label);
    const QString intro = tr("Layer-output SQNR against float32 after each cumulative stage");
    QString text;
    if (d->divergingRow >= 0)
        text = tr("first diverging at %1: <b>%2</b> (%3 dB)")
                   .arg(last, d->nodes[d->divergingRow].toHtmlEscaped(),
                        LayerTableModel::formatSqnr(sqnrAt(d->report.layers[size_t(d->divergingRow)],
                                                           d->report.stages.size() - 1)));
    else
        text = tr("no layer diverges at %1").arg(last);
    if (d->anyExact)
        text += tr(" · exact (no error) drawn at %1 dB").arg(d->exactAt);
    const int row = int(d->nodes.indexOf(d->selected));
    if (row >= 0) {
        QStringList values;
        for (size_t s = 0; s < d->report.stages.size(); ++s)
            values << QStringLiteral("%1 %2").arg(QString::fromStdString(d->report.stages[s].label),
                                                  LayerTableModel::formatSqnr(sqnrAt(d->report.layers[size_t(row)], s)));
        text += tr("<br><b>%1</b>: %2 dB").arg(d->selected.toHtmlEscaped(), values.join(QStringLiteral(" · ")));
    }
    const QString full = intro + QStringLiteral(" · ") + text;
    if (d->headerLong) {
        d->header->setText(full);
        return;
    }
    // A short pane: the sentence on what the chart shows goes to the tooltip.
    d->header->setText(text.left(1).toUpper() + text.mid(1));
    d->header->setToolTip(full);
}

void SqnrChartView::resizeEvent(QResizeEvent* event)
{
    QWidget::resizeEvent(event);
    if ((height() >= kLongHeaderMinHeight) != d->headerLong)
        updateHeader();
}

QString SqnrChartView::layerAt(QPoint viewPos) const
{
    if (d->nodes.isEmpty() || d->chart->series().isEmpty())
        return {};
    const QPointF scene = d->view->mapToScene(d->view->viewport()->mapFrom(this, viewPos));
    const QPointF inChart = d->chart->mapFromScene(scene);
    if (!d->chart->plotArea().contains(inChart))
        return {};
    const QPointF value = d->chart->mapToValue(inChart, d->stageSeries.front());
    const int row = int(std::lround(value.x()));
    return row >= 0 && row < d->nodes.size() ? d->nodes[row] : QString();
}

QPointF SqnrChartView::pointPosition(const QString& node, int stage) const
{
    const int row = int(d->nodes.indexOf(node));
    if (row < 0 || stage < 0 || size_t(stage) >= d->stageSeries.size())
        return {};
    const double v = d->plotted(sqnrAt(d->report.layers[size_t(row)], size_t(stage)));
    if (std::isnan(v))
        return {};
    const QPointF inChart = d->chart->mapToPosition(QPointF(row, v), d->stageSeries[size_t(stage)]);
    const QPoint inViewport = d->view->mapFromScene(d->chart->mapToScene(inChart));
    return QPointF(d->view->viewport()->mapTo(this, inViewport));
}

bool SqnrChartView::eventFilter(QObject* watched, QEvent* event)
{
    if (watched == d->view->viewport() && event->type() == QEvent::MouseButtonRelease) {
        const auto* mouse = static_cast<QMouseEvent*>(event);
        if (mouse->button() == Qt::LeftButton) {
            const QString node = layerAt(d->view->viewport()->mapTo(this, mouse->position().toPoint()));
            if (!node.isEmpty()) {
                setSelectedLayer(node);
                emit layerClicked(node);
            }
        }
    }
    return QWidget::eventFilter(watched, event);
}

} // namespace lnscope::widgets
