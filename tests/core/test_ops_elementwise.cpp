// Differential tests of the activation, element-wise and normalisation kernels (STYLE.md 8):
// every op is compared with an obviously-correct reference written here in double precision
// (plain loops, a naive N-d broadcasting index computation) on seeded random inputs.
// Kernels are called through the op registry with a hand-made Node, after the op's validate();
// one model goes through the importer and the Executor.

#include "lnscope/core/error.h"
#include "lnscope/core/executor.h"
#include "lnscope/core/op_registry.h"
#include "model_builder.h"
#include "test_utils.h"

#include <QTest>
#include <cmath>
#include <functional>
#include <limits>
#include <optional>
#include <stdexcept>

using namespace lnscope::core;
using lnscope::test::randomTensor;
using lnscope::test::uniform;
using lnscope::test::uniformInt;

namespace {

// ---- helpers ---------------------------------------------------------------------------------

/// "2x3x4" → {2, 3, 4}; "" → a rank-0 scalar shape.
Shape parseShape(const QString& text)
{
    Shape shape;
    if (text.isEmpty())
        return shape;
    for (const QString& part : text.split('x'))
        shape.push_back(part.toLongLong());
    return shape;
}

/// "0,-1" → {0, -1}; "" → {}.
std::vector<int64_t> parseInts(const QString& text)
{
    std::vector<int64_t> v;
    if (text.isEmpty())
        return v;
    for (const QString& part : text.split(','))
        v.push_back(part.toLongLong());
    return v;
}

using lnscope::test::makeNode;

void setInt(Node& node, const std::string& name, int64_t v)
{
    Attribute a;
    a.kind = Attribute::Kind::Int;
    a.i = v;
    node.attrs[name] = a;
}

void setFloat(Node& node, const std::string& name, float v)
{
    Attribute a;
    a.kind = Attribute::Kind::Float;
    a.f = v;
    node.attrs[name] = a;
}

void setInts(Node& node, const std::string& name, std::vector<int64_t> v)
{
    Attribute a;
    a.kind = Attribute::Kind::Ints;
    a.ints = std::move(v);
    node.attrs[name] = a;
}

/// Validates the node as the importer does, then runs the registered kernel.
Tensor runNode(const Node& node, const std::vector<const Tensor*>& inputs, int64_t opset = 13, int threads = 2)
{
    const OpDef* def = OpRegistry::builtin().find(node.opType);
    if (!def)
        throw std::logic_error(node.opType + " is not registered");
    if (def->validate)
        def->validate(node, opset);
    OpContext ctx;
    ctx.threads = threads;
    ctx.opset = opset;
    std::vector<Tensor> outs = def->run(node, OpInputs(inputs.data(), inputs.size()), ctx);
    if (outs.empty())
        throw std::logic_error(node.opType + " produced no output");
    return std::move(outs[0]);
}

/// Runs with 1 and 2 threads; the results must be identical (deterministic splitting).
Tensor runBothThreadCounts(const Node& node, const std::vector<const Tensor*>& inputs, int64_t opset = 13)
{
    Tensor one = runNode(node, inputs, opset, 1);
    Tensor two = runNode(node, inputs, opset, 2);
    if (!(one == two))
        throw std::logic_error(node.opType + ": 1-thread and 2-thread results differ");
    return two;
}

/// Float tensor of the shape with values from fn(i) (reference results are built in double).
Tensor floatsFrom(const Shape& shape, const std::function<double(int64_t)>& fn)
{
    Tensor t(DType::Float32, shape);
    auto v = t.floats();
    for (int64_t i = 0; i < t.numel(); ++i)
        v[i] = static_cast<float>(fn(i));
    return t;
}

Tensor intsFrom(const Shape& shape, const std::function<int64_t(int64_t)>& fn)
{
    Tensor t(DType::Int64, shape);
    auto v = t.ints();
    for (int64_t i = 0; i < t.numel(); ++i)
        v[i] = fn(i);
    return t;
}

Tensor randomInts(const Shape& shape, uint32_t seed, int64_t lo, int64_t hi)
{
    std::mt19937 rng(seed);
    return intsFrom(shape, [&](int64_t) { return uniformInt(rng, lo, hi); });
}

/// Floats with |v| in [0.5, 2) and a random sign: safe divisors.
Tensor randomAwayFromZero(const Shape& shape, uint32_t seed)
{
    std::mt19937 rng(seed);
    return floatsFrom(shape, [&](int64_t) {
        const double v = uniform(rng, 0.5f, 2.f);
        return (rng() & 1) ? v : -v;
    });
}

// ---- naive references ------------------------------------------------------------------------

/// Numpy broadcast of two shapes, or nullopt when they do not broadcast.
std::optional<Shape> refBroadcastShape(const Shape& a, const Shape& b)
{
    const size_t rank = std::max(a.size(), b.size());
    Shape out(rank);
    for (size_t i = 0; i < rank; ++i) {
        // Dims aligned from the right; missing leading dims count as 1.
        const int64_t da = i + a.size() >= rank ? a[i + a.size() - rank] : 1;
        const int64_t db = i + b.size() >= rank ? b[i + b.size() - rank] : 1;
        if (da == db || db == 1)
            out[i] = da;
        else if (da == 1)
            out[i] = db;
        else
            return std::nullopt;
    }
    return out;
}

/// Flat index into `in` of the element that broadcasts to flat index `outFlat` of `out`.
int64_t refBroadcastIndex(int64_t outFlat, const Shape& out, const Shape& in)
{
    std::vector<int64_t> index(out.size());
    for (size_t k = out.size(); k-- > 0;) {
        index[k] = outFlat % out[k];
        outFlat /= out[k];
    }
    int64_t flat = 0;
    const size_t offset = out.size() - in.size();
    for (size_t k = 0; k < in.size(); ++k)
        flat = flat * in[k] + (in[k] == 1 ? 0 : index[offset + k]);
    return flat;
}

double refArithmetic(const QString& op, double a, double b)
{
    if (op == "Add")
        return a + b;
    if (op == "Sub")
        return a - b;
    if (op == "Mul")
        return a * b;
    if (op == "Div")
        return a / b;
    return std::pow(a, b);
}

/// out[i] = fn(a[ia], b[ib]) over the broadcast shape, with the output dtype of `outType`.
Tensor refBinary(const Tensor& a, const Tensor& b, DType outType, const std::function<double(double, double)>& fn)
{
    const Shape out = refBroadcastShape(a.shape(), b.shape()).value();
    const auto value = [&](int64_t i) {
        return fn(a.valueAsDouble(refBroadcastIndex(i, out, a.shape())),
                  b.valueAsDouble(refBroadcastIndex(i, out, b.shape())));
    };
    if (outType == DType::Float32)
        return floatsFrom(out, value);
    return intsFrom(out, [&](int64_t i) { return static_cast<int64_t>(value(i)); });
}

/// Splits a shape around the axis range [first, last): sizes before, inside, after.
struct Split
{
    int64_t outer = 1, len = 1, inner = 1;
};
Split refSplit(const Shape& s, int first, int last)
{
    Split r;
    for (int d = 0; d < static_cast<int>(s.size()); ++d) {
        if (d < first)
            r.outer *= s[d];
        else if (d < last)
            r.len *= s[d];
        else
            r.inner *= s[d];
    }
    return r;
}

Tensor refSoftmax(const Tensor& x, int first, int last)
{
    const Split s = refSplit(x.shape(), first, last);
    std::vector<double> y(static_cast<size_t>(x.numel()));
    for (int64_t o = 0; o < s.outer; ++o)
        for (int64_t i = 0; i < s.inner; ++i) {
            auto at = [&](int64_t l) { return (o * s.len + l) * s.inner + i; };
            double m = -std::numeric_limits<double>::infinity();
            for (int64_t l = 0; l < s.len; ++l)
                m = std::max(m, x.valueAsDouble(at(l)));
            double sum = 0;
            for (int64_t l = 0; l < s.len; ++l)
                sum += std::exp(x.valueAsDouble(at(l)) - m);
            for (int64_t l = 0; l < s.len; ++l)
                y[at(l)] = std::exp(x.valueAsDouble(at(l)) - m) / sum;
        }
    return floatsFrom(x.shape(), [&](int64_t i) { return y[i]; });
}

const Tolerance kFloatTol{1e-5, 1e-4, 1e-5};
const Tolerance kExact{0.0, 0.0, 0.0};

} // namespace

class TestOpsElementwise : public QObject
{
    Q_OBJECT
private slots:
    // ---- element-wise binary ops ----
    void binaryFloat_data();
    void binaryFloat();
    void binaryInt64_data();
    void binaryInt64();
    void powMixedTypes_data();
    void powMixedTypes();
    void powSquare();
    void broadcastIncompatible_data();
    void broadcastIncompatible();
    void mixedTypesRefused();

    // ---- activations ----
    void activation_data();
    void activation();
    void reluInt64();
    void prelu_data();
    void prelu();
    void preluBadSlope_data();
    void preluBadSlope();
    void clip_data();
    void clip();

    // ---- normalisation family ----
    void batchNorm_data();
    void batchNorm();
    void batchNormRefused_data();
    void batchNormRefused();
    void batchNormTrainingRefusedAtImport();
    void softmax_data();
    void softmax();
    void reduceMean_data();
    void reduceMean();
    void reduceMeanDuplicateAxes();
    void argMax_data();
    void argMax();

    // ---- through the importer and executor ----
    void modelThroughExecutor();
};

// ---- element-wise binary ops -----------------------------------------------------------------

namespace {
// Every broadcast pattern: same shape, scalar either side, row, column, channel, both sides,
// rank mismatch, empty, and large ones that take the parallel path.
const std::vector<std::pair<const char*, const char*>> kBroadcastPairs = {
    {"2x3x4", "2x3x4"},
    {"2x3x4", ""},
    {"", "2x3x4"},
    {"", ""},
    {"2x3x4", "1"},
    {"3x4", "4"},
    {"4", "3x4"},
    {"3x4", "3x1"},
    {"3x1", "3x4"},
    {"2x3x5x7", "3x1x1"},
    {"2x3x5x7", "1x3x1x1"},
    {"1x3x1x1", "2x3x5x7"},
    {"3x1", "1x4"},
    {"2x1x4", "3x1"},
    {"5", "2x3x4x5"},
    {"2x3x1x5", "3x4x1"},
    {"1x1", "1"},
    {"0x3", "3"},
    {"2x3x5x7", "2x1x5x1"},
    {"4x16x32x32", "4x16x32x32"},
    {"2x32x40x40", "32x1x1"},
    {"2x32x40x40", ""},
    {"2x1x40x40", "2x32x1x1"},
    {"64x1", "1x1024"},
    {"1x3x40x40", "40"},
};
} // namespace

void TestOpsElementwise::binaryFloat_data()
{
    QTest::addColumn<QString>("op");
    QTest::addColumn<QString>("shapeA");
    QTest::addColumn<QString>("shapeB");
    for (const char* op : {"Add", "Sub", "Mul", "Div", "Pow"})
        for (const auto& [a, b] : kBroadcastPairs)
            QTest::addRow("%s [%s] by [%s]", op, a, b) << op << a << b;
}

void TestOpsElementwise::binaryFloat()
{
    QFETCH(QString, op);
    QFETCH(QString, shapeA);
    QFETCH(QString, shapeB);
    Tensor a = randomTensor(parseShape(shapeA), 11, -2.f, 2.f);
    Tensor b = randomTensor(parseShape(shapeB), 12, -2.f, 2.f);
    if (op == "Div")
        b = randomAwayFromZero(b.shape(), 13);
    if (op == "Pow")
        a = randomTensor(a.shape(), 14, 0.1f, 2.f); // positive bases: real results
    const Node node = makeNode(op.toStdString(), 2);
    const Tensor actual = runBothThreadCounts(node, {&a, &b});
    const Tensor expected =
        refBinary(a, b, DType::Float32, [&](double x, double y) { return refArithmetic(op, x, y); });
    QCOMPARE(actual.dtype(), DType::Float32);
    LNSCOPE_COMPARE_TENSORS(actual, expected, kFloatTol);
}

void TestOpsElementwise::binaryInt64_data()
{
    QTest::addColumn<QString>("op");
    QTest::addColumn<QString>("shapeA");
    QTest::addColumn<QString>("shapeB");
    for (const char* op : {"Add", "Sub", "Mul", "Div"})
        for (const auto& [a, b] : kBroadcastPairs)
            if (shapeNumel(parseShape(a)) < 10000) // the float cases cover the parallel paths
                QTest::addRow("%s [%s] by [%s]", op, a, b) << op << a << b;
}

void TestOpsElementwise::binaryInt64()
{
    QFETCH(QString, op);
    QFETCH(QString, shapeA);
    QFETCH(QString, shapeB);
    const Tensor a = randomInts(parseShape(shapeA), 21, -50, 50);
    Tensor b = randomInts(parseShape(shapeB), 22, -9, 9);
    if (op == "Div") // non-zero divisors; C truncation: −7 / 2 = −3
        b = intsFrom(b.shape(), [&](int64_t i) { return b.ints()[i] == 0 ? int64_t{7} : b.ints()[i]; });
    const Node node = makeNode(op.toStdString(), 2);
    const Tensor actual = runBothThreadCounts(node, {&a, &b});
    const Tensor expected = refBinary(a, b, DType::Int64, [&](double x, double y) {
        return op == "Div" ? std::trunc(x / y) : refArithmetic(op, x, y);
    });
    QCOMPARE(actual.dtype(), DType::Int64);
    LNSCOPE_COMPARE_TENSORS(actual, expected, kExact);
}

void TestOpsElementwise::powMixedTypes_data()
{
    QTest::addColumn<QString>("types");
    QTest::addColumn<QString>("shapeA");
    QTest::addColumn<QString>("shapeB");
    for (const char* types : {"float^int64", "int64^int64", "int64^float"})
        for (const auto& [a, b] : {std::pair{"2x3x4", "2x3x4"}, {"2x3x4", ""}, {"3x4", "4"}, {"2x3x5x7", "3x1x1"}})
            QTest::addRow("%s [%s] by [%s]", types, a, b) << types << a << b;
}

void TestOpsElementwise::powMixedTypes()
{
    QFETCH(QString, types);
    QFETCH(QString, shapeA);
    QFETCH(QString, shapeB);
    const Shape sa = parseShape(shapeA), sb = parseShape(shapeB);
    Tensor x, y;
    DType outType = DType::Float32;
    if (types == "float^int64") {
        x = randomAwayFromZero(sa, 31);
        y = randomInts(sb, 32, -3, 3);
    } else if (types == "int64^int64") {
        x = randomInts(sa, 33, -5, 5);
        y = randomInts(sb, 34, 0, 5);
        outType = DType::Int64;
    } else {
        x = randomInts(sa, 35, 1, 5);
        y = randomTensor(sb, 36, 0.f, 2.f);
        outType = DType::Int64;
    }
    const Tensor actual = runBothThreadCounts(makeNode("Pow", 2), {&x, &y});
    // The output has the base's type; an int64 result is the real power truncated.
    const Tensor expected = refBinary(x, y, outType, [](double a, double b) { return std::pow(a, b); });
    QCOMPARE(actual.dtype(), outType);
    LNSCOPE_COMPARE_TENSORS(actual, expected, outType == DType::Int64 ? kExact : kFloatTol);
}

void TestOpsElementwise::powSquare()
{
    // A scalar exponent of 2 takes a multiply path; the result must equal the general pow.
    const Tensor x = randomTensor({2, 3, 40, 40}, 41, -3.f, 3.f);
    for (const Tensor& two : {Tensor::scalar(2.f), Tensor::fromFloats({1, 1, 1, 1, 1}, {2.f}), Tensor::scalarInt(2)}) {
        const Tensor actual = runBothThreadCounts(makeNode("Pow", 2), {&x, &two});
        const Tensor expected = refBinary(x, two, DType::Float32, [](double a, double b) { return std::pow(a, b); });
        LNSCOPE_COMPARE_TENSORS(actual, expected, kFloatTol);
    }
}

void TestOpsElementwise::broadcastIncompatible_data()
{
    QTest::addColumn<QString>("op");
    QTest::addColumn<QString>("shapeA");
    QTest::addColumn<QString>("shapeB");
    for (const char* op : {"Add", "Sub", "Mul", "Div", "Pow"}) {
        QTest::addRow("%s [3x4] by [5]", op) << op << "3x4"
                                             << "5";
        QTest::addRow("%s [2x3] by [3x2]", op) << op << "2x3"
                                               << "3x2";
        QTest::addRow("%s [2x3x4] by [2x1x5]", op) << op << "2x3x4"
                                                   << "2x1x5";
    }
}

void TestOpsElementwise::broadcastIncompatible()
{
    QFETCH(QString, op);
    QFETCH(QString, shapeA);
    QFETCH(QString, shapeB);
    const Tensor a = randomTensor(parseShape(shapeA), 1);
    const Tensor b = randomTensor(parseShape(shapeB), 2);
    QVERIFY(!refBroadcastShape(a.shape(), b.shape()));
    try {
        runNode(makeNode(op.toStdString(), 2), {&a, &b});
        QFAIL("no ShapeError");
    } catch (const ShapeError& e) {
        QVERIFY2(std::string(e.what()).find("do not broadcast") != std::string::npos, e.what());
    }
}

void TestOpsElementwise::mixedTypesRefused()
{
    const Tensor a = randomTensor({3}, 1);
    const Tensor b = Tensor::fromInts({3}, {1, 2, 3});
    QVERIFY_THROWS_EXCEPTION(FormatError, runNode(makeNode("Add", 2), {&a, &b}));
}

// ---- activations -----------------------------------------------------------------------------

namespace {
double refActivation(const QString& op, double x, double alpha, double beta)
{
    if (op == "Relu")
        return std::max(0.0, x);
    if (op == "LeakyRelu")
        return x >= 0 ? x : alpha * x;
    if (op == "Sigmoid")
        return 1.0 / (1.0 + std::exp(-x));
    if (op == "HardSigmoid")
        return std::clamp(alpha * x + beta, 0.0, 1.0);
    if (op == "HardSwish")
        return x * std::clamp(x / 6.0 + 0.5, 0.0, 1.0);
    return std::tanh(x);
}
} // namespace

void TestOpsElementwise::activation_data()
{
    QTest::addColumn<QString>("op");
    QTest::addColumn<QString>("shape");
    QTest::addColumn<bool>("setAttrs");
    QTest::addColumn<double>("alpha");
    QTest::addColumn<double>("beta");
    for (const char* op : {"Relu", "LeakyRelu", "Sigmoid", "HardSigmoid", "HardSwish", "Tanh"}) {
        for (const char* shape : {"", "7", "2x3x4", "0x4", "1x16x64x64"}) {
            // Unset attributes must take the spec defaults (LeakyRelu 0.01, HardSigmoid 0.2/0.5).
            const bool isLeaky = QString(op) == "LeakyRelu";
            QTest::addRow("%s [%s] defaults", op, shape) << op << shape << false << (isLeaky ? 0.01 : 0.2) << 0.5;
        }
        if (QString(op) == "LeakyRelu" || QString(op) == "HardSigmoid")
            QTest::addRow("%s [2x3x4] alpha 0.3 beta 0.25", op) << op << "2x3x4" << true << 0.3 << 0.25;
    }
}

void TestOpsElementwise::activation()
{
    QFETCH(QString, op);
    QFETCH(QString, shape);
    QFETCH(bool, setAttrs);
    QFETCH(double, alpha);
    QFETCH(double, beta);
    Node node = makeNode(op.toStdString(), 1);
    if (setAttrs) {
        setFloat(node, "alpha", static_cast<float>(alpha));
        if (op == "HardSigmoid")
            setFloat(node, "beta", static_cast<float>(beta));
    }
    // [-8, 8) reaches every saturated region (Sigmoid, Tanh, HardSigmoid, HardSwish).
    const Tensor x = randomTensor(parseShape(shape), 51, -8.f, 8.f);
    const Tensor actual = runBothThreadCounts(node, {&x}, 14);
    const Tensor expected =
        floatsFrom(x.shape(), [&](int64_t i) { return refActivation(op, x.floats()[i], float(alpha), float(beta)); });
    LNSCOPE_COMPARE_TENSORS(actual, expected, kFloatTol);
}

void TestOpsElementwise::reluInt64()
{
    const Tensor x = randomInts({3, 5, 7}, 52, -100, 100);
    const Tensor actual = runBothThreadCounts(makeNode("Relu", 1), {&x}, 14);
    QCOMPARE(actual.dtype(), DType::Int64);
    LNSCOPE_COMPARE_TENSORS(actual, intsFrom(x.shape(), [&](int64_t i) { return std::max<int64_t>(0, x.ints()[i]); }),
                            kExact);
}

void TestOpsElementwise::prelu_data()
{
    QTest::addColumn<QString>("shapeX");
    QTest::addColumn<QString>("shapeSlope");
    const std::pair<const char*, const char*> cases[] = {
        {"2x3x5x7", "3x1x1"},
        {"2x3x5x7", "1x3x1x1"},
        {"2x3x5x7", ""},
        {"2x3x5x7", "1"},
        {"2x3x5x7", "7"},
        {"2x3x5x7", "5x7"},
        {"2x3x5x7", "3x5x1"},
        {"2x3x5x7", "2x3x5x7"},
        {"3x4", "3x1"},
        {"4x6", "6"},
        {"", ""},
        {"0x3x2", "3x1"},
        {"1x16x64x64", "16x1x1"},
    };
    for (const auto& [x, s] : cases)
        QTest::addRow("X [%s] slope [%s]", x, s) << x << s;
}

void TestOpsElementwise::prelu()
{
    QFETCH(QString, shapeX);
    QFETCH(QString, shapeSlope);
    const Tensor x = randomTensor(parseShape(shapeX), 61, -2.f, 2.f);
    const Tensor slope = randomTensor(parseShape(shapeSlope), 62, -0.5f, 0.5f);
    const Tensor actual = runBothThreadCounts(makeNode("PRelu", 2), {&x, &slope});
    const Tensor expected = refBinary(x, slope, DType::Float32, [](double v, double s) { return v < 0 ? s * v : v; });
    LNSCOPE_COMPARE_TENSORS(actual, expected, kFloatTol);
}

void TestOpsElementwise::preluBadSlope_data()
{
    QTest::addColumn<QString>("shapeX");
    QTest::addColumn<QString>("shapeSlope");
    QTest::addRow("slope of higher rank") << "3x5x7"
                                          << "2x3x5x7";
    QTest::addRow("slope larger than X's dim") << "3x1"
                                               << "3x4";
    QTest::addRow("incompatible") << "2x3"
                                  << "4";
}

void TestOpsElementwise::preluBadSlope()
{
    QFETCH(QString, shapeX);
    QFETCH(QString, shapeSlope);
    const Tensor x = randomTensor(parseShape(shapeX), 1);
    const Tensor slope = randomTensor(parseShape(shapeSlope), 2);
    QVERIFY_THROWS_EXCEPTION(ShapeError, runNode(makeNode("PRelu", 2), {&x, &slope}));
}

void TestOpsElementwise::clip_data()
{
    QTest::addColumn<int>("opset");
    QTest::addColumn<QString>("dtype");
    QTest::addColumn<bool>("hasMin");
    QTest::addColumn<double>("min");
    QTest::addColumn<bool>("hasMax");
    QTest::addColumn<double>("max");
    for (int opset : {7, 11, 13}) {
        const char* how = opset < 11 ? "attributes" : "inputs";
        QTest::addRow("opset %d %s min and max", opset, how) << opset << "float" << true << -0.5 << true << 0.75;
        QTest::addRow("opset %d %s min only", opset, how) << opset << "float" << true << -0.5 << false << 0.0;
        QTest::addRow("opset %d %s max only", opset, how) << opset << "float" << false << 0.0 << true << 0.25;
        QTest::addRow("opset %d no bounds", opset) << opset << "float" << false << 0.0 << false << 0.0;
        QTest::addRow("opset %d %s min > max", opset, how) << opset << "float" << true << 0.5 << true << -0.5;
    }
    QTest::addRow("opset 13 int64 min and max") << 13 << "int64" << true << -20.0 << true << 30.0;
    QTest::addRow("opset 13 int64 min only") << 13 << "int64" << true << -20.0 << false << 0.0;
    QTest::addRow("opset 13 int64 max only") << 13 << "int64" << false << 0.0 << true << 30.0;
}

void TestOpsElementwise::clip()
{
    QFETCH(int, opset);
    QFETCH(QString, dtype);
    QFETCH(bool, hasMin);
    QFETCH(double, min);
    QFETCH(bool, hasMax);
    QFETCH(double, max);
    const bool isInt = dtype == "int64";
    const Tensor x = isInt ? randomInts({4, 5, 6}, 71, -100, 100) : randomTensor({4, 5, 6}, 71, -2.f, 2.f);
    const auto bound = [&](double v) { return isInt ? Tensor::scalarInt(int64_t(v)) : Tensor::scalar(float(v)); };
    const Tensor minT = bound(min), maxT = bound(max);
    Node node = makeNode("Clip", 1);
    std::vector<const Tensor*> inputs = {&x};
    if (opset < 11) {
        if (hasMin)
            setFloat(node, "min", float(min));
        if (hasMax)
            setFloat(node, "max", float(max));
    } else if (hasMin || hasMax) {
        // An omitted min is an empty input name ("") followed by max.
        node.inputs = {"x", hasMin ? "min" : "", hasMax ? "max" : ""};
        inputs = {&x, hasMin ? &minT : nullptr, hasMax ? &maxT : nullptr};
        if (!hasMax) {
            node.inputs.pop_back();
            inputs.pop_back();
        }
    }
    const Tensor actual = runBothThreadCounts(node, inputs, opset);
    // numpy clip: min(max(x, lo), hi), so min > max gives max everywhere.
    const auto ref = [&](double v) {
        if (hasMin)
            v = std::max(v, min);
        if (hasMax)
            v = std::min(v, max);
        return v;
    };
    QCOMPARE(actual.dtype(), x.dtype());
    if (isInt)
        LNSCOPE_COMPARE_TENSORS(
            actual, intsFrom(x.shape(), [&](int64_t i) { return int64_t(ref(double(x.ints()[i]))); }), kExact);
    else
        LNSCOPE_COMPARE_TENSORS(actual, floatsFrom(x.shape(), [&](int64_t i) { return ref(x.floats()[i]); }), kExact);
}

// ---- normalisation family --------------------------------------------------------------------

void TestOpsElementwise::batchNorm_data()
{
    QTest::addColumn<int>("opset");
    QTest::addColumn<QString>("shape");
    QTest::addColumn<double>("epsilon"); // < 0: attribute not set (default 1e-5)
    for (int opset : {7, 9, 14, 15})
        for (const char* shape : {"2x3", "2x3x5", "2x4x5x6", "3x2x2x2x2"})
            QTest::addRow("opset %d [%s] default epsilon", opset, shape) << opset << shape << -1.0;
    for (double eps : {1e-3, 0.1, 0.0})
        QTest::addRow("opset 15 [2x4x5x6] epsilon %g", eps) << 15 << "2x4x5x6" << eps;
    QTest::addRow("opset 9 [1x16x32x32] epsilon 1e-3 (parallel)") << 9 << "1x16x32x32" << 1e-3;
}

void TestOpsElementwise::batchNorm()
{
    QFETCH(int, opset);
    QFETCH(QString, shape);
    QFETCH(double, epsilon);
    const Tensor x = randomTensor(parseShape(shape), 81, -3.f, 3.f);
    const Shape c = {x.dim(1)};
    const Tensor scale = randomTensor(c, 82, 0.5f, 2.f);
    const Tensor bias = randomTensor(c, 83, -1.f, 1.f);
    const Tensor mean = randomTensor(c, 84, -1.f, 1.f);
    // Small variances so that a wrong ε shows in the result.
    const Tensor var = randomTensor(c, 85, 0.001f, 0.05f);
    Node node = makeNode("BatchNormalization", 5);
    if (epsilon >= 0)
        setFloat(node, "epsilon", float(epsilon));
    setFloat(node, "momentum", 0.7f); // ignored in inference
    const Tensor actual = runBothThreadCounts(node, {&x, &scale, &bias, &mean, &var}, opset);
    const double eps = epsilon >= 0 ? double(float(epsilon)) : double(1e-5f);
    const int64_t plane = x.numel() / (x.dim(0) * x.dim(1));
    const Tensor expected = floatsFrom(x.shape(), [&](int64_t i) {
        const int64_t ch = (i / plane) % x.dim(1);
        return (x.floats()[i] - mean.floats()[ch]) / std::sqrt(double(var.floats()[ch]) + eps) * scale.floats()[ch]
               + bias.floats()[ch];
    });
    LNSCOPE_COMPARE_TENSORS(actual, expected, kFloatTol);
}

void TestOpsElementwise::batchNormRefused_data()
{
    QTest::addColumn<int>("opset");
    QTest::addColumn<QString>("attr");
    QTest::addColumn<int>("value");
    QTest::addColumn<int>("outputs");
    QTest::addColumn<bool>("unsupported"); // else FormatError
    QTest::addRow("opset 14 training_mode 1") << 14 << "training_mode" << 1 << 1 << true;
    QTest::addRow("opset 15 training_mode 1 with statistics") << 15 << "training_mode" << 1 << 3 << true;
    QTest::addRow("opset 15 training_mode 2") << 15 << "training_mode" << 2 << 1 << false;
    QTest::addRow("opset 7 spatial 0") << 7 << "spatial" << 0 << 1 << true;
    QTest::addRow("opset 9 running mean output") << 9 << "" << 0 << 2 << true;
    QTest::addRow("opset 7 saved statistics outputs") << 7 << "" << 0 << 5 << true;
    QTest::addRow("opset 14 four outputs") << 14 << "" << 0 << 4 << false;
}

void TestOpsElementwise::batchNormRefused()
{
    QFETCH(int, opset);
    QFETCH(QString, attr);
    QFETCH(int, value);
    QFETCH(int, outputs);
    QFETCH(bool, unsupported);
    Node node = makeNode("BatchNormalization", 5, size_t(outputs));
    node.name = "bn_under_test";
    if (!attr.isEmpty())
        setInt(node, attr.toStdString(), value);
    const OpDef* def = OpRegistry::builtin().find("BatchNormalization");
    QVERIFY(def && def->validate);
    try {
        def->validate(node, opset);
        QFAIL("validate accepted the node");
    } catch (const UnsupportedError& e) {
        QVERIFY2(unsupported, e.what());
        QVERIFY2(std::string(e.what()).find("bn_under_test") != std::string::npos, e.what());
    } catch (const FormatError& e) {
        QVERIFY2(!unsupported, e.what());
        QVERIFY2(std::string(e.what()).find("bn_under_test") != std::string::npos, e.what());
    }
}

void TestOpsElementwise::batchNormTrainingRefusedAtImport()
{
    lnscope::test::ModelBuilder mb(15);
    mb.input("X", {1, 3, 4, 4}).output("Y");
    for (const char* name : {"scale", "B", "mean", "var"})
        mb.initializer(name, randomTensor({3}, 91, 0.5f, 1.f));
    auto& bn = mb.node("BatchNormalization", {"X", "scale", "B", "mean", "var"}, {"Y"}, "bn_training");
    lnscope::test::ModelBuilder::attr(bn, "training_mode", int64_t{1});
    try {
        mb.import();
        QFAIL("import accepted training_mode = 1");
    } catch (const UnsupportedError& e) {
        QVERIFY2(std::string(e.what()).find("bn_training") != std::string::npos, e.what());
        QVERIFY2(std::string(e.what()).find("training_mode") != std::string::npos, e.what());
    }
}

void TestOpsElementwise::softmax_data()
{
    QTest::addColumn<int>("opset");
    QTest::addColumn<QString>("shape");
    QTest::addColumn<bool>("hasAxis");
    QTest::addColumn<int>("axis");
    QTest::addColumn<float>("scale"); // input magnitude: 1000 checks the max subtraction
    for (int opset : {11, 13}) {
        QTest::addRow("opset %d [3x4] default axis", opset) << opset << "3x4" << false << 0 << 1.f;
        QTest::addRow("opset %d [2x3x4] default axis", opset) << opset << "2x3x4" << false << 0 << 1.f;
        for (int axis : {0, 1, 2, -1, -2, -3})
            QTest::addRow("opset %d [2x3x4] axis %d", opset, axis) << opset << "2x3x4" << true << axis << 1.f;
        QTest::addRow("opset %d [2x3x4x5] axis 1", opset) << opset << "2x3x4x5" << true << 1 << 1.f;
        QTest::addRow("opset %d [2x3x4x5] axis 2", opset) << opset << "2x3x4x5" << true << 2 << 1.f;
        QTest::addRow("opset %d [7] axis 0", opset) << opset << "7" << true << 0 << 1.f;
        QTest::addRow("opset %d [1x100x1] axis 1", opset) << opset << "1x100x1" << true << 1 << 1.f;
        QTest::addRow("opset %d [2x3x4] large values", opset) << opset << "2x3x4" << false << 0 << 1000.f;
        QTest::addRow("opset %d [1x21x64x64] axis 1 (segmentation)", opset)
            << opset << "1x21x64x64" << true << 1 << 4.f;
        QTest::addRow("opset %d [64x1000] default axis", opset) << opset << "64x1000" << false << 0 << 4.f;
        QTest::addRow("opset %d [2x3x130] axis 1 (partial inner block)", opset)
            << opset << "2x3x130" << true << 1 << 1.f;
    }
}

void TestOpsElementwise::softmax()
{
    QFETCH(int, opset);
    QFETCH(QString, shape);
    QFETCH(bool, hasAxis);
    QFETCH(int, axis);
    QFETCH(float, scale);
    const Tensor x = randomTensor(parseShape(shape), 101, -scale, scale);
    Node node = makeNode("Softmax", 1);
    if (hasAxis)
        setInt(node, "axis", axis);
    const int rank = x.rank();
    const int a = hasAxis ? axis : (opset < 13 ? 1 : -1);
    const int first = a < 0 ? a + rank : a;
    // Opsets < 13 flatten to 2-D at the axis: the softmax runs over every dim from axis on.
    const int last = opset < 13 ? rank : first + 1;
    const Tensor actual = runBothThreadCounts(node, {&x}, opset);
    LNSCOPE_COMPARE_TENSORS(actual, refSoftmax(x, first, last), kFloatTol);
}

void TestOpsElementwise::reduceMean_data()
{
    QTest::addColumn<QString>("shape");
    QTest::addColumn<bool>("hasAxes");
    QTest::addColumn<QString>("axes");
    QTest::addColumn<int>("keepdims"); // < 0: attribute not set (default 1)
    const char* axesCases[] = {"2,3", "1", "0", "-1", "0,2", "1,3", "0,1,2,3", "3,0"};
    for (const char* axes : axesCases)
        for (int keep : {-1, 0, 1})
            QTest::addRow("[2x3x4x5] axes %s keepdims %d", axes, keep) << "2x3x4x5" << true << axes << keep;
    for (int keep : {-1, 0})
        QTest::addRow("[2x3x4x5] no axes keepdims %d", keep) << "2x3x4x5" << false << "" << keep;
    QTest::addRow("[2x3x4x5] empty axes") << "2x3x4x5" << true << "" << 1;
    QTest::addRow("[2x1x4] axes 1 (size 1)") << "2x1x4" << true << "1" << 0;
    QTest::addRow("[2x1x4] axes 1,2") << "2x1x4" << true << "1,2" << 1;
    QTest::addRow("[1] no axes") << "1" << false << "" << 0;
    QTest::addRow("[7] axes 0") << "7" << true << "0" << 1;
    QTest::addRow("[8x64x32x32] axes 2,3 (parallel)") << "8x64x32x32" << true << "2,3" << 1;
    QTest::addRow("[2x64x32x32] axes 1 (parallel)") << "2x64x32x32" << true << "1" << 1;
    QTest::addRow("[2x64x32x32] axes 0,2 (general)") << "2x64x32x32" << true << "0,2" << 0;
}

void TestOpsElementwise::reduceMean()
{
    QFETCH(QString, shape);
    QFETCH(bool, hasAxes);
    QFETCH(QString, axes);
    QFETCH(int, keepdims);
    const Tensor x = randomTensor(parseShape(shape), 111, -2.f, 2.f);
    Node node = makeNode("ReduceMean", 1);
    if (hasAxes)
        setInts(node, "axes", parseInts(axes));
    if (keepdims >= 0)
        setInt(node, "keepdims", keepdims);
    const Tensor actual = runBothThreadCounts(node, {&x}, 13);

    const int rank = x.rank();
    std::vector<bool> reduced(rank, parseInts(axes).empty());
    for (int64_t a : parseInts(axes))
        reduced[a < 0 ? a + rank : a] = true;
    Shape kept = x.shape(), outShape;
    for (int d = 0; d < rank; ++d) {
        if (reduced[d])
            kept[d] = 1;
        if (!reduced[d] || keepdims != 0)
            outShape.push_back(kept[d]);
    }
    // Sum every input element into the output element it maps to (the kept-dims index).
    std::vector<double> sum(static_cast<size_t>(shapeNumel(kept)), 0.0);
    for (int64_t i = 0; i < x.numel(); ++i) {
        int64_t rest = i, flat = 0, stride = 1;
        for (int d = rank - 1; d >= 0; --d) {
            const int64_t idx = rest % x.dim(d);
            rest /= x.dim(d);
            flat += (reduced[d] ? 0 : idx) * stride;
            stride *= kept[d];
        }
        sum[flat] += x.floats()[i];
    }
    const double count = double(x.numel()) / double(sum.size());
    const Tensor expected = floatsFrom(outShape, [&](int64_t i) { return sum[i] / count; });
    LNSCOPE_COMPARE_TENSORS(actual, expected, kFloatTol);
}

void TestOpsElementwise::reduceMeanDuplicateAxes()
{
    const Tensor x = randomTensor({2, 3, 4}, 1);
    Node node = makeNode("ReduceMean", 1);
    setInts(node, "axes", {1, -2});
    QVERIFY_THROWS_EXCEPTION(ShapeError, runNode(node, {&x}));
    setInts(node, "axes", {3});
    QVERIFY_THROWS_EXCEPTION(ShapeError, runNode(node, {&x}));
}

void TestOpsElementwise::argMax_data()
{
    QTest::addColumn<QString>("dtype");
    QTest::addColumn<bool>("ties"); // values from {0, 1, 2}: many equal maxima
    QTest::addColumn<QString>("shape");
    QTest::addColumn<int>("axis");
    QTest::addColumn<int>("keepdims");
    QTest::addColumn<int>("last");
    for (const char* dtype : {"float", "int64"})
        for (bool ties : {false, true})
            for (int last : {0, 1}) {
                const char* t = ties ? "ties" : "random";
                for (int axis : {0, 1, -1})
                    for (int keep : {0, 1})
                        QTest::addRow("%s %s [3x4x5] axis %d keepdims %d last %d", dtype, t, axis, keep, last)
                            << dtype << ties << "3x4x5" << axis << keep << last;
                QTest::addRow("%s %s [7] axis 0 last %d", dtype, t, last) << dtype << ties << "7" << 0 << 0 << last;
                QTest::addRow("%s %s [1x21x64x64] axis 1 last %d", dtype, t, last)
                    << dtype << ties << "1x21x64x64" << 1 << 1 << last;
                QTest::addRow("%s %s [300x200] axis -1 last %d", dtype, t, last)
                    << dtype << ties << "300x200" << -1 << 0 << last;
            }
}

void TestOpsElementwise::argMax()
{
    QFETCH(QString, dtype);
    QFETCH(bool, ties);
    QFETCH(QString, shape);
    QFETCH(int, axis);
    QFETCH(int, keepdims);
    QFETCH(int, last);
    const Shape s = parseShape(shape);
    const int64_t hi = ties ? 2 : 1000000;
    const Tensor ints = randomInts(s, 121, 0, hi);
    const Tensor x = dtype == "int64" ? ints : floatsFrom(s, [&](int64_t i) {
        return ties ? double(ints.ints()[i]) : double(ints.ints()[i]) / 1000.0 - 500.0;
    });
    Node node = makeNode("ArgMax", 1);
    setInt(node, "axis", axis);
    setInt(node, "keepdims", keepdims);
    setInt(node, "select_last_index", last);
    const Tensor actual = runBothThreadCounts(node, {&x}, 13);

    const int a = axis < 0 ? axis + x.rank() : axis;
    const Split sp = refSplit(s, a, a + 1);
    Shape outShape = s;
    if (keepdims)
        outShape[a] = 1;
    else
        outShape.erase(outShape.begin() + a);
    const Tensor expected = intsFrom(outShape, [&](int64_t i) {
        const int64_t o = i / sp.inner, in = i % sp.inner;
        int64_t best = 0;
        for (int64_t l = 1; l < sp.len; ++l) {
            const double v = x.valueAsDouble((o * sp.len + l) * sp.inner + in);
            const double b = x.valueAsDouble((o * sp.len + best) * sp.inner + in);
            if (v > b || (last && v == b))
                best = l;
        }
        return best;
    });
    QCOMPARE(actual.dtype(), DType::Int64);
    LNSCOPE_COMPARE_TENSORS(actual, expected, kExact);
}

// ---- through the importer and executor -------------------------------------------------------

void TestOpsElementwise::modelThroughExecutor()
{
    // X + bias[C,1,1] → PRelu → Clip(min only) → BatchNormalization → Softmax(axis 1) → ArgMax.
    lnscope::test::ModelBuilder mb(13);
    mb.input("X", {-1, 3, 4, 5}).output("P").output("A", onnx::TensorProto::INT64);
    const Tensor bias = randomTensor({3, 1, 1}, 131);
    const Tensor slope = randomTensor({3, 1, 1}, 132, 0.f, 0.5f);
    const Tensor lo = Tensor::scalar(-0.3f);
    const Tensor scale = randomTensor({3}, 133, 0.5f, 2.f), b = randomTensor({3}, 134);
    const Tensor mean = randomTensor({3}, 135), var = randomTensor({3}, 136, 0.1f, 1.f);
    mb.initializer("bias", bias).initializer("slope", slope).initializer("lo", lo);
    mb.initializer("scale", scale).initializer("b", b).initializer("mean", mean).initializer("var", var);
    mb.node("Add", {"X", "bias"}, {"t0"}, "add");
    mb.node("PRelu", {"t0", "slope"}, {"t1"}, "prelu");
    mb.node("Clip", {"t1", "lo"}, {"t2"}, "clip");
    auto& bn = mb.node("BatchNormalization", {"t2", "scale", "b", "mean", "var"}, {"t3"}, "bn");
    lnscope::test::ModelBuilder::attr(bn, "epsilon", 0.01f);
    auto& sm = mb.node("Softmax", {"t3"}, {"P"}, "softmax");
    lnscope::test::ModelBuilder::attr(sm, "axis", int64_t{1});
    auto& am = mb.node("ArgMax", {"P"}, {"A"}, "argmax");
    lnscope::test::ModelBuilder::attr(am, "axis", int64_t{1});
    lnscope::test::ModelBuilder::attr(am, "keepdims", int64_t{0});

    const Tensor x = randomTensor({2, 3, 4, 5}, 137, -2.f, 2.f);
    const Executor exec(mb.import(), ExecOptions{2});
    const TensorMap out = exec.run({{"X", x}});

    // Reference, channel c of element i is (i / 20) % 3.
    const Tensor t3 = floatsFrom(x.shape(), [&](int64_t i) {
        const int64_t c = (i / 20) % 3;
        double v = double(x.floats()[i]) + bias.floats()[c];
        v = v < 0 ? v * slope.floats()[c] : v;
        v = std::max(v, -0.3);
        return (v - mean.floats()[c]) / std::sqrt(double(var.floats()[c]) + double(0.01f)) * scale.floats()[c]
               + b.floats()[c];
    });
    const Tensor p = refSoftmax(t3, 1, 2);
    LNSCOPE_COMPARE_TENSORS(out.at("P"), p, kFloatTol);
    const Tensor a = intsFrom({2, 4, 5}, [&](int64_t i) {
        const int64_t n = i / 20, hw = i % 20;
        int64_t best = 0;
        for (int64_t c = 1; c < 3; ++c)
            if (p.floats()[(n * 3 + c) * 20 + hw] > p.floats()[(n * 3 + best) * 20 + hw])
                best = c;
        return best;
    });
    LNSCOPE_COMPARE_TENSORS(out.at("A"), a, kExact);
}

QTEST_GUILESS_MAIN(TestOpsElementwise)
#include "test_ops_elementwise.moc"
