// SqnrChartView: one line per compared stage holding the report's per-layer SQNR, exact and
// undefined values, the first diverging layer, selection by API and by click, and an image
// baseline at 800×450.

#include "lnscope/widgets/sqnr_chart_view.h"

#include "image_baseline.h"
#include "lnscope/core/onnx_import.h"
#include "lnscope/core/tensor_io.h"
#include "test_utils.h"
#include "widget_test_utils.h"

#include <QBarCategoryAxis>
#include <QChart>
#include <QChartView>
#include <QLabel>
#include <QLegendMarker>
#include <QLineSeries>
#include <QScatterSeries>
#include <QSignalSpy>
#include <QTest>
#include <QValueAxis>

#include <cmath>
#include <limits>

using namespace lnscope;
using core::ConversionReport;
using widgets::SqnrChartView;

namespace {

constexpr QSize kBaselineSize(800, 450);
constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

/// The bundled tiny model converted with default settings, calibrated on its sample input (so
/// the report has the "+act" stage).
const ConversionReport& tinyReport()
{
    static const ConversionReport report = [] {
        const core::Graph g = core::importOnnx(test::datasetsDir() / "models" / "tiny_segnet.onnx");
        const core::TensorMap in{{"input", core::readTensorPb(test::datasetsDir() / "samples" / "tiny_input.pb")}};
        const core::ConvertedModel m = core::convertModel(g, core::ConversionConfig{}, {in});
        return core::buildConversionReport(m, {in}, core::ConversionReportOptions{});
    }();
    return report;
}

std::optional<core::Agreement> sqnr(double db)
{
    core::Agreement a;
    a.sqnrDb = db;
    a.defined = !std::isnan(db);
    return a;
}

/// Three layers by hand: an exact value, an undefined one, a missing stage, and the first tensor
/// below the threshold in the last stage is the ReLU after conv2 (so conv2 is the diverging layer).
ConversionReport handReport()
{
    ConversionReport r;
    r.weightFormat = "lns8";
    const std::vector<std::string> labels{"BNF", "CC", "LNS8"};
    const std::vector<std::array<double, 3>> values{{kInf, 40.0, 35.0}, {80.0, kNaN, 22.0}, {70.0, 30.0, kNaN}};
    for (size_t l = 0; l < 3; ++l) {
        core::LayerReport layer;
        layer.node = "/block/conv" + std::to_string(l + 1) + "/Conv";
        layer.op = "Conv";
        layer.tensor = "t" + std::to_string(l + 1);
        for (size_t s = 0; s < 3; ++s)
            layer.agreement.push_back(l == 2 && s == 2 ? std::nullopt : sqnr(values[l][s]));
        r.layers.push_back(layer);
    }
    for (const std::string& label : labels) {
        core::StageAgreement stage;
        stage.label = label;
        r.stages.push_back(stage);
    }
    auto tap = [](const std::string& node, const std::string& tensor) {
        core::LayerAgreement a;
        a.node = node;
        a.tensor = tensor;
        return a;
    };
    r.stages.back().layers = {tap("/block/conv1/Conv", "t1"), tap("/block/relu1", "r1"), tap("/block/conv2/Conv", "t2"),
                              tap("/block/relu2", "r2"), tap("/block/conv3/Conv", "t3")};
    r.stages.back().firstDiverging = 3; // relu2 → carried by conv2
    return r;
}

/// The segmentation demo model's 15 weight layers, in graph order.
const std::vector<std::string> kDemoLayers{
    "/enc1/enc1.0/enc1.0.0/Conv", "/enc1/enc1.1/enc1.1.0/Conv", "/enc2/enc2.0/enc2.0.0/Conv", "/enc2/enc2.1/enc2.1.0/Conv",
    "/enc3/enc3.0/enc3.0.0/Conv", "/enc3/enc3.1/enc3.1.0/Conv", "/enc4/enc4.0/enc4.0.0/Conv", "/enc4/enc4.1/enc4.1.0/Conv",
    "/enc4/enc4.2/enc4.2.0/Conv", "/dec3/dec3.0/Conv", "/dec2/dec2.0/Conv", "/dec1/dec1.0/dec1.0.0/Conv",
    "/dec1/dec1.1/dec1.1.0/Conv", "/stem/stem.0/Conv", "/classifier/Conv"};

/// `count` layers with SQNRs from 0 to 140 dB over three stages (turned names on the axis), named
/// /encL/conv/Conv, or by `nodes` when given (count = its size).
ConversionReport manyLayersReport(int count, const std::vector<std::string>& nodes = {})
{
    ConversionReport r;
    r.weightFormat = "lns8";
    if (!nodes.empty())
        count = static_cast<int>(nodes.size());
    for (int l = 0; l < count; ++l) {
        core::LayerReport layer;
        layer.node = nodes.empty() ? "/enc" + std::to_string(l) + "/conv/Conv" : nodes[size_t(l)];
        layer.op = "Conv";
        layer.tensor = "t" + std::to_string(l);
        for (double db : {130.0 + l % 10, 20.0 + l % 7, 2.0 + l % 5})
            layer.agreement.push_back(sqnr(db));
        r.layers.push_back(layer);
    }
    for (const char* label : {"BNF", "CC", "LNS8"}) {
        core::StageAgreement stage;
        stage.label = label;
        r.stages.push_back(stage);
    }
    return r;
}

QChartView* chartViewOf(SqnrChartView& view)
{
    return view.findChild<QChartView*>("sqnrChart");
}

QList<QLineSeries*> stageLines(SqnrChartView& view)
{
    // Stage lines are the named line series (selection and divergence lines have no name).
    QList<QLineSeries*> out;
    for (QAbstractSeries* s : chartViewOf(view)->chart()->series())
        if (auto* line = qobject_cast<QLineSeries*>(s); line && s->type() == QAbstractSeries::SeriesTypeLine
                                                           && !line->name().isEmpty())
            out << line;
    return out;
}

QString header(SqnrChartView& view)
{
    return view.findChild<QLabel*>("sqnrHeader")->text();
}

/// The y of the point at x == layer, or NaN when the series has none.
double yAt(const QLineSeries* series, int layer)
{
    for (const QPointF& p : series->points())
        if (p.x() == double(layer))
            return p.y();
    return kNaN;
}

} // namespace

class TestSqnrChartView : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase() { test::useBaselineLook(); }
    void emptyViewSaysSo();
    void oneLinePerStageWithTheReportsFigures();
    void exactUndefinedAndMissingValues();
    void firstDivergingLayerIsRinged();
    void selectionByApi();
    void clickingAColumnSelectsItsLayer();
    void shortPaneKeepsTheChartReadable();
    void compactPaneShowsEveryLayerName();
    void baseline_data();
    void baseline();
};

void TestSqnrChartView::emptyViewSaysSo()
{
    SqnrChartView view;
    QVERIFY(!view.hasReport());
    QVERIFY(chartViewOf(view)->chart()->series().isEmpty());
    QVERIFY(header(view).contains("No conversion"));
    view.setReport(tinyReport());
    QVERIFY(!chartViewOf(view)->chart()->series().isEmpty());
    view.clear();
    QVERIFY(chartViewOf(view)->chart()->series().isEmpty());
    QCOMPARE(view.divergingLayer(), QString());
}

void TestSqnrChartView::oneLinePerStageWithTheReportsFigures()
{
    const ConversionReport& report = tinyReport();
    QVERIFY2(report.stages.size() == 4, "the tiny model is calibrated: BNF, CC, LNS8, +act");
    SqnrChartView view;
    view.setReport(report);
    const QList<QLineSeries*> lines = stageLines(view);
    QCOMPARE(lines.size(), 4);
    const QStringList labels{"BNF", "CC", "LNS8", "+act"};
    for (int s = 0; s < 4; ++s) {
        QCOMPARE(lines[s]->name(), labels[s]);
        QCOMPARE(QString::fromStdString(report.stages[size_t(s)].label), labels[s]);
        for (size_t l = 0; l < report.layers.size(); ++l) {
            const double db = report.layers[l].agreement[size_t(s)]->sqnrDb;
            QVERIFY2(std::isfinite(db), "the tiny model has no exact layer");
            QCOMPARE(yAt(lines[s], int(l)), db);
        }
    }
    // Layers in graph order on the x axis, short names; the y axis says what and in which unit.
    QChart* chart = chartViewOf(view)->chart();
    auto* x = qobject_cast<QBarCategoryAxis*>(chart->axes(Qt::Horizontal).value(0));
    QVERIFY(x);
    QCOMPARE(x->categories(), QStringList({"enc1.0", "enc2.0", "enc3.0", "dec.0", "classifier"}));
    QVERIFY(chart->axes(Qt::Vertical).value(0)->titleText().contains("SQNR"));
    QVERIFY(chart->axes(Qt::Vertical).value(0)->titleText().contains("(dB)"));
    // Every value is inside the axis range.
    auto* y = qobject_cast<QValueAxis*>(chart->axes(Qt::Vertical).value(0));
    for (const QLineSeries* line : lines)
        for (const QPointF& p : line->points())
            QVERIFY(p.y() >= y->min() && p.y() <= y->max());
}

void TestSqnrChartView::exactUndefinedAndMissingValues()
{
    SqnrChartView view;
    view.setReport(handReport());
    const QList<QLineSeries*> lines = stageLines(view);
    QCOMPARE(lines.size(), 3);
    auto* y = qobject_cast<QValueAxis*>(chartViewOf(view)->chart()->axes(Qt::Vertical).value(0));
    // BNF: conv1 exact → at the top of the axis, above every finite value.
    QCOMPARE(yAt(lines[0], 0), y->max());
    QVERIFY(y->max() > 80.0);
    QCOMPARE(yAt(lines[0], 1), 80.0);
    // CC: conv2 undefined → no point; LNS8: conv3 missing → no point.
    QCOMPARE(lines[1]->count(), 2);
    QVERIFY(std::isnan(yAt(lines[1], 1)));
    QCOMPARE(lines[2]->count(), 2);
    QVERIFY(std::isnan(yAt(lines[2], 2)));
    QVERIFY2(header(view).contains("exact"), qPrintable(header(view)));
    QCOMPARE(view.pointPosition("/block/conv2/Conv", 1), QPointF());
}

void TestSqnrChartView::firstDivergingLayerIsRinged()
{
    SqnrChartView view;
    view.setReport(handReport());
    QCOMPARE(view.divergingLayer(), QString("/block/conv2/Conv"));
    QList<QScatterSeries*> rings;
    for (QAbstractSeries* s : chartViewOf(view)->chart()->series())
        if (auto* scatter = qobject_cast<QScatterSeries*>(s))
            rings << scatter;
    QCOMPARE(rings.size(), 1);
    QCOMPARE(rings[0]->count(), 1);
    QCOMPARE(rings[0]->at(0), QPointF(1.0, 22.0));
    QVERIFY(rings[0]->name().contains("LNS8"));
    QVERIFY2(header(view).contains("/block/conv2/Conv") && header(view).contains("22.0 dB"), qPrintable(header(view)));

    ConversionReport none = handReport();
    none.stages.back().firstDiverging = -1;
    view.setReport(none);
    QCOMPARE(view.divergingLayer(), QString());
    QVERIFY2(header(view).contains("no layer diverges"), qPrintable(header(view)));
}

void TestSqnrChartView::selectionByApi()
{
    SqnrChartView view;
    view.setReport(handReport());
    view.setSelectedLayer("/block/conv3/Conv");
    QCOMPARE(view.selectedLayer(), QString("/block/conv3/Conv"));
    // Every stage's value of the layer in the header, "–" where it is missing.
    QVERIFY2(header(view).contains("BNF 70.0 · CC 30.0 · LNS8 –"), qPrintable(header(view)));
    // The selection survives a new report that has the layer, not one without it.
    view.setReport(handReport());
    QCOMPARE(view.selectedLayer(), QString("/block/conv3/Conv"));
    view.setReport(tinyReport());
    QCOMPARE(view.selectedLayer(), QString());
    view.setSelectedLayer("nope");
    QCOMPARE(view.selectedLayer(), QString());
}

void TestSqnrChartView::clickingAColumnSelectsItsLayer()
{
    SqnrChartView view;
    view.setReport(tinyReport());
    view.resize(kBaselineSize);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    QSignalSpy clicked(&view, &SqnrChartView::layerClicked);
    // The LNS8 point of dec.0, then a spot just beside the CC point of enc2.0.
    const QPointF dec = view.pointPosition("/dec/dec.0/Conv", 2);
    QVERIFY(!dec.isNull());
    QCOMPARE(view.layerAt(dec.toPoint()), QString("/dec/dec.0/Conv"));
    QWidget* viewport = chartViewOf(view)->viewport();
    QTest::mouseClick(viewport, Qt::LeftButton, {}, viewport->mapFrom(&view, dec.toPoint()));
    QTRY_COMPARE_WITH_TIMEOUT(clicked.count(), 1, 2000);
    QCOMPARE(clicked.at(0).at(0).toString(), QString("/dec/dec.0/Conv"));
    QCOMPARE(view.selectedLayer(), QString("/dec/dec.0/Conv"));
    const QPoint enc2 = view.pointPosition("/enc2/enc2.0/Conv", 1).toPoint() + QPoint(8, 20);
    QTest::mouseClick(viewport, Qt::LeftButton, {}, viewport->mapFrom(&view, enc2));
    QTRY_COMPARE_WITH_TIMEOUT(clicked.count(), 2, 2000);
    QCOMPARE(view.selectedLayer(), QString("/enc2/enc2.0/Conv"));
    // Outside the plot (the header): nothing.
    QCOMPARE(view.layerAt(QPoint(5, 5)), QString());
}

void TestSqnrChartView::compactPaneShowsEveryLayerName()
{
    // In the memory chart Qt Charts hid the first and the last turned layer names of the demo
    // model in the pane of a 1280×800 window (bars span their whole category). Here every name
    // must be shown at that size and others, and the first and last layers' points stay inside
    // the plot.
    for (const QSize size : {QSize(493, 236), QSize(400, 300), QSize(800, 500)}) {
        SqnrChartView view;
        view.setReport(manyLayersReport(0, kDemoLayers));
        QVERIFY(!test::grabAtSize(view, size).isNull());
        QChart* chart = chartViewOf(view)->chart();
        auto* x = qobject_cast<QBarCategoryAxis*>(chart->axes(Qt::Horizontal).value(0));
        QVERIFY(x);
        QCOMPARE(x->count(), qsizetype(15));
        QRectF inside = chart->mapRectToScene(chart->rect());
        inside.setBottom(1e9); // long turned names may run below a short pane; none may be hidden
        const QStringList shown = test::plainTexts(test::shownTexts(chart, inside));
        for (const QString& name : x->categories())
            QVERIFY2(shown.contains(name), qPrintable(QString("%1x%2: \"%3\" is not shown; shown: %4")
                                                          .arg(size.width()).arg(size.height()).arg(name, shown.join(", "))));
        const QList<QLineSeries*> lines = stageLines(view);
        QVERIFY(!lines.isEmpty());
        const QRectF plot = chart->plotArea();
        for (const double at : {0.0, 14.0}) {
            const double px = chart->mapToPosition(QPointF(at, 0.0), lines.first()).x();
            QVERIFY2(px > plot.left() && px < plot.right(), qPrintable(QString("layer %1 at %2, plot %3…%4")
                                                                           .arg(at).arg(px).arg(plot.left()).arg(plot.right())));
        }
    }
}

void TestSqnrChartView::shortPaneKeepsTheChartReadable()
{
    // The pane of a 1280×800 window: the header leaves its explanation to the tooltip, the
    // turned layer names drop the axis title, the dB ticks are few enough to be labelled.
    SqnrChartView view;
    view.setReport(manyLayersReport(15));
    QVERIFY(!test::grabAtSize(view, QSize(493, 236)).isNull());
    auto* label = view.findChild<QLabel*>("sqnrHeader");
    QVERIFY2(!label->text().contains("Layer-output SQNR"), qPrintable(label->text()));
    QVERIFY2(label->toolTip().contains("Layer-output SQNR"), qPrintable(label->toolTip()));
    QChart* chart = chartViewOf(view)->chart();
    QVERIFY(!chart->axes(Qt::Horizontal).value(0)->isTitleVisible());
    auto* y = qobject_cast<QValueAxis*>(chart->axes(Qt::Vertical).value(0));
    QVERIFY(y->titleText().contains("SQNR") && y->titleText().contains("(dB)"));
    const double shortTicks = (y->max() - y->min()) / y->tickInterval();
    QVERIFY2(shortTicks <= 4, qPrintable(QString::number(shortTicks)));

    QVERIFY(!test::grabAtSize(view, QSize(800, 700)).isNull());
    QVERIFY(label->text().contains("Layer-output SQNR"));
    QVERIFY(label->toolTip().isEmpty());
    QVERIFY(chart->axes(Qt::Horizontal).value(0)->isTitleVisible());
    QVERIFY((y->max() - y->min()) / y->tickInterval() > shortTicks);
}

void TestSqnrChartView::baseline_data()
{
    QTest::addColumn<bool>("tiny");
    QTest::addColumn<QString>("selected");
    QTest::addRow("tiny_selected") << true << "/enc2/enc2.0/Conv";
    QTest::addRow("exact_and_diverging") << false << "";
}

void TestSqnrChartView::baseline()
{
    QFETCH(bool, tiny);
    QFETCH(QString, selected);
    SqnrChartView view;
    view.setReport(tiny ? tinyReport() : handReport());
    view.setSelectedLayer(selected);
    const QImage image = test::grabAtSize(view, kBaselineSize);
    LNSCOPE_COMPARE_BASELINE(image, QStringLiteral("test_sqnr_chart_view_") + QTest::currentDataTag());
}

QTEST_MAIN(TestSqnrChartView)
#include "test_sqnr_chart_view.moc"
