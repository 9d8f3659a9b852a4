// conversion_report.h: the per-stage storage, per-stage agreement, sensitivity, activation memory
// and on-chip fit of a conversion, on the bundled tiny model.
#include "lnscope/core/conversion_report.h"

#include "lnscope/core/onnx_import.h"
#include "lnscope/core/tensor_io.h"
#include "test_utils.h"

#include <QTest>
#include <cmath>

using namespace lnscope;
using core::ConversionConfig;
using core::ConversionReport;
using core::ConvertedModel;
using core::Stage;
using core::TensorMap;

namespace {

const core::Graph& tinyModel()
{
    static const core::Graph graph = core::importOnnx(test::datasetsDir() / "models" / "tiny_segnet.onnx");
    return graph;
}

const TensorMap& tinyInputs()
{
    static const TensorMap inputs{{"input", core::readTensorPb(test::datasetsDir() / "samples" / "tiny_input.pb")}};
    return inputs;
}

} // namespace

class TestConversionReport : public QObject
{
    Q_OBJECT
private slots:
    void stagesAndLayers();
    void withoutActivationCalibrationThereIsNoActStage();
    void sensitivityOnlyWhenAsked();
    void activationMemoryPerFormat();
    void onChipFit();
    void emptyEvaluationIsAnError();
};

void TestConversionReport::stagesAndLayers()
{
    const ConvertedModel m = core::convertModel(tinyModel(), ConversionConfig{}, {tinyInputs()});
    const ConversionReport r = core::buildConversionReport(m, {tinyInputs()}, {});
    QCOMPARE(r.budgets.size(), size_t{4});
    QCOMPARE(r.stages.size(), size_t{4});
    const char* labels[] = {"BNF", "CC", "LNS8", "+act"};
    for (size_t i = 0; i < 4; ++i)
        QCOMPARE(r.stages[i].label, std::string(labels[i]));
    QVERIFY(r.stages[3].activations);
    QCOMPARE(r.layers.size(), m.layers.size());
    // BN folding changes nothing but rounding: every model output above 100 dB.
    const core::Agreement& bnf = r.stages[0].outputs.at("logits");
    QVERIFY2(bnf.sqnrDb > 100.0, qPrintable(QString::number(bnf.sqnrDb)));
    int64_t sum = 0;
    for (const core::LayerReport& l : r.layers) {
        QCOMPARE(l.bytes.size(), size_t{4});
        QCOMPARE(l.agreement.size(), r.stages.size());
        QVERIFY2(l.agreement[0].has_value(), l.node.c_str()); // every layer's output is compared
        QVERIFY(l.bytes[3] <= l.bytes[1]);                     // the weight format never costs more than BNF
        QVERIFY(l.weights > 0 && l.bitsPerWeight > 0.0);
        if (l.clustered) // (CC alone may cost more than BNF for a tiny layer: LUT + scales in float32)
            QVERIFY(l.clusters >= 1 && l.clusters <= 64);
        sum += l.bytes[3];
    }
    // Layer bytes are rounded up per layer, the total once: they agree within a byte per layer.
    const int64_t total = r.budgets.back().total.bytes();
    QVERIFY2(sum >= total && sum <= total + int64_t(r.layers.size()), qPrintable(QString("%1 vs %2").arg(sum).arg(total)));
    QCOMPARE(r.layer("/enc1/enc1.0/Conv")->node, std::string("/enc1/enc1.0/Conv"));
    QVERIFY(r.layer("nope") == nullptr);
}

void TestConversionReport::withoutActivationCalibrationThereIsNoActStage()
{
    const ConvertedModel m = core::convertModel(tinyModel(), ConversionConfig{}, {});
    const ConversionReport r = core::buildConversionReport(m, {tinyInputs()}, {});
    QCOMPARE(r.stages.size(), size_t{3});
    QCOMPARE(r.stageIndex("+act"), -1);
    QCOMPARE(r.activationMemory.size(), size_t{1});
}

void TestConversionReport::sensitivityOnlyWhenAsked()
{
    const ConvertedModel m = core::convertModel(tinyModel(), ConversionConfig{}, {tinyInputs()});
    const ConversionReport plain = core::buildConversionReport(m, {tinyInputs()}, {});
    for (const core::LayerReport& l : plain.layers)
        QVERIFY(!l.sensitivityDb);
    core::ConversionReportOptions o;
    o.sensitivity = true;
    const ConversionReport swept = core::buildConversionReport(m, {tinyInputs()}, o);
    const auto expected = core::layerSensitivity(m, {tinyInputs()}, Stage::Lns8, o.threads);
    for (size_t i = 0; i < swept.layers.size(); ++i) {
        QVERIFY(swept.layers[i].sensitivityDb.has_value());
        QCOMPARE(*swept.layers[i].sensitivityDb, expected[i].outputSqnrDb);
    }
}

void TestConversionReport::activationMemoryPerFormat()
{
    const ConvertedModel m = core::convertModel(tinyModel(), ConversionConfig{}, {tinyInputs()});
    const ConversionReport r = core::buildConversionReport(m, {tinyInputs()}, {});
    QCOMPARE(r.activationMemory.size(), size_t{2});
    const core::ActivationMemory& f = r.activationMemory[0];
    const core::ActivationMemory& q = r.activationMemory[1];
    QCOMPARE(f.format, std::string("float32"));
    QCOMPARE(q.format, std::string("lns8"));
    QCOMPARE(f.peak.bytes, 4 * f.peak.elements);
    QCOMPARE(q.peak.bytes, q.peak.elements);
    // The folded graph has no BN outputs to hold, so its peak is at most the original's.
    QVERIFY(q.peak.elements <= f.peak.elements);
    QVERIFY(q.peak.elements >= 3 * 64 * 96); // at least the input is live
}

void TestConversionReport::onChipFit()
{
    const ConvertedModel m = core::convertModel(tinyModel(), ConversionConfig{}, {});
    core::ConversionReportOptions o;
    o.onChipBudgetBytes = 1 << 30;
    const ConversionReport big = core::buildConversionReport(m, {tinyInputs()}, o);
    QVERIFY(big.fit && big.fit->totalFits);
    for (const core::LayerFit& f : big.fit->layers)
        QVERIFY(f.fits);
    o.onChipBudgetBytes = 1;
    const ConversionReport tiny = core::buildConversionReport(m, {tinyInputs()}, o);
    QVERIFY(tiny.fit && !tiny.fit->totalFits);
    for (const core::LayerFit& f : tiny.fit->layers)
        QVERIFY(!f.fits);
    QVERIFY(!core::buildConversionReport(m, {tinyInputs()}, {}).fit);
}

void TestConversionReport::emptyEvaluationIsAnError()
{
    const ConvertedModel m = core::convertModel(tinyModel(), ConversionConfig{}, {});
    QVERIFY_THROWS_EXCEPTION(core::FormatError, core::buildConversionReport(m, {}, {}));
}

QTEST_GUILESS_MAIN(TestConversionReport)
#include "test_conversion_report.moc"
