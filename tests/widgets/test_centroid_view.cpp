// CentroidView: the placeholder, the scatter series (points by cluster colour, centroids, the
// pre-refinement positions and their links: one path that follows resizing and zooming), the
// occupancy bars, the heat tiles, the tile layout (HeatTileLayout, without pixels) and image
// baselines at 800×500.

#include "lnscope/widgets/centroid_view.h"

#include "image_baseline.h"
#include "lnscope/core/onnx_import.h"
#include "lnscope/core/tensor_io.h"
#include "lnscope/widgets/color_maps.h"
#include "test_utils.h"

#include <QBarCategoryAxis>
#include <QBarSet>
#include <QChart>
#include <QChartView>
#include <QGraphicsPathItem>
#include <QLabel>
#include <QLineSeries>
#include <QScatterSeries>
#include <QStackedBarSeries>
#include <QTest>
#include <QValueAxis>

#include <algorithm>
#include <cmath>

using namespace lnscope;
using core::CentroidPlot;
using widgets::CentroidView;
using widgets::HeatTileLayout;

namespace {

constexpr QSize kBaselineSize(800, 500);

/// The plot of one conv of the bundled tiny model converted with K = `clusters`.
CentroidPlot tinyPlot(const std::string& node, int clusters, bool refine)
{
    const core::Graph g = core::importOnnx(test::datasetsDir() / "models" / "tiny_segnet.onnx");
    const core::TensorMap in{{"input", core::readTensorPb(test::datasetsDir() / "samples" / "tiny_input.pb")}};
    core::ConversionConfig cfg;
    cfg.clusters = clusters;
    cfg.refine = refine;
    const core::ConvertedModel m = core::convertModel(g, cfg, {in});
    const core::ConvertedLayer* l = m.layer(node);
    return core::centroidPlot(*l, *m.folded.initializer(l->weightName));
}

/// enc3 with K = 8, refined: both centroid books.
const CentroidPlot& refinedK8()
{
    static const CentroidPlot plot = tinyPlot("/enc3/enc3.0/Conv", 8, true);
    return plot;
}

/// dec with K = 64: more clusters than the palette has colours.
const CentroidPlot& plainK64()
{
    static const CentroidPlot plot = tinyPlot("/dec/dec.0/Conv", 64, false);
    return plot;
}

QChart* chartNamed(CentroidView& view, const char* name)
{
    auto* chartView = view.findChild<QChartView*>(name);
    return chartView ? chartView->chart() : nullptr;
}

template <typename T>
QList<T*> seriesOf(QChart* chart)
{
    QList<T*> out;
    for (QAbstractSeries* s : chart->series())
        if (auto* t = qobject_cast<T*>(s))
            out << t;
    return out;
}

/// Scatter series by marker size: kernels are the smallest, centroids the largest.
QList<QScatterSeries*> scatterBySize(QChart* chart, bool hollow, double minSize, double maxSize)
{
    QList<QScatterSeries*> out;
    for (QScatterSeries* s : seriesOf<QScatterSeries>(chart))
        if (s->markerSize() >= minSize && s->markerSize() <= maxSize && (s->brush().style() == Qt::NoBrush) == hollow)
            out << s;
    return out;
}

/// The scatter's link item (CentroidView::kLinksItemKey), or null.
QGraphicsPathItem* linksOf(QChart* chart)
{
    QGraphicsPathItem* found = nullptr;
    for (QGraphicsItem* item : chart->childItems())
        if (item->data(CentroidView::kLinksItemKey).toString() == "centroidLinks") {
            if (found)
                return nullptr; // more than one: as wrong as none
            found = qgraphicsitem_cast<QGraphicsPathItem*>(item);
        }
    return found;
}

/// Checks that `links` holds one segment per centroid the refinement moved, from its k-means
/// position to its refined one where the chart maps them now. Empty when it does, else what is wrong.
QString checkLinks(QChart* chart, const QGraphicsPathItem* links, const CentroidPlot& p)
{
    QAbstractSeries* reference = chart->series().value(0);
    const QPainterPath path = links->path();
    int segment = 0;
    for (size_t c = 0; c < p.centroids.size(); ++c) {
        const QPointF from(p.centroidsBefore[c][0], p.centroidsBefore[c][1]), to(p.centroids[c][0], p.centroids[c][1]);
        if (from == to)
            continue;
        if (path.elementCount() < 2 * segment + 2)
            return QString("only %1 segments, centroid %2 has none").arg(segment).arg(c);
        const QPainterPath::Element start = path.elementAt(2 * segment), end = path.elementAt(2 * segment + 1);
        if (!start.isMoveTo() || !end.isLineTo())
            return QString("segment %1 is not a moveTo/lineTo pair").arg(segment);
        for (const auto& [drawn, value] : {std::pair{QPointF(start), from}, std::pair{QPointF(end), to}}) {
            const QPointF expected = links->mapFromItem(chart, chart->mapToPosition(value, reference));
            if (QLineF(drawn, expected).length() > 0.01)
                return QString("centroid %1: (%2, %3) drawn at (%4, %5), the chart puts it at (%6, %7)")
                    .arg(c)
                    .arg(value.x())
                    .arg(value.y())
                    .arg(drawn.x())
                    .arg(drawn.y())
                    .arg(expected.x())
                    .arg(expected.y());
        }
        ++segment;
    }
    if (path.elementCount() != 2 * segment)
        return QString("%1 path elements for %2 moved centroids").arg(path.elementCount()).arg(segment);
    return {};
}

} // namespace

class TestCentroidView : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void placeholderWithoutPlot();
    void refinedPlotSeries();
    void linksJoinEachMovedCentroid();
    void largeKCyclesThePaletteWithSmallPoints();
    void occupancyBarsInOrder();
    void axisTitlesGiveExplainedVariance();
    void tilesAreTheMostUsedCentroids();
    void tileLayoutKnownValues();
    void tileLayoutRoundTrip_data();
    void tileLayoutRoundTrip();
    void tileLayoutNothingFits();
    void occupancyTicksAreWholeNumbers();
    void compactInASmallPane();
    void baseline_data();
    void baseline();
};

void TestCentroidView::initTestCase()
{
    test::useBaselineLook();
}

void TestCentroidView::placeholderWithoutPlot()
{
    CentroidView view;
    view.resize(kBaselineSize);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    auto* placeholder = view.findChild<QLabel*>("placeholder");
    QVERIFY(placeholder);
    QVERIFY(placeholder->isVisible());
    QVERIFY(placeholder->text().contains("cluster-compressed layer"));
    QVERIFY(!view.hasPlot());
    view.setPlot(refinedK8());
    QVERIFY(view.hasPlot());
    QVERIFY(!placeholder->isVisible());
    QVERIFY(chartNamed(view, "scatterChart")->isVisible());
    view.clear();
    QVERIFY(placeholder->isVisible());
    QVERIFY(chartNamed(view, "scatterChart")->series().isEmpty());
}

void TestCentroidView::refinedPlotSeries()
{
    const CentroidPlot& p = refinedK8();
    QCOMPARE(p.clusters, 8);
    QCOMPARE(p.centroidsBefore.size(), p.centroids.size());
    CentroidView view;
    view.setPlot(p);
    QChart* chart = chartNamed(view, "scatterChart");
    const auto kernels = scatterBySize(chart, false, 0, 8);
    const auto before = scatterBySize(chart, true, 0, 100);
    const auto centroids = scatterBySize(chart, false, 9, 100);
    QCOMPARE(kernels.size(), 8); // one series per cluster colour
    QCOMPARE(before.size(), 8);
    QCOMPARE(centroids.size(), 8);
    QVERIFY(seriesOf<QLineSeries>(chart).isEmpty()); // the links are one path, not series
    QVERIFY(linksOf(chart));
    qsizetype points = 0;
    for (QScatterSeries* s : kernels) {
        points += s->count();
        QCOMPARE(s->color().alpha() > 150, true); // few clusters: opaque enough to read
    }
    QCOMPARE(points, qsizetype(p.points.size()));
    // Cluster c is in the series of colour c; its centroid and its before-position too.
    for (int c = 0; c < p.clusters; ++c) {
        QCOMPARE(centroids[c]->color().rgb(), widgets::QualitativePalette::color(c).rgb());
        QCOMPARE(centroids[c]->at(0), QPointF(p.centroids[size_t(c)][0], p.centroids[size_t(c)][1]));
        QCOMPARE(before[c]->at(0), QPointF(p.centroidsBefore[size_t(c)][0], p.centroidsBefore[size_t(c)][1]));
    }
    for (size_t i = 0; i < p.points.size(); i += 17)
        QVERIFY(kernels[p.pointCluster[i]]->points().contains(QPointF(p.points[i][0], p.points[i][1])));
}

void TestCentroidView::linksJoinEachMovedCentroid()
{
    // One centroid the refinement left in place gets no link.
    CentroidPlot p = refinedK8();
    p.centroidsBefore[3] = p.centroids[3];
    int moved = 0;
    for (size_t c = 0; c < p.centroids.size(); ++c)
        moved +=
            QPointF(p.centroids[c][0], p.centroids[c][1]) != QPointF(p.centroidsBefore[c][0], p.centroidsBefore[c][1]);
    QCOMPARE(moved, 7);
    CentroidView view;
    view.setPlot(p);
    QVERIFY(!test::grabAtSize(view, kBaselineSize).isNull());
    QChart* chart = chartNamed(view, "scatterChart");
    QGraphicsPathItem* links = linksOf(chart);
    QVERIFY(links);
    QCOMPARE(links->path().elementCount(), 2 * moved);
    QString wrong = checkLinks(chart, links, p);
    QVERIFY2(wrong.isEmpty(), qPrintable(wrong));
    QCOMPARE(links->pen().color(), QColor(90, 90, 90, 160));
    QCOMPARE(links->pen().widthF(), 1.0);
    // Stacked like the series it replaces: above the 8 kernel series' items, under the 16 of the
    // hollow and the filled centroid markers (one item per series, at one z).
    const QList<QGraphicsItem*> stack = chart->childItems(); // in stacking order
    qsizetype below = 0, above = 0;
    for (qsizetype i = 0, at = stack.indexOf(links); i < stack.size(); ++i)
        if (i != at && stack[i]->zValue() == links->zValue())
            ++(i < at ? below : above);
    QCOMPARE(below, 8);
    QCOMPARE(above, 16);
    // The links follow a resize (compact: the legend goes, the plot grows) and a zoom.
    QVERIFY(!test::grabAtSize(view, QSize(494, 262)).isNull());
    QVERIFY(view.isCompact());
    wrong = checkLinks(chart, links, p);
    QVERIFY2(wrong.isEmpty(), qPrintable("after resizing: " + wrong));
    chart->zoomIn(chart->plotArea().adjusted(30, 20, -10, -40));
    wrong = checkLinks(chart, links, p);
    QVERIFY2(wrong.isEmpty(), qPrintable("after zooming: " + wrong));
    // A new plot replaces them, clear() removes them.
    view.setPlot(refinedK8());
    QVERIFY(linksOf(chart));
    QCOMPARE(linksOf(chart)->path().elementCount(), 16);
    view.setPlot(plainK64()); // not refined: no links
    QVERIFY(!linksOf(chart));
    view.setPlot(p);
    view.clear();
    QVERIFY(!linksOf(chart));
}

void TestCentroidView::largeKCyclesThePaletteWithSmallPoints()
{
    const CentroidPlot& p = plainK64();
    QCOMPARE(p.clusters, 64);
    QVERIFY(p.centroidsBefore.empty());
    CentroidView view;
    view.setPlot(p);
    QChart* chart = chartNamed(view, "scatterChart");
    const int colours = widgets::QualitativePalette::size();
    QCOMPARE(seriesOf<QScatterSeries>(chart).size(), 2 * colours);
    QVERIFY(seriesOf<QLineSeries>(chart).isEmpty()); // not refined: no links
    const auto kernels = scatterBySize(chart, false, 0, 6);
    QCOMPARE(kernels.size(), colours);
    for (QScatterSeries* s : kernels)
        QVERIFY(s->color().alpha() < 150); // semi-transparent
    const auto centroids = scatterBySize(chart, false, 7, 100);
    QCOMPARE(centroids.size(), colours);
    qsizetype n = 0;
    for (QScatterSeries* s : centroids)
        n += s->count();
    QCOMPARE(n, qsizetype(64));
    // Cluster 10 shares colour 10 mod size() — its centroid is in that series.
    QVERIFY(centroids[10 % colours]->points().contains(QPointF(p.centroids[10][0], p.centroids[10][1])));
}

void TestCentroidView::occupancyBarsInOrder()
{
    for (const CentroidPlot* p : {&refinedK8(), &plainK64()}) {
        CentroidView view;
        view.setPlot(*p);
        QChart* chart = chartNamed(view, "occupancyChart");
        const auto stacks = seriesOf<QStackedBarSeries>(chart);
        QCOMPARE(stacks.size(), 1);
        // Up to 16 clusters the bars are named by cluster, beyond that the axis counts ranks.
        auto* named = qobject_cast<QBarCategoryAxis*>(chart->axes(Qt::Horizontal).value(0));
        auto* ranks = qobject_cast<QValueAxis*>(chart->axes(Qt::Horizontal).value(0));
        QCOMPARE(named != nullptr, p->clusters <= 16);
        if (named)
            QCOMPARE(named->count(), p->clusters);
        else
            QCOMPARE(ranks->max(), p->clusters - 0.5);
        for (int i = 0; i < p->clusters; ++i) {
            const int c = p->byOccupancy[size_t(i)];
            if (named)
                QCOMPARE(named->at(i), QStringLiteral("#%1").arg(c));
            double sum = 0.0;
            int nonZero = 0;
            for (QBarSet* set : stacks[0]->barSets()) {
                sum += set->at(i);
                nonZero += set->at(i) != 0.0 ? 1 : 0;
            }
            QCOMPARE(sum, double(p->occupancy[size_t(c)]));
            QVERIFY(nonZero <= 1);
            if (nonZero == 1) // the bar has its cluster's colour
                QCOMPARE(stacks[0]->barSets()[c % stacks[0]->count()]->at(i), sum);
        }
    }
}

void TestCentroidView::axisTitlesGiveExplainedVariance()
{
    CentroidView view;
    view.setPlot(refinedK8());
    QChart* chart = chartNamed(view, "scatterChart");
    const QString x = chart->axes(Qt::Horizontal).value(0)->titleText();
    const QString y = chart->axes(Qt::Vertical).value(0)->titleText();
    QCOMPARE(x, QStringLiteral("PC1 (%1 % of variance)").arg(100.0 * refinedK8().explained[0], 0, 'f', 1));
    QCOMPARE(y, QStringLiteral("PC2 (%1 % of variance)").arg(100.0 * refinedK8().explained[1], 0, 'f', 1));
}

void TestCentroidView::tilesAreTheMostUsedCentroids()
{
    CentroidView view;
    view.setPlot(plainK64());
    QCOMPARE(view.topTiles(), CentroidView::kDefaultTopTiles);
    const std::vector<int> expected(plainK64().byOccupancy.begin(), plainK64().byOccupancy.begin() + 12);
    QCOMPARE(view.tileClusters(), expected);
    view.setTopTiles(3);
    QCOMPARE(view.tileClusters(), std::vector<int>(expected.begin(), expected.begin() + 3));
    view.setPlot(refinedK8()); // fewer clusters than tiles
    view.setTopTiles(12);
    QCOMPARE(view.tileClusters(), refinedK8().byOccupancy);
}

void TestCentroidView::tileLayoutKnownValues()
{
    // 4 tiles of 3×3 in 100×50, gap 2, no labels: two columns of 8-pixel cells (1 column: 3 px,
    // 3 columns: 8 px in 2 rows as well, 4 columns: 7 px), centred: grid 50 px wide at x = 25.
    const HeatTileLayout l = HeatTileLayout::fit(QRectF(0, 0, 100, 50), 4, 3, 3, 0.0, 2.0);
    QCOMPARE(l.cell, 8.0);
    QCOMPARE(l.columns, 2);
    QCOMPARE(l.rows, 2);
    QCOMPARE(l.tile(0), QRectF(25, 0, 24, 24));
    QCOMPARE(l.tile(1), QRectF(51, 0, 24, 24));
    QCOMPARE(l.tile(2), QRectF(25, 26, 24, 24));
    QCOMPARE(l.cellRect(3, 2, 1), QRectF(51 + 8, 26 + 16, 8, 8));
    QCOMPARE(l.tile(4), QRectF());
    QCOMPARE(l.tileAt(QPointF(50, 10)), -1); // in the gap
    QCOMPARE(l.tileAt(QPointF(10, 10)), -1); // left of the grid
    QCOMPARE(l.cellAt(0, QPointF(25 + 17, 3)), QPoint(2, 0));
    // Labels take their strip under every tile.
    const HeatTileLayout labelled = HeatTileLayout::fit(QRectF(10, 20, 100, 60), 2, 2, 3, 12.0, 4.0);
    QCOMPARE(labelled.labelRect(0), QRectF(labelled.tile(0).left(), labelled.tile(0).bottom(), labelled.tile(0).width(), 12));
    QCOMPARE(labelled.tileAt(labelled.labelRect(0).center()), -1);
    QVERIFY(labelled.tile(0).top() >= 20.0);
}

void TestCentroidView::tileLayoutRoundTrip_data()
{
    QTest::addColumn<QRectF>("area");
    QTest::addColumn<int>("count");
    QTest::addColumn<int>("kh");
    QTest::addColumn<int>("kw");
    QTest::addRow("12 tiles of 3x3, wide") << QRectF(4, 30, 310, 180) << 12 << 3 << 3;
    QTest::addRow("5 tiles of 1x1") << QRectF(0, 0, 200, 100) << 5 << 1 << 1;
    QTest::addRow("7 tiles of 5x3, tall") << QRectF(2, 2, 120, 400) << 7 << 5 << 3;
}

void TestCentroidView::tileLayoutRoundTrip()
{
    QFETCH(QRectF, area);
    QFETCH(int, count);
    QFETCH(int, kh);
    QFETCH(int, kw);
    const HeatTileLayout l = HeatTileLayout::fit(area, count, kh, kw, 14.0);
    QVERIFY(l.cell >= 1.0);
    QVERIFY(l.columns * l.rows >= count);
    for (int i = 0; i < count; ++i) {
        const QRectF t = l.tile(i);
        QVERIFY2(area.contains(t.united(l.labelRect(i))), qPrintable(QString("tile %1 outside the area").arg(i)));
        QCOMPARE(l.tileAt(t.center()), i);
        for (int j = 0; j < i; ++j)
            QVERIFY(!t.intersects(l.tile(j)));
        for (int r = 0; r < kh; ++r)
            for (int c = 0; c < kw; ++c) {
                const QRectF cell = l.cellRect(i, r, c);
                QCOMPARE(cell.width(), l.cell);
                QCOMPARE(l.tileAt(cell.center()), i);
                QCOMPARE(l.cellAt(i, cell.center()), QPoint(c, r));
                QCOMPARE(l.cellAt(i, cell.topLeft()), QPoint(c, r));
            }
    }
}

void TestCentroidView::tileLayoutNothingFits()
{
    const HeatTileLayout l = HeatTileLayout::fit(QRectF(0, 0, 10, 10), 12, 3, 3, 14.0);
    QCOMPARE(l.cell, 0.0);
    QCOMPARE(l.tile(0), QRectF());
    QCOMPARE(l.tileAt(QPointF(1, 1)), -1);
    QCOMPARE(HeatTileLayout::fit(QRectF(0, 0, 100, 100), 0, 3, 3, 0.0).tileAt(QPointF(1, 1)), -1);
}

void TestCentroidView::occupancyTicksAreWholeNumbers()
{
    CentroidPlot p = refinedK8(); // one kernel per cluster: a 0…1 axis, no ticks at 0.2, 0.4, …
    std::fill(p.occupancy.begin(), p.occupancy.end(), 1);
    CentroidView view;
    view.setPlot(p);
    auto* y = qobject_cast<QValueAxis*>(chartNamed(view, "occupancyChart")->axes(Qt::Vertical).value(0));
    QVERIFY(y);
    QCOMPARE(y->min(), 0.0);
    QCOMPARE(y->max(), 1.0);
    QCOMPARE(y->tickCount(), 2);
}

void TestCentroidView::compactInASmallPane()
{
    // The view's size in a 1280×800 window: the histogram keeps readable ticks (no labels under
    // the bars, at most three on the count axis), the tiles get room.
    CentroidView view;
    view.setPlot(plainK64());
    QVERIFY(!test::grabAtSize(view, QSize(494, 262)).isNull());
    QVERIFY(view.isCompact());
    QChart* occupancy = chartNamed(view, "occupancyChart");
    QVERIFY(!occupancy->axes(Qt::Horizontal).value(0)->labelsVisible());
    auto* y = qobject_cast<QValueAxis*>(occupancy->axes(Qt::Vertical).value(0));
    QVERIFY(y->tickCount() <= 3);
    const double step = (y->max() - y->min()) / (y->tickCount() - 1);
    QCOMPARE(step, std::floor(step));
    QVERIFY(!chartNamed(view, "scatterChart")->legend()->isVisible());
    QVERIFY(chartNamed(view, "scatterChart")->axes(Qt::Horizontal).value(0)->labelsVisible());

    QVERIFY(!test::grabAtSize(view, kBaselineSize).isNull());
    QVERIFY(!view.isCompact());
    QVERIFY(chartNamed(view, "occupancyChart")->axes(Qt::Horizontal).value(0)->labelsVisible());
    QVERIFY(chartNamed(view, "scatterChart")->legend()->isVisible());
}

void TestCentroidView::baseline_data()
{
    QTest::addColumn<int>("which");
    QTest::addRow("k8_refined") << 0;
    QTest::addRow("k64") << 1;
    QTest::addRow("placeholder") << 2;
}

void TestCentroidView::baseline()
{
    QFETCH(int, which);
    CentroidView view;
    if (which == 0)
        view.setPlot(refinedK8());
    else if (which == 1)
        view.setPlot(plainK64());
    const QImage image = test::grabAtSize(view, kBaselineSize);
    LNSCOPE_COMPARE_BASELINE(image, QStringLiteral("test_centroid_view_") + QTest::currentDataTag());
}

QTEST_MAIN(TestCentroidView)
#include "test_centroid_view.moc"
