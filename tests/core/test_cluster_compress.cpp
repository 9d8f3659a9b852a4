// Cluster compression of conv weights (spec/numerics.md §2): exact recovery of planted codebooks,
// zero and zero-centre kernels, determinism, shared books, pointwise policies, bit packing, and a
// naive double-precision reference for the per-kernel normalization.

#include "lnscope/core/cluster_compress.h"
#include "lnscope/core/compare.h"

#include "test_utils.h"

#include <QTest>

#include <cmath>
#include <cstring>
#include <functional>
#include <random>

using namespace lnscope;
using core::ClusterOptions;
using core::CompressedKernels;
using core::PointwisePolicy;
using core::Tensor;

using Thrower = std::function<void()>;
Q_DECLARE_METATYPE(Thrower)

namespace {

int64_t centreIndex(int kh, int kw) { return int64_t(kh / 2) * kw + kw / 2; }

/// K random unit-norm directions of length kh·kw with a positive centre element.
std::vector<float> plantedCentroids(int k, int kh, int kw, std::mt19937& rng)
{
    const int d = kh * kw;
    std::vector<float> c(static_cast<size_t>(k * d));
    for (int q = 0; q < k; ++q) {
        double n2 = 0.0;
        float* row = c.data() + q * d;
        for (int j = 0; j < d; ++j) {
            row[j] = test::uniform(rng, -1.f, 1.f);
            n2 += double(row[j]) * row[j];
        }
        const double sign = row[centreIndex(kh, kw)] < 0.f ? -1.0 : 1.0;
        for (int j = 0; j < d; ++j)
            row[j] = static_cast<float>(row[j] / (std::sqrt(n2) * sign));
    }
    return c;
}

/// Weight [o, i, kh, kw] whose kernel u is s_u · C[u % K], |s_u| ∈ [0.1, 2), random sign.
Tensor plantedWeight(int o, int i, int kh, int kw, const std::vector<float>& centroids, std::mt19937& rng)
{
    const int d = kh * kw;
    const int k = static_cast<int>(centroids.size()) / d;
    std::vector<float> w(static_cast<size_t>(o * i * d));
    for (int u = 0; u < o * i; ++u) {
        float s = test::uniform(rng, 0.1f, 2.f);
        if (rng() & 1u)
            s = -s;
        for (int j = 0; j < d; ++j)
            w[u * d + j] = s * centroids[(u % k) * d + j];
    }
    return Tensor::fromFloats({o, i, kh, kw}, std::move(w));
}

/// Naive reference for m = ‖w‖₂ · sign(w_centre), sign(0) := +1, in double with plain loops.
std::vector<double> naiveScales(const Tensor& w)
{
    const int64_t kh = w.dim(2), kw = w.dim(3), d = kh * kw;
    const int64_t units = w.dim(0) * w.dim(1);
    std::vector<double> m(static_cast<size_t>(units));
    for (int64_t u = 0; u < units; ++u) {
        double n2 = 0.0;
        for (int64_t j = 0; j < d; ++j)
            n2 += w.valueAsDouble(u * d + j) * w.valueAsDouble(u * d + j);
        const double centre = w.valueAsDouble(u * d + (kh / 2) * kw + kw / 2);
        m[static_cast<size_t>(u)] = std::sqrt(n2) * (centre < 0.0 ? -1.0 : 1.0);
    }
    return m;
}

core::Tolerance tightTol()
{
    core::Tolerance t;
    t.meanAbs = 1e-7;
    t.maxAbs = 1e-6;
    return t;
}

template <typename T>
bool sameBytes(const std::vector<T>& a, const std::vector<T>& b)
{
    return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(T)) == 0);
}

double sumSquaredError(const Tensor& a, const Tensor& b)
{
    double s = 0.0;
    for (int64_t i = 0; i < a.numel(); ++i) {
        const double e = a.valueAsDouble(i) - b.valueAsDouble(i);
        s += e * e;
    }
    return s;
}

} // namespace

class TestClusterCompress : public QObject
{
    Q_OBJECT
private slots:
    void recoversPlantedCentroids_data();
    void recoversPlantedCentroids();
    void zeroKernels();
    void zeroCentreUsesPlusSign();
    void normalizationMatchesNaive_data();
    void normalizationMatchesNaive();
    void moreClustersThanKernels();
    void deterministic();
    void sharedBook();
    void scalarSharing_data();
    void scalarSharing();
    void subVector_data();
    void subVector();
    void packRoundTrip_data();
    void packRoundTrip();
    void packLayoutIsLsbFirst();
    void sqnrGrowsWithK();
    void badInputs_data();
    void badInputs();
};

void TestClusterCompress::recoversPlantedCentroids_data()
{
    QTest::addColumn<int>("k");
    QTest::addColumn<int>("o");
    QTest::addColumn<int>("i");
    QTest::addColumn<int>("kh");
    QTest::addColumn<int>("kw");
    QTest::addRow("3x3, K=4") << 4 << 8 << 6 << 3 << 3;
    QTest::addRow("3x3, K=16") << 16 << 16 << 16 << 3 << 3;
    QTest::addRow("5x5, K=8") << 8 << 12 << 4 << 5 << 5;
    QTest::addRow("2x2 even, K=3") << 3 << 5 << 6 << 2 << 2;
    QTest::addRow("3x1, K=5") << 5 << 10 << 3 << 3 << 1;
}

void TestClusterCompress::recoversPlantedCentroids()
{
    QFETCH(int, k);
    QFETCH(int, o);
    QFETCH(int, i);
    QFETCH(int, kh);
    QFETCH(int, kw);
    std::mt19937 rng(1234u + static_cast<uint32_t>(k));
    const std::vector<float> planted = plantedCentroids(k, kh, kw, rng);
    const Tensor w = plantedWeight(o, i, kh, kw, planted, rng);

    ClusterOptions opt;
    opt.clusters = k;
    const CompressedKernels c = core::compressConvWeights(w, opt);
    QCOMPARE(c.clusters, k);
    QCOMPARE(c.d, kh * kw);
    QCOMPARE(c.unitCount(), size_t(o * i));
    QCOMPARE(c.nonZeroUnits, int64_t(o * i));
    QCOMPARE(c.indexBits, std::max(1, static_cast<int>(std::ceil(std::log2(k)))));
    QCOMPARE(c.centroids.size(), size_t(k * kh * kw));
    LNSCOPE_COMPARE_TENSORS(c.reconstruct(), w, tightTol());
    QVERIFY(c.inertia < 1e-10);
}

void TestClusterCompress::zeroKernels()
{
    Tensor w = test::randomTensor({4, 5, 3, 3}, 99);
    const std::vector<int> zeroUnits = {0, 3, 7, 19};
    for (int u : zeroUnits)
        for (int j = 0; j < 9; ++j)
            w.f()[u * 9 + j] = 0.f;
    ClusterOptions opt;
    opt.clusters = 4;
    const CompressedKernels c = core::compressConvWeights(w, opt);
    QCOMPARE(c.nonZeroUnits, int64_t(20 - 4));
    const Tensor r = c.reconstruct();
    for (int u : zeroUnits) {
        QCOMPARE(c.scales[u], 0.f);
        QCOMPARE(c.indices[u], 0u);
        for (int j = 0; j < 9; ++j)
            QCOMPARE(r.f()[u * 9 + j], 0.f);
    }

    // A layer with no non-zero kernel: empty book, exact zero reconstruction.
    const Tensor zeros(core::DType::Float32, {2, 3, 3, 3});
    const CompressedKernels z = core::compressConvWeights(zeros, opt);
    QCOMPARE(z.clusters, 0);
    QVERIFY(z.centroids.empty());
    QCOMPARE(z.indexBits, 1);
    QCOMPARE(z.packedIndices().size(), size_t(1)); // 6 indices × 1 bit
    QVERIFY(z.reconstruct() == zeros);
    QVERIFY(std::isinf(z.weightSqnrDb(zeros)));
}

void TestClusterCompress::zeroCentreUsesPlusSign()
{
    // Kernel 0: centre 0, rest negative → m = +‖w‖ (sign(0) := +1), centroid takes the negative values.
    // Kernel 1: the same with a negative centre → m = −‖w‖.
    std::vector<float> v = {-1, -2, -2, 0, 0, 0, 0, 0, 0, // ‖·‖ = 3, centre (1,1) is 0
                            -1, -2, -2, 0, -0.f, 0, 0, 0, 0};
    v[9 + 4] = -1e-3f;
    const Tensor w = Tensor::fromFloats({1, 2, 3, 3}, v);
    ClusterOptions opt;
    opt.clusters = 2;
    const CompressedKernels c = core::compressConvWeights(w, opt);
    QCOMPARE(c.scales[0], 3.f);
    QVERIFY(c.scales[1] < 0.f);
    QVERIFY(std::fabs(c.scales[1] + 3.f) < 1e-5f);
    const float* c0 = c.centroids.data() + c.indices[0] * 9;
    QVERIFY(c0[0] < 0.f);
    LNSCOPE_COMPARE_TENSORS(c.reconstruct(), w, tightTol());

    // A −0 centre counts as zero: still +1.
    const Tensor negZero = Tensor::fromFloats({1, 1, 3, 3}, {-1, 0, 0, 0, -0.f, 0, 0, 0, 0});
    QCOMPARE(core::compressConvWeights(negZero, opt).scales[0], 1.f);
}

void TestClusterCompress::normalizationMatchesNaive_data()
{
    QTest::addColumn<int>("kh");
    QTest::addColumn<int>("kw");
    QTest::addColumn<uint32_t>("seed");
    QTest::addRow("3x3") << 3 << 3 << 11u;
    QTest::addRow("5x5") << 5 << 5 << 12u;
    QTest::addRow("2x2 even") << 2 << 2 << 13u;
    QTest::addRow("4x4 even") << 4 << 4 << 14u;
    QTest::addRow("1x3") << 1 << 3 << 15u;
}

void TestClusterCompress::normalizationMatchesNaive()
{
    QFETCH(int, kh);
    QFETCH(int, kw);
    QFETCH(uint32_t, seed);
    Tensor w = test::randomTensor({6, 7, kh, kw}, seed, -2.f, 2.f);
    const int d = kh * kw;
    // Every fifth kernel gets a zero centre, every seventh is all zero.
    for (int u = 0; u < 42; ++u) {
        if (u % 5 == 0)
            w.f()[u * d + centreIndex(kh, kw)] = 0.f;
        if (u % 7 == 3)
            std::fill(w.f() + u * d, w.f() + (u + 1) * d, 0.f);
    }
    ClusterOptions opt;
    opt.clusters = 256; // ≥ N: lossless, so reconstruction checks the scales too
    const CompressedKernels c = core::compressConvWeights(w, opt);
    const std::vector<double> ref = naiveScales(w);
    QCOMPARE(c.scales.size(), ref.size());
    for (size_t u = 0; u < ref.size(); ++u) {
        const double tol = 1e-6 * std::max(1.0, std::fabs(ref[u]));
        if (std::fabs(c.scales[u] - ref[u]) > tol)
            QFAIL(qPrintable(QString("kernel %1: scale %2, naive %3").arg(u).arg(c.scales[u]).arg(ref[u])));
        if (ref[u] != 0.0) { // centroid = w / m
            const float* cu = c.centroids.data() + c.indices[u] * d;
            for (int j = 0; j < d; ++j)
                QVERIFY(std::fabs(cu[j] - w.valueAsDouble(u * d + j) / ref[u]) < 1e-6);
        }
    }
    QCOMPARE(c.nonZeroUnits, int64_t(42 - 6));
    core::Tolerance tol = tightTol();
    tol.maxAbs = 2e-6; // |w| < 2·√d
    LNSCOPE_COMPARE_TENSORS(c.reconstruct(), w, tol);
}

void TestClusterCompress::moreClustersThanKernels()
{
    const Tensor w = test::randomTensor({4, 3, 3, 3}, 5);
    ClusterOptions opt;
    opt.clusters = 1000;
    const CompressedKernels c = core::compressConvWeights(w, opt);
    QCOMPARE(c.clusters, 12); // K_l = min(K, N_l)
    QCOMPARE(c.indexBits, 4);
    QCOMPARE(c.packedIndices().size(), size_t(6)); // 12 × 4 bits
    LNSCOPE_COMPARE_TENSORS(c.reconstruct(), w, tightTol());
    QVERIFY(c.weightSqnrDb(w) > 100.0);
}

void TestClusterCompress::deterministic()
{
    const Tensor w = test::randomTensor({16, 24, 3, 3}, 21);
    ClusterOptions opt;
    opt.clusters = 32;
    opt.seed = 77;
    const CompressedKernels a = core::compressConvWeights(w, opt);
    opt.threads = 1; // the thread count must not change a byte
    const CompressedKernels b = core::compressConvWeights(w, opt);
    QVERIFY(sameBytes(a.centroids, b.centroids));
    QVERIFY(sameBytes(a.indices, b.indices));
    QVERIFY(sameBytes(a.scales, b.scales));
    QVERIFY(sameBytes(a.packedIndices(), b.packedIndices()));
    QCOMPARE(a.inertia, b.inertia);
    QCOMPARE(a.iterations, b.iterations);

    opt.seed = 78; // may differ; must still be a valid, equally sized result
    const CompressedKernels other = core::compressConvWeights(w, opt);
    QCOMPARE(other.clusters, a.clusters);
    QCOMPARE(other.packedIndices().size(), a.packedIndices().size());
    QVERIFY(std::fabs(other.weightSqnrDb(w) - a.weightSqnrDb(w)) < 3.0);
}

void TestClusterCompress::sharedBook()
{
    std::mt19937 rng(31);
    const std::vector<float> planted = plantedCentroids(6, 3, 3, rng);
    const Tensor a = plantedWeight(8, 4, 3, 3, planted, rng);
    const Tensor b = plantedWeight(3, 10, 3, 3, planted, rng);
    ClusterOptions opt;
    opt.clusters = 6;
    const std::vector<CompressedKernels> books = core::compressSharedBook({&a, &b}, opt);
    QCOMPARE(books.size(), size_t(2));
    QCOMPARE(books[0].clusters, 6);
    QVERIFY(sameBytes(books[0].centroids, books[1].centroids));
    QCOMPARE(books[0].unitCount(), size_t(32));
    QCOMPARE(books[1].unitCount(), size_t(30));
    LNSCOPE_COMPARE_TENSORS(books[0].reconstruct(), a, tightTol());
    LNSCOPE_COMPARE_TENSORS(books[1].reconstruct(), b, tightTol());

    // Random layers: the per-layer inertias add up to the one k-means run's inertia.
    const Tensor r1 = test::randomTensor({8, 8, 3, 3}, 41);
    const Tensor r2 = test::randomTensor({4, 16, 3, 3}, 42);
    opt.clusters = 16;
    const std::vector<CompressedKernels> rb = core::compressSharedBook({&r1, &r2}, opt);
    std::vector<float> both(r1.floats().begin(), r1.floats().end());
    both.insert(both.end(), r2.floats().begin(), r2.floats().end());
    const CompressedKernels joint = core::compressConvWeights(Tensor::fromFloats({8, 16, 3, 3}, both), opt);
    QVERIFY(sameBytes(rb[0].centroids, joint.centroids)); // same points, same order, same seed
    QVERIFY(std::fabs(rb[0].inertia + rb[1].inertia - joint.inertia) < 1e-9 * joint.inertia);
}

void TestClusterCompress::scalarSharing_data()
{
    QTest::addColumn<int>("k");
    QTest::addRow("K=4") << 4;
    QTest::addRow("K=16") << 16;
    QTest::addRow("K=64") << 64;
}

void TestClusterCompress::scalarSharing()
{
    QFETCH(int, k);
    const Tensor w = test::randomTensor({64, 128}, 51); // Gemm [O, I], uniform in [-1, 1)
    ClusterOptions opt;
    opt.clusters = k;
    const CompressedKernels c = core::compressPointwise(w, PointwisePolicy::ScalarSharing, opt);
    QCOMPARE(c.unit, core::ClusterUnit::Scalar);
    QCOMPARE(c.d, 1);
    QCOMPARE(c.clusters, k);
    QCOMPARE(c.centroids.size(), size_t(k));
    QCOMPARE(c.unitCount(), size_t(64 * 128));
    QVERIFY(c.scales.empty());
    QCOMPARE(c.packedIndices().size(), size_t(64 * 128 * c.indexBits / 8));
    // A uniform quantizer with K levels on a uniform signal gives SQNR = K² (20·log10 K dB);
    // Lloyd's optimum for uniform data is that quantizer, allow 1 dB for k-means not reaching it.
    const double sqnr = c.weightSqnrDb(w);
    if (sqnr < 20.0 * std::log10(k) - 1.0)
        QFAIL(qPrintable(QString("SQNR %1 dB for K = %2").arg(sqnr).arg(k)));

    // K distinct values and K clusters: lossless.
    std::vector<float> v(static_cast<size_t>(12 * 5));
    for (size_t i = 0; i < v.size(); ++i)
        v[i] = 0.25f * static_cast<float>((i * 7) % 5) - 0.5f;
    const Tensor few = Tensor::fromFloats({12, 5, 1, 1}, v);
    opt.clusters = 5;
    opt.pointwise = PointwisePolicy::ScalarSharing; // through the conv entry point
    QVERIFY(core::compressConvWeights(few, opt).reconstruct() == few);
}

void TestClusterCompress::subVector_data()
{
    QTest::addColumn<int>("inputs");
    QTest::addColumn<int>("d");
    QTest::addColumn<int>("k");
    QTest::addRow("I=32, d=8 (no pad)") << 32 << 8 << 16;
    QTest::addRow("I=20, d=8 (pad 4)") << 20 << 8 << 16;
    QTest::addRow("I=7, d=9 (one padded piece)") << 7 << 9 << 8;
    QTest::addRow("I=64, d=4, K=256 > units") << 64 << 4 << 256;
}

void TestClusterCompress::subVector()
{
    QFETCH(int, inputs);
    QFETCH(int, d);
    QFETCH(int, k);
    const int outputs = 16;
    const Tensor w = test::randomTensor({outputs, inputs, 1, 1}, 61);
    ClusterOptions opt;
    opt.clusters = k;
    opt.subVectorLength = d;
    const CompressedKernels c = core::compressPointwise(w, PointwisePolicy::SubVector, opt);
    const int pieces = (inputs + d - 1) / d;
    const int units = outputs * pieces;
    QCOMPARE(c.unit, core::ClusterUnit::SubVector);
    QCOMPARE(c.d, d);
    QCOMPARE(c.unitCount(), size_t(units));
    QCOMPARE(c.clusters, std::min(k, units));
    QCOMPARE(c.centroids.size(), size_t(c.clusters * d));
    QVERIFY(c.scales.empty());
    const Tensor r = c.reconstruct();
    QCOMPARE(r.shape(), w.shape());
    // The pad is clustered as zeros and dropped: the weight error is at most the inertia.
    const double sse = sumSquaredError(r, w);
    QVERIFY2(sse <= c.inertia * (1 + 1e-9) + 1e-12, qPrintable(QString("%1 > %2").arg(sse).arg(c.inertia)));
    if (k >= units)
        LNSCOPE_COMPARE_TENSORS(r, w, tightTol());
    else
        QVERIFY(c.weightSqnrDb(w) > 0.0);
}

void TestClusterCompress::packRoundTrip_data()
{
    QTest::addColumn<int>("bits");
    QTest::addColumn<int>("count");
    for (int bits = 1; bits <= 16; ++bits) {
        QTest::addRow("%d bits × 1000", bits) << bits << 1000;
        QTest::addRow("%d bits × 37", bits) << bits << 37;
    }
    QTest::addRow("32 bits × 9") << 32 << 9;
    QTest::addRow("5 bits × 0") << 5 << 0;
}

void TestClusterCompress::packRoundTrip()
{
    QFETCH(int, bits);
    QFETCH(int, count);
    std::mt19937 rng(static_cast<uint32_t>(bits * 1000 + count));
    const uint64_t mask = (uint64_t(1) << bits) - 1;
    std::vector<uint32_t> values(static_cast<size_t>(count));
    for (uint32_t& v : values)
        v = static_cast<uint32_t>(rng() & mask);
    if (count > 0)
        values[0] = static_cast<uint32_t>(mask); // all ones: the widest value
    const std::vector<uint8_t> packed = core::packBits(values, bits);
    QCOMPARE(packed.size(), size_t((int64_t(count) * bits + 7) / 8));
    QVERIFY(core::unpackBits(packed, bits, values.size()) == values);
    // Unused high bits of the last byte are zero.
    const int used = (count * bits) % 8;
    if (used != 0)
        QCOMPARE(packed.back() >> used, 0);
}

void TestClusterCompress::packLayoutIsLsbFirst()
{
    // 1 (001), 2 (010), 3 (011) in 3 bits: byte 0 = 1 | 2<<3 | (3<<6 & 0xFF) = 209, byte 1 = 3>>2 = 0.
    const std::vector<uint32_t> v = {1, 2, 3};
    QCOMPARE(core::packBits(v, 3), (std::vector<uint8_t>{209, 0}));
    const std::vector<uint32_t> w = {0xABC, 0x123};
    QCOMPARE(core::packBits(w, 12), (std::vector<uint8_t>{0xBC, 0x3A, 0x12}));
}

void TestClusterCompress::sqnrGrowsWithK()
{
    const Tensor w = test::randomTensor({32, 64, 3, 3}, 71);
    double previous = -1e300;
    for (int k : {8, 32, 128}) {
        ClusterOptions opt;
        opt.clusters = k;
        const double sqnr = core::compressConvWeights(w, opt).weightSqnrDb(w);
        qDebug("K = %d: weight SQNR %.2f dB", k, sqnr);
        QVERIFY2(sqnr >= previous - 0.01, qPrintable(QString("K = %1: %2 dB < %3 dB").arg(k).arg(sqnr).arg(previous)));
        QVERIFY(std::isfinite(sqnr) && sqnr > 0.0);
        previous = sqnr;
    }
}

void TestClusterCompress::badInputs_data()
{
    QTest::addColumn<Thrower>("call");
    QTest::addColumn<QString>("type");
    QTest::addColumn<QString>("message");
    const auto conv = [](Tensor w, int k = 8, PointwisePolicy p = PointwisePolicy::Keep) {
        return Thrower([w, k, p] {
            ClusterOptions o;
            o.clusters = k;
            o.pointwise = p;
            core::compressConvWeights(w, o);
        });
    };
    const Tensor ok = test::randomTensor({2, 2, 3, 3}, 1);
    QTest::addRow("rank 3") << conv(test::randomTensor({2, 3, 3}, 1)) << "format" << "rank 4";
    QTest::addRow("int64") << conv(Tensor::fromInts({1, 1, 1, 2}, {1, 2})) << "format" << "must be float";
    QTest::addRow("K = 0") << conv(ok, 0) << "format" << "clusters must be";
    QTest::addRow("1x1 with keep") << conv(test::randomTensor({4, 4, 1, 1}, 2)) << "unsupported" << "1×1 conv";
    Tensor nan = ok;
    nan.f()[5] = std::nanf("");
    QTest::addRow("NaN weight") << conv(nan) << "format" << "non-finite";
    QTest::addRow("negative iterations") << Thrower([ok] {
        ClusterOptions o;
        o.maxIterations = -1;
        core::compressConvWeights(ok, o);
    }) << "format" << "maxIterations";
    QTest::addRow("pointwise keep") << Thrower([] {
        core::compressPointwise(test::randomTensor({4, 4}, 3), PointwisePolicy::Keep, {});
    }) << "unsupported" << "'keep'";
    QTest::addRow("pointwise 3x3") << Thrower([ok] {
        core::compressPointwise(ok, PointwisePolicy::ScalarSharing, {});
    }) << "format" << "[O, I, 1, 1] or [O, I]";
    QTest::addRow("sub-vector length 0") << Thrower([] {
        ClusterOptions o;
        o.subVectorLength = 0;
        core::compressPointwise(test::randomTensor({4, 4}, 3), PointwisePolicy::SubVector, o);
    }) << "format" << "subVectorLength";
    QTest::addRow("shared book, mixed d") << Thrower([ok] {
        const Tensor five = test::randomTensor({2, 2, 5, 5}, 4);
        core::compressSharedBook({&ok, &five}, {});
    }) << "format" << "has d = 25";
    QTest::addRow("shared book, empty") << Thrower([] { core::compressSharedBook({}, {}); }) << "format"
                                        << "at least one layer";
    QTest::addRow("SQNR shape") << Thrower([ok] {
        core::compressConvWeights(ok, {}).weightSqnrDb(test::randomTensor({2, 2, 5, 5}, 4));
    }) << "shape" << "SQNR";
    QTest::addRow("pack 0 bits") << Thrower([] { core::packBits(std::vector<uint32_t>{0}, 0); }) << "format"
                                 << "bits must be in [1, 32]";
    QTest::addRow("pack too wide") << Thrower([] { core::packBits(std::vector<uint32_t>{1, 8}, 3); }) << "format"
                                   << "value 8 at 1";
    QTest::addRow("unpack short") << Thrower([] { core::unpackBits(std::vector<uint8_t>{1}, 3, 3); }) << "format"
                                  << "need 2 bytes";
    QTest::addRow("reconstruct bad index") << Thrower([ok] {
        CompressedKernels c = core::compressConvWeights(ok, {});
        c.indices[0] = 99;
        c.reconstruct();
    }) << "format" << "index 99";
}

void TestClusterCompress::badInputs()
{
    QFETCH(Thrower, call);
    QFETCH(QString, type);
    QFETCH(QString, message);
    QString caught = "none";
    QString what;
    try {
        call();
    } catch (const core::FormatError& e) {
        caught = "format";
        what = QString::fromUtf8(e.what());
    } catch (const core::UnsupportedError& e) {
        caught = "unsupported";
        what = QString::fromUtf8(e.what());
    } catch (const core::ShapeError& e) {
        caught = "shape";
        what = QString::fromUtf8(e.what());
    }
    QCOMPARE(caught, type);
    QVERIFY2(what.contains(message), qPrintable(what));
}

QTEST_GUILESS_MAIN(TestClusterCompress)
#include "test_cluster_compress.moc"
