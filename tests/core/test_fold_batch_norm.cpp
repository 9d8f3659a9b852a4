// Batch-norm folding (spec/numerics.md §1): folded vs unfolded outputs through the float
// executor, the kept cases and their reasons, the records, and the formula itself in double.

#include "lnscope/core/error.h"
#include "lnscope/core/executor.h"
#include "lnscope/core/fold_batch_norm.h"
#include "lnscope/core/onnx_import.h"
#include "model_builder.h"
#include "test_utils.h"

#include <QTest>
#include <algorithm>
#include <cmath>
#include <random>

using namespace lnscope;
using core::Graph;
using core::Tensor;
using test::ModelBuilder;

namespace {

constexpr double kRelTol = 1e-5;      // spec §1: max|Δ| ≤ 1e-5 × max|y| in float32
constexpr double kRelTolDouble = 1e-12; // spec §1: the same identity in float64
constexpr float kOnnxDefaultEpsilon = 1e-5f;
constexpr float kKerasEpsilon = 1e-3f;

/// Gemm's C in the layer cases.
enum GemmC { kNoC = 0, kCVector, kCRow, kCFull, kCScalar, kCColumn };

/// One "layer → BN" model. BN parameters are seeded and non-trivial (see addBatchNorm).
struct LayerSpec
{
    QString op;          // Conv, ConvTranspose, Gemm, MatMul
    int inCh = 4;
    int outCh = 6;
    int group = 1;
    int bias = 1;        // Conv/ConvTranspose: 0 or 1; Gemm: a GemmC
    int transA = 0;
    int transB = 0;
    int dims = 2;        // spatial dims of a Conv
    float epsilon = -1;  // < 0: attribute absent (ONNX default)
    bool constants = false; // BN parameters from Constant nodes
    bool tail = false;   // BN → Relu → "y" (else the BN output is the graph output)
    uint32_t seed = 1;
};

} // namespace

Q_DECLARE_METATYPE(LayerSpec)

namespace {

/// Imports without the ops' own validation: the pass must stand on its own for graphs the
/// importer would refuse (training_mode = 1, wrong parameter lengths), since graphs can also be
/// built or edited in code.
Graph importModel(const ModelBuilder& mb)
{
    core::ImportOptions options;
    options.requireSupportedOps = false;
    return core::importOnnxBytes(mb.bytes(), "bnfold.onnx", {}, options);
}

void addConstOrInit(ModelBuilder& mb, const std::string& name, const Tensor& value, bool asConstant)
{
    if (asConstant)
        ModelBuilder::attr(mb.node("Constant", {}, {name}, name + "_const"), "value", value);
    else
        mb.initializer(name, value);
}

/// BN `name` from x to y: γ = ±[0.5, 2), β, μ in [−1, 1), σ² in [0.01, 2) with two tiny σ²
/// (1e-7 and 0) to stress the γ/√ε amplification.
onnx::NodeProto& addBatchNorm(ModelBuilder& mb, const std::string& name, const std::string& x, const std::string& y,
                              int channels, uint32_t seed, float epsilon, bool asConstants = false)
{
    std::mt19937 rng(seed);
    std::vector<float> gamma, beta, mean, var;
    for (int c = 0; c < channels; ++c) {
        gamma.push_back(test::uniform(rng, 0.5f, 2.f) * ((rng() & 1) ? 1.f : -1.f));
        beta.push_back(test::uniform(rng, -1.f, 1.f));
        mean.push_back(test::uniform(rng, -1.f, 1.f));
        var.push_back(test::uniform(rng, 0.01f, 2.f));
    }
    var[0] = 1e-7f;
    if (channels > 2)
        var[static_cast<size_t>(channels) - 1] = 0.f;
    const int64_t n = channels;
    addConstOrInit(mb, name + "_gamma", Tensor::fromFloats({n}, gamma), asConstants);
    addConstOrInit(mb, name + "_beta", Tensor::fromFloats({n}, beta), asConstants);
    addConstOrInit(mb, name + "_mean", Tensor::fromFloats({n}, mean), asConstants);
    addConstOrInit(mb, name + "_var", Tensor::fromFloats({n}, var), asConstants);
    auto& node = mb.node("BatchNormalization", {x, name + "_gamma", name + "_beta", name + "_mean", name + "_var"},
                         {y}, name);
    if (epsilon >= 0)
        ModelBuilder::attr(node, "epsilon", epsilon);
    return node;
}

void addConvLayer(ModelBuilder& mb, const LayerSpec& s, bool transpose)
{
    const int64_t batch = 2;
    std::vector<int64_t> xShape = {batch, s.inCh, 5, 6};
    std::vector<int64_t> kernel = {3, 3};
    if (s.dims == 1) {
        xShape = {batch, s.inCh, 9};
        kernel = {3};
    }
    const std::vector<int64_t> ones(kernel.size(), 1);
    const std::vector<int64_t> pads(2 * kernel.size(), 1);
    core::Shape wShape = transpose ? core::Shape{s.inCh, s.outCh / s.group} : core::Shape{s.outCh, s.inCh / s.group};
    wShape.insert(wShape.end(), kernel.begin(), kernel.end());
    mb.input("x", xShape);
    mb.initializer("W", test::randomTensor(wShape, s.seed + 100));
    std::vector<std::string> inputs = {"x", "W"};
    if (s.bias) {
        mb.initializer("B", test::randomTensor({s.outCh}, s.seed + 200));
        inputs.push_back("B");
    }
    auto& node = mb.node(transpose ? "ConvTranspose" : "Conv", inputs, {"t"}, "layer");
    ModelBuilder::attr(node, "pads", pads);
    ModelBuilder::attr(node, "group", int64_t(s.group));
    ModelBuilder::attr(node, "strides", transpose ? std::vector<int64_t>(kernel.size(), 2) : ones);
}

Tensor gemmC(int kind, int64_t rows, int64_t channels, uint32_t seed)
{
    switch (kind) {
    case kCVector: return test::randomTensor({channels}, seed);
    case kCRow: return test::randomTensor({1, channels}, seed);
    case kCFull: return test::randomTensor({rows, channels}, seed);
    case kCScalar: return Tensor::scalar(0.375f);
    case kCColumn: return test::randomTensor({rows, 1}, seed);
    default: return {};
    }
}

void addGemmLayer(ModelBuilder& mb, const LayerSpec& s, bool matMul)
{
    const int64_t rows = 3;
    mb.input("x", s.transA ? std::vector<int64_t>{s.inCh, rows} : std::vector<int64_t>{rows, s.inCh});
    const core::Shape wShape = s.transB ? core::Shape{s.outCh, s.inCh} : core::Shape{s.inCh, s.outCh};
    mb.initializer("W", test::randomTensor(wShape, s.seed + 100));
    if (matMul) {
        mb.node("MatMul", {"x", "W"}, {"t"}, "layer");
        return;
    }
    std::vector<std::string> inputs = {"x", "W"};
    if (s.bias != kNoC) {
        mb.initializer("C", gemmC(s.bias, rows, s.outCh, s.seed + 200));
        inputs.push_back("C");
    }
    auto& node = mb.node("Gemm", inputs, {"t"}, "layer");
    ModelBuilder::attr(node, "alpha", 0.8f);
    ModelBuilder::attr(node, "beta", 0.7f);
    ModelBuilder::attr(node, "transA", int64_t(s.transA));
    ModelBuilder::attr(node, "transB", int64_t(s.transB));
}

/// x → layer → t → bn → bn_out [→ relu → y]
ModelBuilder layerModel(const LayerSpec& s)
{
    ModelBuilder mb;
    if (s.op == "Conv" || s.op == "ConvTranspose")
        addConvLayer(mb, s, s.op == "ConvTranspose");
    else
        addGemmLayer(mb, s, s.op == "MatMul");
    addBatchNorm(mb, "bn", "t", "bn_out", s.outCh, s.seed + 300, s.epsilon, s.constants);
    if (s.tail) {
        mb.node("Relu", {"bn_out"}, {"y"}, "relu");
        mb.output("y");
    } else {
        mb.output("bn_out");
    }
    return mb;
}

/// Seeded random values for every graph input (unknown dims as 2).
core::TensorMap randomInputs(const Graph& g, uint32_t seed)
{
    core::TensorMap inputs;
    for (const core::ValueInfo& in : g.inputs)
        inputs[in.name] = test::randomTensor(in.concreteShape(2), seed++);
    return inputs;
}

double maxAbs(const Tensor& t)
{
    double m = 0.0;
    for (int64_t i = 0; i < t.numel(); ++i)
        m = std::max(m, std::abs(t.valueAsDouble(i)));
    return m;
}

/// "" when both graphs have the same nodes, initializers (bit for bit) and inputs/outputs.
std::string graphDifference(const Graph& a, const Graph& b)
{
    if (a.nodes.size() != b.nodes.size())
        return "node count " + std::to_string(a.nodes.size()) + " vs " + std::to_string(b.nodes.size());
    for (size_t n = 0; n < a.nodes.size(); ++n) {
        const core::Node& x = a.nodes[n];
        const core::Node& y = b.nodes[n];
        if (x.name != y.name || x.opType != y.opType || x.inputs != y.inputs || x.outputs != y.outputs
            || x.attrs.size() != y.attrs.size())
            return "node " + std::to_string(n) + " differs: " + x.describe() + " vs " + y.describe();
    }
    if (a.initializers != b.initializers)
        return "initializers differ";
    auto names = [](const std::vector<core::ValueInfo>& v) {
        std::vector<std::string> out;
        for (const auto& i : v)
            out.push_back(i.name);
        return out;
    };
    if (names(a.inputs) != names(b.inputs) || names(a.outputs) != names(b.outputs))
        return "graph inputs or outputs differ";
    return {};
}

/// Every initializer is read by a node (the pass drops those it stopped reading).
std::string unreadInitializer(const Graph& g)
{
    for (const auto& [name, t] : g.initializers) {
        const bool read = !g.consumersOf(name).empty() || g.isGraphOutput(name);
        if (!read)
            return name;
    }
    return {};
}

int countOps(const Graph& g, const std::string& opType)
{
    return static_cast<int>(std::count_if(g.nodes.begin(), g.nodes.end(),
                                          [&](const core::Node& n) { return n.opType == opType; }));
}

/// Runs both graphs on the same seeded inputs and checks spec §1 on every graph output.
void compareRuns(const Graph& original, const Graph& folded, uint32_t seed = 7)
{
    const core::TensorMap inputs = randomInputs(original, seed);
    const core::TensorMap expected = core::Executor(original).run(inputs);
    const core::TensorMap actual = core::Executor(folded).run(inputs);
    QCOMPARE(actual.size(), expected.size());
    for (const auto& [name, want] : expected) {
        QVERIFY2(actual.count(name), ("folded graph lost output '" + name + "'").c_str());
        core::Tolerance tol;
        tol.maxAbs = kRelTol * maxAbs(want);
        tol.meanAbs = tol.maxAbs;
        LNSCOPE_COMPARE_TENSORS(actual.at(name), want, tol);
    }
}

const core::Node* findNode(const Graph& g, const std::string& name)
{
    for (const core::Node& n : g.nodes)
        if (n.name == name)
            return &n;
    return nullptr;
}

QString qs(const std::string& s)
{
    return QString::fromStdString(s);
}

QStringList qsl(const std::vector<std::string>& v)
{
    QStringList out;
    for (const std::string& s : v)
        out << qs(s);
    return out;
}

} // namespace

class TestFoldBatchNorm : public QObject
{
    Q_OBJECT
private slots:
    void foldsIntoLayer_data();
    void foldsIntoLayer();
    void keepsUnfoldable_data();
    void keepsUnfoldable();
    void twoBatchNormsInARow();
    void sharedWeightsGetNewNames();
    void trainingModeIsRefused();
    void inputGraphIsUnchanged();
    void formulaInDoubleConv();
    void formulaInDoubleConvTransposeGroups();
    void formulaInDoubleGemm();
};

void TestFoldBatchNorm::foldsIntoLayer_data()
{
    QTest::addColumn<LayerSpec>("spec");
    QTest::addRow("conv with bias") << LayerSpec{.op = "Conv"};
    QTest::addRow("conv without bias, Keras epsilon") << LayerSpec{.op = "Conv", .bias = 0, .epsilon = kKerasEpsilon};
    QTest::addRow("conv explicit epsilon 1e-5, relu after")
        << LayerSpec{.op = "Conv", .epsilon = 1e-5f, .tail = true, .seed = 2};
    QTest::addRow("conv1d") << LayerSpec{.op = "Conv", .dims = 1, .seed = 3};
    QTest::addRow("grouped conv") << LayerSpec{.op = "Conv", .inCh = 4, .outCh = 6, .group = 2, .seed = 4};
    QTest::addRow("depthwise conv") << LayerSpec{.op = "Conv", .inCh = 5, .outCh = 5, .group = 5, .seed = 5};
    QTest::addRow("depthwise multiplier 2, no bias")
        << LayerSpec{.op = "Conv", .inCh = 3, .outCh = 6, .group = 3, .bias = 0, .seed = 6};
    QTest::addRow("conv, params from Constant nodes") << LayerSpec{.op = "Conv", .constants = true, .seed = 7};
    QTest::addRow("conv transpose") << LayerSpec{.op = "ConvTranspose", .inCh = 3, .outCh = 5, .seed = 8};
    QTest::addRow("conv transpose without bias")
        << LayerSpec{.op = "ConvTranspose", .inCh = 3, .outCh = 4, .bias = 0, .epsilon = kKerasEpsilon, .seed = 9};
    QTest::addRow("conv transpose groups 2")
        << LayerSpec{.op = "ConvTranspose", .inCh = 4, .outCh = 6, .group = 2, .seed = 10};
    QTest::addRow("conv transpose depthwise, no bias")
        << LayerSpec{.op = "ConvTranspose", .inCh = 3, .outCh = 3, .group = 3, .bias = 0, .seed = 11};
    QTest::addRow("gemm transB 1, C [N]") << LayerSpec{.op = "Gemm", .inCh = 7, .outCh = 5, .bias = kCVector, .transB = 1};
    QTest::addRow("gemm transB 0, C [N]")
        << LayerSpec{.op = "Gemm", .inCh = 7, .outCh = 5, .bias = kCVector, .transB = 0, .seed = 12};
    QTest::addRow("gemm transB 1, no C")
        << LayerSpec{.op = "Gemm", .inCh = 6, .outCh = 4, .bias = kNoC, .transB = 1, .seed = 13};
    QTest::addRow("gemm transB 0, no C, Keras epsilon")
        << LayerSpec{.op = "Gemm", .inCh = 6, .outCh = 4, .bias = kNoC, .epsilon = kKerasEpsilon, .seed = 14};
    QTest::addRow("gemm C [1, N]") << LayerSpec{.op = "Gemm", .inCh = 5, .outCh = 4, .bias = kCRow, .transB = 1, .seed = 15};
    QTest::addRow("gemm C [rows, N]") << LayerSpec{.op = "Gemm", .inCh = 5, .outCh = 4, .bias = kCFull, .seed = 16};
    QTest::addRow("gemm C scalar") << LayerSpec{.op = "Gemm", .inCh = 5, .outCh = 4, .bias = kCScalar, .seed = 17};
    QTest::addRow("gemm C [rows, 1], transA")
        << LayerSpec{.op = "Gemm", .inCh = 5, .outCh = 4, .bias = kCColumn, .transA = 1, .transB = 1, .seed = 18};
    QTest::addRow("matmul constant weight") << LayerSpec{.op = "MatMul", .inCh = 8, .outCh = 5, .seed = 19};
    QTest::addRow("matmul, params from Constant nodes, relu after")
        << LayerSpec{.op = "MatMul", .inCh = 3, .outCh = 6, .constants = true, .tail = true, .seed = 20};
}

void TestFoldBatchNorm::foldsIntoLayer()
{
    QFETCH(LayerSpec, spec);
    const Graph original = importModel(layerModel(spec));
    const Graph before = original;
    const core::BnFoldResult result = core::foldBatchNorm(original);
    QCOMPARE(qs(graphDifference(original, before)), QString());

    QCOMPARE(result.records.size(), size_t(1));
    const core::BnFoldRecord& r = result.records[0];
    QCOMPARE(qs(r.reason), QString());
    QVERIFY(r.folded);
    QCOMPARE(result.foldedCount(), 1);
    QCOMPARE(qs(r.bnNode), QString("bn"));
    QCOMPARE(qs(r.intoNode), QString("layer"));
    QCOMPARE(r.epsilon, static_cast<double>(spec.epsilon < 0 ? kOnnxDefaultEpsilon : spec.epsilon));
    QCOMPARE(r.channels, int64_t(spec.outCh));
    QVERIFY(r.maxAbsScale > 1.0);

    const Graph& g = result.graph;
    QCOMPARE(g.nodes.size(), original.nodes.size() - 1);
    QCOMPARE(countOps(g, "BatchNormalization"), 0);
    const core::Node* layer = findNode(g, "layer");
    QVERIFY(layer);
    QCOMPARE(qs(layer->opType), spec.op == "MatMul" ? QString("Gemm") : spec.op);
    QCOMPARE(qsl(layer->outputs), QStringList{"bn_out"}); // the BN's name survives
    QCOMPARE(g.outputs.size(), size_t(1));
    QCOMPARE(qs(g.outputs[0].name), QString(spec.tail ? "y" : "bn_out"));
    QCOMPARE(qs(layer->input(1)), QString("W")); // not shared: rescaled under its own name
    QVERIFY(layer->hasInput(2));                  // every folded layer has a bias now
    QCOMPARE(qs(unreadInitializer(g)), QString());
    QVERIFY(!g.isInitializer("bn_mean") && !g.isInitializer("bn_var"));
    Graph sorted = g; // the rewired graph is well formed and already in topological order
    sorted.validateAndSort("folded");
    QCOMPARE(qs(graphDifference(sorted, g)), QString());
    if (spec.op == "Gemm" && layer->has("beta"))
        QCOMPARE(layer->attrFloat("beta", 0.f), 1.f);

    compareRuns(original, g);
}

void TestFoldBatchNorm::keepsUnfoldable_data()
{
    QTest::addColumn<QString>("model");
    QTest::addColumn<QString>("reason"); // the part of the reason that matters
    QTest::addColumn<bool>("runnable");
    QTest::addRow("conv relu bn") << "conv relu bn" << "comes from Relu 'relu', not from a Conv" << true;
    QTest::addRow("pre-activation bn relu conv") << "bn relu conv" << "'x' is a graph input" << true;
    QTest::addRow("conv feeds bn and another node") << "conv two consumers" << "also feeds Relu 'other'" << true;
    QTest::addRow("conv output is a graph output") << "conv graph output" << "'t' of Conv 'layer' is also a graph output"
                                                   << true;
    QTest::addRow("weight not constant") << "weight input" << "weight of Conv 'layer' is not a constant" << true;
    QTest::addRow("bias not constant") << "bias input" << "bias 'B' of Conv 'layer' is not a constant" << true;
    QTest::addRow("gemm C not constant") << "gemm C input" << "bias C 'C' of Gemm 'layer' is not a constant" << true;
    QTest::addRow("bn mean not constant") << "mean input" << "input_mean 'bn_mean' is not a constant" << true;
    QTest::addRow("parameter length != channels") << "length mismatch"
                                                  << "have length 3 but Conv 'layer' has 4 output channels" << false;
    QTest::addRow("matmul on a 3-d input") << "matmul 3d" << "MatMul 'layer' is not known to be 2-D" << true;
}

namespace {
/// Models whose BN must stay; every one has a BN named "bn" and the graph output "y".
ModelBuilder keptModel(const QString& model)
{
    const int64_t ch = 4;
    ModelBuilder mb;
    if (model == "gemm C input") {
        mb.input("x", {3, 5}).input("C", {ch});
        mb.initializer("W", test::randomTensor({5, ch}, 34));
        mb.node("Gemm", {"x", "W", "C"}, {"t"}, "layer");
        addBatchNorm(mb, "bn", "t", "y", ch, 33, -1);
        mb.output("y");
        return mb;
    }
    if (model == "matmul 3d") {
        // BN's axis 1 is the MatMul's rows here, not its output features: folding would be wrong.
        mb.input("x", {2, ch, 3});
        mb.initializer("W", test::randomTensor({3, ch}, 38));
        mb.node("MatMul", {"x", "W"}, {"t"}, "layer");
        addBatchNorm(mb, "bn", "t", "y", ch, 33, -1);
        mb.output("y");
        return mb;
    }

    auto conv = [&](const std::string& in, const std::string& out) {
        auto& n = mb.node("Conv", {in, "W", "B"}, {out}, "layer");
        ModelBuilder::attr(n, "pads", std::vector<int64_t>{1, 1, 1, 1});
    };
    mb.input("x", {2, ch, 5, 5});
    if (model == "weight input")
        mb.input("W", {ch, ch, 3, 3});
    else
        mb.initializer("W", test::randomTensor({ch, ch, 3, 3}, 31));
    if (model == "bias input")
        mb.input("B", {ch});
    else
        mb.initializer("B", test::randomTensor({ch}, 32));

    if (model == "conv relu bn") {
        conv("x", "t");
        mb.node("Relu", {"t"}, {"r"}, "relu");
        addBatchNorm(mb, "bn", "r", "y", ch, 33, -1);
    } else if (model == "bn relu conv") {
        addBatchNorm(mb, "bn", "x", "n", ch, 33, -1);
        mb.node("Relu", {"n"}, {"r"}, "relu");
        conv("r", "y");
    } else if (model == "conv two consumers") {
        conv("x", "t");
        addBatchNorm(mb, "bn", "t", "y", ch, 33, -1);
        mb.node("Relu", {"t"}, {"y2"}, "other");
        mb.output("y2");
    } else if (model == "conv graph output") {
        conv("x", "t");
        addBatchNorm(mb, "bn", "t", "y", ch, 33, -1);
        mb.output("t");
    } else if (model == "mean input") {
        conv("x", "t");
        mb.input("bn_mean", {ch});
        mb.initializer("bn_gamma", test::randomTensor({ch}, 35, 0.5f, 2.f));
        mb.initializer("bn_beta", test::randomTensor({ch}, 36));
        mb.initializer("bn_var", test::randomTensor({ch}, 37, 0.01f, 2.f));
        mb.node("BatchNormalization", {"t", "bn_gamma", "bn_beta", "bn_mean", "bn_var"}, {"y"}, "bn");
    } else if (model == "length mismatch") {
        conv("x", "t");
        addBatchNorm(mb, "bn", "t", "y", 3, 33, -1);
    } else { // weight input, bias input
        conv("x", "t");
        addBatchNorm(mb, "bn", "t", "y", ch, 33, kKerasEpsilon);
    }
    mb.output("y");
    return mb;
}
} // namespace

void TestFoldBatchNorm::keepsUnfoldable()
{
    QFETCH(QString, model);
    QFETCH(QString, reason);
    QFETCH(bool, runnable);
    const Graph original = importModel(keptModel(model));
    const core::BnFoldResult result = core::foldBatchNorm(original);

    QCOMPARE(result.records.size(), size_t(1));
    const core::BnFoldRecord& r = result.records[0];
    QCOMPARE(qs(r.bnNode), QString("bn"));
    QVERIFY(!r.folded);
    QCOMPARE(result.foldedCount(), 0);
    QCOMPARE(qs(r.intoNode), QString());
    QVERIFY2(QString::fromStdString(r.reason).contains(reason), r.reason.c_str());

    const std::vector<core::BnFoldRecord> analysis = core::analyzeBatchNorm(original);
    QCOMPARE(analysis.size(), size_t(1));
    QCOMPARE(analysis[0].reason, r.reason);

    // Nothing folded: the graph comes back as it was.
    QCOMPARE(qs(graphDifference(result.graph, original)), QString());
    if (runnable)
        compareRuns(original, result.graph);
}

void TestFoldBatchNorm::twoBatchNormsInARow()
{
    ModelBuilder mb;
    mb.input("x", {2, 3, 6, 6});
    mb.initializer("W", test::randomTensor({5, 3, 3, 3}, 41));
    auto& conv = mb.node("Conv", {"x", "W"}, {"t"}, "conv");
    ModelBuilder::attr(conv, "pads", std::vector<int64_t>{1, 1, 1, 1});
    addBatchNorm(mb, "bn1", "t", "n1", 5, 42, kKerasEpsilon);
    addBatchNorm(mb, "bn2", "n1", "y", 5, 43, -1);
    mb.output("y");
    const Graph original = importModel(mb);
    const core::BnFoldResult result = core::foldBatchNorm(original);

    QCOMPARE(result.records.size(), size_t(2));
    QCOMPARE(result.foldedCount(), 1);
    QCOMPARE(qs(result.records[0].bnNode), QString("bn1"));
    QVERIFY(result.records[0].folded);
    QCOMPARE(qs(result.records[0].intoNode), QString("conv"));
    QCOMPARE(result.records[0].epsilon, static_cast<double>(kKerasEpsilon));
    QCOMPARE(qs(result.records[1].bnNode), QString("bn2"));
    QVERIFY(!result.records[1].folded);
    QVERIFY2(QString::fromStdString(result.records[1].reason).contains("comes from BatchNormalization 'bn1'"),
             result.records[1].reason.c_str());
    QCOMPARE(result.records[1].epsilon, static_cast<double>(kOnnxDefaultEpsilon));

    const Graph& g = result.graph;
    QCOMPARE(g.nodes.size(), size_t(2));
    QCOMPARE(qsl(g.nodes[0].outputs), QStringList{"n1"});
    QCOMPARE(qs(g.nodes[1].name), QString("bn2"));
    QCOMPARE(qs(g.nodes[1].input(0)), QString("n1"));
    QVERIFY(g.isInitializer("bn2_mean"));
    QVERIFY(!g.isInitializer("bn1_mean"));
    QCOMPARE(qs(unreadInitializer(g)), QString());
    compareRuns(original, g);
}

void TestFoldBatchNorm::sharedWeightsGetNewNames()
{
    // conv1 and conv2 share W and B and each feeds its own BN; conv3 reads W too and has no BN.
    ModelBuilder mb;
    mb.input("x", {1, 3, 5, 5});
    mb.initializer("W", test::randomTensor({4, 3, 3, 3}, 51));
    mb.initializer("B", test::randomTensor({4}, 52));
    for (const char* name : {"conv1", "conv2", "conv3"})
        ModelBuilder::attr(mb.node("Conv", {"x", "W", "B"}, {std::string(name) + "_out"}, name), "pads",
                           std::vector<int64_t>{1, 1, 1, 1});
    addBatchNorm(mb, "bn1", "conv1_out", "y1", 4, 53, -1);
    addBatchNorm(mb, "bn2", "conv2_out", "y2", 4, 54, kKerasEpsilon);
    mb.output("y1").output("y2").output("conv3_out");
    const Graph original = importModel(mb);
    const core::BnFoldResult result = core::foldBatchNorm(original);
    QCOMPARE(result.foldedCount(), 2);

    const Graph& g = result.graph;
    const core::Node* conv1 = findNode(g, "conv1");
    const core::Node* conv2 = findNode(g, "conv2");
    const core::Node* conv3 = findNode(g, "conv3");
    QVERIFY(conv1 && conv2 && conv3);
    QCOMPARE(qsl(conv3->inputs), (QStringList{"x", "W", "B"}));
    QVERIFY(*g.initializer("W") == *original.initializer("W")); // the shared original is intact
    QVERIFY(conv1->input(1) != "W" && conv2->input(1) != "W" && conv1->input(1) != conv2->input(1));
    QVERIFY(conv1->input(2) != "B" && conv2->input(2) != "B" && conv1->input(2) != conv2->input(2));
    QVERIFY(g.isInitializer("B")); // still read by conv3
    QCOMPARE(qs(unreadInitializer(g)), QString());
    compareRuns(original, g);
}

void TestFoldBatchNorm::trainingModeIsRefused()
{
    ModelBuilder mb(15);
    mb.input("x", {2, 3, 4, 4});
    mb.initializer("W", test::randomTensor({3, 3, 1, 1}, 61));
    mb.node("Conv", {"x", "W"}, {"t"}, "conv");
    ModelBuilder::attr(addBatchNorm(mb, "bn_train", "t", "y", 3, 62, -1), "training_mode", int64_t(1));
    mb.output("y");
    const Graph g = importModel(mb);
    for (int analysisOnly = 0; analysisOnly < 2; ++analysisOnly) {
        try {
            if (analysisOnly)
                core::analyzeBatchNorm(g);
            else
                core::foldBatchNorm(g);
            QFAIL("training_mode = 1 was accepted");
        } catch (const core::UnsupportedError& e) {
            const QString message = QString::fromUtf8(e.what());
            QVERIFY2(message.contains("'bn_train'") && message.contains("training_mode"), e.what());
        }
    }
}

void TestFoldBatchNorm::inputGraphIsUnchanged()
{
    // A mix: one BN folds (with a shared weight), one is kept.
    ModelBuilder mb;
    mb.input("x", {1, 2, 4, 4});
    mb.initializer("W", test::randomTensor({2, 2, 1, 1}, 71));
    mb.node("Conv", {"x", "W"}, {"a"}, "conv_a");
    mb.node("Conv", {"x", "W"}, {"b"}, "conv_b");
    addBatchNorm(mb, "bn_a", "a", "ya", 2, 72, -1, true);
    mb.node("Relu", {"b"}, {"rb"}, "relu");
    addBatchNorm(mb, "bn_b", "rb", "yb", 2, 73, -1);
    mb.output("ya").output("yb");
    const Graph original = importModel(mb);
    const Graph before = original;
    const core::BnFoldResult result = core::foldBatchNorm(original);
    QCOMPARE(result.foldedCount(), 1);
    QCOMPARE(qs(graphDifference(original, before)), QString());
    QCOMPARE(original.nodes.size(), size_t(5));
    QCOMPARE(original.initializers.size(), before.initializers.size());
    QCOMPARE(result.graph.nodes.size(), size_t(4));
    QVERIFY(graphDifference(result.graph, original) != std::string());
}

void TestFoldBatchNorm::formulaInDoubleConv()
{
    // 1×1 conv, 2 → 3 channels, with bias; the expected folded values come from the formula in
    // double, rounded once to float.
    const std::vector<float> w = {0.5f, -1.25f, 2.f, 0.75f, -0.3f, 1.1f};
    const std::vector<float> b = {0.1f, -0.2f, 0.3f};
    const std::vector<float> gamma = {1.5f, -0.8f, 2.f}, beta = {0.25f, -0.5f, 1.f};
    const std::vector<float> mean = {0.4f, -0.1f, 0.05f}, var = {0.9f, 1e-6f, 0.f};
    ModelBuilder mb;
    mb.input("x", {1, 2, 1, 1});
    mb.initializer("W", Tensor::fromFloats({3, 2, 1, 1}, w)).initializer("B", Tensor::fromFloats({3}, b));
    mb.initializer("g", Tensor::fromFloats({3}, gamma)).initializer("be", Tensor::fromFloats({3}, beta));
    mb.initializer("m", Tensor::fromFloats({3}, mean)).initializer("v", Tensor::fromFloats({3}, var));
    mb.node("Conv", {"x", "W", "B"}, {"t"}, "conv");
    ModelBuilder::attr(mb.node("BatchNormalization", {"t", "g", "be", "m", "v"}, {"y"}, "bn"), "epsilon",
                       kKerasEpsilon);
    mb.output("y");
    const core::BnFoldResult result = core::foldBatchNorm(importModel(mb));
    QVERIFY(result.records.at(0).folded);
    const double eps = kKerasEpsilon;
    QCOMPARE(result.records[0].epsilon, eps);

    const core::Node& conv = result.graph.nodes.at(0);
    const Tensor& wf = *result.graph.initializer(conv.input(1));
    const Tensor& bf = *result.graph.initializer(conv.input(2));
    const std::vector<double> x = {0.7, -1.3}; // a hand input for the double identity
    double maxScale = 0.0;
    for (size_t o = 0; o < 3; ++o) {
        const double s = double(gamma[o]) / std::sqrt(double(var[o]) + eps);
        maxScale = std::max(maxScale, std::abs(s));
        const double bExpected = s * (double(b[o]) - double(mean[o])) + double(beta[o]);
        QVERIFY2(bf.f()[o] == static_cast<float>(bExpected), qPrintable(QString("b'[%1]").arg(o)));
        double conv = double(b[o]), convFolded = bExpected;
        for (size_t i = 0; i < 2; ++i) {
            const double wExpected = s * double(w[o * 2 + i]);
            QVERIFY2(wf.f()[o * 2 + i] == static_cast<float>(wExpected), qPrintable(QString("W'[%1][%2]").arg(o).arg(i)));
            conv += double(w[o * 2 + i]) * x[i];
            convFolded += wExpected * x[i];
        }
        // BN(conv(x)) and conv'(x) agree in float64 (spec §1: ≤ 1e-12 relative).
        const double bn = s * (conv - double(mean[o])) + double(beta[o]);
        QVERIFY(std::abs(bn - convFolded) <= kRelTolDouble * std::max(1.0, std::abs(bn)));
    }
    QCOMPARE(result.records[0].maxAbsScale, maxScale);
}

void TestFoldBatchNorm::formulaInDoubleConvTransposeGroups()
{
    // W[I=4][O/g=3][1][1], group 2 → 6 output channels; output channel g·3 + j lives at
    // W[g·2 + i][j], so W'[c][j] = s_{(c/2)·3 + j} · W[c][j]. No bias: b'_o = β_o − s_o·μ_o.
    const int64_t in = 4, outPerGroup = 3, group = 2, out = 6;
    const Tensor w = test::randomTensor({in, outPerGroup, 1, 1}, 81);
    const Tensor gamma = test::randomTensor({out}, 82, 0.5f, 2.f), beta = test::randomTensor({out}, 83);
    const Tensor mean = test::randomTensor({out}, 84), var = test::randomTensor({out}, 85, 0.01f, 2.f);
    ModelBuilder mb;
    mb.input("x", {1, in, 2, 2});
    mb.initializer("W", w).initializer("g", gamma).initializer("be", beta).initializer("m", mean).initializer("v", var);
    ModelBuilder::attr(mb.node("ConvTranspose", {"x", "W"}, {"t"}, "deconv"), "group", group);
    mb.node("BatchNormalization", {"t", "g", "be", "m", "v"}, {"y"}, "bn"); // ε absent: 1e-5
    mb.output("y");
    const core::BnFoldResult result = core::foldBatchNorm(importModel(mb));
    QVERIFY(result.records.at(0).folded);
    const double eps = kOnnxDefaultEpsilon;
    QCOMPARE(result.records[0].epsilon, eps);
    auto scale = [&](int64_t o) { return double(gamma.f()[o]) / std::sqrt(double(var.f()[o]) + eps); };

    const core::Node& deconv = result.graph.nodes.at(0);
    const Tensor& wf = *result.graph.initializer(deconv.input(1));
    const Tensor& bf = *result.graph.initializer(deconv.input(2));
    QCOMPARE(qs(core::shapeToString(wf.shape())), qs(core::shapeToString(w.shape())));
    for (int64_t c = 0; c < in; ++c)
        for (int64_t j = 0; j < outPerGroup; ++j) {
            const int64_t o = (c / (in / group)) * outPerGroup + j;
            const int64_t k = c * outPerGroup + j;
            QVERIFY2(wf.f()[k] == static_cast<float>(scale(o) * double(w.f()[k])),
                     qPrintable(QString("W'[%1][%2]").arg(c).arg(j)));
        }
    QCOMPARE(qs(core::shapeToString(bf.shape())), QString("[6]"));
    for (int64_t o = 0; o < out; ++o)
        QVERIFY(bf.f()[o] == static_cast<float>(scale(o) * (0.0 - double(mean.f()[o])) + double(beta.f()[o])));
}

void TestFoldBatchNorm::formulaInDoubleGemm()
{
    // Gemm transB = 0, alpha 0.5, beta 0.7, C [N]: W'[i][o] = s_o·W[i][o] (alpha kept),
    // C' = s_o·(beta·C_o − μ_o) + β_o and beta becomes 1.
    const int64_t in = 3, out = 4;
    const Tensor w = test::randomTensor({in, out}, 91), c = test::randomTensor({out}, 92);
    const Tensor gamma = test::randomTensor({out}, 93, -2.f, 2.f), beta = test::randomTensor({out}, 94);
    const Tensor mean = test::randomTensor({out}, 95), var = test::randomTensor({out}, 96, 0.01f, 2.f);
    ModelBuilder mb;
    mb.input("x", {2, in});
    mb.initializer("W", w).initializer("C", c).initializer("g", gamma).initializer("be", beta);
    mb.initializer("m", mean).initializer("v", var);
    auto& gemm = mb.node("Gemm", {"x", "W", "C"}, {"t"}, "fc");
    ModelBuilder::attr(gemm, "alpha", 0.5f);
    ModelBuilder::attr(gemm, "beta", 0.7f);
    ModelBuilder::attr(mb.node("BatchNormalization", {"t", "g", "be", "m", "v"}, {"y"}, "bn"), "epsilon", 1e-4f);
    mb.output("y");
    const core::BnFoldResult result = core::foldBatchNorm(importModel(mb));
    QVERIFY(result.records.at(0).folded);
    QCOMPARE(qs(result.records[0].intoNode), QString("fc"));
    const double eps = 1e-4f;
    auto scale = [&](int64_t o) { return double(gamma.f()[o]) / std::sqrt(double(var.f()[o]) + eps); };

    const core::Node& fc = result.graph.nodes.at(0);
    QCOMPARE(fc.attrFloat("alpha", 0.f), 0.5f);
    QCOMPARE(fc.attrFloat("beta", 0.f), 1.f);
    const Tensor& wf = *result.graph.initializer(fc.input(1));
    const Tensor& cf = *result.graph.initializer(fc.input(2));
    for (int64_t i = 0; i < in; ++i)
        for (int64_t o = 0; o < out; ++o)
            QVERIFY(wf.f()[i * out + o] == static_cast<float>(scale(o) * double(w.f()[i * out + o])));
    for (int64_t o = 0; o < out; ++o) {
        const double expected = scale(o) * (double(0.7f) * double(c.f()[o]) - double(mean.f()[o])) + double(beta.f()[o]);
        QVERIFY(cf.f()[o] == static_cast<float>(expected));
    }
}

QTEST_GUILESS_MAIN(TestFoldBatchNorm)
#include "test_fold_batch_norm.moc"
