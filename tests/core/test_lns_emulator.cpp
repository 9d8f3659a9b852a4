// The emulated LNS executor (lns_emulator.h): activation tensors, calibration, stage runs against
// the float executor, the exact path against a naive long-double datapath, the bound between the
// exact and fast paths on the real layers of the bundled model, determinism and bad options.
#include "lnscope/core/lns_emulator.h"

#include "lnscope/core/lns_format.h"
#include "lnscope/core/onnx_import.h"
#include "lnscope/core/tensor_io.h"
#include "lnscope/core/tensor_metrics.h"
#include "model_builder.h"
#include "test_utils.h"

#include <QTest>
#include <cmath>
#include <cstring>
#include <set>

using namespace lnscope;
using core::ConversionConfig;
using core::ConvertedModel;
using core::EmulatorOptions;
using core::LnsEmulator;
using core::LnsPath;
using core::Stage;
using core::Tensor;
using core::TensorMap;

Q_DECLARE_METATYPE(core::Stage)

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

/// tiny_segnet converted with K = 64 and its sample as the calibration input.
const ConvertedModel& tinyConverted()
{
    static const ConvertedModel m = core::convertModel(tinyModel(), ConversionConfig{}, {tinyInputs()});
    return m;
}

bool bitIdentical(const Tensor& a, const Tensor& b)
{
    if (a.shape() != b.shape() || a.dtype() != b.dtype())
        return false;
    const auto x = a.floats(), y = b.floats();
    return std::memcmp(x.data(), y.data(), x.size_bytes()) == 0;
}

/// One Conv (with optional Relu) model: input [1, C, H, W] → Conv(group, stride, pad) → Relu.
core::Graph convModel(int64_t C, int64_t O, int64_t group, int64_t stride, bool relu, uint32_t seed)
{
    test::ModelBuilder b;
    b.input("x", {1, C, 9, 11});
    b.randomInitializer("w", {O, C / group, 3, 3}, seed, -1.f, 1.f);
    b.randomInitializer("b", {O}, seed + 1, -0.5f, 0.5f);
    auto& conv = b.node("Conv", {"x", "w", "b"}, {relu ? "c" : "y"}, "conv");
    test::ModelBuilder::attr(conv, "group", group);
    test::ModelBuilder::attr(conv, "strides", std::vector<int64_t>{stride, stride});
    test::ModelBuilder::attr(conv, "pads", std::vector<int64_t>{1, 1, 1, 1});
    if (relu)
        b.node("Relu", {"c"}, {"y"}, "relu");
    b.output("y");
    return b.import();
}

double decodeLns(const core::LnsFormat& f, uint32_t code, int32_t bias) { return f.decode(code, core::QuantParam{bias, 1.0}); }

} // namespace

class TestLnsEmulator : public QObject
{
    Q_OBJECT
private slots:
    void activationTensorsFuseMacIntoActivation();
    void calibrationAbsMaxFollowsTheSpecRule();
    void calibrationMinMseNeverWorseThanAbsMax();
    void weightStagesMatchTheFloatExecutor_data();
    void weightStagesMatchTheFloatExecutor();
    void activationsAreRepresentable();
    void exactConvMatchesNaiveLongDouble_data();
    void exactConvMatchesNaiveLongDouble();
    void exactWithinBoundOfFastOnRealLayers();
    void exactDeterministicAcrossThreads();
    void exactCloseToFastOnTheWholeModel();
    void activationsSurviveSaveAndLoad();
    void badOptions_data();
    void badOptions();
    void emptyCalibrationIsAnError();
    void sensitivityFindsTheCoarsestLayer();
};

void TestLnsEmulator::activationTensorsFuseMacIntoActivation()
{
    const core::Graph g = convModel(2, 4, 1, 1, true, 7u);
    const std::vector<std::string> names = core::activationTensors(g);
    // x (input) and y (Relu output) are stored; c feeds only the Relu and stays in the accumulator.
    QCOMPARE(names, (std::vector<std::string>{"x", "y"}));
    const core::Graph plain = convModel(2, 4, 1, 1, false, 7u);
    QCOMPARE(core::activationTensors(plain), (std::vector<std::string>{"x", "y"}));
    // The tiny model: every Conv is followed by BN + Relu except the classifier (a graph output).
    const ConvertedModel& m = tinyConverted();
    const std::vector<std::string> tiny = core::activationTensors(m.folded);
    for (const core::Node& node : m.folded.nodes)
        if (node.opType == "Conv" && m.folded.consumersOf(node.outputs[0]).size() == 1
            && m.folded.nodes[size_t(m.folded.consumersOf(node.outputs[0])[0])].opType == "Relu")
            QVERIFY2(std::find(tiny.begin(), tiny.end(), node.outputs[0]) == tiny.end(), node.name.c_str());
    QVERIFY(std::find(tiny.begin(), tiny.end(), m.folded.outputs[0].name) != tiny.end());
}

void TestLnsEmulator::calibrationAbsMaxFollowsTheSpecRule()
{
    const core::Graph g = convModel(3, 4, 1, 1, true, 11u);
    std::vector<TensorMap> calib;
    double absMaxX = 0;
    for (uint32_t s = 0; s < 3; ++s) {
        Tensor x = test::randomTensor({1, 3, 9, 11}, 100u + s, -2.f - float(s), 1.f);
        for (float v : x.floats())
            absMaxX = std::max(absMaxX, double(std::fabs(v)));
        calib.push_back({{"x", x}});
    }
    const auto& fmt = core::NumberFormatRegistry::builtin().get("lns8");
    const core::ActivationQuant q = core::calibrateActivations(g, calib, fmt, core::ParamRule::AbsMax, 2);
    QCOMPARE(q.format, std::string("lns8"));
    QCOMPARE(q.frames, int64_t{3});
    QCOMPARE(q.params.size(), size_t{2});
    // numerics §3.1: B = ceil(2^F·log2(absmax)) − 63, over every calibration input.
    QCOMPARE(q.params.at("x").bias, int32_t(std::ceil(8.0 * std::log2(absMaxX))) - 63);
    double absMaxY = 0;
    const core::Executor exec(g);
    for (const TensorMap& in : calib) {
        const TensorMap out = exec.run(in);
        for (float v : out.at("y").floats())
            absMaxY = std::max(absMaxY, double(std::fabs(v)));
    }
    QCOMPARE(q.params.at("y").bias, int32_t(std::ceil(8.0 * std::log2(absMaxY))) - 63);
}

void TestLnsEmulator::calibrationMinMseNeverWorseThanAbsMax()
{
    const core::Graph& g = tinyConverted().graphForStage(Stage::Lns8);
    const auto& fmt = core::NumberFormatRegistry::builtin().get("lns8");
    const std::vector<TensorMap> calib{tinyInputs()};
    const auto absMax = core::calibrateActivations(g, calib, fmt, core::ParamRule::AbsMax, 2);
    const auto minMse = core::calibrateActivations(g, calib, fmt, core::ParamRule::MinMse, 2);
    QCOMPARE(minMse.params.size(), absMax.params.size());
    int lowered = 0;
    // Squared error of each tensor under both biases, from the float run's values.
    std::map<std::string, Tensor> values;
    values["input"] = tinyInputs().at("input");
    core::Executor(g).run(tinyInputs(), [&](int, const core::Node& n, const std::vector<Tensor>& outs) {
        for (size_t o = 0; o < outs.size(); ++o)
            values[n.outputs[o]] = outs[o];
    });
    for (const auto& [name, p] : absMax.params) {
        const int32_t b = minMse.params.at(name).bias;
        QVERIFY2(b <= p.bias && b >= p.bias - 8, name.c_str());
        const auto x = values.at(name).floats();
        auto sse = [&](int32_t bias) {
            std::vector<float> q(x.size());
            fmt.fakeQuantize(x, core::QuantParam{bias, 1.0}, q);
            double s = 0;
            for (size_t i = 0; i < x.size(); ++i)
                s += (double(q[i]) - x[i]) * (double(q[i]) - x[i]);
            return s;
        };
        QVERIFY2(sse(b) <= sse(p.bias), name.c_str());
        lowered += b < p.bias;
    }
    qInfo("MinMse lowered the bias of %d of %zu activation tensors", lowered, absMax.params.size());
}

void TestLnsEmulator::weightStagesMatchTheFloatExecutor_data()
{
    QTest::addColumn<Stage>("stage");
    QTest::addRow("bnf") << Stage::BatchNormFolded;
    QTest::addRow("cc") << Stage::ClusterCompressed;
    QTest::addRow("lns8 weights") << Stage::Lns8;
}

void TestLnsEmulator::weightStagesMatchTheFloatExecutor()
{
    QFETCH(Stage, stage);
    EmulatorOptions o;
    o.weights = stage;
    o.quantizeActivations = false;
    const LnsEmulator emu(tinyConverted(), o);
    const Tensor expected = core::Executor(tinyConverted().graphForStage(stage)).run(tinyInputs()).begin()->second;
    QVERIFY(bitIdentical(emu.run(tinyInputs()).begin()->second, expected));
}

void TestLnsEmulator::activationsAreRepresentable()
{
    const ConvertedModel& m = tinyConverted();
    const LnsEmulator emu(m, EmulatorOptions{});
    const auto& fmt = core::NumberFormatRegistry::builtin().get(m.activations.format);
    int checked = 0, reluZeros = 0;
    emu.run(tinyInputs(), [&](int, const core::Node& node, const std::vector<Tensor>& outs) {
        auto it = m.activations.params.find(node.outputs[0]);
        if (it == m.activations.params.end())
            return;
        const auto x = outs[0].floats();
        std::vector<float> again(x.size());
        fmt.fakeQuantize(x, it->second, again); // a stored activation is a fixed point of encode∘decode
        QVERIFY2(std::memcmp(again.data(), x.data(), x.size_bytes()) == 0, node.name.c_str());
        if (node.opType == "Relu")
            for (float v : x) {
                QVERIFY(v >= 0.f);
                reluZeros += v == 0.f;
            }
        ++checked;
    });
    QVERIFY(checked >= 5);
    QVERIFY(reluZeros > 0); // ReLU zeros encode to the zero code, never to minpos
}

void TestLnsEmulator::exactConvMatchesNaiveLongDouble_data()
{
    QTest::addColumn<int>("C");
    QTest::addColumn<int>("O");
    QTest::addColumn<int>("group");
    QTest::addColumn<int>("stride");
    QTest::addColumn<int>("clusters");
    QTest::addColumn<QString>("scaleFormat");
    QTest::addRow("dense, clustered K=4") << 3 << 5 << 1 << 1 << 4 << "";
    QTest::addRow("grouped 2, stride 2") << 4 << 6 << 2 << 2 << 8 << "";
    QTest::addRow("depthwise") << 4 << 4 << 4 << 1 << 3 << "";
    // 6-bit scales with lns8's F: L_s has a narrower range, the product is still L_a + L_s + L_c.
    QTest::addRow("dense, lns6 scales") << 6 << 5 << 1 << 1 << 4 << "lns6";
}

void TestLnsEmulator::exactConvMatchesNaiveLongDouble()
{
    QFETCH(int, C);
    QFETCH(int, O);
    QFETCH(int, group);
    QFETCH(int, stride);
    QFETCH(int, clusters);
    QFETCH(QString, scaleFormat);
    const core::Graph g = convModel(C, O, group, stride, false, 31u + uint32_t(C * O));
    const TensorMap in{{"x", test::randomTensor({1, C, 9, 11}, 5u, -1.f, 1.f)}};
    ConversionConfig cfg;
    cfg.clusters = clusters;
    cfg.scaleFormat = scaleFormat.toStdString();
    const ConvertedModel m = core::convertModel(g, cfg, {in});
    QVERIFY(m.layers.at(0).clustered);
    QCOMPARE(m.layers.at(0).scaleFormat, cfg.scaleFormatName());
    EmulatorOptions o;
    o.path = LnsPath::Exact;
    const LnsEmulator emu(m, o);
    const Tensor y = emu.runNode(0, {core::NumberFormatRegistry::builtin().get("lns8").fakeQuantize(
                                        in.at("x"), core::Granularity::PerTensor,
                                        std::vector<core::QuantParam>{m.activations.params.at("x")})})[0];

    // Naive: every product is 2^((L_a + L_s + L_c + B_a + B_s + B_c)/8) with its sign, in long double.
    const auto& f = dynamic_cast<const core::LnsFormat&>(core::NumberFormatRegistry::builtin().get("lns8"));
    const auto& sf = dynamic_cast<const core::LnsFormat&>(core::NumberFormatRegistry::builtin().get(cfg.scaleFormatName()));
    const core::ConvertedLayer& l = m.layers[0];
    const int32_t ba = m.activations.params.at("x").bias;
    const auto x = in.at("x").floats();
    const Tensor bias = *m.folded.initializer("b");
    const int64_t H = 9, W = 11, OH = (H + 2 - 3) / stride + 1, OW = (W + 2 - 3) / stride + 1;
    const int64_t Cg = C / group, Og = O / group;
    QCOMPARE(y.shape(), (core::Shape{1, O, OH, OW}));
    double worst = 0;
    for (int64_t o = 0; o < O; ++o)
        for (int64_t oy = 0; oy < OH; ++oy)
            for (int64_t ox = 0; ox < OW; ++ox) {
                long double sum = 0, sumAbs = 0;
                for (int64_t c = 0; c < Cg; ++c) {
                    const int64_t ci = (o / Og) * Cg + c;
                    const size_t unit = size_t(o * Cg + c);
                    for (int64_t ky = 0; ky < 3; ++ky)
                        for (int64_t kx = 0; kx < 3; ++kx) {
                            const int64_t iy = oy * stride - 1 + ky, ix = ox * stride - 1 + kx;
                            if (iy < 0 || iy >= H || ix < 0 || ix >= W)
                                continue;
                            const uint32_t ca = f.encode(x[size_t((ci * H + iy) * W + ix)], {ba, 1.0});
                            const uint32_t cs = l.scaleCodes[unit];
                            const uint32_t cc = l.centroidCodes[size_t(l.kernels.indices[unit]) * 9 + size_t(ky * 3 + kx)];
                            QVERIFY(cs < (1u << sf.bits()));
                            if (ca == f.zeroCode() || cs == sf.zeroCode() || cc == f.zeroCode())
                                continue;
                            const int e = f.logOf(ca) + sf.logOf(cs) + f.logOf(cc) + ba + l.scaleParams[size_t(o)].bias
                                          + l.centroidParams[0].bias;
                            const bool neg = f.isNegative(ca) != (sf.isNegative(cs) != f.isNegative(cc));
                            const long double term = std::exp2l((long double)e / 8.0L);
                            sum += neg ? -term : term;
                            sumAbs += term;
                        }
                }
                const long double expected = sum + bias.floats()[size_t(o)];
                const double got = y.floats()[size_t((o * OH + oy) * OW + ox)];
                // LUT rounding ≤ 2^−16 relative per product, plus one float rounding of the result.
                const double bound = std::ldexp(1.0, -16) * double(sumAbs) + std::ldexp(std::fabs(got), -23) + 1e-30;
                worst = std::max(worst, double(std::fabs((long double)got - expected)) / bound);
            }
    QVERIFY2(worst <= 1.0, qPrintable(QString("worst |Δ| / bound = %1").arg(worst)));
    (void)decodeLns;
}

void TestLnsEmulator::exactWithinBoundOfFastOnRealLayers()
{
    // numerics §3.2 / lns_datapath.h: on the same codes, |y_exact − y_fast| ≤
    // (2^−16 + (K + 4)·2^−24)·Σ|a·w| + 2^−23·|bias| per output. Checked on every converted Conv of
    // the bundled model with the activations the fast run actually holds.
    const ConvertedModel& m = tinyConverted();
    EmulatorOptions fastOpt, exactOpt;
    exactOpt.path = LnsPath::Exact;
    const LnsEmulator fast(m, fastOpt), exact(m, exactOpt);
    QVERIFY(exact.notes().empty());
    std::map<std::string, Tensor> held{{"input", core::NumberFormatRegistry::builtin().get("lns8").fakeQuantize(
                                                     tinyInputs().at("input"), core::Granularity::PerTensor,
                                                     std::vector<core::QuantParam>{m.activations.params.at("input")})}};
    fast.run(tinyInputs(), [&](int, const core::Node& n, const std::vector<Tensor>& outs) { held[n.outputs[0]] = outs[0]; });
    int layers = 0;
    for (size_t n = 0; n < fast.graph().nodes.size(); ++n) {
        const core::Node& node = fast.graph().nodes[n];
        if (node.opType != "Conv" || !m.layer(node.name))
            continue;
        const Tensor& x = held.at(node.input(0));
        const Tensor yf = fast.runNode(int(n), {x})[0];
        const Tensor ye = exact.runNode(int(n), {x})[0];
        // Σ|a·w| per output: the same conv on |x| and |W| (float, relative error ≪ the bound's slack).
        core::Graph absGraph = fast.graph();
        Tensor& w = absGraph.initializers.at(node.input(1));
        for (float& v : w.floats())
            v = std::fabs(v);
        Tensor ax = x;
        for (float& v : ax.floats())
            v = std::fabs(v);
        core::Node absNode = node;
        absNode.inputs.resize(2); // no bias
        std::vector<const Tensor*> args{&ax, &w};
        const Tensor sumAbs = core::OpRegistry::builtin().find("Conv")->run(absNode, core::OpInputs(args.data(), 2), {})[0];
        const Tensor* bias = node.hasInput(2) ? fast.graph().initializer(node.input(2)) : nullptr;
        const int64_t K = w.numel() / w.dim(0);
        const int64_t plane = yf.numel() / yf.dim(1);
        double worst = 0, maxDelta = 0;
        for (int64_t i = 0; i < yf.numel(); ++i) {
            const double b = bias ? std::fabs(bias->floats()[size_t((i / plane) % yf.dim(1))]) : 0.0;
            const double bound = (std::ldexp(1.0, -16) + double(K + 4) * std::ldexp(1.0, -24)) * 1.0001
                                     * sumAbs.floats()[size_t(i)] + std::ldexp(b, -23) + 1e-30;
            const double delta = std::fabs(double(ye.floats()[size_t(i)]) - yf.floats()[size_t(i)]);
            worst = std::max(worst, delta / bound);
            maxDelta = std::max(maxDelta, delta);
        }
        qInfo("%s: K = %lld, max |exact − fast| = %.3g, worst ratio to the bound %.3f", node.name.c_str(),
              (long long)K, maxDelta, worst);
        QVERIFY2(worst <= 1.0, node.name.c_str());
        ++layers;
    }
    QVERIFY(layers >= 4);
}

void TestLnsEmulator::exactDeterministicAcrossThreads()
{
    EmulatorOptions one, two;
    one.path = two.path = LnsPath::Exact;
    one.threads = 1;
    two.threads = 2;
    const Tensor a = LnsEmulator(tinyConverted(), one).run(tinyInputs()).begin()->second;
    const Tensor b = LnsEmulator(tinyConverted(), two).run(tinyInputs()).begin()->second;
    QVERIFY(bitIdentical(a, b));
}

void TestLnsEmulator::exactCloseToFastOnTheWholeModel()
{
    EmulatorOptions fastOpt, exactOpt;
    exactOpt.path = LnsPath::Exact;
    const Tensor f = LnsEmulator(tinyConverted(), fastOpt).run(tinyInputs()).begin()->second;
    const Tensor e = LnsEmulator(tinyConverted(), exactOpt).run(tinyInputs()).begin()->second;
    const core::Agreement a = core::computeAgreement(f, e);
    qInfo("whole model, exact vs fast: SQNR %.1f dB, max |Δ| %.3g", a.sqnrDb, a.maxAbs);
    // Re-encoding after each layer can move a value by one LNS step (9 %) where the two paths land
    // on either side of a rounding boundary; that happens rarely, so the outputs stay close.
    QVERIFY2(a.sqnrDb > 30.0, qPrintable(QString::number(a.sqnrDb)));
}

void TestLnsEmulator::activationsSurviveSaveAndLoad()
{
    const auto dir = test::makeTempDir("emulator");
    core::saveConverted(tinyConverted(), dir / "m.lnsz");
    const ConvertedModel loaded = core::loadConverted(dir / "m.lnsz", tinyModel());
    QVERIFY(loaded.activations == tinyConverted().activations);
    QVERIFY(loaded.config == tinyConverted().config);
    const Tensor a = LnsEmulator(tinyConverted(), {}).run(tinyInputs()).begin()->second;
    const Tensor b = LnsEmulator(loaded, {}).run(tinyInputs()).begin()->second;
    QVERIFY(bitIdentical(a, b));
}

void TestLnsEmulator::badOptions_data()
{
    QTest::addColumn<QString>("format");
    QTest::addColumn<bool>("calibrate");
    QTest::addColumn<int>("path");
    QTest::addColumn<bool>("mitchell");
    QTest::addColumn<int>("stage");
    QTest::addColumn<QString>("message");
    QTest::addRow("exact with int8 weights") << "int8" << true << 1 << false << int(Stage::Lns8) << "needs an LNS weight format";
    QTest::addRow("exact on float centroids") << "lns8" << true << 1 << false << int(Stage::ClusterCompressed) << "weight codes";
    QTest::addRow("mitchell on fast") << "lns8" << true << 0 << true << int(Stage::Lns8) << "Mitchell";
    QTest::addRow("activations without calibration") << "lns8" << false << 0 << false << int(Stage::Lns8) << "no activation calibration";
    QTest::addRow("float32 weights") << "lns8" << true << 0 << false << int(Stage::Float32) << "converted stage";
}

void TestLnsEmulator::badOptions()
{
    QFETCH(QString, format);
    QFETCH(bool, calibrate);
    QFETCH(int, path);
    QFETCH(bool, mitchell);
    QFETCH(int, stage);
    QFETCH(QString, message);
    ConversionConfig cfg;
    cfg.weightFormat = format.toStdString();
    const ConvertedModel m = core::convertModel(tinyModel(), cfg, calibrate ? std::vector<TensorMap>{tinyInputs()}
                                                                            : std::vector<TensorMap>{});
    EmulatorOptions o;
    o.path = LnsPath(path);
    o.mitchell = mitchell;
    o.weights = Stage(stage);
    try {
        LnsEmulator emu(m, o);
        QFAIL("no exception");
    } catch (const core::Error& e) {
        QVERIFY2(QString::fromUtf8(e.what()).contains(message), e.what());
    }
}

void TestLnsEmulator::emptyCalibrationIsAnError()
{
    const auto& fmt = core::NumberFormatRegistry::builtin().get("lns8");
    try {
        core::calibrateActivations(tinyModel(), {}, fmt, core::ParamRule::AbsMax, 1);
        QFAIL("no exception");
    } catch (const core::FormatError& e) {
        QVERIFY2(QString::fromUtf8(e.what()).contains("no calibration inputs"), e.what());
    }
    const ConvertedModel m = core::convertModel(tinyModel(), ConversionConfig{}, {});
    QVERIFY(m.activations.params.empty());
    QVERIFY(std::any_of(m.notes.begin(), m.notes.end(),
                        [](const std::string& n) { return n.find("activation calibration skipped") != std::string::npos; }));
}

void TestLnsEmulator::sensitivityFindsTheCoarsestLayer()
{
    // One conv squeezed into a single centroid must hurt the output more than any other layer alone.
    const std::string coarse = "/enc3/enc3.0/Conv";
    ConversionConfig cfg;
    cfg.clustersPerLayer[coarse] = 1;
    const ConvertedModel m = core::convertModel(tinyModel(), cfg, {tinyInputs()});
    const auto s = core::layerSensitivity(m, {tinyInputs()}, Stage::ClusterCompressed, 2);
    QCOMPARE(s.size(), m.layers.size());
    const auto worst = std::min_element(s.begin(), s.end(), [](const auto& a, const auto& b) {
        return a.outputSqnrDb < b.outputSqnrDb;
    });
    for (const auto& l : s)
        qInfo("%s: output SQNR %.1f dB", l.node.c_str(), l.outputSqnrDb);
    QCOMPARE(worst->node, coarse);
    // A layer whose book holds every kernel (enc1: 24 kernels < K = 64) is converted exactly at CC.
    const auto enc1 = std::find_if(s.begin(), s.end(), [](const auto& l) { return l.node == "/enc1/enc1.0/Conv"; });
    QVERIFY(enc1 != s.end());
    QVERIFY2(enc1->outputSqnrDb > 100.0, qPrintable(QString::number(enc1->outputSqnrDb)));
}

QTEST_GUILESS_MAIN(TestLnsEmulator)
#include "test_lns_emulator.moc"
