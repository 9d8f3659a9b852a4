// Tensor agreement metrics (numerics.md §4) against naive double loops on seeded random tensors,
// the all-zero pitfall (§5), identical and scaled copies with analytic answers, batch
// accumulation, and the per-layer comparison of two executors built with ModelBuilder.

#include "lnscope/core/error.h"
#include "lnscope/core/executor.h"
#include "lnscope/core/tensor_metrics.h"
#include "model_builder.h"
#include "test_utils.h"

#include <QTest>
#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <vector>

using namespace lnscope::core;
using lnscope::test::ModelBuilder;
using lnscope::test::randomTensor;

Q_DECLARE_METATYPE(lnscope::core::Tensor)

namespace {

/// The definitions of numerics.md §4 written out as separate naive loops.
struct Naive
{
    double sqnrDb, relL2, cosine, maxAbs;
};

Naive naive(const Tensor& x, const Tensor& y)
{
    double xx = 0, yy = 0, xy = 0, ee = 0, mx = 0;
    for (int64_t i = 0; i < x.numel(); ++i)
        xx += x.valueAsDouble(i) * x.valueAsDouble(i);
    for (int64_t i = 0; i < y.numel(); ++i)
        yy += y.valueAsDouble(i) * y.valueAsDouble(i);
    for (int64_t i = 0; i < x.numel(); ++i)
        xy += x.valueAsDouble(i) * y.valueAsDouble(i);
    for (int64_t i = 0; i < x.numel(); ++i) {
        const double d = x.valueAsDouble(i) - y.valueAsDouble(i);
        ee += d * d;
        mx = std::max(mx, std::fabs(d));
    }
    return {20.0 * std::log10(std::sqrt(xx) / std::sqrt(ee)), std::sqrt(ee) / std::sqrt(xx),
            xy / (std::sqrt(xx) * std::sqrt(yy)), mx};
}

/// x + noise·amplitude, elementwise (float32).
Tensor noisy(const Tensor& x, uint32_t seed, float amplitude)
{
    Tensor n = randomTensor(x.shape(), seed, -amplitude, amplitude);
    std::vector<float> v = x.toFloats();
    for (size_t i = 0; i < v.size(); ++i)
        v[i] += n.floats()[i];
    return Tensor::fromFloats(x.shape(), v);
}

Tensor randomInts(const Shape& shape, uint32_t seed, int64_t lo, int64_t hi)
{
    std::mt19937 rng(seed);
    std::vector<int64_t> v(static_cast<size_t>(shapeNumel(shape)));
    for (auto& e : v)
        e = lnscope::test::uniformInt(rng, lo, hi);
    return Tensor::fromInts(shape, v);
}

Tensor scaled(const Tensor& x, double s)
{
    std::vector<float> v = x.toFloats();
    for (auto& e : v)
        e = static_cast<float>(s * e);
    return Tensor::fromFloats(x.shape(), v);
}

/// |a − b| ≤ rel·|b| (plus a tiny absolute floor).
bool closeRel(double a, double b, double rel)
{
    return std::fabs(a - b) <= rel * std::fabs(b) + 1e-300;
}

/// x[1,2,6,6] → conv1(+b1) → relu1 → conv2 (w2·(1+delta), no bias) → relu2 → conv3 (no bias) → y.
/// With `extraNode`, a Relu on y writes "extra", a tensor the reference graph does not have.
Graph chainModel(double delta, bool extraNode)
{
    ModelBuilder b(13, "chain");
    b.input("x", {1, 2, 6, 6});
    b.initializer("w1", randomTensor({4, 2, 3, 3}, 11));
    b.initializer("b1", randomTensor({4}, 12));
    b.initializer("w2", scaled(randomTensor({4, 4, 3, 3}, 13), 1.0 + delta));
    b.initializer("w3", randomTensor({2, 4, 3, 3}, 14));
    const std::vector<int64_t> pads{1, 1, 1, 1};
    ModelBuilder::attr(b.node("Conv", {"x", "w1", "b1"}, {"c1"}, "conv1"), "pads", pads);
    b.node("Relu", {"c1"}, {"r1"}, "relu1");
    ModelBuilder::attr(b.node("Conv", {"r1", "w2"}, {"c2"}, "conv2"), "pads", pads);
    b.node("Relu", {"c2"}, {"r2"}, "relu2");
    ModelBuilder::attr(b.node("Conv", {"r2", "w3"}, {"y"}, "conv3"), "pads", pads);
    b.output("y");
    if (extraNode) {
        b.node("Relu", {"y"}, {"extra"}, "extra_relu");
        b.output("extra");
    }
    return b.import();
}

} // namespace

class TestTensorMetrics : public QObject
{
    Q_OBJECT
private slots:
    void metricsMatchNaive_data();
    void metricsMatchNaive();
    void zeroReferenceIsUndefined_data();
    void zeroReferenceIsUndefined();
    void identicalIsInfinite_data();
    void identicalIsInfinite();
    void scaledCopy_data();
    void scaledCopy();
    void zeroApproximation();
    void accumulatorEqualsConcatenation();
    void shapeMismatchThrows();
    void ruleOfThumb_data();
    void ruleOfThumb();
    void compareLayersFindsPerturbedConv_data();
    void compareLayersFindsPerturbedConv();
    void firstDivergingLayerSkipsUndefined();
};

void TestTensorMetrics::metricsMatchNaive_data()
{
    QTest::addColumn<Tensor>("x");
    QTest::addColumn<Tensor>("y");
    const Tensor a = randomTensor({1, 3, 8, 8}, 1);
    QTest::addRow("float small noise") << a << noisy(a, 2, 1e-3f);
    QTest::addRow("float large noise") << a << noisy(a, 3, 0.5f);
    const Tensor b = randomTensor({1000}, 4, -50.f, 50.f);
    QTest::addRow("float wide range") << b << noisy(b, 5, 0.1f);
    const Tensor i = randomInts({7, 9}, 6, -100, 100);
    QTest::addRow("int64 vs int64") << i << randomInts({7, 9}, 7, -100, 100);
    QTest::addRow("int64 ref vs float") << i << noisy(Tensor::fromFloats({7, 9}, i.toFloats()), 8, 0.25f);
    QTest::addRow("scalar") << Tensor::scalar(3.f) << Tensor::scalar(2.5f);
}

void TestTensorMetrics::metricsMatchNaive()
{
    QFETCH(Tensor, x);
    QFETCH(Tensor, y);
    const Agreement a = computeAgreement(x, y);
    const Naive n = naive(x, y);
    QVERIFY(a.defined);
    QVERIFY2(a.note.empty(), a.note.c_str());
    QCOMPARE(a.count, x.numel());
    QVERIFY2(closeRel(a.sqnrDb, n.sqnrDb, 1e-12), qPrintable(QString::number(a.sqnrDb) + " vs " + QString::number(n.sqnrDb)));
    QVERIFY(closeRel(a.relL2, n.relL2, 1e-12));
    QVERIFY(closeRel(a.cosine, n.cosine, 1e-12));
    QCOMPARE(a.maxAbs, n.maxAbs); // a max of the same doubles is exact
}

void TestTensorMetrics::zeroReferenceIsUndefined_data()
{
    QTest::addColumn<Tensor>("x");
    QTest::addColumn<Tensor>("y");
    QTest::addColumn<double>("maxAbs");
    QTest::addColumn<QString>("noteContains");
    QTest::addRow("zeros vs zeros") << Tensor(DType::Float32, {4, 4}) << Tensor(DType::Float32, {4, 4}) << 0.0 << "all zero";
    Tensor y = Tensor::fromFloats({2, 2}, {0.f, -0.5f, 0.25f, 0.f});
    QTest::addRow("zeros vs values") << Tensor(DType::Float32, {2, 2}) << y << 0.5 << "all zero";
    QTest::addRow("int64 zeros") << Tensor(DType::Int64, {3}) << Tensor::fromInts({3}, {1, 0, -2}) << 2.0 << "all zero";
    QTest::addRow("empty") << Tensor(DType::Float32, {0, 3}) << Tensor(DType::Float32, {0, 3}) << 0.0 << "no elements";
}

void TestTensorMetrics::zeroReferenceIsUndefined()
{
    QFETCH(Tensor, x);
    QFETCH(Tensor, y);
    QFETCH(double, maxAbs);
    QFETCH(QString, noteContains);
    const Agreement a = computeAgreement(x, y);
    QVERIFY(!a.defined);
    QVERIFY(std::isnan(a.sqnrDb)); // never ±∞ (numerics.md §5)
    QVERIFY(std::isnan(a.relL2));
    QVERIFY(std::isnan(a.cosine));
    QCOMPARE(a.maxAbs, maxAbs);
    QCOMPARE(a.count, x.numel());
    QVERIFY2(QString::fromStdString(a.note).contains(noteContains), a.note.c_str());
}

void TestTensorMetrics::identicalIsInfinite_data()
{
    QTest::addColumn<Tensor>("x");
    QTest::addRow("float") << randomTensor({2, 5, 5}, 21);
    QTest::addRow("int64") << randomInts({17}, 22, -3, 3);
    QTest::addRow("single nonzero") << Tensor::fromFloats({3}, {0.f, 1e-30f, 0.f});
}

void TestTensorMetrics::identicalIsInfinite()
{
    QFETCH(Tensor, x);
    const Agreement a = computeAgreement(x, x);
    QVERIFY(a.defined);
    QVERIFY(std::isinf(a.sqnrDb) && a.sqnrDb > 0); // documented: +∞, no finite cap
    QCOMPARE(a.relL2, 0.0);
    QVERIFY(qFuzzyCompare(a.cosine, 1.0));
    QCOMPARE(a.maxAbs, 0.0);
}

void TestTensorMetrics::scaledCopy_data()
{
    QTest::addColumn<double>("s");
    QTest::addColumn<double>("cosine");
    QTest::addRow("s=0.5") << 0.5 << 1.0;
    QTest::addRow("s=0.9") << 0.9 << 1.0;
    QTest::addRow("s=1.001") << 1.001 << 1.0;
    QTest::addRow("s=2") << 2.0 << 1.0;
    QTest::addRow("s=-0.5 (opposite)") << -0.5 << -1.0;
}

void TestTensorMetrics::scaledCopy()
{
    QFETCH(double, s);
    QFETCH(double, cosine);
    const Tensor x = randomTensor({3, 16, 16}, 31);
    const Agreement a = computeAgreement(x, scaled(x, s));
    const double analyticDb = 20.0 * std::log10(1.0 / std::fabs(1.0 - s));
    // y is rounded to float32 (relative 6e-8), so allow a small slack in dB.
    QVERIFY2(std::fabs(a.sqnrDb - analyticDb) < 1e-3,
             qPrintable(QString("%1 dB vs analytic %2 dB").arg(a.sqnrDb, 0, 'g', 12).arg(analyticDb, 0, 'g', 12)));
    QVERIFY(std::fabs(a.relL2 - std::fabs(1.0 - s)) < 1e-6);
    QVERIFY(std::fabs(a.cosine - cosine) < 1e-9);
}

void TestTensorMetrics::zeroApproximation()
{
    // ‖y‖ = 0, ‖x‖ > 0: SQNR 0 dB and relL2 1 are defined; only the cosine is not.
    const Tensor x = randomTensor({10}, 41);
    const Agreement a = computeAgreement(x, Tensor(DType::Float32, {10}));
    QVERIFY(a.defined);
    QVERIFY(std::fabs(a.sqnrDb) < 1e-12);
    QVERIFY(std::fabs(a.relL2 - 1.0) < 1e-12);
    QVERIFY(std::isnan(a.cosine));
    QVERIFY2(QString::fromStdString(a.note).contains("cosine undefined"), a.note.c_str());
}

void TestTensorMetrics::accumulatorEqualsConcatenation()
{
    // Items with very different noise levels, so a mean of per-item SQNRs would differ.
    const std::vector<float> amplitudes{1e-4f, 1e-2f, 0.3f, 1e-3f};
    AgreementAccumulator acc;
    std::vector<float> allX, allY;
    double meanDb = 0;
    for (size_t k = 0; k < amplitudes.size(); ++k) {
        const Tensor x = randomTensor({2, int64_t(3 + k), 5}, uint32_t(50 + k));
        const Tensor y = noisy(x, uint32_t(60 + k), amplitudes[k]);
        acc.add(x, y);
        meanDb += computeAgreement(x, y).sqnrDb / double(amplitudes.size());
        const auto xv = x.toFloats(), yv = y.toFloats();
        allX.insert(allX.end(), xv.begin(), xv.end());
        allY.insert(allY.end(), yv.begin(), yv.end());
    }
    const Shape flat{int64_t(allX.size())};
    const Agreement whole = computeAgreement(Tensor::fromFloats(flat, allX), Tensor::fromFloats(flat, allY));
    const Agreement batch = acc.result();
    QCOMPARE(batch.count, whole.count);
    QCOMPARE(acc.count(), whole.count);
    QVERIFY(closeRel(batch.sqnrDb, whole.sqnrDb, 1e-12));
    QVERIFY(closeRel(batch.relL2, whole.relL2, 1e-12));
    QVERIFY(closeRel(batch.cosine, whole.cosine, 1e-12));
    QCOMPARE(batch.maxAbs, whole.maxAbs);
    QVERIFY(std::fabs(meanDb - batch.sqnrDb) > 5.0); // not a mean of per-sample figures
}

void TestTensorMetrics::shapeMismatchThrows()
{
    AgreementAccumulator acc;
    acc.add(randomTensor({2}, 70), randomTensor({2}, 71));
    try {
        acc.add(randomTensor({2, 3}, 72), randomTensor({3, 2}, 73));
        QFAIL("no ShapeError for [2, 3] vs [3, 2]");
    } catch (const ShapeError& e) {
        const QString msg = e.what();
        QVERIFY2(msg.contains("[2, 3]") && msg.contains("[3, 2]"), e.what());
    }
    QCOMPARE(acc.count(), int64_t(2)); // the failed add left the sums alone
    QVERIFY_THROWS_EXCEPTION(ShapeError, computeAgreement(randomTensor({4}, 74), randomTensor({5}, 75)));
}

void TestTensorMetrics::ruleOfThumb_data()
{
    QTest::addColumn<uint>("seed");
    QTest::addRow("seed 1") << 1u;
    QTest::addRow("seed 2") << 2u;
    QTest::addRow("seed 3") << 3u;
}

void TestTensorMetrics::ruleOfThumb()
{
    // Build y = x + n with n ⟂ x and ‖n‖ = ‖x‖·10^(−30/20): SQNR is 30 dB and the cosine is
    // 1/√(1 + 10^(−3)), which the rule of thumb rounds to 0.9995 (numerics.md §4).
    QFETCH(uint, seed);
    const int64_t count = 4096;
    const Tensor xt = randomTensor({count}, seed);
    const Tensor nt = randomTensor({count}, seed + 100);
    std::vector<double> x(count), n(count);
    double xx = 0, xn = 0;
    for (int64_t i = 0; i < count; ++i) {
        x[i] = xt.floats()[i];
        n[i] = nt.floats()[i];
        xx += x[i] * x[i];
        xn += x[i] * n[i];
    }
    double nn = 0;
    for (int64_t i = 0; i < count; ++i) {
        n[i] -= xn / xx * x[i];
        nn += n[i] * n[i];
    }
    const double scale = std::sqrt(xx) * std::pow(10.0, -30.0 / 20.0) / std::sqrt(nn);
    // Keep the reference exactly representable: store x and y in float32 and let the metric
    // measure whatever the rounding leaves (tiny at 30 dB).
    std::vector<float> yv(count);
    for (int64_t i = 0; i < count; ++i)
        yv[i] = static_cast<float>(x[i] + scale * n[i]);
    const Agreement a = computeAgreement(xt, Tensor::fromFloats({count}, yv));
    QVERIFY2(std::fabs(a.sqnrDb - 30.0) < 1e-3, qPrintable(QString::number(a.sqnrDb, 'g', 12)));
    const double expectedCos = 1.0 / std::sqrt(1.0 + std::pow(10.0, -a.sqnrDb / 10.0));
    QVERIFY(std::fabs(a.cosine - expectedCos) < 1e-6);
    QVERIFY2(std::fabs(a.cosine - 0.9995) < 1e-4, qPrintable(QString::number(a.cosine, 'g', 12)));
}

void TestTensorMetrics::compareLayersFindsPerturbedConv_data()
{
    QTest::addColumn<double>("delta");
    QTest::addRow("w2 x1.001") << 1e-3;
    QTest::addRow("w2 x0.99") << -1e-2;
    QTest::addRow("w2 x1.0001") << 1e-4;
}

void TestTensorMetrics::compareLayersFindsPerturbedConv()
{
    QFETCH(double, delta);
    const Executor reference(chainModel(0.0, false));
    const Executor other(chainModel(delta, true));
    std::vector<TensorMap> inputs;
    for (uint32_t k = 0; k < 3; ++k)
        inputs.push_back({{"x", randomTensor({1, 2, 6, 6}, 80 + k)}});

    const std::vector<LayerAgreement> layers = compareLayers(reference, other, inputs);
    // "extra" exists only in the other graph: skipped.
    const std::vector<std::string> tensors{"c1", "r1", "c2", "r2", "y"};
    const std::vector<std::string> ops{"Conv", "Relu", "Conv", "Relu", "Conv"};
    QCOMPARE(layers.size(), tensors.size());
    for (size_t i = 0; i < layers.size(); ++i) {
        QCOMPARE(layers[i].tensor, tensors[i]);
        QCOMPARE(layers[i].op, ops[i]);
        QCOMPARE(layers[i].nodeIndex, int(i));
        QVERIFY(layers[i].agreement.defined);
    }
    QCOMPARE(layers[2].node, std::string("conv2"));
    QCOMPARE(layers[0].agreement.count, int64_t(3 * 4 * 6 * 6)); // accumulated over all inputs
    QCOMPARE(layers[4].agreement.count, int64_t(3 * 2 * 6 * 6));

    // Before the perturbed conv: bit-identical.
    for (size_t i = 0; i < 2; ++i) {
        QVERIFY(std::isinf(layers[i].agreement.sqnrDb));
        QCOMPARE(layers[i].agreement.maxAbs, 0.0);
    }
    // From conv2 on: no bias, positive scale commutes with Relu, so every later tensor is
    // (1 + δ)·reference up to float32 rounding → SQNR ≈ 20·log10(1/|δ|).
    const double analyticDb = 20.0 * std::log10(1.0 / std::fabs(delta));
    for (size_t i = 2; i < layers.size(); ++i) {
        const Agreement& a = layers[i].agreement;
        QVERIFY(std::isfinite(a.sqnrDb));
        QVERIFY2(std::fabs(a.sqnrDb - analyticDb) < 0.5,
                 qPrintable(QString("%1: %2 dB vs %3 dB").arg(QString::fromStdString(layers[i].tensor))
                                .arg(a.sqnrDb).arg(analyticDb)));
    }
    QCOMPARE(firstDivergingLayer(layers, analyticDb + 10.0), 2);
    QCOMPARE(firstDivergingLayer(layers, analyticDb - 10.0), -1);
}

void TestTensorMetrics::firstDivergingLayerSkipsUndefined()
{
    auto layer = [](const Tensor& x, const Tensor& y) {
        LayerAgreement l;
        l.agreement = computeAgreement(x, y);
        return l;
    };
    const Tensor x = randomTensor({8}, 90);
    const Tensor zero(DType::Float32, {8});
    std::vector<LayerAgreement> layers{layer(x, x), layer(zero, x), layer(x, noisy(x, 91, 0.5f))};
    QCOMPARE(firstDivergingLayer(layers, 1000.0), 2); // +∞ and undefined are not divergence
    QCOMPARE(firstDivergingLayer({}, 30.0), -1);
}

QTEST_GUILESS_MAIN(TestTensorMetrics)
#include "test_tensor_metrics.moc"
