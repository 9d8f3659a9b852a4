// Per-layer storage bars over a ConversionReport; see memory_budget_view.h.

#include "lnscope/widgets/memory_budget_view.h"

#include "chart_style.h"

#include <QBarCategoryAxis>
#include <QBarLegendMarker>
#include <QBarSeries>
#include <QBarSet>
#include <QComboBox>
#include <QCursor>
#include <QHBoxLayout>
#include <QLabel>
#include <QLegendMarker>
#include <QLineSeries>
#include <QLocale>
#include <QRegularExpression>
#include <QResizeEvent>
#include <QStackedBarSeries>
#include <QToolTip>
#include <QVBoxLayout>

#include <algorithm>
#include <array>
#include <map>

namespace lnscope::widgets {

namespace {

using core::BudgetReport;
using core::ConversionReport;

// One fixed colour per storage term, in StorageTerms::named() order (Paul Tol's "bright" scheme):
// indices, scales, LUTs, uncompressed weights, biases, BN parameters.
constexpr std::array<QRgb, 6> kTermColors{0x4477AA, 0x66CCEE, 0x228833, 0xCCBB44, 0xEE6677, 0xAA3377};
// Their legend names, in the same order: short enough for the legend of a pane of a 1280×800
// window; the full names (StorageTerms::named()) are the bar sets' labels and the legend tooltips.
constexpr std::array<const char*, 6> kTermLegendNames{"indices",     "scales", "codebooks",
                                                      "raw weights", "biases", "BN params"};
// Storage stages side by side: float32, BNF, CC, the weight format.
constexpr std::array<QRgb, 4> kStageColors{0xBBBBBB, 0x88CCEE, 0x4477AA, 0x228833};
const QColor kBudgetLineColor(204, 51, 17);
/// A budget line further above the tallest bar than this factor would squash the bars: it is then
/// left off the chart and only named in the header.
constexpr double kBudgetLineMaxFactor = 2.5;
/// Category labels turn when there are more layers than this (readable at 800 px wide), or when
/// the plot is too narrow for them side by side (fitLayerLabels()).
constexpr int kUprightLabelLayers = 8;
/// Height of the chart that is neither plot nor bottom axis (the legend is on the right): margins
/// and the half label above the top tick.
constexpr int kChartMarginsHeight = 12;

struct ByteUnit
{
    QString name;
    double bytes = 1.0;
};

ByteUnit unitFor(double maxBytes)
{
    if (maxBytes < 10'000.0)
        return {QStringLiteral("bytes"), 1.0};
    if (maxBytes < 10.0 * 1024 * 1024)
        return {QStringLiteral("KiB"), 1024.0};
    return {QStringLiteral("MiB"), 1024.0 * 1024.0};
}

QString grouped(int64_t value)
{
    return QLocale(QLocale::English, QLocale::UnitedStates).toString(qlonglong(value));
}

/// "3,231 B", "21.4 KiB", "5.14 MiB".
QString humanBytes(int64_t bytes)
{
    if (bytes < 10'000)
        return grouped(bytes) + QStringLiteral(" B");
    if (bytes < 1024 * 1024)
        return QString::number(double(bytes) / 1024.0, 'f', 1) + QStringLiteral(" KiB");
    return QString::number(double(bytes) / (1024.0 * 1024.0), 'f', 2) + QStringLiteral(" MiB");
}

QColor faded(const QColor& c)
{
    const double keep = 0.35;
    auto ch = [keep](int v) { return int(255 - (255 - v) * keep); };
    return QColor(ch(c.red()), ch(c.green()), ch(c.blue()));
}

QString stageName(const ConversionReport& r, size_t i)
{
    return QString::fromStdString(core::stageLabel(r.budgets[i].stage, r.weightFormat));
}

} // namespace

struct MemoryBudgetView::Private
{
    ConversionReport report;
    bool hasReport = false;
    int stage = kAllStages;
    QString selected;
    QStringList nodes;
    QStringList names;
    QComboBox* combo = nullptr;
    QLabel* header = nullptr;
    QLabel* counts = nullptr;
    QChart* chart = nullptr;
    QChartView* view = nullptr;
    detail::ChartFitter* fitter = nullptr;
    std::vector<std::pair<QBarSet*, QColor>> sets; ///< with their full colour
    std::map<QString, QString> legendNames;        ///< short legend name by bar set label / series name
    bool budgetOffChart = false;
};

MemoryBudgetView::MemoryBudgetView(QWidget* parent) : QWidget(parent), d(std::make_unique<Private>())
{
    d->combo = new QComboBox(this);
    d->combo->setObjectName(QStringLiteral("stageCombo"));
    d->combo->setToolTip(tr("Storage stage whose terms are stacked, or all stages side by side"));
    d->header = new QLabel(this);
    d->header->setObjectName(QStringLiteral("budgetHeader"));
    d->header->setTextFormat(Qt::RichText);
    d->header->setWordWrap(true);
    d->counts = new QLabel(this);
    d->counts->setObjectName(QStringLiteral("budgetCounts"));
    d->counts->setWordWrap(true);
    d->counts->setStyleSheet(QStringLiteral("color: #555555"));
    QFont small = d->counts->font();
    small.setPointSizeF(small.pointSizeF() * 0.9);
    d->counts->setFont(small);
    d->chart = detail::makeChart();
    // On the right, each term name gets the legend's full width (a bottom legend cuts them).
    d->chart->legend()->setAlignment(Qt::AlignRight);
    d->chart->legend()->setShowToolTips(true);
    d->view = detail::makeChartView(d->chart, QStringLiteral("budgetChart"), this);
    d->fitter = new detail::ChartFitter(
        d->view, [this] { detail::fitTurnedLabelsTitle(d->chart, d->view->height(), kChartMarginsHeight); });
    connect(d->chart, &QChart::plotAreaChanged, this, &MemoryBudgetView::fitLayerLabels);

    auto* top = new QHBoxLayout;
    top->addWidget(new QLabel(tr("Stage:"), this));
    top->addWidget(d->combo);
    top->addSpacing(8);
    top->addWidget(d->header, 1);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->setSpacing(2);
    layout->addLayout(top);
    layout->addWidget(d->counts);
    layout->addWidget(d->view, 1);

    connect(d->combo, &QComboBox::activated, this, [this](int item) {
        setStage(item == d->combo->count() - 1 ? kAllStages : item);
    });
    rebuild();
}

MemoryBudgetView::~MemoryBudgetView() = default;

QSize MemoryBudgetView::sizeHint() const
{
    return {640, 400};
}

void MemoryBudgetView::setReport(const ConversionReport& report)
{
    const size_t stages = report.budgets.size();
    const bool keepStage = d->hasReport && d->report.budgets.size() == stages;
    d->report = report;
    d->hasReport = true;
    if (!keepStage)
        d->stage = stages > 0 ? int(stages) - 1 : kAllStages;
    d->nodes.clear();
    if (!report.budgets.empty())
        for (const core::LayerBudget& l : report.budgets.front().layers)
            d->nodes << QString::fromStdString(l.shape.name);
    d->names = shortLayerNames(d->nodes);
    if (!d->nodes.contains(d->selected))
        d->selected.clear();
    d->combo->clear();
    for (size_t i = 0; i < stages; ++i)
        d->combo->addItem(stageName(report, i));
    d->combo->addItem(tr("all stages"));
    rebuild();
}

void MemoryBudgetView::clear()
{
    d->report = {};
    d->hasReport = false;
    d->nodes.clear();
    d->names.clear();
    d->selected.clear();
    d->combo->clear();
    rebuild();
}

bool MemoryBudgetView::hasReport() const
{
    return d->hasReport;
}

void MemoryBudgetView::setStage(int budgetIndex)
{
    if (budgetIndex != kAllStages && (budgetIndex < 0 || size_t(budgetIndex) >= d->report.budgets.size()))
        return;
    if (budgetIndex == d->stage)
        return;
    d->stage = budgetIndex;
    rebuild();
}

int MemoryBudgetView::stage() const
{
    return d->stage;
}

void MemoryBudgetView::setSelectedLayer(const QString& node)
{
    const QString next = d->nodes.contains(node) ? node : QString();
    if (next == d->selected)
        return;
    d->selected = next;
    applySelection();
    updateHeader();
}

QString MemoryBudgetView::selectedLayer() const
{
    return d->selected;
}

void MemoryBudgetView::rebuild()
{
    detail::clearChart(d->chart);
    d->sets.clear();
    d->legendNames.clear();
    d->budgetOffChart = false;
    if (d->hasReport && !d->report.budgets.empty() && !d->nodes.isEmpty()) {
        d->combo->setCurrentIndex(d->stage == kAllStages ? d->combo->count() - 1 : d->stage);
        if (d->stage == kAllStages)
            buildAllStagesChart();
        else
            buildStageChart(d->stage);
        detail::applyChartFonts(d->chart, font());
        d->fitter->apply();
        fitLayerLabels();
        nameLegendEntries();
        applySelection();
    }
    d->combo->setEnabled(d->hasReport);
    updateHeader();
}

namespace {

/// Category (x) and value (y) axes for `names` with values up to maxValue (display units), and the
/// on-chip budget line when it fits on the chart. Returns the budget line, or null when not drawn.
QLineSeries* addAxesAndBudget(QChart* chart, QAbstractSeries* bars, const QStringList& names, double maxValue,
                              const ByteUnit& unit, const std::optional<core::FitReport>& fit)
{
    auto* x = new QBarCategoryAxis;
    x->append(names);
    x->setTitleText(QObject::tr("layer (graph order)")); // labels turned or not: fitLayerLabels()
    auto* y = new QValueAxis;
    y->setTitleText(QObject::tr("stored size (%1)").arg(unit.name));
    y->setLabelFormat(QStringLiteral("%g"));
    chart->addAxis(x, Qt::AlignBottom);
    chart->addAxis(y, Qt::AlignLeft);
    bars->attachAxis(x);
    bars->attachAxis(y);

    QLineSeries* drawn = nullptr;
    double top = maxValue;
    if (fit && fit->budgetBytes > 0) {
        const double budget = double(fit->budgetBytes) / unit.bytes;
        if (budget <= kBudgetLineMaxFactor * maxValue) {
            auto* line = new QLineSeries;
            line->setName(QObject::tr("on-chip budget (%1)").arg(humanBytes(fit->budgetBytes)));
            line->append(-0.5, budget);
            line->append(double(names.size()) - 0.5, budget);
            line->setPen(QPen(kBudgetLineColor, 2.0, Qt::DashLine));
            chart->addSeries(line);
            line->attachAxis(x);
            line->attachAxis(y);
            top = std::max(top, budget);
            drawn = line;
        }
    }
    y->setRange(0.0, top > 0.0 ? top * 1.05 : 1.0);
    y->applyNiceNumbers();
    return drawn;
}

} // namespace

void MemoryBudgetView::buildStageChart(int stage)
{
    const BudgetReport& budget = d->report.budgets[size_t(stage)];
    int64_t maxBytes = 0;
    for (const core::LayerBudget& l : budget.layers)
        maxBytes = std::max(maxBytes, l.terms.bytes());
    const ByteUnit unit = unitFor(double(maxBytes));
    auto* series = new QStackedBarSeries;
    series->setBarWidth(0.7);
    const auto termNames = core::StorageTerms{}.named();
    for (size_t t = 0; t < termNames.size(); ++t) {
        QList<qreal> values;
        bool any = false;
        for (const core::LayerBudget& l : budget.layers) {
            const int64_t bits = l.terms.named()[t].second;
            any = any || bits != 0;
            values << double(bits) / 8.0 / unit.bytes;
        }
        if (!any)
            continue;
        auto* set = new QBarSet(QString::fromStdString(termNames[t].first));
        set->append(values);
        const QColor colour(kTermColors[t % kTermColors.size()]);
        set->setBorderColor(Qt::white);
        series->append(set);
        d->sets.emplace_back(set, colour);
        d->legendNames[set->label()] = QString::fromUtf8(kTermLegendNames[t % kTermLegendNames.size()]);
        connect(set, &QBarSet::clicked, this, &MemoryBudgetView::onBarClicked);
    }
    d->chart->addSeries(series);
    const QLineSeries* line =
        addAxesAndBudget(d->chart, series, d->names, double(maxBytes) / unit.bytes, unit, d->report.fit);
    d->budgetOffChart = !line && d->report.fit.has_value();
    if (line)
        d->legendNames[line->name()] = tr("budget");
}

void MemoryBudgetView::buildAllStagesChart()
{
    int64_t maxBytes = 0;
    for (const BudgetReport& b : d->report.budgets)
        for (const core::LayerBudget& l : b.layers)
            maxBytes = std::max(maxBytes, l.terms.bytes());
    const ByteUnit unit = unitFor(double(maxBytes));
    auto* series = new QBarSeries;
    series->setBarWidth(0.8);
    for (size_t s = 0; s < d->report.budgets.size(); ++s) {
        auto* set = new QBarSet(stageName(d->report, s));
        for (const core::LayerBudget& l : d->report.budgets[s].layers)
            set->append(double(l.terms.bytes()) / unit.bytes);
        set->setBorderColor(Qt::white);
        series->append(set);
        d->sets.emplace_back(set, QColor(kStageColors[s % kStageColors.size()]));
        connect(set, &QBarSet::clicked, this, &MemoryBudgetView::onBarClicked);
    }
    d->chart->addSeries(series);
    const QLineSeries* line =
        addAxesAndBudget(d->chart, series, d->names, double(maxBytes) / unit.bytes, unit, d->report.fit);
    d->budgetOffChart = !line && d->report.fit.has_value();
    if (line)
        d->legendNames[line->name()] = tr("budget");
}

void MemoryBudgetView::applySelection()
{
    const int row = int(d->nodes.indexOf(d->selected));
    for (auto& [set, colour] : d->sets) {
        set->deselectAllBars();
        set->setColor(row >= 0 ? faded(colour) : colour);
        set->setSelectedColor(colour);
        if (row >= 0)
            set->selectBar(row);
    }
    // The legend keys keep the full colours while the other layers are faded.
    for (QLegendMarker* marker : d->chart->legend()->markers())
        if (auto* bar = qobject_cast<QBarLegendMarker*>(marker))
            for (const auto& [set, colour] : d->sets)
                if (bar->barset() == set)
                    marker->setBrush(colour);
}

/// Every layer name whole on the axis, however narrow the plot: names that do not fit side by side
/// (Qt would cut them to "enc…") are turned, and the plot leaves room beside the outer bars for the
/// turned names of the first and the last layer (Qt would hide them). On every plot area change.
void MemoryBudgetView::fitLayerLabels()
{
    auto* x = qobject_cast<QBarCategoryAxis*>(d->chart->axes(Qt::Horizontal).value(0));
    if (!x)
        return;
    const double width = d->chart->plotArea().width();
    const bool turn =
        x->count() > kUprightLabelLayers || (width >= 1.0 && !detail::categoryLabelsFitUnturned(x, width));
    if (turn != (x->labelsAngle() != 0)) { // turning changes the plot's height, not its width: no loop
        x->setLabelsAngle(turn ? -90 : 0);
        x->setTruncateLabels(!turn); // names are short already; Qt would cut turned ones to "…"
        d->fitter->apply();
    }
    detail::fitEdgeCategoryLabels(d->chart);
}

/// The legend's entries by their short names (Private::legendNames), the full name in a tooltip.
void MemoryBudgetView::nameLegendEntries()
{
    for (QLegendMarker* marker : d->chart->legend()->markers()) {
        auto* bar = qobject_cast<QBarLegendMarker*>(marker);
        const QString full = bar ? bar->barset()->label() : marker->series()->name();
        const auto name = d->legendNames.find(full);
        if (name == d->legendNames.end() || name->second == full)
            continue;
        marker->setLabel(name->second);
        // Legend entries have no tooltip of their own (Qt gives one only to a cut label).
        connect(marker, &QLegendMarker::hovered, this, [this, full](bool entered) {
            if (entered)
                QToolTip::showText(QCursor::pos(), full, d->view);
            else
                QToolTip::hideText();
        });
    }
}

void MemoryBudgetView::onBarClicked(int index)
{
    if (index < 0 || index >= d->nodes.size())
        return;
    const QString node = d->nodes[index];
    setSelectedLayer(node);
    emit layerClicked(node);
}

void MemoryBudgetView::updateHeader()
{
    if (!d->hasReport || d->report.budgets.empty()) {
        d->header->setText(tr("No conversion yet: the per-layer storage appears here after a conversion."));
        d->counts->clear();
        return;
    }
    const ConversionReport& r = d->report;
    const BudgetReport& first = r.budgets.front();
    const size_t shown = d->stage == kAllStages ? r.budgets.size() - 1 : size_t(d->stage);
    const BudgetReport& b = r.budgets[shown];
    QString text;
    if (d->stage == kAllStages) {
        QStringList totals;
        for (size_t s = 0; s < r.budgets.size(); ++s)
            totals << QStringLiteral("%1 %2").arg(stageName(r, s), humanBytes(r.budgets[s].total.bytes()));
        text = totals.join(QStringLiteral(" → "));
    } else {
        text = tr("<b>%1</b>: %2 stored (float32: %3)")
                   .arg(stageName(r, shown), humanBytes(b.total.bytes()), humanBytes(first.total.bytes()));
    }
    text += tr(" · compression <b>%1×</b>").arg(QString::number(b.ratio, 'f', 2));
    if (d->stage == kAllStages)
        text += QStringLiteral(" (%1)").arg(stageName(r, shown));
    if (r.fit) {
        const auto fitting = std::count_if(r.fit->layers.begin(), r.fit->layers.end(),
                                           [](const core::LayerFit& f) { return f.fits; });
        text += tr(" · on-chip %1%2 at %3: %4 of %5 layers fit, whole model %6")
                    .arg(humanBytes(r.fit->budgetBytes), d->budgetOffChart ? tr(" (above the chart)") : QString(),
                         stageName(r, r.budgets.size() - 1))
                    .arg(fitting)
                    .arg(r.fit->layers.size())
                    .arg(r.fit->totalFits ? tr("fits") : tr("does not fit"));
    }
    if (!d->selected.isEmpty()) {
        const int row = int(d->nodes.indexOf(d->selected));
        text += tr(" · <b>%1</b>: %2").arg(d->selected.toHtmlEscaped(), humanBytes(b.layers[size_t(row)].terms.bytes()));
    }
    d->header->setText(text);
    d->counts->setText(tr("What the ratio counts: %1.").arg(QString::fromStdString(b.counts)));
    d->header->setToolTip(text + QStringLiteral("<br>") + d->counts->text().toHtmlEscaped());
}

void MemoryBudgetView::resizeEvent(QResizeEvent* event)
{
    QWidget::resizeEvent(event);
    d->counts->setVisible(height() >= kCountsNoteMinHeight);
}

QStringList MemoryBudgetView::shortLayerNames(const QStringList& nodes, int maxChars)
{
    static const QRegularExpression opLike(QStringLiteral("^[A-Z][A-Za-z]*(_\\d+)?$"));
    std::vector<QStringList> parts;
    for (const QString& node : nodes) {
        QStringList p = node.split(QLatin1Char('/'), Qt::SkipEmptyParts);
        if (p.size() > 1 && opLike.match(p.last()).hasMatch())
            p.removeLast();
        // A container followed by its own child says nothing new ("layer1/layer1.0" → "layer1.0").
        for (qsizetype i = p.size() - 2; i >= 0; --i)
            if (p[i + 1].startsWith(p[i] + QLatin1Char('.')))
                p.removeAt(i);
        parts.push_back(p.isEmpty() ? QStringList{node} : p);
    }
    std::vector<qsizetype> depth(parts.size(), 1);
    auto nameOf = [&](size_t i) { return parts[i].mid(std::max<qsizetype>(0, parts[i].size() - depth[i])).join('/'); };
    for (bool changed = true; changed;) {
        changed = false;
        std::map<QString, std::vector<size_t>> byName;
        for (size_t i = 0; i < parts.size(); ++i)
            byName[nameOf(i)].push_back(i);
        for (const auto& [name, members] : byName)
            if (members.size() > 1)
                for (size_t i : members)
                    if (depth[i] < parts[i].size()) {
                        ++depth[i];
                        changed = true;
                    }
    }
    QStringList out;
    for (size_t i = 0; i < parts.size(); ++i) {
        QString name = nameOf(i);
        if (maxChars > 2 && name.size() > maxChars) { // keep both ends: the block and the layer
            const qsizetype head = (maxChars - 1) / 2;
            name = name.left(head) + QStringLiteral("…") + name.right(maxChars - 1 - head);
        }
        while (out.contains(name)) // same name after cutting (or identical nodes): number it
            name += QStringLiteral(" #%1").arg(i + 1);
        out << name;
    }
    return out;
}

} // namespace lnscope::widgets
