// Scatter, occupancy histogram and heat tiles of a CentroidPlot; see centroid_view.h.

#include "lnscope/widgets/centroid_view.h"

#include "chart_style.h"
#include "lnscope/widgets/color_maps.h"

#include <QBarCategoryAxis>
#include <QBarSet>
#include <QHBoxLayout>
#include <QHelpEvent>
#include <QLabel>
#include <QLegendMarker>
#include <QLocale>
#include <QPainter>
#include <QResizeEvent>
#include <QScatterSeries>
#include <QStackedBarSeries>
#include <QStackedLayout>
#include <QToolTip>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace lnscope::widgets {

// --- HeatTileLayout ---------------------------------------------------------------------------

HeatTileLayout HeatTileLayout::fit(const QRectF& area, int count, int kh, int kw, double labelHeight, double gap)
{
    HeatTileLayout l;
    l.area = area;
    l.count = std::max(0, count);
    l.kh = std::max(1, kh);
    l.kw = std::max(1, kw);
    l.gap = gap;
    l.labelHeight = labelHeight;
    for (int c = 1; c <= l.count; ++c) {
        const int r = (l.count + c - 1) / c;
        const double byWidth = (area.width() - (c - 1) * gap) / (c * l.kw);
        const double byHeight = (area.height() - r * labelHeight - (r - 1) * gap) / (r * l.kh);
        const double cell = std::floor(std::min(byWidth, byHeight));
        if (cell > l.cell) {
            l.cell = cell;
            l.columns = c;
            l.rows = r;
        }
    }
    if (l.cell < 1.0) {
        l.cell = 0.0;
        l.columns = l.rows = 0;
        return l;
    }
    const double gridWidth = l.columns * l.kw * l.cell + (l.columns - 1) * gap;
    l.origin = QPointF(area.left() + std::floor((area.width() - gridWidth) / 2.0), area.top());
    return l;
}

QRectF HeatTileLayout::tile(int i) const
{
    if (i < 0 || i >= count || columns == 0)
        return {};
    const double x = origin.x() + (i % columns) * (kw * cell + gap);
    const double y = origin.y() + (i / columns) * (kh * cell + labelHeight + gap);
    return {x, y, kw * cell, kh * cell};
}

QRectF HeatTileLayout::cellRect(int i, int row, int col) const
{
    const QRectF t = tile(i);
    if (t.isEmpty() || row < 0 || row >= kh || col < 0 || col >= kw)
        return {};
    return {t.left() + col * cell, t.top() + row * cell, cell, cell};
}

QRectF HeatTileLayout::labelRect(int i) const
{
    const QRectF t = tile(i);
    return t.isEmpty() ? QRectF() : QRectF(t.left(), t.bottom(), t.width(), labelHeight);
}

int HeatTileLayout::tileAt(const QPointF& p) const
{
    if (columns == 0)
        return -1;
    const double pitchX = kw * cell + gap;
    const double pitchY = kh * cell + labelHeight + gap;
    const double dx = p.x() - origin.x(), dy = p.y() - origin.y();
    if (dx < 0.0 || dy < 0.0)
        return -1;
    const int col = int(dx / pitchX), row = int(dy / pitchY);
    const int i = row * columns + col;
    if (col >= columns || i >= count)
        return -1;
    // Inside the pitch but in the gap or the label strip: no tile.
    return dx - col * pitchX < kw * cell && dy - row * pitchY < kh * cell ? i : -1;
}

QPoint HeatTileLayout::cellAt(int i, const QPointF& p) const
{
    const QRectF t = tile(i);
    if (t.isEmpty() || p.x() < t.left() || p.y() < t.top() || p.x() >= t.right() || p.y() >= t.bottom())
        return {-1, -1};
    return {int((p.x() - t.left()) / cell), int((p.y() - t.top()) / cell)};
}

namespace {

// --- the heat tile strip ----------------------------------------------------------------------

/// Paints the tiles laid out by HeatTileLayout, a title line and a colour bar; tooltips per cell.
class HeatTileStrip : public QWidget
{
public:
    struct Tile
    {
        int cluster = 0;
        int64_t occupancy = 0;
        std::vector<float> values; ///< kh × kw, row-major
    };

    explicit HeatTileStrip(QWidget* parent) : QWidget(parent) { setObjectName(QStringLiteral("heatTiles")); }

    /// Compact: a shorter title and the colour bar on one line with its end values.
    void setCompact(bool compact)
    {
        m_compact = compact;
        update();
    }

    void setTiles(std::vector<Tile> tiles, int kh, int kw, double maxAbs)
    {
        m_tiles = std::move(tiles);
        m_kh = kh;
        m_kw = kw;
        m_maxAbs = maxAbs;
        update();
    }

protected:
    void paintEvent(QPaintEvent*) override
    {
        QPainter p(this);
        p.fillRect(rect(), Qt::white);
        if (m_tiles.empty())
            return;
        p.setPen(palette().color(QPalette::WindowText));
        const QString title = m_compact ? tr("%1 most used centroids").arg(m_tiles.size())
                                        : tr("%1 most used centroids (unit norm)").arg(m_tiles.size());
        p.drawText(titleRect(), Qt::AlignLeft | Qt::AlignVCenter,
                   QFontMetrics(font()).elidedText(title, Qt::ElideRight, int(titleRect().width())));
        const HeatTileLayout layout = tileLayout();
        for (int i = 0; i < int(m_tiles.size()); ++i)
            drawTile(p, layout, i);
        drawColorBar(p, colorBarRect());
    }

    bool event(QEvent* e) override
    {
        if (e->type() != QEvent::ToolTip)
            return QWidget::event(e);
        auto* help = static_cast<QHelpEvent*>(e);
        const HeatTileLayout layout = tileLayout();
        const int i = layout.tileAt(help->pos());
        const QPoint cell = i >= 0 ? layout.cellAt(i, help->pos()) : QPoint(-1, -1);
        if (cell.x() < 0) {
            QToolTip::hideText();
            e->ignore();
            return true;
        }
        const Tile& t = m_tiles[size_t(i)];
        QToolTip::showText(help->globalPos(),
                           tr("cluster #%1: %2 kernels\nvalue at row %3, column %4: %5")
                               .arg(t.cluster)
                               .arg(t.occupancy)
                               .arg(cell.y())
                               .arg(cell.x())
                               .arg(double(t.values[size_t(cell.y() * m_kw + cell.x())]), 0, 'f', 3),
                           this);
        return true;
    }

private:
    /// Cells smaller than this get no label strip under their tile (it would only say "…").
    static constexpr double kMinLabelledCell = 10.0;

    int lineHeight() const { return QFontMetrics(font()).height() + 2; }
    QRectF titleRect() const { return QRectF(4, 2, width() - 8, lineHeight()); }
    /// Compact: the end values left and right of the bar, in this width each.
    double compactLabelWidth() const { return QFontMetrics(font()).horizontalAdvance(QStringLiteral("+0.00")) + 8; }
    QRectF colorBarRect() const
    {
        if (m_compact) {
            const double label = compactLabelWidth();
            return QRectF(4 + label, height() - lineHeight() + (lineHeight() - 10) / 2.0 - 2, width() - 8 - 2 * label, 10);
        }
        return QRectF(12, height() - 2 * lineHeight() - 2, width() - 24, 10);
    }

    HeatTileLayout tileLayout() const
    {
        const double barTop = m_compact ? height() - lineHeight() - 2 : colorBarRect().top();
        const QRectF area(4, titleRect().bottom() + 4, width() - 8, barTop - titleRect().bottom() - 10);
        const HeatTileLayout labelled = HeatTileLayout::fit(area, int(m_tiles.size()), m_kh, m_kw, lineHeight());
        if (labelled.cell >= kMinLabelledCell)
            return labelled;
        const HeatTileLayout bare = HeatTileLayout::fit(area, int(m_tiles.size()), m_kh, m_kw, 0.0);
        return bare.cell > labelled.cell ? bare : labelled;
    }

    void drawTile(QPainter& p, const HeatTileLayout& layout, int i) const
    {
        const Tile& t = m_tiles[size_t(i)];
        const DivergingColorMap map;
        for (int r = 0; r < m_kh; ++r)
            for (int c = 0; c < m_kw; ++c)
                p.fillRect(layout.cellRect(i, r, c), map.map(double(t.values[size_t(r * m_kw + c)]), m_maxAbs));
        p.setPen(QPen(QualitativePalette::color(t.cluster), 2.0));
        p.setBrush(Qt::NoBrush);
        p.drawRect(layout.tile(i).adjusted(-1, -1, 1, 1));
        if (layout.labelHeight <= 0.0)
            return;
        // "#id · kernels" when it fits, else "#id" (the tooltip has both).
        const QRectF label = layout.labelRect(i).adjusted(-layout.gap / 2, 0, layout.gap / 2, 0);
        const QFontMetrics fm(font());
        QString text = QStringLiteral("#%1 · %2").arg(t.cluster).arg(t.occupancy);
        if (fm.horizontalAdvance(text) > label.width())
            text = fm.elidedText(QStringLiteral("#%1").arg(t.cluster), Qt::ElideRight, int(label.width()));
        p.setPen(palette().color(QPalette::WindowText));
        p.drawText(label, Qt::AlignHCenter | Qt::AlignVCenter, text);
    }

    void drawColorBar(QPainter& p, const QRectF& bar) const
    {
        const DivergingColorMap map;
        QLinearGradient gradient(bar.topLeft(), bar.topRight());
        gradient.setColorAt(0.0, map.map(-m_maxAbs, m_maxAbs));
        gradient.setColorAt(0.5, map.map(0.0, m_maxAbs));
        gradient.setColorAt(1.0, map.map(m_maxAbs, m_maxAbs));
        p.fillRect(bar, gradient);
        p.setPen(QColor(90, 90, 90));
        p.drawRect(bar);
        p.setPen(palette().color(QPalette::WindowText));
        const QString value = QString::number(m_maxAbs, 'f', 2);
        if (m_compact) { // −v [bar] +v on one line
            const double w = compactLabelWidth();
            const QRectF line(4, bar.center().y() - lineHeight() / 2.0, width() - 8, lineHeight());
            p.drawText(QRectF(line.left(), line.top(), w - 4, line.height()), Qt::AlignRight | Qt::AlignVCenter,
                       QStringLiteral("−") + value);
            p.drawText(QRectF(bar.right() + 4, line.top(), w - 4, line.height()), Qt::AlignLeft | Qt::AlignVCenter,
                       QStringLiteral("+") + value);
            return;
        }
        const QRectF labels(bar.left() - 10, bar.bottom() + 1, bar.width() + 20, lineHeight());
        p.drawText(labels, Qt::AlignLeft | Qt::AlignTop, QStringLiteral("−") + value);
        p.drawText(labels, Qt::AlignHCenter | Qt::AlignTop, QStringLiteral("0"));
        p.drawText(labels, Qt::AlignRight | Qt::AlignTop, QStringLiteral("+") + value);
    }

    std::vector<Tile> m_tiles;
    int m_kh = 1, m_kw = 1;
    double m_maxAbs = 0.0;
    bool m_compact = false;
};

const QColor kOutline(30, 30, 30);
const QColor kLink(90, 90, 90, 160);
/// The role of the scatter's link item (centroid_view.h).
const QString kLinksRole = QStringLiteral("centroidLinks");
static_assert(CentroidView::kLinksItemKey == detail::ChartSegments::kRoleKey);
/// Occupancy bars keep their cluster labels up to this many clusters.
constexpr int kLabelledClusters = 16;

QScatterSeries* scatterSeries(const QString& name, double size, const QBrush& brush, const QPen& pen)
{
    auto* s = new QScatterSeries;
    s->setName(name);
    s->setMarkerShape(QScatterSeries::MarkerShapeCircle);
    s->setMarkerSize(size);
    s->setBrush(brush);
    s->setPen(pen);
    return s;
}

QString percent(double share)
{
    return QString::number(100.0 * share, 'f', 1) + QStringLiteral(" %");
}

/// The scatter's axes over every point and centroid drawn (with a small margin, round ticks),
/// titled with the share of the variance on each axis; added to `chart`.
std::pair<QValueAxis*, QValueAxis*> addScatterAxes(QChart* chart, const core::CentroidPlot& plot)
{
    double x0 = 0, x1 = 0, y0 = 0, y1 = 0;
    bool first = true;
    for (const auto* v : {&plot.points, &plot.centroids, &plot.centroidsBefore})
        for (const auto& p : *v) {
            x0 = first ? p[0] : std::min(x0, double(p[0]));
            x1 = first ? p[0] : std::max(x1, double(p[0]));
            y0 = first ? p[1] : std::min(y0, double(p[1]));
            y1 = first ? p[1] : std::max(y1, double(p[1]));
            first = false;
        }
    const double padX = std::max(1e-3, 0.06 * (x1 - x0)), padY = std::max(1e-3, 0.06 * (y1 - y0));
    auto* x = new QValueAxis;
    auto* y = new QValueAxis;
    x->setRange(x0 - padX, x1 + padX);
    y->setRange(y0 - padY, y1 + padY);
    x->applyNiceNumbers();
    y->applyNiceNumbers();
    x->setLabelFormat(QStringLiteral("%g"));
    y->setLabelFormat(QStringLiteral("%g"));
    x->setTitleText(QObject::tr("PC1 (%1 of variance)").arg(percent(plot.explained[0])));
    y->setTitleText(QObject::tr("PC2 (%1 of variance)").arg(percent(plot.explained[1])));
    chart->addAxis(x, Qt::AlignBottom);
    chart->addAxis(y, Qt::AlignLeft);
    return {x, y};
}

} // namespace

// --- CentroidView -----------------------------------------------------------------------------

struct CentroidView::Private
{
    core::CentroidPlot plot;
    bool hasPlot = false;
    int topTiles = kDefaultTopTiles;
    QStackedLayout* stack = nullptr;
    QLabel* placeholder = nullptr;
    QWidget* content = nullptr;
    QLabel* header = nullptr;
    QChart* scatter = nullptr;
    QChart* occupancy = nullptr;
    HeatTileStrip* tiles = nullptr;
    QHBoxLayout* charts = nullptr; ///< scatter | right
    QVBoxLayout* right = nullptr;  ///< occupancy over tiles
    bool compact = false;
};

CentroidView::CentroidView(QWidget* parent) : QWidget(parent), d(std::make_unique<Private>())
{
    d->placeholder = new QLabel(tr("Select a cluster-compressed layer to see its kernels and centroids."), this);
    d->placeholder->setObjectName(QStringLiteral("placeholder"));
    d->placeholder->setAlignment(Qt::AlignCenter);
    d->placeholder->setWordWrap(true);
    d->placeholder->setStyleSheet(QStringLiteral("color: #666666"));

    d->content = new QWidget(this);
    d->header = new QLabel(d->content);
    d->header->setObjectName(QStringLiteral("centroidHeader"));
    d->header->setTextFormat(Qt::RichText);
    d->header->setWordWrap(true);
    d->scatter = detail::makeChart();
    d->occupancy = detail::makeChart();
    d->occupancy->legend()->hide();
    d->tiles = new HeatTileStrip(d->content);

    d->right = new QVBoxLayout;
    d->right->setSpacing(2);
    d->right->addWidget(detail::makeChartView(d->occupancy, QStringLiteral("occupancyChart"), d->content), 1);
    d->right->addWidget(d->tiles, 1);
    d->charts = new QHBoxLayout;
    d->charts->setSpacing(4);
    d->charts->addWidget(detail::makeChartView(d->scatter, QStringLiteral("scatterChart"), d->content), 3);
    d->charts->addLayout(d->right, 2);
    auto* contentLayout = new QVBoxLayout(d->content);
    contentLayout->setContentsMargins(4, 4, 4, 4);
    contentLayout->setSpacing(2);
    contentLayout->addWidget(d->header);
    contentLayout->addLayout(d->charts, 1);

    d->stack = new QStackedLayout(this);
    d->stack->addWidget(d->placeholder);
    d->stack->addWidget(d->content);
    clear();
}

CentroidView::~CentroidView() = default;

QSize CentroidView::sizeHint() const
{
    return {640, 400};
}

bool CentroidView::isCompact() const
{
    return d->compact;
}

void CentroidView::resizeEvent(QResizeEvent* event)
{
    QWidget::resizeEvent(event);
    // The thresholds are for a 9 pt font; a larger one (presentation mode) needs more room.
    const double scale = std::max(1.0, fontMetrics().height() / double(kCompactFontHeight));
    const bool compact = width() < kCompactWidth * scale || height() < kCompactHeight * scale;
    if (compact != d->compact) {
        d->compact = compact;
        applyCompactness();
    }
}

void CentroidView::applyCompactness()
{
    d->charts->setStretch(0, d->compact ? 1 : 3);
    d->charts->setStretch(1, d->compact ? 1 : 2);
    d->right->setStretch(0, d->compact ? 2 : 1); // the histogram without its x labels needs less
    d->right->setStretch(1, d->compact ? 3 : 1);
    d->scatter->legend()->setVisible(!d->compact);
    d->tiles->setCompact(d->compact);
    if (d->hasPlot)
        buildOccupancy();
}

void CentroidView::setPlot(const core::CentroidPlot& plot)
{
    d->plot = plot;
    d->hasPlot = true;
    buildScatter();
    buildOccupancy();
    updateTiles();
    updateHeader();
    d->stack->setCurrentWidget(d->content);
}

void CentroidView::clear()
{
    d->plot = {};
    d->hasPlot = false;
    detail::clearChart(d->scatter);
    detail::clearChart(d->occupancy);
    d->tiles->setTiles({}, 1, 1, 0.0);
    d->header->clear();
    d->stack->setCurrentWidget(d->placeholder);
}

bool CentroidView::hasPlot() const
{
    return d->hasPlot;
}

const core::CentroidPlot& CentroidView::plot() const
{
    return d->plot;
}

void CentroidView::setTopTiles(int count)
{
    d->topTiles = std::max(0, count);
    if (d->hasPlot)
        updateTiles();
}

int CentroidView::topTiles() const
{
    return d->topTiles;
}

std::vector<int> CentroidView::tileClusters() const
{
    const auto& order = d->plot.byOccupancy;
    const size_t n = std::min(order.size(), size_t(d->topTiles));
    return {order.begin(), order.begin() + std::ptrdiff_t(n)};
}

void CentroidView::buildScatter()
{
    const core::CentroidPlot& plot = d->plot;
    QChart* chart = d->scatter;
    detail::clearChart(chart);
    const int palette = QualitativePalette::size();
    const int groups = std::max(1, std::min(plot.clusters, palette));
    const bool large = plot.clusters > palette;
    const bool refined = !plot.centroidsBefore.empty() && plot.centroidsBefore.size() == plot.centroids.size();

    // One series per palette colour: clusters sharing a colour share a series.
    const auto bins = static_cast<size_t>(groups);
    std::vector<QList<QPointF>> points(bins), centroids(bins), before(bins);
    for (size_t i = 0; i < plot.points.size() && i < plot.pointCluster.size(); ++i)
        points[size_t(plot.pointCluster[i] % groups)] << QPointF(plot.points[i][0], plot.points[i][1]);
    for (size_t c = 0; c < plot.centroids.size(); ++c) {
        centroids[c % bins] << QPointF(plot.centroids[c][0], plot.centroids[c][1]);
        if (refined)
            before[c % bins] << QPointF(plot.centroidsBefore[c][0], plot.centroidsBefore[c][1]);
    }

    // Axes first, series attached while still empty, points last: every series then lays out its
    // markers once, in the final frame (thousands of markers, each one a graphics item).
    const auto [x, y] = addScatterAxes(chart, plot);
    const QList<QGraphicsItem*> itemsBefore = chart->childItems();
    auto add = [&](QXYSeries* series, const QList<QPointF>& values, bool inLegend) {
        chart->addSeries(series);
        series->attachAxis(x);
        series->attachAxis(y);
        series->replace(values);
        for (QLegendMarker* m : chart->legend()->markers(series))
            m->setVisible(inLegend);
    };
    for (int g = 0; g < groups; ++g) {
        QColor colour = QualitativePalette::color(g);
        colour.setAlpha(large ? 110 : 200);
        add(scatterSeries(tr("kernels"), large ? 5.0 : 7.0, colour, Qt::NoPen), points[size_t(g)], g == 0);
    }
    if (refined) {
        // The links, one path for all: over the kernels, under the markers added next. Qt Charts
        // gives the chart one child item per series, all at one z; the links take the z of the
        // kernels' items and, made after them, stack above.
        qreal z = 0.0;
        for (QGraphicsItem* item : chart->childItems())
            if (!itemsBefore.contains(item))
                z = std::max(z, item->zValue());
        std::vector<QLineF> links;
        for (size_t c = 0; c < plot.centroids.size(); ++c) {
            const QPointF from = before[c % bins][qsizetype(c / bins)], to = centroids[c % bins][qsizetype(c / bins)];
            if (from != to) // not moved by the refinement: no link
                links.emplace_back(from, to);
        }
        new detail::ChartSegments(chart, x, y, std::move(links), QPen(kLink, 1.0), z, kLinksRole);
        for (int g = 0; g < groups; ++g)
            add(scatterSeries(tr("before refinement"), large ? 8.0 : 11.0, Qt::NoBrush,
                              QPen(QualitativePalette::color(g).darker(130), 1.6)),
                before[size_t(g)], g == 0);
    }
    for (int g = 0; g < groups; ++g)
        add(scatterSeries(refined ? tr("refined centroids") : tr("centroids"), large ? 9.0 : 14.0,
                          QualitativePalette::color(g), QPen(kOutline, 1.5)),
            centroids[size_t(g)], g == 0);
    detail::applyChartFonts(chart, font());
}

void CentroidView::buildOccupancy()
{
    const core::CentroidPlot& plot = d->plot;
    QChart* chart = d->occupancy;
    detail::clearChart(chart);
    const int groups = std::max(1, std::min(plot.clusters, QualitativePalette::size()));
    auto* series = new QStackedBarSeries;
    series->setBarWidth(0.8);
    std::vector<QBarSet*> sets;
    for (int g = 0; g < groups; ++g) {
        auto* set = new QBarSet(tr("clusters %1 mod %2").arg(g).arg(groups));
        set->setColor(QualitativePalette::color(g));
        set->setBorderColor(QualitativePalette::color(g));
        sets.push_back(set);
    }
    QStringList categories;
    for (int c : plot.byOccupancy) {
        categories << QStringLiteral("#%1").arg(c);
        const int64_t n = size_t(c) < plot.occupancy.size() ? plot.occupancy[size_t(c)] : 0;
        for (int g = 0; g < groups; ++g)
            sets[size_t(g)]->append(c % groups == g ? double(n) : 0.0);
    }
    for (QBarSet* set : sets)
        series->append(set);
    chart->addSeries(series);
    // Up to kLabelledClusters bars are named by cluster; beyond that names cannot be read, and the
    // axis counts ranks instead (a category axis with hidden labels also loses its title).
    QAbstractAxis* x = nullptr;
    if (plot.clusters <= kLabelledClusters) {
        auto* named = new QBarCategoryAxis;
        named->append(categories);
        named->setTitleText(tr("cluster, most used first"));
        if (plot.clusters > 8)
            named->setLabelsAngle(-90);
        x = named;
    } else {
        auto* rank = new QValueAxis;
        rank->setRange(-0.5, plot.clusters - 0.5);
        rank->setTickType(QValueAxis::TicksDynamic);
        rank->setTickAnchor(0.0);
        rank->setTickInterval(plot.clusters > 128 ? 64.0 : plot.clusters > 32 ? 16.0 : 8.0);
        rank->setLabelFormat(QStringLiteral("%d"));
        rank->setTitleText(tr("clusters by rank, most used first"));
        x = rank;
    }
    x->setGridLineVisible(false);
    auto* y = new QValueAxis;
    y->setTitleText(tr("kernels"));
    y->setLabelFormat(QStringLiteral("%d"));
    const int64_t most = std::max<int64_t>(1, plot.byOccupancy.empty() ? 1 : plot.occupancy[size_t(plot.byOccupancy.front())]);
    y->setRange(0.0, double(most));
    y->applyNiceNumbers();
    // Counts: ticks at whole numbers (a tick at 0.2 would print as "0"), 1, 2, 5, 10, … apart; in a
    // compact view at most two intervals (a short chart has no room for more labels).
    const int maxIntervals = d->compact ? 2 : 5;
    const double tickStep = (y->max() - y->min()) / std::max(1, y->tickCount() - 1);
    if (d->compact || tickStep < 1.0 || tickStep != std::floor(tickStep)) {
        int64_t step = 1;
        for (int k = 0; (most + step - 1) / step > maxIntervals; ++k) // 1, 2, 5, 10, 20, 50, …
            step = k % 3 == 1 ? step / 2 * 5 : step * 2;
        const int64_t ticks = (most + step - 1) / step;
        y->setRange(0.0, double(ticks * step));
        y->setTickCount(int(ticks) + 1);
    }
    // Compact: no room for cluster names or ranks under the bars; they are in the order and the
    // colours of the tiles below.
    x->setLabelsVisible(!d->compact);
    x->setTitleVisible(!d->compact);
    chart->addAxis(x, Qt::AlignBottom);
    chart->addAxis(y, Qt::AlignLeft);
    series->attachAxis(x);
    series->attachAxis(y);
    detail::applyChartFonts(chart, font());
}

void CentroidView::updateTiles()
{
    const core::CentroidPlot& plot = d->plot;
    std::vector<HeatTileStrip::Tile> tiles;
    double maxAbs = 0.0;
    const size_t dim = size_t(std::max(0, plot.d));
    for (int c : tileClusters()) {
        if (dim == 0 || (size_t(c) + 1) * dim > plot.centroidValues.size())
            continue;
        HeatTileStrip::Tile t;
        t.cluster = c;
        t.occupancy = size_t(c) < plot.occupancy.size() ? plot.occupancy[size_t(c)] : 0;
        t.values.assign(plot.centroidValues.begin() + std::ptrdiff_t(size_t(c) * dim),
                        plot.centroidValues.begin() + std::ptrdiff_t((size_t(c) + 1) * dim));
        for (float v : t.values) // the colour scale: ± the largest magnitude shown
            maxAbs = std::max(maxAbs, std::fabs(double(v)));
        tiles.push_back(std::move(t));
    }
    d->tiles->setTiles(std::move(tiles), std::max(1, plot.kh), std::max(1, plot.kw), maxAbs);
}

void CentroidView::updateHeader()
{
    const core::CentroidPlot& p = d->plot;
    QString text = tr("<b>%1</b> · %2×%3 kernels · K = %4 · %5 non-zero kernels")
                       .arg(QString::fromStdString(p.node).toHtmlEscaped())
                       .arg(p.kh)
                       .arg(p.kw)
                       .arg(p.clusters)
                       .arg(QLocale(QLocale::English, QLocale::UnitedStates).toString(qlonglong(p.kernels)));
    if (int64_t(p.points.size()) < p.kernels)
        text += tr(" (%1 plotted)").arg(p.points.size());
    text += !p.centroidsBefore.empty() ? tr(" · refined: hollow = before refinement") : tr(" · not refined");
    d->header->setText(text);
}

} // namespace lnscope::widgets
