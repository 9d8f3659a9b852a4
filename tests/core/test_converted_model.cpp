// Whole-model conversion (converted_model.h) on the bundled tiny model: staged graphs, per-stage
// output SQNR, determinism, save/load round trip, per-layer K, refinement and cancellation.

#include "lnscope/core/converted_model.h"

#include "lnscope/core/conversion_report.h"
#include "lnscope/core/error.h"
#include "lnscope/core/lns_format.h"
#include "lnscope/core/lnsz_container.h"
#include "lnscope/core/executor.h"
#include "lnscope/core/lns_emulator.h"
#include "lnscope/core/onnx_import.h"
#include "lnscope/core/tensor_io.h"
#include "lnscope/core/tensor_metrics.h"
#include "model_builder.h"
#include "test_utils.h"

#include <QTest>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>

using namespace lnscope;
using core::ConversionConfig;
using core::ConvertedModel;
using core::Stage;
using core::Tensor;
using core::TensorMap;

Q_DECLARE_METATYPE(core::Stage)
Q_DECLARE_METATYPE(core::ConversionConfig)

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

Tensor runOutput(const core::Graph& graph)
{
    const TensorMap out = core::Executor(graph).run(tinyInputs());
    return out.begin()->second;
}

std::vector<char> fileBytes(const std::filesystem::path& path)
{
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

double maxAbs(const Tensor& t)
{
    double m = 0.0;
    for (float v : t.floats())
        m = std::max(m, double(std::fabs(v)));
    return m;
}

ConversionConfig configNamed(const QString& name)
{
    ConversionConfig c;
    if (name == "shared book")
        c.sharedBook = true;
    if (name == "1x1 scalar sharing")
        c.pointwise = core::PointwisePolicy::ScalarSharing;
    if (name == "1x1 sub-vector, K 8")
        c.pointwise = core::PointwisePolicy::SubVector, c.clusters = 8;
    if (name == "refined")
        c.refine = true;
    if (name == "fp8_e4m3")
        c.weightFormat = "fp8_e4m3";
    if (name == "int8")
        c.weightFormat = "int8";
    if (name == "lns6 scales")
        c.scaleFormat = "lns6", c.refine = true;
    if (name == "int8, lns6 scales")
        c.weightFormat = "int8", c.scaleFormat = "lns6";
    if (name == "refined, rounding feedback")
        c.refine = true, c.roundingFeedback = true;
    return c;
}

/// Cancels itself after `after` reports.
class CancelAfter : public core::Progress
{
public:
    explicit CancelAfter(int after) : m_after(after) {}
    void report(double, const std::string&) override { ++m_reports; }
    bool cancelled() const override { return m_reports >= m_after; }
    int reports() const { return m_reports; }

private:
    int m_after;
    int m_reports = 0;
};

} // namespace

class TestConvertedModel : public QObject
{
    Q_OBJECT
private slots:
    void refinementHelpsOnTheTrainedModel();
    void roundingFeedbackOnTheRgbLayers();
    void biasCorrectionMatchesMeans();
    void minMseWeightRuleNeverWorse();
    void eachStageRuns_data();
    void eachStageRuns();
    void float32AndFoldedMatchOriginal();
    void stageSqnrDecreases_data();
    void stageSqnrDecreases();
    void deterministicBytes_data();
    void deterministicBytes();
    void saveLoadIdentical_data();
    void saveLoadIdentical();
    void corruptedFile();
    void otherModelRefused();
    void clustersPerLayer();
    void narrowScaleFormat();
    void tiedLayersConvertOnce();
    void scaleFormatMustAddToWeightCodes();
    void configWithoutScaleFormatReadsAsWeightFormat();
    void refinementDoesNotLowerSqnr();
    void refinementWithoutCalibration();
    void cancellation_data();
    void cancellation();
};

void TestConvertedModel::eachStageRuns_data()
{
    QTest::addColumn<Stage>("stage");
    QTest::addRow("Float32") << Stage::Float32;
    QTest::addRow("BatchNormFolded") << Stage::BatchNormFolded;
    QTest::addRow("ClusterCompressed") << Stage::ClusterCompressed;
    QTest::addRow("Lns8 weights") << Stage::Lns8;
}

void TestConvertedModel::eachStageRuns()
{
    QFETCH(Stage, stage);
    static const ConvertedModel m = core::convertModel(tinyModel(), {}, {});
    const Tensor y = runOutput(m.graphForStage(stage));
    QCOMPARE(y.shape(), runOutput(tinyModel()).shape());
    for (float v : y.floats())
        QVERIFY(std::isfinite(v));
}

void TestConvertedModel::float32AndFoldedMatchOriginal()
{
    const ConvertedModel m = core::convertModel(tinyModel(), {}, {});
    const Tensor ref = runOutput(tinyModel());
    QVERIFY(runOutput(m.graphForStage(Stage::Float32)) == ref);
    const Tensor bnf = runOutput(m.graphForStage(Stage::BatchNormFolded));
    const double bound = 1e-5 * maxAbs(ref);
    for (int64_t k = 0; k < ref.numel(); ++k)
        QVERIFY2(std::fabs(double(bnf.f()[k]) - ref.f()[k]) <= bound, qPrintable(QString::number(k)));
    QVERIFY(!m.bnRecords.empty());
}

// Output SQNR (vs the original float model) of each cumulative stage, printed. The tiny model is
// untrained (random weights, datasets/models/tiny_segnet.json "trained": false): its kernels are
// near-random 9-d directions, which 64 centroids approximate poorly (per-layer output SQNR ≈ 6–10 dB,
// see refinementDoesNotLowerSqnr), so K = 64 compounds to ≈ −1 dB at the output. K = 256 ≥ N_l for
// every layer (at most 256 kernels each), so CC is exact up to float rounding and the LNS step is
// what remains. Floors are a few dB below the measured figures.
void TestConvertedModel::stageSqnrDecreases_data()
{
    QTest::addColumn<int>("clusters");
    QTest::addColumn<double>("ccFloorDb");
    QTest::addColumn<double>("lnsFloorDb");
    QTest::addRow("K 64") << 64 << -4.0 << -4.0;
    QTest::addRow("K 256 (CC exact)") << 256 << 100.0 << 15.0;
}

void TestConvertedModel::stageSqnrDecreases()
{
    QFETCH(int, clusters);
    QFETCH(double, ccFloorDb);
    QFETCH(double, lnsFloorDb);
    ConversionConfig c;
    c.clusters = clusters;
    const ConvertedModel m = core::convertModel(tinyModel(), c, {});
    const Tensor ref = runOutput(tinyModel());
    double previous = INFINITY;
    const double margin = 0.5; // dB: a later stage may be marginally better by chance
    for (Stage s : {Stage::BatchNormFolded, Stage::ClusterCompressed, Stage::Lns8}) {
        const core::Agreement a = core::computeAgreement(ref, runOutput(m.graphForStage(s)));
        qInfo("K %d stage %-18s output SQNR %7.2f dB, cosine %.6f", clusters, core::stageName(s), a.sqnrDb, a.cosine);
        QVERIFY(a.defined);
        QVERIFY(std::isfinite(a.sqnrDb));
        QVERIFY2(a.sqnrDb <= previous + margin, core::stageName(s));
        if (s == Stage::ClusterCompressed)
            QVERIFY2(a.sqnrDb > ccFloorDb, core::stageName(s));
        if (s == Stage::Lns8)
            QVERIFY2(a.sqnrDb > lnsFloorDb, core::stageName(s));
        previous = a.sqnrDb;
    }
}

// Same model, config and calibration → identical bytes. Without refinement the bytes do not
// depend on the thread count either; with refinement they may, because the float executor that
// captures the calibration activations is deterministic per thread count only (executor.h).
void TestConvertedModel::deterministicBytes_data()
{
    QTest::addColumn<bool>("refine");
    QTest::addColumn<int>("threadsA");
    QTest::addColumn<int>("threadsB");
    QTest::addRow("no refinement, 1 vs 2 threads") << false << 1 << 2;
    QTest::addRow("refined, 2 threads twice") << true << 2 << 2;
}

void TestConvertedModel::deterministicBytes()
{
    QFETCH(bool, refine);
    QFETCH(int, threadsA);
    QFETCH(int, threadsB);
    const auto dir = test::makeTempDir("conv_det");
    ConversionConfig c;
    c.refine = refine;
    c.threads = threadsA;
    core::saveConverted(core::convertModel(tinyModel(), c, {tinyInputs()}), dir / "a.lnsz");
    c.threads = threadsB;
    core::saveConverted(core::convertModel(tinyModel(), c, {tinyInputs()}), dir / "b.lnsz");
    const auto a = fileBytes(dir / "a.lnsz");
    QVERIFY(!a.empty());
    QVERIFY(a == fileBytes(dir / "b.lnsz"));
    std::filesystem::remove_all(dir);
}

void TestConvertedModel::saveLoadIdentical_data()
{
    QTest::addColumn<QString>("config");
    for (const char* name : {"default", "shared book", "1x1 scalar sharing", "1x1 sub-vector, K 8", "refined",
                             "fp8_e4m3", "int8", "lns6 scales", "int8, lns6 scales",
                             "refined, rounding feedback"})
        QTest::addRow("%s", name) << QString(name);
}

void TestConvertedModel::saveLoadIdentical()
{
    QFETCH(QString, config);
    const auto dir = test::makeTempDir("conv_io");
    const ConversionConfig c = configNamed(config);
    const ConvertedModel m = core::convertModel(tinyModel(), c, {tinyInputs()});
    core::saveConverted(m, dir / "m.lnsz");
    const ConvertedModel loaded = core::loadConverted(dir / "m.lnsz", tinyModel());
    QVERIFY(loaded.config == c);
    QCOMPARE(loaded.layers.size(), m.layers.size());
    for (Stage s : {Stage::BatchNormFolded, Stage::ClusterCompressed, Stage::Lns8})
        QVERIFY2(runOutput(loaded.graphForStage(s)) == runOutput(m.graphForStage(s)), core::stageName(s));
    // Saving the loaded model gives the same file.
    core::saveConverted(loaded, dir / "again.lnsz");
    QVERIFY(fileBytes(dir / "m.lnsz") == fileBytes(dir / "again.lnsz"));
    std::filesystem::remove_all(dir);
}

void TestConvertedModel::corruptedFile()
{
    const auto dir = test::makeTempDir("conv_bad");
    core::saveConverted(core::convertModel(tinyModel(), {}, {}), dir / "m.lnsz");
    auto bytes = fileBytes(dir / "m.lnsz");
    bytes[bytes.size() / 2] ^= 0x5a;
    std::ofstream(dir / "m.lnsz", std::ios::binary | std::ios::trunc).write(bytes.data(), std::streamsize(bytes.size()));
    try {
        core::loadConverted(dir / "m.lnsz", tinyModel());
        QFAIL("no FormatError");
    } catch (const core::FormatError& e) {
        QVERIFY2(QString(e.what()).contains("m.lnsz"), e.what());
    }
    std::filesystem::remove_all(dir);
}

void TestConvertedModel::otherModelRefused()
{
    const auto dir = test::makeTempDir("conv_hash");
    core::saveConverted(core::convertModel(tinyModel(), {}, {}), dir / "m.lnsz");
    core::Graph other = tinyModel();
    other.initializers.begin()->second.floats()[0] += 1.0f;
    try {
        core::loadConverted(dir / "m.lnsz", other);
        QFAIL("no FormatError");
    } catch (const core::FormatError& e) {
        QVERIFY2(QString(e.what()).contains("m.lnsz") && QString(e.what()).contains("another model"), e.what());
    }
    std::filesystem::remove_all(dir);
}

void TestConvertedModel::clustersPerLayer()
{
    const ConvertedModel defaults = core::convertModel(tinyModel(), {}, {});
    ConversionConfig c;
    for (const auto& l : defaults.layers)
        if (l.clustered)
            c.clustersPerLayer[l.node] = 3 + int(c.clustersPerLayer.size());
    QVERIFY(c.clustersPerLayer.size() >= 3);
    const ConvertedModel m = core::convertModel(tinyModel(), c, {});
    for (const auto& l : m.layers) {
        if (!l.clustered)
            continue;
        QCOMPARE(l.kernels.clusters, c.clustersPerLayer.at(l.node));
        QCOMPARE(l.centroidCodes.size(), size_t(l.kernels.clusters * l.kernels.d));
        QCOMPARE(l.kernels.indexBits, core::indexBitsFor(l.kernels.clusters));
    }
}

void TestConvertedModel::narrowScaleFormat()
{
    // Scales as lns6 codes (Q2.3): every Kernel-unit layer stores 6-bit codes with per-output-channel
    // biases, the Lns8 stage decodes W = lns6(scale) · lns8(centroid), the budget counts 6 bits per
    // kernel, and the output stays close to the 8-bit-scale conversion.
    ConversionConfig c;
    c.scaleFormat = "lns6";
    const ConvertedModel m = core::convertModel(tinyModel(), c, {tinyInputs()});
    const ConvertedModel wide = core::convertModel(tinyModel(), {}, {tinyInputs()});
    const auto& registry = core::NumberFormatRegistry::builtin();
    const auto& f6 = dynamic_cast<const core::LnsFormat&>(registry.get("lns6"));
    const auto& f8 = registry.get("lns8");
    int checked = 0;
    for (const core::ConvertedLayer& l : m.layers) {
        if (!l.clustered || l.kernels.unit != core::ClusterUnit::Kernel)
            continue;
        QCOMPARE(l.scaleFormat, std::string("lns6"));
        QCOMPARE(l.scaleParams.size(), size_t(l.weightShape[0]));
        for (uint32_t code : l.scaleCodes)
            QVERIFY(code < 64u && code != f6.nanCode());
        // The top scale of each output channel lands on the top code (absmax rule).
        const Tensor w = l.weightForStage(Stage::Lns8, *m.folded.initializer(l.weightName));
        const int64_t perOut = int64_t(l.kernels.unitCount()) / l.weightShape[0];
        for (int64_t o = 0; o < l.weightShape[0]; o += 3)
            for (int64_t i = 0; i < perOut; i += 5) {
                const size_t u = size_t(o * perOut + i);
                const double scale = f6.decode(l.scaleCodes[u], l.scaleParams[size_t(o)]);
                for (int j = 0; j < l.kernels.d; ++j) {
                    const double centroid =
                        f8.decode(l.centroidCodes[size_t(l.kernels.indices[u]) * size_t(l.kernels.d) + size_t(j)],
                                  l.centroidParams[0]);
                    QCOMPARE(w.floats()[u * size_t(l.kernels.d) + size_t(j)], float(scale) * float(centroid));
                }
            }
        ++checked;
    }
    QVERIFY(checked >= 3);
    const auto budgets = core::conversionBudgets(m), wideBudgets = core::conversionBudgets(wide);
    QCOMPARE(budgets.back().total.scaleBits * 8, wideBudgets.back().total.scaleBits * 6);
    QCOMPARE(budgets.back().total.indexBits, wideBudgets.back().total.indexBits);
    QVERIFY(budgets.back().ratio > wideBudgets.back().ratio);
    const Tensor ref = runOutput(tinyModel());
    const double sqnr6 = core::computeAgreement(ref, runOutput(m.graphForStage(Stage::Lns8))).sqnrDb;
    const double sqnr8 = core::computeAgreement(ref, runOutput(wide.graphForStage(Stage::Lns8))).sqnrDb;
    qInfo("model-output SQNR, LNS stage: 8-bit scales %.2f dB, lns6 scales %.2f dB", sqnr8, sqnr6);
    QVERIFY2(sqnr6 > sqnr8 - 3.0, qPrintable(QString("%1 vs %2").arg(sqnr6).arg(sqnr8)));
}

/// A two-branch model: left and right each go through Conv(w) → BN → Relu → Conv(w2) with the
/// *same* initializers (a shared feature extractor, as the stereo demo exports it), then Concat.
/// With `separateBn` the right branch has its own BN parameters (different folded weights).
core::Graph twoBranchModel(bool separateBn)
{
    test::ModelBuilder b;
    b.input("left", {1, 4, 12, 12});
    b.input("right", {1, 4, 12, 12});
    b.randomInitializer("w", {12, 4, 3, 3}, 11u);
    b.randomInitializer("w2", {8, 12, 3, 3}, 12u);
    for (const char* side : {"L", "R"}) {
        const std::string p = std::string("bn") + (separateBn && side[0] == 'R' ? "R" : "");
        if (side[0] == 'L' || separateBn) {
            b.randomInitializer(p + "_g", {12}, side[0] == 'L' ? 13u : 23u, 0.5f, 1.5f);
            b.randomInitializer(p + "_b", {12}, side[0] == 'L' ? 14u : 24u, -0.2f, 0.2f);
            b.randomInitializer(p + "_m", {12}, side[0] == 'L' ? 15u : 25u, -0.1f, 0.1f);
            b.randomInitializer(p + "_v", {12}, side[0] == 'L' ? 16u : 26u, 0.5f, 1.5f);
        }
        const std::string in = side[0] == 'L' ? "left" : "right", s(side);
        auto& conv = b.node("Conv", {in, "w"}, {"c" + s}, "conv1" + s);
        test::ModelBuilder::attr(conv, "pads", std::vector<int64_t>{1, 1, 1, 1});
        b.node("BatchNormalization", {"c" + s, p + "_g", p + "_b", p + "_m", p + "_v"}, {"n" + s}, "bn" + s);
        b.node("Relu", {"n" + s}, {"r" + s}, "relu" + s);
        auto& conv2 = b.node("Conv", {"r" + s, "w2"}, {"y" + s}, "conv2" + s);
        test::ModelBuilder::attr(conv2, "pads", std::vector<int64_t>{1, 1, 1, 1});
    }
    b.node("Concat", {"yL", "yR"}, {"out"}, "concat");
    test::ModelBuilder::attr(b.nodeNamed("concat"), "axis", int64_t(1));
    b.output("out");
    return b.import();
}

void TestConvertedModel::tiedLayersConvertOnce()
{
    // The same layer applied to both images is converted once on both branches' inputs: the right
    // branch holds the left's codes, the budget stores them once, and a save/load keeps the tie.
    const core::Graph g = twoBranchModel(false);
    std::vector<TensorMap> calib;
    for (uint32_t k = 0; k < 3; ++k)
        calib.push_back({{"left", test::randomTensor({1, 4, 12, 12}, 40u + k, 0.f, 1.f)},
                         {"right", test::randomTensor({1, 4, 12, 12}, 50u + k, 0.f, 1.f)}});
    ConversionConfig c;
    c.refine = true;
    c.clusters = 6;
    const ConvertedModel m = core::convertModel(g, c, calib);
    QCOMPARE(m.layers.size(), size_t(4));
    std::map<std::string, const core::ConvertedLayer*> byNode;
    for (const auto& l : m.layers)
        byNode[l.node] = &l;
    for (const char* name : {"conv1", "conv2"}) {
        const core::ConvertedLayer& a = *byNode.at(std::string(name) + "L");
        const core::ConvertedLayer& b = *byNode.at(std::string(name) + "R");
        QCOMPARE(a.tiedTo, std::string());
        QCOMPARE(b.tiedTo, a.node);
        QVERIFY(a.clustered && a.refined && b.clustered && b.refined);
        QCOMPARE(b.kernels.indices, a.kernels.indices);
        QCOMPARE(b.centroidCodes, a.centroidCodes);
        QCOMPARE(b.scaleCodes, a.scaleCodes);
        QCOMPARE(b.bias, a.bias);
        // conv1: BN folding gave each branch its own initializer; conv2 (no BN) still reads one.
        QCOMPARE(b.weightName == a.weightName, std::string(name) == "conv2");
        const core::Graph lns = m.graphForStage(Stage::Lns8);
        QVERIFY(*lns.initializer(a.weightName) == *lns.initializer(b.weightName));
    }
    // Refined on both branches: not the same as refining on the left inputs alone.
    std::vector<TensorMap> leftOnly = calib;
    for (TensorMap& in : leftOnly)
        in["right"] = test::randomTensor({1, 4, 12, 12}, 999u, 0.f, 0.f); // right branch silent
    const ConvertedModel left = core::convertModel(g, c, leftOnly);
    QVERIFY(left.layers[1].kernels.centroids != m.layers[1].kernels.centroids);
    // Stored once: the float32 model shares the initializer, the converted stages the codes.
    const auto budgets = core::conversionBudgets(m);
    for (const core::BudgetReport& r : budgets) {
        QCOMPARE(r.floatWeights, int64_t(12 * 4 * 9 + 8 * 12 * 9));
        int zero = 0;
        for (const core::LayerBudget& l : r.layers)
            zero += l.terms.totalBits() == 0 && !l.shape.sharesWeightsOf.empty();
        QCOMPARE(zero, 2);
    }
    const auto dir = test::makeTempDir("conv_tied");
    core::saveConverted(m, dir / "m.lnsz");
    const ConvertedModel loaded = core::loadConverted(dir / "m.lnsz", g);
    for (size_t k = 0; k < m.layers.size(); ++k)
        QCOMPARE(loaded.layers[k].tiedTo, m.layers[k].tiedTo);
    std::filesystem::remove_all(dir);
    // Different BN parameters fold into different weights: the first convs are not tied; their
    // second convs still share weights and biases, so those are.
    const ConvertedModel separate = core::convertModel(core::Graph(twoBranchModel(true)), c, calib);
    std::map<std::string, std::string> ties;
    for (const auto& l : separate.layers)
        ties[l.node] = l.tiedTo;
    QCOMPARE(ties.at("conv1R"), std::string());
    QCOMPARE(ties.at("conv2R"), std::string("conv2L"));
}

void TestConvertedModel::scaleFormatMustAddToWeightCodes()
{
    // With LNS weights the scale's L adds to the centroid's L: the F must match (and it must be LNS).
    for (const char* scale : {"lns8_q3.4", "fp8_e4m3", "int8"}) {
        ConversionConfig c;
        c.scaleFormat = scale;
        QVERIFY_THROWS_EXCEPTION(core::UnsupportedError, core::convertModel(tinyModel(), c, {}));
    }
    ConversionConfig unknown;
    unknown.scaleFormat = "lns5";
    QVERIFY_THROWS_EXCEPTION(core::Error, core::convertModel(tinyModel(), unknown, {}));
    // Non-LNS weights decode and multiply: any scale format works.
    ConversionConfig int8;
    int8.weightFormat = "int8";
    int8.scaleFormat = "fp8_e4m3";
    QCOMPARE(core::convertModel(tinyModel(), int8, {}).config.scaleFormatName(), std::string("fp8_e4m3"));
    // Config files: unknown and mismatched scale formats name the key.
    const auto dir = test::makeTempDir("conv_scalecfg");
    for (const auto& [text, expected] : std::vector<std::pair<std::string, std::string>>{
             {R"({"scaleFormat": "lns6"})", ""},
             {R"({"scaleFormat": "nope"})", "config key 'scaleFormat': unknown number format 'nope'"},
             {R"({"format": "lns8_q3.4", "scaleFormat": "lns6"})", "config key 'scaleFormat'"}}) {
        std::ofstream(dir / "c.json") << text;
        if (expected.empty()) {
            QCOMPARE(core::readConversionConfig(dir / "c.json").scaleFormat, std::string("lns6"));
            continue;
        }
        try {
            core::readConversionConfig(dir / "c.json");
            QFAIL("no FormatError");
        } catch (const core::FormatError& e) {
            QVERIFY2(QString(e.what()).contains("c.json") && QString(e.what()).contains(QString::fromStdString(expected)),
                     e.what());
        }
    }
    // The config JSON round-trips the scale format.
    ConversionConfig six;
    six.scaleFormat = "lns6";
    std::ofstream(dir / "six.json") << core::conversionConfigJson(six);
    QVERIFY(core::readConversionConfig(dir / "six.json") == six);
    std::filesystem::remove_all(dir);
}

void TestConvertedModel::configWithoutScaleFormatReadsAsWeightFormat()
{
    // A .lnsz written before scale formats existed has no scaleFormat keys: its scales are
    // weight-format codes. Simulated by dropping the keys from a fresh file's manifest.
    const auto dir = test::makeTempDir("conv_oldscale");
    const ConvertedModel m = core::convertModel(tinyModel(), {}, {});
    core::saveConverted(m, dir / "m.lnsz");
    core::LnszReader in = core::LnszReader::open(dir / "m.lnsz");
    std::string manifest = in.json("manifest");
    for (const std::string key : {"\"scaleFormat\":\"\",", "\"scaleFormat\":\"lns8\","}) {
        for (size_t at = manifest.find(key); at != std::string::npos; at = manifest.find(key))
            manifest.erase(at, key.size());
    }
    QVERIFY(manifest.find("scaleFormat") == std::string::npos);
    core::LnszWriter out;
    out.addJson("manifest", manifest);
    for (const std::string& name : in.names())
        if (name != "manifest")
            out.addSection(name, in.type(name), {in.bytes(name).begin(), in.bytes(name).end()});
    out.write(dir / "old.lnsz");
    const ConvertedModel old = core::loadConverted(dir / "old.lnsz", tinyModel());
    QVERIFY(old.config.scaleFormat.empty());
    for (size_t k = 0; k < m.layers.size(); ++k) {
        QCOMPARE(old.layers[k].scaleFormat, m.layers[k].scaleFormat);
        QCOMPARE(old.layers[k].scaleCodes, m.layers[k].scaleCodes);
    }
    QVERIFY(runOutput(old.graphForStage(Stage::Lns8)) == runOutput(m.graphForStage(Stage::Lns8)));
    std::filesystem::remove_all(dir);
}

void TestConvertedModel::refinementDoesNotLowerSqnr()
{
    ConversionConfig c;
    c.refine = true;
    const ConvertedModel m = core::convertModel(tinyModel(), c, {tinyInputs()});
    int refined = 0;
    for (const auto& l : m.layers) {
        if (!l.refined)
            continue;
        ++refined;
        qInfo("%-8s refine: k-means %.2f dB → refined %.2f dB → %s %.2f dB", l.node.c_str(), l.refineSqnrBeforeDb,
              l.refineSqnrRefinedDb, l.weightFormat.c_str(), l.refineSqnrAfterDb);
        QVERIFY(l.refineSqnrRefinedDb >= l.refineSqnrBeforeDb - 1e-6);
    }
    QVERIFY(refined >= 3);
    const Tensor ref = runOutput(tinyModel());
    const ConvertedModel plain = core::convertModel(tinyModel(), {}, {});
    const double before = core::computeAgreement(ref, runOutput(plain.graphForStage(Stage::ClusterCompressed))).sqnrDb;
    const double after = core::computeAgreement(ref, runOutput(m.graphForStage(Stage::ClusterCompressed))).sqnrDb;
    qInfo("model output SQNR, CC stage: k-means %.2f dB, refined %.2f dB", before, after);
}

void TestConvertedModel::refinementWithoutCalibration()
{
    ConversionConfig c;
    c.refine = true;
    const ConvertedModel m = core::convertModel(tinyModel(), c, {});
    QVERIFY(!m.notes.empty());
    QVERIFY(QString::fromStdString(m.notes.front()).contains("no calibration"));
    for (const auto& l : m.layers)
        QVERIFY(!l.refined);
}

void TestConvertedModel::cancellation_data()
{
    QTest::addColumn<int>("after");
    QTest::addRow("before start") << 0;
    QTest::addRow("after two layers") << 2;
    QTest::addRow("in refinement") << 6;
}

void TestConvertedModel::cancellation()
{
    QFETCH(int, after);
    ConversionConfig c;
    c.refine = true;
    CancelAfter progress(after);
    QVERIFY_THROWS_EXCEPTION(core::Cancelled, core::convertModel(tinyModel(), c, {tinyInputs()}, &progress));
}

void TestConvertedModel::minMseWeightRuleNeverWorse()
{
    // Per output channel MinMse searches B_absmax − 2^F … B_absmax, so the squared error of an
    // uncompressed layer's decoded weights can only go down; the rule survives save/load.
    ConversionConfig absMax, minMse;
    minMse.weightRule = core::ParamRule::MinMse;
    const core::ConvertedModel a = core::convertModel(tinyModel(), absMax, {});
    const core::ConvertedModel b = core::convertModel(tinyModel(), minMse, {});
    int uncompressed = 0;
    for (size_t i = 0; i < a.layers.size(); ++i) {
        if (a.layers[i].clustered)
            continue;
        const Tensor& w = *a.folded.initializer(a.layers[i].weightName);
        auto sse = [&](const core::ConvertedModel& m) {
            const Tensor q = m.layers[i].weightForStage(Stage::Lns8, w);
            double s = 0;
            for (int64_t k = 0; k < w.numel(); ++k)
                s += std::pow(double(q.floats()[size_t(k)]) - w.floats()[size_t(k)], 2);
            return s;
        };
        QVERIFY2(sse(b) <= sse(a), a.layers[i].node.c_str());
        ++uncompressed;
    }
    QVERIFY(uncompressed >= 1);
    const auto dir = test::makeTempDir("minmse");
    core::saveConverted(b, dir / "m.lnsz");
    QVERIFY(core::loadConverted(dir / "m.lnsz", tinyModel()).config.weightRule == core::ParamRule::MinMse);
}

void TestConvertedModel::refinementHelpsOnTheTrainedModel()
{
    // The trained demo segmentation model (datasets/models/synth_segnet.md), calibrated on its
    // bundled reference frame: least-squares refinement must lower every refined layer's output
    // error against plain k-means centroids (float), and the re-quantized centroids keep most of it.
    const core::Graph model = core::importOnnx(test::datasetsDir() / "models" / "synth_segnet.onnx");
    const TensorMap in{{"image", core::readTensorPb(test::datasetsDir() / "models" / "synth_segnet_reference_input.pb")}};
    ConversionConfig c;
    c.refine = true;
    const core::ConvertedModel m = core::convertModel(model, c, {in});
    int refined = 0;
    for (const core::ConvertedLayer& l : m.layers) {
        if (!l.refined || l.kernels.clusters >= l.kernels.nonZeroUnits)
            continue; // a book holding every kernel is exact already
        qInfo("%s: layer output SQNR k-means %.2f dB, refined %.2f dB, refined + lns8 %.2f dB", l.node.c_str(),
              l.refineSqnrBeforeDb, l.refineSqnrRefinedDb, l.refineSqnrAfterDb);
        QVERIFY2(l.refineSqnrRefinedDb > l.refineSqnrBeforeDb + 1.0, l.node.c_str());
        QVERIFY2(l.refineSqnrAfterDb > l.refineSqnrBeforeDb, l.node.c_str());
        ++refined;
    }
    QVERIFY(refined >= 10);
}

void TestConvertedModel::roundingFeedbackOnTheRgbLayers()
{
    // The demo model's two convs on the RGB input: their outputs are small differences of large
    // terms, so rounding each refined centroid entry to its nearest lns8 code costs them most of
    // their SQNR; with error feedback the stored codes keep far more. Measured here on the stored
    // weights (the lns8 stage graph) against the folded float model, layer output by layer output.
    const core::Graph model = core::importOnnx(test::datasetsDir() / "models" / "synth_segnet.onnx");
    const TensorMap in{{"image", core::readTensorPb(test::datasetsDir() / "models" / "synth_segnet_reference_input.pb")}};
    ConversionConfig c;
    c.refine = true;
    const core::ConvertedModel nearest = core::convertModel(model, c, {in});
    c.roundingFeedback = true;
    const core::ConvertedModel fed = core::convertModel(model, c, {in});
    const std::vector<std::string> rgb{"/stem/stem.0/Conv", "/enc1/enc1.0/enc1.0.0/Conv"};
    const auto outputsOf = [&](const core::Graph& g) {
        std::map<std::string, Tensor> out;
        core::Executor(g).run(in, [&](int, const core::Node& node, const std::vector<Tensor>& outs) {
            if (std::find(rgb.begin(), rgb.end(), node.name) != rgb.end())
                out[node.name] = outs[0];
        });
        return out;
    };
    const auto reference = outputsOf(nearest.folded);
    const auto n = outputsOf(nearest.graphForStage(Stage::Lns8));
    const auto f = outputsOf(fed.graphForStage(Stage::Lns8));
    for (const std::string& node : rgb) {
        const double sn = core::computeAgreement(reference.at(node), n.at(node)).sqnrDb;
        const double sf = core::computeAgreement(reference.at(node), f.at(node)).sqnrDb;
        qInfo("%s: lns8 weights, nearest %.2f dB, error feedback %.2f dB (refine figures %.2f / %.2f dB)", node.c_str(),
              sn, sf, nearest.layer(node)->refineSqnrAfterDb, fed.layer(node)->refineSqnrAfterDb);
        QVERIFY2(sf > sn + 5.0, node.c_str());
        // Same centroids before rounding: only the rounding differs.
        QCOMPARE(fed.layer(node)->kernels.centroids, nearest.layer(node)->kernels.centroids);
        // The refinement's figures are for the centroids the file stores. They measure the error
        // against the bias-free output, so they differ from the taps' by a constant per layer;
        // the gain from feedback is the same in both (the input is the image, the same for both).
        const double refineGain = fed.layer(node)->refineSqnrAfterDb - nearest.layer(node)->refineSqnrAfterDb;
        QVERIFY2(std::abs(refineGain - (sf - sn)) < 0.05, node.c_str());
    }
}

namespace {

/// Per layer node: mean over channels of |float channel mean − converted channel mean| of the
/// node's output, the float folded graph against the emulated converted model (weights in the
/// format, activations quantized), on `in`. Computed here directly from the taps.
std::map<std::string, double> meanShift(const core::ConvertedModel& m, const TensorMap& in)
{
    auto channelMeans = [&](auto&& run) {
        std::map<std::string, std::vector<double>> means;
        run([&](int, const core::Node& node, const std::vector<Tensor>& outs) {
            if (!m.layer(node.name) || outs.empty() || outs[0].rank() != 4)
                return;
            const Tensor& y = outs[0];
            const int64_t c = y.dim(1), hw = y.dim(2) * y.dim(3);
            std::vector<double>& v = means[node.name];
            v.assign(static_cast<size_t>(c), 0.0);
            for (int64_t n = 0; n < y.dim(0); ++n)
                for (int64_t ch = 0; ch < c; ++ch)
                    for (int64_t k = 0; k < hw; ++k)
                        v[static_cast<size_t>(ch)] += double(y.f()[(n * c + ch) * hw + k]) / double(y.dim(0) * hw);
        });
        return means;
    };
    const core::Executor reference(m.folded);
    const core::LnsEmulator emulator(m, core::EmulatorOptions{});
    const auto f = channelMeans([&](const core::TapFn& tap) { reference.run(in, tap); });
    const auto c = channelMeans([&](const core::TapFn& tap) { emulator.run(in, tap); });
    std::map<std::string, double> shift;
    for (const auto& [node, fv] : f) {
        const std::vector<double>& cv = c.at(node);
        double sum = 0.0;
        for (size_t ch = 0; ch < fv.size(); ++ch)
            sum += std::abs(fv[ch] - cv[ch]);
        shift[node] = sum / double(fv.size());
    }
    return shift;
}

} // namespace

void TestConvertedModel::biasCorrectionMatchesMeans()
{
    // The trained demo model, calibrated and measured on its reference frame: after bias
    // correction the converted layers' mean outputs per channel are closer to the float model's.
    const core::Graph model = core::importOnnx(test::datasetsDir() / "models" / "synth_segnet.onnx");
    const TensorMap in{{"image", core::readTensorPb(test::datasetsDir() / "models" / "synth_segnet_reference_input.pb")}};
    ConversionConfig c;
    c.refine = true;
    c.reassignRounds = 1;
    c.biasCorrection = false;
    const core::ConvertedModel plain = core::convertModel(model, c, {in});
    c.biasCorrection = true;
    const core::ConvertedModel corrected = core::convertModel(model, c, {in});
    const auto before = meanShift(plain, in);
    const auto after = meanShift(corrected, in);
    double sumBefore = 0.0, sumAfter = 0.0;
    int changedBiases = 0;
    for (const auto& [node, shift] : before) {
        qInfo("%s: mean |channel mean shift| %.5f -> %.5f", node.c_str(), shift, after.at(node));
        sumBefore += shift;
        sumAfter += after.at(node);
        changedBiases += plain.layer(node)->bias != corrected.layer(node)->bias;
    }
    QVERIFY(before.size() >= 10);
    QVERIFY2(sumAfter < 0.5 * sumBefore, qPrintable(QString("total shift %1 -> %2").arg(sumBefore).arg(sumAfter)));
    QVERIFY(changedBiases >= int(before.size()) - 1);
    // Only biases changed: the weights are those of the uncorrected conversion.
    for (size_t k = 0; k < plain.layers.size(); ++k) {
        QCOMPARE(corrected.layers[k].centroidCodes, plain.layers[k].centroidCodes);
        QCOMPARE(corrected.layers[k].scaleCodes, plain.layers[k].scaleCodes);
        QCOMPARE(corrected.layers[k].weightCodes, plain.layers[k].weightCodes);
    }
    // The staged graphs carry the corrected biases; the folded graph keeps the model's own.
    const core::Graph lns = corrected.graphForStage(Stage::Lns8);
    for (const core::ConvertedLayer& l : corrected.layers) {
        for (const core::Node& n : lns.nodes)
            if (n.name == l.node && n.hasInput(2)) {
                QCOMPARE(lns.initializer(n.input(2))->toFloats(), l.bias);
                QCOMPARE(corrected.folded.initializer(n.input(2))->toFloats(), plain.layer(l.node)->bias);
            }
    }
}

QTEST_GUILESS_MAIN(TestConvertedModel)
#include "test_converted_model.moc"
