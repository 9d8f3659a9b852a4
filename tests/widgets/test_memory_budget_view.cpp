// MemoryBudgetView: the bars hold the report's storage terms per layer (or the per-stage totals),
// the on-chip budget is a line, the header states the ratio and what it counts, selection and
// clicks, axis names, every layer name and an uncut legend in a pane of a 1280×800 window, and
// image baselines at 800×500.

#include "lnscope/widgets/memory_budget_view.h"

#include "image_baseline.h"
#include "lnscope/core/onnx_import.h"
#include "lnscope/core/tensor_io.h"
#include "test_utils.h"
#include "widget_test_utils.h"

#include <QAbstractBarSeries>
#include <QBarCategoryAxis>
#include <QBarLegendMarker>
#include <QBarSeries>
#include <QBarSet>
#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QGraphicsTextItem>
#include <QLabel>
#include <QLegend>
#include <QLegendMarker>
#include <QLineSeries>
#include <QSignalSpy>
#include <QStackedBarSeries>
#include <QTest>
#include <QValueAxis>

#include <cmath>
#include <tuple>

using namespace lnscope;
using core::ConversionReport;
using widgets::MemoryBudgetView;

namespace {

constexpr QSize kBaselineSize(800, 500);
/// The view's size in a 1280×800 window.
constexpr QSize kCompactSize(493, 236);
constexpr int64_t kBudgetBytes = 2048;

/// The bundled tiny model with default settings and an on-chip budget of 2 KiB (every layer fits
/// alone at LNS8, the whole model does not).
const ConversionReport& tinyReport()
{
    static const ConversionReport report = [] {
        const core::Graph g = core::importOnnx(test::datasetsDir() / "models" / "tiny_segnet.onnx");
        const core::TensorMap in{{"input", core::readTensorPb(test::datasetsDir() / "samples" / "tiny_input.pb")}};
        const core::ConvertedModel m = core::convertModel(g, core::ConversionConfig{}, {in});
        core::ConversionReportOptions o;
        o.onChipBudgetBytes = kBudgetBytes;
        return core::buildConversionReport(m, {in}, o);
    }();
    return report;
}

/// Storage of a ResNet-18-like layer list (torchvision's ONNX names, 21 layers, MB-sized): many
/// layers, long names and KiB on the axis. Budgets only (what the view draws), with a fit.
const ConversionReport& resnetLikeReport()
{
    static const ConversionReport report = [] {
        std::vector<core::LayerShape> shapes;
        auto conv = [&](const std::string& name, int64_t out, int64_t in, int64_t k) {
            shapes.push_back({name, "Conv", out, in, k, k, false, true, {}});
        };
        conv("/conv1/Conv", 64, 3, 7);
        int64_t in = 64;
        for (int stage = 1; stage <= 4; ++stage) {
            const int64_t out = 64 << (stage - 1);
            for (int block = 0; block < 2; ++block) {
                const std::string prefix =
                    "/layer" + std::to_string(stage) + "/layer" + std::to_string(stage) + "." + std::to_string(block);
                conv(prefix + "/conv1/Conv", out, block == 0 ? in : out, 3);
                conv(prefix + "/conv2/Conv", out, out, 3);
                if (block == 0 && stage > 1)
                    conv(prefix + "/downsample/downsample.0/Conv", out, in, 1);
            }
            in = out;
        }
        shapes.push_back({"/fc/Gemm", "Gemm", 1000, 512, 1, 1, true, false, {}});
        ConversionReport r;
        r.weightFormat = "lns8";
        r.budgets = core::budgetByStage(shapes, core::StorageConfig{});
        r.fit = core::fits(r.budgets.back(), 256 * 1024);
        return r;
    }();
    return report;
}

/// Storage of the demo segmentation model's 15 convs (datasets/models/synth_segnet.md) under
/// their ONNX names: what the workbench shows at start. Budgets only, no fit.
const ConversionReport& demoLikeReport()
{
    static const ConversionReport report = [] {
        std::vector<core::LayerShape> shapes;
        auto conv = [&](const std::string& name, int64_t out, int64_t in, int64_t k, bool bn = true) {
            shapes.push_back({name, "Conv", out, in, k, k, !bn, bn, {}});
        };
        for (const auto& [block, out, in] : std::vector<std::tuple<std::string, int64_t, int64_t>>{
                 {"enc1", 16, 3}, {"enc2", 32, 16}, {"enc3", 64, 32}}) {
            conv("/" + block + "/" + block + ".0/" + block + ".0.0/Conv", out, in, 3);
            conv("/" + block + "/" + block + ".1/" + block + ".1.0/Conv", out, out, 3);
        }
        conv("/enc4/enc4.0/enc4.0.0/Conv", 96, 64, 3);
        conv("/enc4/enc4.1/enc4.1.0/Conv", 96, 96, 3);
        conv("/enc4/enc4.2/enc4.2.0/Conv", 96, 96, 3);
        conv("/dec3/dec3.0/Conv", 64, 160, 3);
        conv("/dec2/dec2.0/Conv", 32, 96, 3);
        conv("/dec1/dec1.0/dec1.0.0/Conv", 24, 48, 3);
        conv("/dec1/dec1.1/dec1.1.0/Conv", 24, 24, 3);
        conv("/stem/stem.0/Conv", 8, 3, 3);
        conv("/classifier/Conv", 10, 32, 1, false);
        ConversionReport r;
        r.weightFormat = "lns8";
        r.budgets = core::budgetByStage(shapes, core::StorageConfig{});
        return r;
    }();
    return report;
}

QChart* chartOf(MemoryBudgetView& view)
{
    auto* chartView = view.findChild<QChartView*>("budgetChart");
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

QString labelText(MemoryBudgetView& view, const char* name)
{
    auto* label = view.findChild<QLabel*>(name);
    return label ? label->text() : QString();
}

} // namespace

class TestMemoryBudgetView : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void emptyViewSaysSo();
    void stackedTermsPerLayer_data();
    void stackedTermsPerLayer();
    void allStagesSideBySide();
    void budgetLineOnlyWithAFit();
    void headerStatesRatioAndWhatItCounts();
    void stageComboSwitchesStage();
    void smallPaneFoldsTheNoteIntoTheTooltip();
    void selectionHighlightsOneLayer();
    void clickingABarSelectsItsLayer();
    void manyLayersInKiB();
    void shortPaneDropsTheTitleUnderTurnedLabels();
    void compactPaneShowsEveryLayerName_data();
    void compactPaneShowsEveryLayerName();
    void compactLegendIsNotCut_data();
    void compactLegendIsNotCut();
    void namesStayThroughResizesAndFonts();
    void shortLayerNames_data();
    void shortLayerNames();
    void baseline_data();
    void baseline();
};

void TestMemoryBudgetView::initTestCase()
{
    test::useBaselineLook();
}

void TestMemoryBudgetView::emptyViewSaysSo()
{
    MemoryBudgetView view;
    QVERIFY(!view.hasReport());
    QVERIFY(chartOf(view)->series().isEmpty());
    QVERIFY(labelText(view, "budgetHeader").contains("No conversion"));
    view.setReport(tinyReport());
    QVERIFY(!chartOf(view)->series().isEmpty());
    view.clear();
    QVERIFY(chartOf(view)->series().isEmpty());
}

void TestMemoryBudgetView::stackedTermsPerLayer_data()
{
    QTest::addColumn<int>("stage");
    QTest::addColumn<QStringList>("terms");
    QTest::addRow("float32") << 0 << QStringList{"uncompressed weights", "biases (own and folded BN)",
                                                 "batch-norm parameters (unfolded)"};
    QTest::addRow("BNF") << 1 << QStringList{"uncompressed weights", "biases (own and folded BN)"};
    QTest::addRow("LNS8") << 3 << QStringList{"kernel indices", "per-kernel scales", "codebook LUTs (centroids)",
                                              "uncompressed weights", "biases (own and folded BN)"};
}

void TestMemoryBudgetView::stackedTermsPerLayer()
{
    QFETCH(int, stage);
    QFETCH(QStringList, terms);
    MemoryBudgetView view;
    view.setReport(tinyReport());
    QCOMPARE(view.stage(), 3); // the weight format by default
    view.setStage(stage);
    QCOMPARE(view.stage(), stage);
    const auto stacks = seriesOf<QStackedBarSeries>(chartOf(view));
    QCOMPARE(stacks.size(), 1);
    QStringList names;
    for (QBarSet* set : stacks[0]->barSets())
        names << set->label();
    QCOMPARE(names, terms);
    // Each stack adds up to the layer's bytes at that stage (layer bytes are rounded up to whole
    // bytes; the terms are in bits / 8). The tiny model is shown in bytes.
    const core::BudgetReport& budget = tinyReport().budgets[size_t(stage)];
    for (size_t l = 0; l < budget.layers.size(); ++l) {
        double sum = 0.0;
        for (QBarSet* set : stacks[0]->barSets())
            sum += set->at(qsizetype(l));
        QVERIFY2(sum <= double(budget.layers[l].terms.bytes()) && sum > double(budget.layers[l].terms.bytes()) - 1.0,
                 qPrintable(QString("layer %1: %2 vs %3").arg(l).arg(sum).arg(budget.layers[l].terms.bytes())));
    }
    auto* x = qobject_cast<QBarCategoryAxis*>(chartOf(view)->axes(Qt::Horizontal).value(0));
    QVERIFY(x);
    QCOMPARE(x->categories(), QStringList({"enc1.0", "enc2.0", "enc3.0", "dec.0", "classifier"}));
    QVERIFY(chartOf(view)->axes(Qt::Vertical).value(0)->titleText().contains("bytes"));
}

void TestMemoryBudgetView::allStagesSideBySide()
{
    MemoryBudgetView view;
    view.setReport(tinyReport());
    view.setStage(MemoryBudgetView::kAllStages);
    const auto groups = seriesOf<QBarSeries>(chartOf(view));
    QCOMPARE(groups.size(), 1);
    QCOMPARE(groups[0]->count(), 4);
    const QStringList stages{"float32", "BNF", "CC", "LNS8"};
    for (int s = 0; s < 4; ++s) {
        QBarSet* set = groups[0]->barSets()[s];
        QCOMPARE(set->label(), stages[s]);
        for (size_t l = 0; l < tinyReport().layers.size(); ++l)
            QCOMPARE(set->at(qsizetype(l)), double(tinyReport().layers[l].bytes[size_t(s)]));
    }
    QVERIFY(labelText(view, "budgetHeader").contains(" → "));
    view.setStage(7); // out of range: ignored
    QCOMPARE(view.stage(), int(MemoryBudgetView::kAllStages));
}

void TestMemoryBudgetView::budgetLineOnlyWithAFit()
{
    MemoryBudgetView view;
    view.setReport(tinyReport());
    auto lines = seriesOf<QLineSeries>(chartOf(view));
    QCOMPARE(lines.size(), 1);
    QCOMPARE(lines[0]->count(), 2);
    QCOMPARE(lines[0]->at(0).y(), double(kBudgetBytes));
    QCOMPARE(lines[0]->at(1).y(), double(kBudgetBytes));
    QVERIFY(lines[0]->name().contains("2,048 B"));
    QVERIFY(labelText(view, "budgetHeader").contains("5 of 5 layers fit, whole model does not fit"));

    ConversionReport noFit = tinyReport();
    noFit.fit.reset();
    view.setReport(noFit);
    QVERIFY(seriesOf<QLineSeries>(chartOf(view)).isEmpty());
    QVERIFY(!labelText(view, "budgetHeader").contains("on-chip"));

    // A budget far above every bar would squash them: it is only named in the header.
    ConversionReport huge = tinyReport();
    huge.fit->budgetBytes = 1 << 30;
    view.setReport(huge);
    QVERIFY(seriesOf<QLineSeries>(chartOf(view)).isEmpty());
    QVERIFY(labelText(view, "budgetHeader").contains("above the chart"));
}

void TestMemoryBudgetView::headerStatesRatioAndWhatItCounts()
{
    MemoryBudgetView view;
    view.setReport(tinyReport());
    const core::BudgetReport& last = tinyReport().budgets.back();
    const QString header = labelText(view, "budgetHeader");
    QVERIFY2(header.contains(QString::number(last.ratio, 'f', 2) + "×"), qPrintable(header));
    QVERIFY2(header.contains("3,231 B"), qPrintable(header));
    QVERIFY2(header.contains("float32: 22.0 KiB"), qPrintable(header));
    const QString counts = labelText(view, "budgetCounts");
    QVERIFY2(counts.contains(QString::fromStdString(last.counts)), qPrintable(counts));
    view.setStage(0);
    QVERIFY(labelText(view, "budgetCounts").contains(QString::fromStdString(tinyReport().budgets[0].counts)));
}

void TestMemoryBudgetView::smallPaneFoldsTheNoteIntoTheTooltip()
{
    MemoryBudgetView view;
    view.setReport(tinyReport());
    auto* counts = view.findChild<QLabel*>("budgetCounts");
    auto* header = view.findChild<QLabel*>("budgetHeader");
    QVERIFY(counts && header);
    const QString what = QString::fromStdString(tinyReport().budgets.back().counts);
    view.resize(700, MemoryBudgetView::kCountsNoteMinHeight + 100);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    QVERIFY(counts->isVisible());
    view.resize(700, MemoryBudgetView::kCountsNoteMinHeight - 10);
    QTRY_VERIFY(!counts->isVisible());
    // The note is still there, in the header's tooltip, and the chart has the note's lines.
    QVERIFY2(header->toolTip().contains(what.toHtmlEscaped()), qPrintable(header->toolTip()));
    auto* chart = view.findChild<QWidget*>("budgetChart");
    QVERIFY(chart);
    // The chart starts right under the header row, where the note's lines were.
    QTRY_VERIFY2(chart->geometry().top() < header->geometry().bottom() + counts->sizeHint().height() / 2,
                 qPrintable(QString("chart top %1, header bottom %2, note %3 px")
                                .arg(chart->geometry().top())
                                .arg(header->geometry().bottom())
                                .arg(counts->sizeHint().height())));
    view.resize(700, MemoryBudgetView::kCountsNoteMinHeight + 100);
    QTRY_VERIFY(counts->isVisible());
}

void TestMemoryBudgetView::stageComboSwitchesStage()
{
    MemoryBudgetView view;
    view.setReport(tinyReport());
    auto* combo = view.findChild<QComboBox*>("stageCombo");
    QVERIFY(combo);
    QCOMPARE(combo->count(), 5);
    QCOMPARE(combo->itemText(4), QString("all stages"));
    QCOMPARE(combo->currentIndex(), 3);
    combo->activated(4);
    QCOMPARE(view.stage(), int(MemoryBudgetView::kAllStages));
    combo->activated(2);
    QCOMPARE(view.stage(), 2);
    QCOMPARE(combo->currentIndex(), 2);
    // A new report with the same stages keeps the chosen one.
    view.setReport(tinyReport());
    QCOMPARE(view.stage(), 2);
}

void TestMemoryBudgetView::selectionHighlightsOneLayer()
{
    MemoryBudgetView view;
    view.setReport(tinyReport());
    view.setSelectedLayer("/enc3/enc3.0/Conv");
    QCOMPARE(view.selectedLayer(), QString("/enc3/enc3.0/Conv"));
    for (QBarSet* set : seriesOf<QStackedBarSeries>(chartOf(view))[0]->barSets())
        QCOMPARE(set->selectedBars(), QList<int>{2});
    QVERIFY(labelText(view, "budgetHeader").contains("/enc3/enc3.0/Conv"));
    // The selection survives a stage switch.
    view.setStage(MemoryBudgetView::kAllStages);
    for (QBarSet* set : seriesOf<QBarSeries>(chartOf(view))[0]->barSets())
        QCOMPARE(set->selectedBars(), QList<int>{2});
    view.setSelectedLayer("nope");
    QCOMPARE(view.selectedLayer(), QString());
    for (QBarSet* set : seriesOf<QBarSeries>(chartOf(view))[0]->barSets())
        QVERIFY(set->selectedBars().isEmpty());
}

void TestMemoryBudgetView::clickingABarSelectsItsLayer()
{
    MemoryBudgetView view;
    view.setReport(tinyReport());
    view.resize(kBaselineSize);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    QSignalSpy clicked(&view, &MemoryBudgetView::layerClicked);
    auto* chartView = view.findChild<QChartView*>("budgetChart");
    QChart* chart = chartView->chart();
    QStackedBarSeries* stack = seriesOf<QStackedBarSeries>(chart)[0];
    // The middle of layer 1's stack, in viewport pixels.
    const double height = double(tinyReport().budgets.back().layers[1].terms.bytes());
    const QPointF inChart = chart->mapToPosition(QPointF(1.0, height / 2.0), stack);
    const QPoint inViewport = chartView->mapFromScene(chart->mapToScene(inChart));
    QTest::mouseClick(chartView->viewport(), Qt::LeftButton, {}, inViewport);
    QTRY_COMPARE_WITH_TIMEOUT(clicked.count(), 1, 2000);
    QCOMPARE(clicked.at(0).at(0).toString(), QString("/enc2/enc2.0/Conv"));
    QCOMPARE(view.selectedLayer(), QString("/enc2/enc2.0/Conv"));
}

void TestMemoryBudgetView::manyLayersInKiB()
{
    MemoryBudgetView view;
    view.setReport(resnetLikeReport());
    auto* x = qobject_cast<QBarCategoryAxis*>(chartOf(view)->axes(Qt::Horizontal).value(0));
    QCOMPARE(x->count(), 21);
    QCOMPARE(x->at(1), QString("layer1.0/conv1"));
    QCOMPARE(x->at(20), QString("fc"));
    QVERIFY(x->labelsAngle() != 0);
    for (const QString& name : x->categories())
        QVERIFY2(name.size() <= 16, qPrintable(name));
    QVERIFY(chartOf(view)->axes(Qt::Vertical).value(0)->titleText().contains("KiB"));
    // Bars in KiB: the largest LNS8 layer (a 512×512×3×3 conv) in KiB.
    const core::LayerBudget& big = resnetLikeReport().budgets.back().layers[16];
    QCOMPARE(big.shape.name, std::string("/layer4/layer4.0/conv2/Conv"));
    double sum = 0.0;
    for (QBarSet* set : seriesOf<QStackedBarSeries>(chartOf(view))[0]->barSets())
        sum += set->at(16);
    QVERIFY(std::fabs(sum - double(big.terms.totalBits()) / 8.0 / 1024.0) < 1e-9);
}

void TestMemoryBudgetView::shortPaneDropsTheTitleUnderTurnedLabels()
{
    // Turned layer names need their length below the plot; in a pane of a 1280×800 window there
    // is no room left for the axis title under them (Qt would draw the names over it).
    MemoryBudgetView view;
    view.setReport(resnetLikeReport());
    QVERIFY(!test::grabAtSize(view, QSize(493, 236)).isNull());
    auto* x = qobject_cast<QBarCategoryAxis*>(chartOf(view)->axes(Qt::Horizontal).value(0));
    QVERIFY(x && x->labelsAngle() != 0);
    QVERIFY(!x->isTitleVisible());
    QVERIFY(!test::grabAtSize(view, kBaselineSize).isNull());
    QVERIFY(qobject_cast<QBarCategoryAxis*>(chartOf(view)->axes(Qt::Horizontal).value(0))->isTitleVisible());
}

/// The reports the compact tests run on.
enum class Fixture { Tiny, DemoLike, ResNetLike };

const ConversionReport& fixture(Fixture f)
{
    return f == Fixture::Tiny ? tinyReport() : f == Fixture::DemoLike ? demoLikeReport() : resnetLikeReport();
}

void TestMemoryBudgetView::compactPaneShowsEveryLayerName_data()
{
    QTest::addColumn<int>("report");
    QTest::addColumn<int>("stage");
    QTest::addColumn<QSize>("size");
    QTest::addColumn<bool>("whole"); // the whole name inside the view, not only its visible label
    const int tiny = int(Fixture::Tiny), demo = int(Fixture::DemoLike), resnet = int(Fixture::ResNetLike);
    QTest::addRow("demo, 15 layers, 1280x800") << demo << 3 << kCompactSize << true;
    QTest::addRow("demo, all stages, 1280x800") << demo << int(MemoryBudgetView::kAllStages) << kCompactSize << true;
    QTest::addRow("demo, 1600x1000") << demo << 3 << QSize(500, 350) << true;
    QTest::addRow("demo, narrower") << demo << 3 << QSize(400, 300) << true;
    QTest::addRow("tiny, 5 layers, 1280x800") << tiny << 3 << kCompactSize << true;
    QTest::addRow("tiny, 800x500") << tiny << 3 << kBaselineSize << true;
    // Names of up to 16 characters are longer than a 236-pixel pane has room for below the plot:
    // they run off its bottom edge (shortPaneDropsTheTitleUnderTurnedLabels), but none is hidden.
    QTest::addRow("resnet, 21 layers, 1280x800") << resnet << 2 << kCompactSize << false;
    QTest::addRow("resnet, all stages, 1280x800")
        << resnet << int(MemoryBudgetView::kAllStages) << kCompactSize << false;
    QTest::addRow("resnet, 800x500") << resnet << 3 << kBaselineSize << true;
}

void TestMemoryBudgetView::compactPaneShowsEveryLayerName()
{
    // Qt Charts cuts category labels that do not fit side by side, and hides the first and the
    // last when, turned, they are wider than their category; every name must be drawn in full.
    QFETCH(int, report);
    QFETCH(int, stage);
    QFETCH(QSize, size);
    QFETCH(bool, whole);
    MemoryBudgetView view;
    view.setReport(fixture(Fixture(report)));
    view.setStage(stage);
    QVERIFY(!test::grabAtSize(view, size).isNull());
    QChart* chart = chartOf(view);
    auto* x = qobject_cast<QBarCategoryAxis*>(chart->axes(Qt::Horizontal).value(0));
    QVERIFY(x);
    QCOMPARE(x->count(), qsizetype(fixture(Fixture(report)).budgets.front().layers.size()));
    QRectF inside = chart->mapRectToScene(chart->rect());
    if (!whole)
        inside.setBottom(1e9);
    const QStringList shown = test::plainTexts(test::shownTexts(chart, inside));
    for (const QString& name : x->categories())
        QVERIFY2(shown.contains(name),
                 qPrintable(QString("\"%1\" is not shown; shown: %2").arg(name, shown.join(", "))));
    // The bars keep their places: the outer ones start and end inside the plot, which leaves no
    // more than a turned name's width beside them, and the value axis still starts at 0.
    QAbstractSeries* bars = chart->series().value(0);
    const QRectF plot = chart->plotArea();
    const double first = chart->mapToPosition(QPointF(-0.5, 0.0), bars).x();
    const double last = chart->mapToPosition(QPointF(double(x->count()) - 0.5, 0.0), bars).x();
    const double room = QFontMetricsF(x->labelsFont()).height();
    QVERIFY2(first >= plot.left() - 0.01 && last <= plot.right() + 0.01 && first - plot.left() <= room
                 && plot.right() - last <= room,
             qPrintable(QString("plot %1…%2, bars %3…%4").arg(plot.left()).arg(plot.right()).arg(first).arg(last)));
    QCOMPARE(qobject_cast<QValueAxis*>(chart->axes(Qt::Vertical).value(0))->min(), 0.0);
}

void TestMemoryBudgetView::compactLegendIsNotCut_data()
{
    QTest::addColumn<int>("report");
    QTest::addColumn<int>("stage");
    QTest::addColumn<QStringList>("entries");
    const int tiny = int(Fixture::Tiny), demo = int(Fixture::DemoLike), resnet = int(Fixture::ResNetLike);
    QTest::addRow("tiny LNS8 terms and budget")
        << tiny << 3 << QStringList{"indices", "scales", "codebooks", "raw weights", "biases", "budget"};
    QTest::addRow("tiny float32 terms") << tiny << 0 << QStringList{"raw weights", "biases", "BN params", "budget"};
    QTest::addRow("tiny all stages") << tiny << int(MemoryBudgetView::kAllStages)
                                     << QStringList{"float32", "BNF", "CC", "LNS8", "budget"};
    QTest::addRow("demo LNS8 terms") << demo << 3
                                     << QStringList{"indices", "scales", "codebooks", "raw weights", "biases"};
    QTest::addRow("resnet CC terms and budget")
        << resnet << 2 << QStringList{"indices", "scales", "codebooks", "raw weights", "biases", "budget"};
}

void TestMemoryBudgetView::compactLegendIsNotCut()
{
    QFETCH(int, report);
    QFETCH(int, stage);
    QFETCH(QStringList, entries);
    MemoryBudgetView view;
    view.setReport(fixture(Fixture(report)));
    view.setStage(stage);
    QVERIFY(!test::grabAtSize(view, kCompactSize).isNull());
    QChart* chart = chartOf(view);
    QVERIFY(chart->legend()->isVisible());
    const QStringList shown = test::plainTexts(test::shownTexts(chart->legend(), chart->mapRectToScene(chart->rect())));
    QStringList labels;
    for (QLegendMarker* marker : chart->legend()->markers()) {
        QVERIFY(marker->isVisible());
        labels << marker->label();
        QVERIFY2(
            shown.contains(marker->label()),
            qPrintable(
                QString("legend entry \"%1\" is not shown whole; shown: %2").arg(marker->label(), shown.join(", "))));
    }
    QCOMPARE(labels, entries);
    for (const QString& text : shown)
        QVERIFY2(!text.contains("...") && !text.contains(QChar(0x2026)), qPrintable("cut legend entry: " + text));
    // Short names in the legend only: the bar sets and the budget line keep the full ones.
    for (QAbstractSeries* series : chart->series())
        if (auto* bars = qobject_cast<QAbstractBarSeries*>(series))
            for (QBarSet* set : bars->barSets())
                QVERIFY2(!entries.contains(set->label()) || stage == MemoryBudgetView::kAllStages,
                         qPrintable(set->label()));
        else
            QVERIFY(series->name().startsWith("on-chip budget ("));
}

void TestMemoryBudgetView::namesStayThroughResizesAndFonts()
{
    // Making room for the outer names zooms the chart, which lays it out again at once; with a
    // larger font (presentation mode) that once recursed without end. Every size must settle with
    // every name shown.
    for (const double scale : {1.0, 1.4, 2.0}) {
        MemoryBudgetView view;
        QFont font = view.font();
        font.setPointSizeF(font.pointSizeF() * scale);
        view.setFont(font);
        view.setReport(demoLikeReport());
        view.resize(kCompactSize);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        for (int w = 380; w <= 820; w += 55)
            for (int h = 220; h <= 520; h += 75) {
                const QString at = QString("%1×%2, font ×%3").arg(w).arg(h).arg(scale);
                QVERIFY2(!test::grabAtSize(view, QSize(w, h)).isNull(), qPrintable(at));
                QChart* chart = chartOf(view);
                auto* x = qobject_cast<QBarCategoryAxis*>(chart->axes(Qt::Horizontal).value(0));
                QRectF inside = chart->mapRectToScene(chart->rect());
                inside.setBottom(1e9); // large fonts in short panes: names may run off the bottom
                const QStringList shown = test::plainTexts(test::shownTexts(chart, inside));
                for (const QString& name : x->categories())
                    QVERIFY2(shown.contains(name), qPrintable(at + ": \"" + name + "\" is not shown"));
                QCOMPARE(qobject_cast<QValueAxis*>(chart->axes(Qt::Vertical).value(0))->min(), 0.0);
            }
    }
}

void TestMemoryBudgetView::shortLayerNames_data()
{
    QTest::addColumn<QStringList>("nodes");
    QTest::addColumn<QStringList>("names");
    QTest::addRow("pytorch paths") << QStringList{"/enc1/enc1.0/Conv", "/classifier/Conv"}
                                   << QStringList{"enc1.0", "classifier"};
    QTest::addRow("repeated block names get their parent")
        << QStringList{"/layer1/layer1.0/conv1/Conv", "/layer2/layer2.0/conv1/Conv", "/fc/Gemm"}
        << QStringList{"layer1.0/conv1", "layer2.0/conv1", "fc"};
    QTest::addRow("plain names stay") << QStringList{"conv_3", "Conv_0", "dense"}
                                      << QStringList{"conv_3", "Conv_0", "dense"};
    QTest::addRow("long names are cut in the middle")
        << QStringList{"/a_very_long_module_name_indeed/Conv"} << QStringList{"a_very…_indeed"};
    QTest::addRow("containers named after their child are skipped")
        << QStringList{"/layer2/layer2.0/downsample/downsample.0/Conv", "/layer3/layer3.0/downsample/downsample.0/Conv"}
        << QStringList{"layer2…ample.0", "layer3…ample.0"};
    QTest::addRow("identical nodes are numbered") << QStringList{"x", "x"} << QStringList{"x", "x #2"};
}

void TestMemoryBudgetView::shortLayerNames()
{
    QFETCH(QStringList, nodes);
    QFETCH(QStringList, names);
    QCOMPARE(MemoryBudgetView::shortLayerNames(nodes, 14), names);
}

void TestMemoryBudgetView::baseline_data()
{
    QTest::addColumn<bool>("resnet");
    QTest::addColumn<int>("stage");
    QTest::addColumn<QString>("selected");
    QTest::addRow("lns8_selected") << false << 3 << "/enc2/enc2.0/Conv";
    QTest::addRow("float32") << false << 0 << "";
    QTest::addRow("all_stages") << false << int(MemoryBudgetView::kAllStages) << "";
    QTest::addRow("many_layers_cc") << true << 2 << "/layer3/layer3.0/downsample/downsample.0/Conv";
}

void TestMemoryBudgetView::baseline()
{
    QFETCH(bool, resnet);
    QFETCH(int, stage);
    QFETCH(QString, selected);
    MemoryBudgetView view;
    view.setReport(resnet ? resnetLikeReport() : tinyReport());
    view.setStage(stage);
    view.setSelectedLayer(selected);
    const QImage image = test::grabAtSize(view, kBaselineSize);
    LNSCOPE_COMPARE_BASELINE(image, QStringLiteral("test_memory_budget_view_") + QTest::currentDataTag());
}

QTEST_MAIN(TestMemoryBudgetView)
#include "test_memory_budget_view.moc"
