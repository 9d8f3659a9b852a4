// Centroid refinement (spec/numerics.md §2 "Refinement") against naive references: a direct conv in
// double for the SQNR figures and an explicitly built least-squares matrix solved with QR.

#include "lnscope/core/centroid_refine.h"
#include "lnscope/core/detail/eigen.h"
#include "lnscope/core/cluster_compress.h"
#include "lnscope/core/error.h"
#include "lnscope/core/number_format.h"
#include "test_utils.h"

#include <QTest>
#include <algorithm>
#include <functional>
#include <cmath>
#include <random>
#include <vector>

using namespace lnscope;
using core::CompressedKernels;
using core::ConvGeometry;
using core::RefineOptions;
using core::RefineResult;
using core::Tensor;
using test::uniform;

Q_DECLARE_METATYPE(ConvGeometry)

namespace {

struct Dims
{
    int64_t n, c, h, w, o, ig, kh, kw, oh, ow;
};

Dims dimsOf(const Tensor& x, const Tensor& w, const ConvGeometry& g)
{
    Dims d{x.dim(0), x.dim(1), x.dim(2), x.dim(3), w.dim(0), w.dim(1), w.dim(2), w.dim(3), 0, 0};
    d.oh = (d.h + g.pads[0] + g.pads[2] - (g.dilations[0] * (d.kh - 1) + 1)) / g.strides[0] + 1;
    d.ow = (d.w + g.pads[1] + g.pads[3] - (g.dilations[1] * (d.kw - 1) + 1)) / g.strides[1] + 1;
    return d;
}

/// Input value feeding output (n, oy, ox) through kernel tap (ky, kx) of input channel ch; 0 in the pad.
double tap(const Tensor& x, const Dims& d, const ConvGeometry& g, int64_t n, int64_t ch, int64_t oy, int64_t ox,
           int64_t ky, int64_t kx)
{
    const int64_t iy = oy * g.strides[0] - g.pads[0] + ky * g.dilations[0];
    const int64_t ix = ox * g.strides[1] - g.pads[1] + kx * g.dilations[1];
    if (iy < 0 || iy >= d.h || ix < 0 || ix >= d.w)
        return 0.0;
    return double(x.f()[((n * d.c + ch) * d.h + iy) * d.w + ix]);
}

/// Direct conv in double, no bias: [N, O, OH, OW] flattened.
std::vector<double> naiveConv(const Tensor& x, const Tensor& w, const ConvGeometry& g)
{
    const Dims d = dimsOf(x, w, g);
    const int64_t og = d.o / g.group;
    std::vector<double> y;
    for (int64_t n = 0; n < d.n; ++n)
        for (int64_t o = 0; o < d.o; ++o)
            for (int64_t oy = 0; oy < d.oh; ++oy)
                for (int64_t ox = 0; ox < d.ow; ++ox) {
                    double acc = 0.0;
                    for (int64_t i = 0; i < d.ig; ++i)
                        for (int64_t ky = 0; ky < d.kh; ++ky)
                            for (int64_t kx = 0; kx < d.kw; ++kx)
                                acc += double(w.f()[((o * d.ig + i) * d.kh + ky) * d.kw + kx])
                                       * tap(x, d, g, n, (o / og) * d.ig + i, oy, ox, ky, kx);
                    y.push_back(acc);
                }
    return y;
}

double sqnrDb(const std::vector<double>& y, const std::vector<double>& yHat)
{
    double s = 0.0, e = 0.0;
    for (size_t j = 0; j < y.size(); ++j) {
        s += y[j] * y[j];
        e += (y[j] - yHat[j]) * (y[j] - yHat[j]);
    }
    return core::outputSqnrDb(s, e);
}

/// Independent output SQNR of `ck` with `centroids` against the float layer.
double naiveSqnr(CompressedKernels ck, const std::vector<float>& centroids, const Tensor& w, const Tensor& x,
                 const ConvGeometry& g)
{
    ck.centroids = centroids;
    return sqnrDb(naiveConv(x, w, g), naiveConv(x, ck.reconstruct(), g));
}

/// `count` unit-norm d-vectors with a positive centre entry (the convention of compressConvWeights).
std::vector<float> plantedCentroids(int count, int d, std::mt19937& rng)
{
    std::vector<float> c(static_cast<size_t>(count * d));
    for (int k = 0; k < count; ++k) {
        double norm = 0.0;
        for (int t = 0; t < d; ++t) {
            c[k * d + t] = uniform(rng, -1.f, 1.f);
            norm += double(c[k * d + t]) * c[k * d + t];
        }
        const double s = (c[k * d + d / 2] < 0.f ? -1.0 : 1.0) / std::sqrt(norm);
        for (int t = 0; t < d; ++t)
            c[k * d + t] = static_cast<float>(c[k * d + t] * s);
    }
    return c;
}

/// A hand-made CompressedKernels of `shape` with K centroids, indices (u·7 + 3) % used, random
/// scales in ±[0.5, 1.5) and the given centroids.
CompressedKernels handMade(const core::Shape& shape, int clusters, int used, std::vector<float> centroids,
                           std::mt19937& rng)
{
    CompressedKernels ck;
    ck.weightShape = shape;
    ck.d = static_cast<int>(shape[2] * shape[3]);
    ck.clusters = clusters;
    ck.centroids = std::move(centroids);
    const size_t units = static_cast<size_t>(shape[0] * shape[1]);
    for (size_t u = 0; u < units; ++u) {
        ck.indices.push_back(static_cast<uint32_t>((u * 7 + 3) % static_cast<size_t>(used)));
        const float m = uniform(rng, 0.5f, 1.5f);
        ck.scales.push_back((rng() & 1u) ? m : -m);
    }
    ck.indexBits = core::indexBitsFor(clusters);
    ck.nonZeroUnits = static_cast<int64_t>(units);
    return ck;
}

/// Weights W[o,i] = s·(C_planted[k] + noise·r) with k random, s random in ±[0.5, 1.5).
Tensor structuredWeights(const core::Shape& shape, const std::vector<float>& planted, int k, float noise,
                         std::mt19937& rng)
{
    Tensor w(core::DType::Float32, shape);
    const int64_t d = shape[2] * shape[3];
    for (int64_t u = 0; u < shape[0] * shape[1]; ++u) {
        const int64_t c = test::uniformInt(rng, 0, k - 1);
        const float s = uniform(rng, 0.5f, 1.5f) * ((rng() & 1u) ? 1.f : -1.f);
        for (int64_t t = 0; t < d; ++t)
            w.f()[u * d + t] = s * (planted[c * d + t] + noise * uniform(rng, -1.f, 1.f));
    }
    return w;
}

/// Activation-like calibration input: seeded uniform [0, 1) (post-ReLU-like, non-zero mean),
/// smoothed by a 3×3 box so that neighbouring pixels are correlated as in real feature maps.
Tensor activations(const core::Shape& shape, uint32_t seed)
{
    const Tensor raw = test::randomTensor(shape, seed, 0.f, 1.f);
    Tensor out(core::DType::Float32, shape);
    const int64_t h = shape[2], w = shape[3];
    for (int64_t plane = 0; plane < shape[0] * shape[1]; ++plane)
        for (int64_t y = 0; y < h; ++y)
            for (int64_t x = 0; x < w; ++x) {
                float acc = 0.f;
                for (int64_t dy = -1; dy <= 1; ++dy)
                    for (int64_t dx = -1; dx <= 1; ++dx)
                        acc += raw.f()[plane * h * w + std::clamp<int64_t>(y + dy, 0, h - 1) * w
                                       + std::clamp<int64_t>(x + dx, 0, w - 1)];
                out.f()[plane * h * w + y * w + x] = acc / 9.f;
            }
    return out;
}

ConvGeometry geometry(int64_t stride, int64_t pad, int64_t dilation, int64_t group)
{
    ConvGeometry g;
    g.strides = {stride, stride};
    g.pads = {pad, pad, pad, pad};
    g.dilations = {dilation, dilation};
    g.group = group;
    return g;
}

/// The output of the compressed layer as A c (c = the centroid entries), A built row by row from
/// the direct conv's taps: one row per output value of naiveConv.
Eigen::MatrixXd denseSystem(const CompressedKernels& ck, const Tensor& w, const Tensor& x, const ConvGeometry& g)
{
    const Dims dm = dimsOf(x, w, g);
    const int64_t d = ck.d, n = ck.clusters * d, og = dm.o / g.group;
    Eigen::MatrixXd a = Eigen::MatrixXd::Zero(dm.n * dm.o * dm.oh * dm.ow, n);
    int64_t row = 0;
    for (int64_t nn = 0; nn < dm.n; ++nn)
        for (int64_t o = 0; o < dm.o; ++o)
            for (int64_t oy = 0; oy < dm.oh; ++oy)
                for (int64_t ox = 0; ox < dm.ow; ++ox, ++row)
                    for (int64_t i = 0; i < dm.ig; ++i) {
                        const size_t u = static_cast<size_t>(o * dm.ig + i);
                        for (int64_t t = 0; t < d; ++t)
                            a(row, ck.indices[u] * d + t) += double(ck.scales[u])
                                * tap(x, dm, g, nn, (o / og) * dm.ig + i, oy, ox, t / dm.kw, t % dm.kw);
                    }
    return a;
}

/// Reference: min ‖A c − b‖² + λ_abs ‖c − c₀‖² with A built row by row, solved by QR.
std::vector<double> denseReference(const CompressedKernels& ck, const Tensor& w, const Tensor& x,
                                   const ConvGeometry& g, double lambda)
{
    const int64_t n = ck.clusters * ck.d;
    const std::vector<double> b = naiveConv(x, w, g);
    const Eigen::MatrixXd a = denseSystem(ck, w, x, g);
    const double lambdaAbs = lambda * (a.transpose() * a).trace() / double(n);
    Eigen::MatrixXd stacked(a.rows() + n, n);
    Eigen::VectorXd rhs(a.rows() + n);
    stacked << a, std::sqrt(lambdaAbs) * Eigen::MatrixXd::Identity(n, n);
    for (int64_t j = 0; j < a.rows(); ++j)
        rhs[j] = b[static_cast<size_t>(j)];
    for (int64_t j = 0; j < n; ++j)
        rhs[a.rows() + j] = std::sqrt(lambdaAbs) * double(ck.centroids[static_cast<size_t>(j)]);
    const Eigen::VectorXd c = stacked.colPivHouseholderQr().solve(rhs);
    return {c.data(), c.data() + n};
}

/// Reference error-feedback assignment (one round, given centroids), written from the Optimal Brain
/// Surgeon form rather than through a Cholesky factor: per output row, with R the columns not yet
/// fixed and B the next kernel's d columns, Hinv = (H_RR)⁻¹ (explicit inverse), G = (Hinv_BB)⁻¹;
/// the kernel takes the centroid c and scale m minimizing (w_B − m c)ᵀ G (w_B − m c), and the
/// free columns F = R \ B move by −Hinv_FB G (w_B − m c). H = S + damp·mean(diag S)·I with S the
/// patch second moments built from a direct im2col.
void naiveReassign(const CompressedKernels& ck, const Tensor& w, const Tensor& x, const ConvGeometry& g, double damp,
                   std::vector<uint32_t>& indices, std::vector<float>& scales)
{
    const Dims dm = dimsOf(x, w, g);
    const int64_t d = ck.d, dim = dm.ig * d, og = dm.o / g.group;
    indices = ck.indices;
    scales = ck.scales;
    for (int64_t grp = 0; grp < g.group; ++grp) {
        Eigen::MatrixXd s = Eigen::MatrixXd::Zero(dim, dim);
        for (int64_t n = 0; n < dm.n; ++n)
            for (int64_t oy = 0; oy < dm.oh; ++oy)
                for (int64_t ox = 0; ox < dm.ow; ++ox) {
                    Eigen::VectorXd patch(dim);
                    for (int64_t i = 0; i < dm.ig; ++i)
                        for (int64_t t = 0; t < d; ++t)
                            patch[i * d + t] = tap(x, dm, g, n, grp * dm.ig + i, oy, ox, t / dm.kw, t % dm.kw);
                    s += patch * patch.transpose();
                }
        const Eigen::MatrixXd h = s + damp * s.diagonal().mean() * Eigen::MatrixXd::Identity(dim, dim);
        for (int64_t o = grp * og; o < (grp + 1) * og; ++o) {
            Eigen::VectorXd row(dim);
            for (int64_t j = 0; j < dim; ++j)
                row[j] = double(w.f()[o * dim + j]);
            for (int64_t i = 0; i < dm.ig; ++i) {
                const int64_t r0 = i * d, rn = dim - r0;
                const Eigen::MatrixXd hinv = h.block(r0, r0, rn, rn).inverse();
                const Eigen::MatrixXd gm = hinv.topLeftCorner(d, d).inverse();
                const size_t u = static_cast<size_t>(o * dm.ig + i);
                const Eigen::VectorXd wb = row.segment(r0, d);
                Eigen::VectorXd q = Eigen::VectorXd::Zero(d);
                if (ck.scales[u] != 0.f) {
                    double best = -1.0;
                    for (int k = 0; k < ck.clusters; ++k) {
                        Eigen::VectorXd c(d);
                        for (int64_t t = 0; t < d; ++t)
                            c[t] = double(ck.centroids[static_cast<size_t>(k * d + t)]);
                        const double cgw = c.dot(gm * wb), cgc = c.dot(gm * c);
                        if (cgc > 0.0 && cgw * cgw / cgc > best) {
                            best = cgw * cgw / cgc;
                            indices[u] = static_cast<uint32_t>(k);
                            scales[u] = static_cast<float>(cgw / cgc);
                        }
                    }
                    for (int64_t t = 0; t < d; ++t)
                        q[t] = double(scales[u]) * double(ck.centroids[static_cast<size_t>(indices[u] * d + t)]);
                }
                if (rn > d)
                    row.segment(r0 + d, rn - d) -= hinv.block(d, 0, rn - d, d) * gm * (wb - q);
            }
        }
    }
}

/// Reference error-feedback rounding (Optimal Brain Quantization on the centroid entries), from
/// explicit inverses of the remaining Hessian rather than a Cholesky factor: H = AᵀA + δI with A
/// the dense system, δ = damp · mean diag(AᵀA); entries in descending order of diag(AᵀA); at each
/// step j = the first remaining entry, Hinv = (H_RR)⁻¹, c_j → round(c_j) and the other remaining
/// entries move by −Hinv_Fj / Hinv_jj · (c_j − round(c_j)).
std::vector<float> naiveFeedbackRounding(const Eigen::MatrixXd& a, const std::vector<float>& solved, double damp,
                                         const std::function<float(float)>& round)
{
    const Eigen::MatrixXd ata = a.transpose() * a;
    const int64_t n = ata.rows();
    const Eigen::MatrixXd h = ata + damp * ata.diagonal().mean() * Eigen::MatrixXd::Identity(n, n);
    std::vector<int64_t> order(static_cast<size_t>(n));
    for (int64_t j = 0; j < n; ++j)
        order[static_cast<size_t>(j)] = j;
    std::stable_sort(order.begin(), order.end(), [&](int64_t p, int64_t q) { return ata(p, p) > ata(q, q); });
    std::vector<double> c(solved.begin(), solved.end());
    for (size_t step = 0; step < order.size(); ++step) {
        const auto rn = static_cast<int64_t>(order.size() - step);
        Eigen::MatrixXd hr(rn, rn);
        for (int64_t p = 0; p < rn; ++p)
            for (int64_t q = 0; q < rn; ++q)
                hr(p, q) = h(order[step + static_cast<size_t>(p)], order[step + static_cast<size_t>(q)]);
        const Eigen::MatrixXd hinv = hr.inverse();
        const auto j = static_cast<size_t>(order[step]);
        const double q = double(round(static_cast<float>(c[j])));
        const double e = c[j] - q;
        for (int64_t p = 1; p < rn; ++p)
            c[static_cast<size_t>(order[step + static_cast<size_t>(p)])] -= hinv(p, 0) / hinv(0, 0) * e;
        c[j] = q;
    }
    return {c.begin(), c.end()};
}

double maxAbsDiff(const std::vector<float>& a, const std::vector<float>& b)
{
    double m = 0.0;
    for (size_t j = 0; j < a.size(); ++j)
        m = std::max(m, std::abs(double(a[j]) - double(b[j])));
    return m;
}

double maxAbs(const std::vector<float>& a)
{
    double m = 0.0;
    for (float v : a)
        m = std::max(m, std::abs(double(v)));
    return m;
}

} // namespace

class TestCentroidRefine : public QObject
{
    Q_OBJECT

private slots:
    void lowersOutputError_data();
    void lowersOutputError();
    void exactWeightsStayExact();
    void matchesDenseLeastSquares_data();
    void matchesDenseLeastSquares();
    void largeLambdaKeepsKMeans();
    void unusedClusterKept();
    void subsamplesPositions();
    void badInputs_data();
    void badInputs();
    void reassignMatchesObsReference_data();
    void reassignMatchesObsReference();
    void reassignBeatsPlainSolve();
    void reassignKeepsZeroKernelsAndRoundsScales();
    void reassignBadOptions();
    void upstreamTargetCorrectsInputError();
    void upstreamTargetWithSameInputChangesNothing();
    void upstreamTargetBadInputs();
    void feedbackRoundingMatchesObqReference_data();
    void feedbackRoundingMatchesObqReference();
    void feedbackRoundingBeatsNearestOnCorrelatedInput();
    void feedbackRoundingBadOptions();
};

void TestCentroidRefine::lowersOutputError_data()
{
    QTest::addColumn<ConvGeometry>("geom");
    QTest::addColumn<int>("inChannels");   // weight I (per group)
    QTest::addColumn<float>("noise");
    QTest::addRow("3x3 32->32, noise 0.1") << geometry(1, 1, 1, 1) << 32 << 0.1f;
    QTest::addRow("3x3 32->32, noise 0.3") << geometry(1, 1, 1, 1) << 32 << 0.3f;
    QTest::addRow("3x3 32->32 stride 2, pad 1") << geometry(2, 1, 1, 1) << 32 << 0.2f;
    QTest::addRow("3x3 32->32 dilation 2, no pad") << geometry(1, 0, 2, 1) << 32 << 0.2f;
    QTest::addRow("depthwise 32, stride 2") << geometry(2, 1, 1, 32) << 1 << 0.2f;
    QTest::addRow("groups 4 (8 channels each)") << geometry(1, 1, 1, 4) << 8 << 0.2f;
}

void TestCentroidRefine::lowersOutputError()
{
    QFETCH(ConvGeometry, geom);
    QFETCH(int, inChannels);
    QFETCH(float, noise);
    std::mt19937 rng(42);
    const std::vector<float> planted = plantedCentroids(8, 9, rng);
    const Tensor w = structuredWeights({32, inChannels, 3, 3}, planted, 8, noise, rng);
    const Tensor x = activations({2, inChannels * geom.group, 16, 16}, 7);
    core::ClusterOptions co;
    co.clusters = 8;
    const CompressedKernels ck = core::compressConvWeights(w, co);

    const RefineResult r = core::refineCentroids(ck, w, x, geom);
    const double before = naiveSqnr(ck, ck.centroids, w, x, geom);
    const double after = naiveSqnr(ck, r.centroids, w, x, geom);
    qInfo("%s: SQNR before %.3f dB, after %.3f dB (independent %.3f / %.3f), %lld positions",
          QTest::currentDataTag(), r.sqnrBeforeDb, r.sqnrAfterDb, before, after,
          static_cast<long long>(r.positionsUsed));
    QCOMPARE(r.positionsUsed, r.positionsTotal);
    QVERIFY2(std::abs(r.sqnrBeforeDb - before) < 1e-6, "sqnrBefore differs from the direct conv");
    QVERIFY2(std::abs(r.sqnrAfterDb - after) < 1e-6, "sqnrAfter differs from the direct conv");
    QVERIFY(r.sqnrAfterDb > r.sqnrBeforeDb + 0.1);

    // Re-quantization hook: centroids rounded to multiples of 1/64; SQNR measured after it.
    RefineOptions ro;
    ro.requantize = [](std::vector<float>& c) {
        for (float& v : c)
            v = std::round(v * 64.f) / 64.f;
    };
    const RefineResult q = core::refineCentroids(ck, w, x, geom, ro);
    QCOMPARE(q.sqnrRefinedDb, r.sqnrAfterDb);
    for (float v : q.centroids)
        QCOMPARE(v * 64.f, std::round(v * 64.f));
    QVERIFY(std::abs(q.sqnrAfterDb - naiveSqnr(ck, q.centroids, w, x, geom)) < 1e-6);
    QVERIFY(q.sqnrAfterDb < q.sqnrRefinedDb);
}

void TestCentroidRefine::exactWeightsStayExact()
{
    std::mt19937 rng(5);
    const std::vector<float> planted = plantedCentroids(8, 9, rng);
    std::vector<float> perturbed = planted;
    for (float& v : perturbed)
        v += 0.05f * uniform(rng, -1.f, 1.f);
    const CompressedKernels ck = handMade({32, 32, 3, 3}, 8, 8, perturbed, rng);
    CompressedKernels exact = ck;
    exact.centroids = planted;
    const Tensor w = exact.reconstruct(); // exactly representable with the planted book
    const Tensor x = test::randomTensor({2, 32, 16, 16}, 9);
    const ConvGeometry g = geometry(1, 1, 1, 1);

    const RefineResult r = core::refineCentroids(ck, w, x, g);
    qInfo("exact: SQNR before %.3f dB, after %.3f dB", r.sqnrBeforeDb, r.sqnrAfterDb);
    QVERIFY(r.sqnrBeforeDb < 40.0);
    QVERIFY(r.sqnrAfterDb > 100.0);
    QVERIFY(maxAbsDiff(r.centroids, planted) < 1e-5);
}

void TestCentroidRefine::matchesDenseLeastSquares_data()
{
    QTest::addColumn<ConvGeometry>("geom");
    QTest::addColumn<int>("inPerGroup");
    QTest::addColumn<double>("lambda");
    QTest::addRow("pad 1, lambda 0") << geometry(1, 1, 1, 1) << 4 << 0.0;
    QTest::addRow("pad 1, lambda 1e-6") << geometry(1, 1, 1, 1) << 4 << 1e-6;
    QTest::addRow("pad 1, lambda 1e-2") << geometry(1, 1, 1, 1) << 4 << 1e-2;
    QTest::addRow("stride 2, pad 1") << geometry(2, 1, 1, 1) << 4 << 1e-6;
    QTest::addRow("dilation 2, pad 2") << geometry(1, 2, 2, 1) << 4 << 1e-6;
    QTest::addRow("depthwise, stride 2, pad 1") << geometry(2, 1, 1, 6) << 1 << 1e-6;
    QTest::addRow("groups 2") << geometry(1, 1, 1, 2) << 3 << 1e-6;
}

void TestCentroidRefine::matchesDenseLeastSquares()
{
    QFETCH(ConvGeometry, geom);
    QFETCH(int, inPerGroup);
    QFETCH(double, lambda);
    std::mt19937 rng(11);
    const core::Shape shape{6, inPerGroup, 3, 3};
    const CompressedKernels ck = handMade(shape, 3, 3, plantedCentroids(3, 9, rng), rng);
    const Tensor w = test::randomTensor(shape, 21, -0.5f, 0.5f);
    const Tensor x = test::randomTensor({2, inPerGroup * geom.group, 7, 7}, 23);
    RefineOptions ro;
    ro.lambda = lambda;
    const RefineResult r = core::refineCentroids(ck, w, x, geom, ro);
    const std::vector<double> ref = denseReference(ck, w, x, geom, lambda);
    std::vector<float> refF(ref.begin(), ref.end());
    const double tol = 1e-6 * maxAbs(refF);
    QVERIFY2(maxAbsDiff(r.centroids, refF) <= tol,
             qPrintable(QString("max |Δ| %1 > %2").arg(maxAbsDiff(r.centroids, refF)).arg(tol)));
    QCOMPARE(r.usedClusters, 3);
}

void TestCentroidRefine::largeLambdaKeepsKMeans()
{
    std::mt19937 rng(3);
    const std::vector<float> planted = plantedCentroids(8, 9, rng);
    const Tensor w = structuredWeights({16, 16, 3, 3}, planted, 8, 0.3f, rng);
    const Tensor x = test::randomTensor({1, 16, 12, 12}, 4);
    core::ClusterOptions co;
    co.clusters = 8;
    const CompressedKernels ck = core::compressConvWeights(w, co);
    RefineOptions ro;
    ro.lambda = 1e6;
    const RefineResult r = core::refineCentroids(ck, w, x, geometry(1, 1, 1, 1), ro);
    QVERIFY(maxAbsDiff(r.centroids, ck.centroids) < 1e-4 * maxAbs(ck.centroids));
    QVERIFY(std::abs(r.sqnrAfterDb - r.sqnrBeforeDb) < 0.01);
}

void TestCentroidRefine::unusedClusterKept()
{
    std::mt19937 rng(8);
    // 5 clusters: indices use 0..2; cluster 3 only by a kernel with scale 0; cluster 4 by none.
    CompressedKernels ck = handMade({8, 4, 3, 3}, 5, 3, plantedCentroids(5, 9, rng), rng);
    ck.indices[5] = 3;
    ck.scales[5] = 0.f;
    const Tensor w = test::randomTensor({8, 4, 3, 3}, 31);
    const Tensor x = test::randomTensor({1, 4, 8, 8}, 32);
    RefineOptions ro;
    ro.lambda = 0.0;
    const RefineResult r = core::refineCentroids(ck, w, x, geometry(1, 1, 1, 1), ro);
    QCOMPARE(r.usedClusters, 3);
    for (size_t j = 3 * 9; j < 5 * 9; ++j)
        QCOMPARE(r.centroids[j], ck.centroids[j]); // bit for bit
    QVERIFY(maxAbsDiff(r.centroids, ck.centroids) > 1e-3); // the used ones moved
    QVERIFY(r.sqnrAfterDb > r.sqnrBeforeDb);
}

void TestCentroidRefine::subsamplesPositions()
{
    std::mt19937 rng(12);
    const std::vector<float> planted = plantedCentroids(4, 9, rng);
    const Tensor w = structuredWeights({8, 8, 3, 3}, planted, 4, 0.2f, rng);
    const Tensor x = test::randomTensor({2, 8, 10, 10}, 13);
    core::ClusterOptions co;
    co.clusters = 4;
    const CompressedKernels ck = core::compressConvWeights(w, co);
    RefineOptions ro;
    ro.maxPositions = 37;
    ro.threads = 1;
    const RefineResult one = core::refineCentroids(ck, w, x, geometry(1, 1, 1, 1), ro);
    ro.threads = 3;
    const RefineResult three = core::refineCentroids(ck, w, x, geometry(1, 1, 1, 1), ro);
    QCOMPARE(one.positionsUsed, int64_t(37));
    QCOMPARE(one.positionsTotal, int64_t(200));
    QVERIFY(one.centroids == three.centroids); // independent of the thread count
    QCOMPARE(one.sqnrAfterDb, three.sqnrAfterDb);
    QVERIFY(one.sqnrAfterDb > one.sqnrBeforeDb);
}

void TestCentroidRefine::badInputs_data()
{
    QTest::addColumn<int>("inputChannels");
    QTest::addColumn<int>("group");
    QTest::addColumn<int>("ckOutChannels");
    QTest::addColumn<QString>("fragment");
    QTest::addRow("input channels ≠ weight I") << 5 << 1 << 8 << "input has 5 channels";
    QTest::addRow("input channels ≠ I · group") << 4 << 2 << 8 << "needs 8";
    QTest::addRow("O not divisible by group") << 12 << 3 << 8 << "not divisible";
    QTest::addRow("compressed shape ≠ weight") << 4 << 1 << 6 << "does not match float weight";
}

void TestCentroidRefine::badInputs()
{
    QFETCH(int, inputChannels);
    QFETCH(int, group);
    QFETCH(int, ckOutChannels);
    QFETCH(QString, fragment);
    std::mt19937 rng(1);
    const Tensor w = test::randomTensor({8, 4, 3, 3}, 2);
    const CompressedKernels ck = handMade({ckOutChannels, 4, 3, 3}, 2, 2, plantedCentroids(2, 9, rng), rng);
    const Tensor x = test::randomTensor({1, inputChannels, 6, 6}, 3);
    ConvGeometry g;
    g.group = group;
    try {
        core::refineCentroids(ck, w, x, g);
        QFAIL("no ShapeError");
    } catch (const core::ShapeError& e) {
        QVERIFY2(QString::fromUtf8(e.what()).contains(fragment), e.what());
    }
}

void TestCentroidRefine::reassignMatchesObsReference_data()
{
    QTest::addColumn<ConvGeometry>("geom");
    QTest::addColumn<int>("inChannels");
    QTest::addRow("3x3 6->8, pad 1") << geometry(1, 1, 1, 1) << 6;
    QTest::addRow("3x3 5->8 stride 2, dilation 2") << geometry(2, 2, 2, 1) << 5;
    QTest::addRow("groups 2 (4 channels each)") << geometry(1, 1, 1, 2) << 4;
}

void TestCentroidRefine::reassignMatchesObsReference()
{
    QFETCH(ConvGeometry, geom);
    QFETCH(int, inChannels);
    std::mt19937 rng(5);
    const std::vector<float> planted = plantedCentroids(6, 9, rng);
    const Tensor w = structuredWeights({8, inChannels, 3, 3}, planted, 6, 0.4f, rng);
    const Tensor x = activations({2, inChannels * geom.group, 9, 9}, 11);
    core::ClusterOptions co;
    co.clusters = 6;
    const CompressedKernels ck = core::compressConvWeights(w, co);
    RefineOptions ro;
    ro.reassignRounds = 1; // one assignment from ck's centroids, then the centroid solve
    ro.damp = 0.05;
    const RefineResult r = core::refineCentroids(ck, w, x, geom, ro);
    std::vector<uint32_t> indices;
    std::vector<float> scales;
    naiveReassign(ck, w, x, geom, ro.damp, indices, scales);
    int changed = 0;
    for (size_t u = 0; u < indices.size(); ++u) {
        QCOMPARE(r.indices[u], indices[u]);
        QVERIFY2(std::abs(double(r.scales[u]) - double(scales[u])) <= 1e-5 * std::abs(double(scales[u])) + 1e-7,
                 qPrintable(QString("kernel %1: scale %2 vs reference %3").arg(u).arg(r.scales[u]).arg(scales[u])));
        changed += r.indices[u] != ck.indices[u] || r.scales[u] != ck.scales[u];
    }
    QVERIFY2(changed > 0, "the reassignment changed nothing: the test does not exercise it");
    // The reported SQNR is for the returned assignment and centroids (direct conv).
    CompressedKernels out = ck;
    out.indices = r.indices;
    out.scales = r.scales;
    QVERIFY(std::abs(r.sqnrAfterDb - naiveSqnr(out, r.centroids, w, x, geom)) < 1e-6);
}

void TestCentroidRefine::reassignBeatsPlainSolve()
{
    std::mt19937 rng(9);
    const std::vector<float> planted = plantedCentroids(12, 9, rng);
    const ConvGeometry geom = geometry(1, 1, 1, 1);
    const Tensor w = structuredWeights({24, 16, 3, 3}, planted, 12, 0.5f, rng);
    const Tensor x = activations({2, 16, 12, 12}, 3);
    core::ClusterOptions co;
    co.clusters = 8; // fewer centroids than planted directions: k-means alone is coarse
    const CompressedKernels ck = core::compressConvWeights(w, co);
    const RefineResult plain = core::refineCentroids(ck, w, x, geom);
    double previous = plain.sqnrAfterDb;
    for (int rounds : {1, 2, 3}) {
        RefineOptions ro;
        ro.reassignRounds = rounds;
        const RefineResult r = core::refineCentroids(ck, w, x, geom, ro);
        CompressedKernels out = ck;
        out.indices = r.indices;
        out.scales = r.scales;
        const double independent = naiveSqnr(out, r.centroids, w, x, geom);
        qInfo("k-means %.2f dB, plain solve %.2f dB, %d reassignment round(s) %.2f dB (direct conv %.2f dB)",
              plain.sqnrBeforeDb, plain.sqnrAfterDb, rounds, r.sqnrAfterDb, independent);
        QVERIFY(std::abs(r.sqnrAfterDb - independent) < 1e-6);
        QCOMPARE(r.sqnrBeforeDb, plain.sqnrBeforeDb);
        QVERIFY2(r.sqnrAfterDb > plain.sqnrAfterDb + 1.0, "reassignment should beat the plain solve by > 1 dB here");
        QVERIFY(r.sqnrAfterDb >= previous - 0.05); // more rounds do not get (meaningfully) worse
        previous = r.sqnrAfterDb;
        // Deterministic and independent of the thread count.
        ro.threads = 1;
        const RefineResult one = core::refineCentroids(ck, w, x, geom, ro);
        QCOMPARE(one.indices, r.indices);
        QCOMPARE(one.scales, r.scales);
        QCOMPARE(one.centroids, r.centroids);
    }
}

void TestCentroidRefine::reassignKeepsZeroKernelsAndRoundsScales()
{
    std::mt19937 rng(4);
    const std::vector<float> planted = plantedCentroids(4, 9, rng);
    Tensor w = structuredWeights({6, 5, 3, 3}, planted, 4, 0.3f, rng);
    for (int t = 0; t < 9; ++t) // kernel (2, 3) all zero
        w.f()[(2 * 5 + 3) * 9 + t] = 0.f;
    const Tensor x = activations({1, 5, 8, 8}, 2);
    core::ClusterOptions co;
    co.clusters = 3;
    const CompressedKernels ck = core::compressConvWeights(w, co);
    QCOMPARE(ck.scales[2 * 5 + 3], 0.f);
    RefineOptions ro;
    ro.reassignRounds = 2;
    int calls = 0;
    ro.requantizeScales = [&](std::vector<float>& scales) {
        ++calls;
        for (float& v : scales)
            v = std::round(v * 16.f) / 16.f;
    };
    const RefineResult r = core::refineCentroids(ck, w, x, geometry(1, 1, 1, 1), ro);
    QCOMPARE(calls, 2); // once per round, before each centroid solve
    QCOMPARE(r.scales[2 * 5 + 3], 0.f);
    for (float v : r.scales)
        QCOMPARE(v * 16.f, std::round(v * 16.f));
    RefineOptions bad = ro;
    bad.requantizeScales = [](std::vector<float>& scales) { scales.pop_back(); };
    QVERIFY_THROWS_EXCEPTION(core::FormatError, core::refineCentroids(ck, w, x, geometry(1, 1, 1, 1), bad));
}

void TestCentroidRefine::reassignBadOptions()
{
    std::mt19937 rng(1);
    const Tensor w = test::randomTensor({4, 2, 3, 3}, 2);
    core::ClusterOptions co;
    co.clusters = 2;
    const CompressedKernels ck = core::compressConvWeights(w, co);
    const Tensor x = test::randomTensor({1, 2, 6, 6}, 3);
    for (double damp : {0.0, -1.0, std::nan("")}) {
        RefineOptions ro;
        ro.reassignRounds = 1;
        ro.damp = damp;
        QVERIFY_THROWS_EXCEPTION(core::FormatError, core::refineCentroids(ck, w, x, ConvGeometry{}, ro));
    }
    RefineOptions ro;
    ro.reassignRounds = -1;
    QVERIFY_THROWS_EXCEPTION(core::FormatError, core::refineCentroids(ck, w, x, ConvGeometry{}, ro));
}

/// ‖W z − Ŵ x‖² / ‖W z‖² in dB (as an SQNR) by direct convolution: the float layer on the float
/// input z against the compressed layer on the converted input x.
double endToEndSqnr(const CompressedKernels& ck, const RefineResult& r, const Tensor& w, const Tensor& z,
                    const Tensor& x, const ConvGeometry& g)
{
    CompressedKernels out = ck;
    out.indices = r.indices;
    out.scales = r.scales;
    out.centroids = r.centroids;
    return sqnrDb(naiveConv(z, w, g), naiveConv(x, out.reconstruct(), g));
}

void TestCentroidRefine::upstreamTargetCorrectsInputError()
{
    // The layer's input x carries the error of converted layers before it: a per-channel gain and
    // a cross-channel leak of the float input z. With z as the reference the refinement aims at
    // W z, not W x, and the error against the float layer on the float input drops.
    std::mt19937 rng(21);
    const std::vector<float> planted = plantedCentroids(10, 9, rng);
    const ConvGeometry geom = geometry(1, 1, 1, 1);
    const Tensor w = structuredWeights({16, 8, 3, 3}, planted, 10, 0.3f, rng);
    const Tensor z = activations({2, 8, 12, 12}, 7);
    Tensor x = z;
    const int64_t plane = 12 * 12;
    for (int64_t n = 0; n < 2; ++n)
        for (int64_t c = 0; c < 8; ++c)
            for (int64_t p = 0; p < plane; ++p) {
                const float own = z.f()[(n * 8 + c) * plane + p], next = z.f()[(n * 8 + (c + 1) % 8) * plane + p];
                x.f()[(n * 8 + c) * plane + p] = (0.8f + 0.05f * float(c)) * own + 0.15f * next;
            }
    core::ClusterOptions co;
    co.clusters = 16;
    const CompressedKernels ck = core::compressConvWeights(w, co);
    RefineOptions plain;
    plain.reassignRounds = 2;
    RefineOptions corrected = plain;
    corrected.referenceInput = &z;
    const RefineResult a = core::refineCentroids(ck, w, x, geom, plain);
    const RefineResult b = core::refineCentroids(ck, w, x, geom, corrected);
    const double sqnrPlain = endToEndSqnr(ck, a, w, z, x, geom), sqnrCorrected = endToEndSqnr(ck, b, w, z, x, geom);
    // Upper bound: the best any weight can do on x (dense least squares, K = every kernel).
    qInfo("against W z: float W on x %.2f dB, refined on x %.2f dB, refined towards W z %.2f dB",
          sqnrDb(naiveConv(z, w, geom), naiveConv(x, w, geom)), sqnrPlain, sqnrCorrected);
    QVERIFY2(sqnrCorrected > sqnrPlain + 3.0, qPrintable(QString("%1 vs %2 dB").arg(sqnrCorrected).arg(sqnrPlain)));
    // Deterministic and independent of the thread count.
    corrected.threads = 1;
    const RefineResult one = core::refineCentroids(ck, w, x, geom, corrected);
    QCOMPARE(one.indices, b.indices);
    QCOMPARE(one.centroids, b.centroids);

    // With a book rich enough to represent any kernel (K = every kernel, no rounding), the result
    // approaches the dense least-squares optimum min_T ‖W z − T x‖², solved here independently.
    // Noise on x keeps that optimum finite (the gain-and-leak mix alone is invertible).
    const Tensor noise = test::randomTensor(x.shape(), 99u, -0.1f, 0.1f);
    for (int64_t k = 0; k < x.numel(); ++k)
        x.f()[k] += noise.f()[k];
    co.clusters = 16 * 8;
    const CompressedKernels full = core::compressConvWeights(w, co);
    RefineOptions exact = corrected;
    exact.reassignRounds = 0; // k-means with K = N gives every kernel its own centroid: the solve is dense
    exact.targetDamp = 1e-9;
    exact.lambda = 1e-12;
    const RefineResult f = core::refineCentroids(full, w, x, geom, exact);
    const Dims d = dimsOf(x, w, geom);
    const int64_t dim = d.ig * 9, positions = d.n * d.oh * d.ow;
    Eigen::MatrixXd X(positions, dim), Y(positions, d.o);
    const std::vector<double> yz = naiveConv(z, w, geom);
    for (int64_t n = 0, row = 0; n < d.n; ++n)
        for (int64_t oy = 0; oy < d.oh; ++oy)
            for (int64_t ox = 0; ox < d.ow; ++ox, ++row) {
                for (int64_t i = 0; i < d.ig; ++i)
                    for (int64_t t = 0; t < 9; ++t)
                        X(row, i * 9 + t) = tap(x, d, geom, n, i, oy, ox, t / 3, t % 3);
                for (int64_t o = 0; o < d.o; ++o)
                    Y(row, o) = yz[size_t(((n * d.o + o) * d.oh + oy) * d.ow + ox)];
            }
    const Eigen::MatrixXd T = X.colPivHouseholderQr().solve(Y);
    const double optimum = (Y - X * T).squaredNorm(), signal = Y.squaredNorm();
    const double best = core::outputSqnrDb(signal, optimum), got = endToEndSqnr(full, f, w, z, x, geom);
    qInfo("K = every kernel: %.3f dB, dense least squares optimum %.3f dB", got, best);
    QVERIFY2(got > best - 0.1 && got < best + 1e-6, qPrintable(QString("%1 vs optimum %2").arg(got).arg(best)));
}

void TestCentroidRefine::upstreamTargetWithSameInputChangesNothing()
{
    // When the converted input equals the float input the target is the float weight itself
    // (t_o = (S + δI)⁻¹(S + δI) w_o): same assignment, centroids equal up to rounding.
    std::mt19937 rng(5);
    const std::vector<float> planted = plantedCentroids(6, 9, rng);
    const Tensor w = structuredWeights({8, 6, 3, 3}, planted, 6, 0.2f, rng);
    const Tensor x = activations({1, 6, 10, 10}, 4);
    core::ClusterOptions co;
    co.clusters = 6;
    const CompressedKernels ck = core::compressConvWeights(w, co);
    RefineOptions ro;
    ro.reassignRounds = 1;
    const RefineResult a = core::refineCentroids(ck, w, x, geometry(1, 1, 1, 1), ro);
    ro.referenceInput = &x;
    const RefineResult b = core::refineCentroids(ck, w, x, geometry(1, 1, 1, 1), ro);
    QCOMPARE(b.indices, a.indices);
    QVERIFY2(maxAbsDiff(b.centroids, a.centroids) < 1e-4 * maxAbs(a.centroids),
             qPrintable(QString::number(maxAbsDiff(b.centroids, a.centroids))));
    QVERIFY(std::abs(b.sqnrAfterDb - a.sqnrAfterDb) < 0.01);
}

void TestCentroidRefine::upstreamTargetBadInputs()
{
    const Tensor w = test::randomTensor({4, 2, 3, 3}, 2);
    core::ClusterOptions co;
    co.clusters = 2;
    const CompressedKernels ck = core::compressConvWeights(w, co);
    const Tensor x = test::randomTensor({1, 2, 6, 6}, 3);
    const Tensor wrongShape = test::randomTensor({1, 2, 6, 5}, 3);
    RefineOptions ro;
    ro.referenceInput = &wrongShape;
    QVERIFY_THROWS_EXCEPTION(core::ShapeError, core::refineCentroids(ck, w, x, ConvGeometry{}, ro));
    ro.referenceInput = &x;
    for (double damp : {0.0, -1.0, std::nan("")}) {
        ro.targetDamp = damp;
        QVERIFY_THROWS_EXCEPTION(core::FormatError, core::refineCentroids(ck, w, x, ConvGeometry{}, ro));
    }
}

void TestCentroidRefine::feedbackRoundingMatchesObqReference_data()
{
    QTest::addColumn<ConvGeometry>("geom");
    QTest::addColumn<int>("inPerGroup");
    QTest::addColumn<int>("reassign");
    QTest::addRow("pad 1") << geometry(1, 1, 1, 1) << 4 << 0;
    QTest::addRow("stride 2, dilation 2, reassigned") << geometry(2, 2, 2, 1) << 3 << 1;
    QTest::addRow("groups 2") << geometry(1, 1, 1, 2) << 3 << 0;
}

void TestCentroidRefine::feedbackRoundingMatchesObqReference()
{
    QFETCH(ConvGeometry, geom);
    QFETCH(int, inPerGroup);
    QFETCH(int, reassign);
    std::mt19937 rng(17);
    const core::Shape shape{6, inPerGroup, 3, 3};
    const CompressedKernels ck = handMade(shape, 3, 3, plantedCentroids(3, 9, rng), rng);
    const Tensor w = test::randomTensor(shape, 41, -0.5f, 0.5f);
    const Tensor x = activations({2, inPerGroup * geom.group, 8, 8}, 43);
    const auto grid = [](float v) { return std::round(v * 8.f) / 8.f; }; // coarse: feedback matters
    int calls = 0;
    RefineOptions ro;
    ro.reassignRounds = reassign;
    ro.roundingDamp = 0.02;
    ro.requantize = [&](std::vector<float>& c) {
        for (float& v : c)
            v = grid(v);
    };
    ro.roundingFor = [&](const std::vector<float>& c) -> std::function<float(float)> {
        ++calls;
        [&] { QCOMPARE(c.size(), ck.centroids.size()); }();
        return grid;
    };
    const RefineResult r = core::refineCentroids(ck, w, x, geom, ro);
    QCOMPARE(calls, 1);
    CompressedKernels used = ck;
    used.indices = r.indices;
    used.scales = r.scales;
    const std::vector<float> ref = naiveFeedbackRounding(denseSystem(used, w, x, geom), r.solvedCentroids,
                                                         ro.roundingDamp, grid);
    QVERIFY2(maxAbsDiff(r.centroids, ref) <= 1e-6,
             qPrintable(QString("max |Δ| %1 against the reference").arg(maxAbsDiff(r.centroids, ref))));
    std::vector<float> nearest = r.solvedCentroids;
    ro.requantize(nearest);
    QVERIFY2(r.centroids != nearest, "feedback rounding gave the nearest codes: the test does not exercise it");
    for (float v : r.centroids)
        QCOMPARE(v, grid(v));
    // The reported figures against the direct conv: after feedback, and what nearest rounding gives.
    QVERIFY(std::abs(r.sqnrAfterDb - naiveSqnr(used, r.centroids, w, x, geom)) < 1e-6);
    QVERIFY(std::abs(r.sqnrNearestDb - naiveSqnr(used, nearest, w, x, geom)) < 1e-6);
    QVERIFY(std::abs(r.sqnrRefinedDb - naiveSqnr(used, r.solvedCentroids, w, x, geom)) < 1e-6);
}

void TestCentroidRefine::feedbackRoundingBeatsNearestOnCorrelatedInput()
{
    // A first layer on RGB: three almost equal input channels (luminance plus a little colour),
    // smooth in space, and edge-like kernels, so outputs are small differences of large terms —
    // where rounding each entry to its nearest code costs the most. Every kernel has its own
    // centroid (K = N), so only the rounding to the weight format loses anything.
    const int64_t n = 2, h = 24, wd = 24;
    const Tensor lum = activations({n, 1, h, wd}, 5);
    const Tensor chroma = test::randomTensor({n, 3, h, wd}, 6, -0.05f, 0.05f);
    Tensor x(core::DType::Float32, {n, 3, h, wd});
    for (int64_t b = 0; b < n; ++b)
        for (int64_t ch = 0; ch < 3; ++ch)
            for (int64_t p = 0; p < h * wd; ++p)
                x.f()[(b * 3 + ch) * h * wd + p] = 4.f * lum.f()[b * h * wd + p] + chroma.f()[(b * 3 + ch) * h * wd + p];
    const Tensor w = test::randomTensor({8, 3, 3, 3}, 7, -1.f, 1.f);
    core::ClusterOptions co;
    co.clusters = 24;
    const CompressedKernels ck = core::compressConvWeights(w, co);
    const core::NumberFormat& lns8 = core::NumberFormatRegistry::builtin().get("lns8");
    RefineOptions ro;
    ro.requantize = [&](std::vector<float>& c) { lns8.fakeQuantize(c, lns8.chooseParam(c, core::ParamRule::AbsMax), c); };
    const RefineResult nearest = core::refineCentroids(ck, w, x, geometry(1, 1, 1, 1), ro);
    ro.roundingFor = [&](const std::vector<float>& c) -> std::function<float(float)> {
        const core::QuantParam p = lns8.chooseParam(c, core::ParamRule::AbsMax);
        return [&lns8, p](float v) {
            float out = 0.f;
            lns8.fakeQuantize(std::span<const float>(&v, 1), p, std::span<float>(&out, 1));
            return out;
        };
    };
    const RefineResult fed = core::refineCentroids(ck, w, x, geometry(1, 1, 1, 1), ro);
    qInfo("solved %.2f dB; rounded to lns8: nearest %.2f dB, with error feedback %.2f dB", fed.sqnrRefinedDb,
          nearest.sqnrAfterDb, fed.sqnrAfterDb);
    QCOMPARE(fed.sqnrNearestDb, nearest.sqnrAfterDb);
    QCOMPARE(fed.solvedCentroids, nearest.solvedCentroids);
    QVERIFY2(fed.sqnrAfterDb > nearest.sqnrAfterDb + 3.0, "error feedback should beat nearest rounding by > 3 dB here");
    std::vector<float> again = fed.centroids; // on the format's grid: requantize leaves it as it is
    ro.requantize(again);
    QCOMPARE(again, fed.centroids);
    ro.threads = 1;
    QCOMPARE(core::refineCentroids(ck, w, x, geometry(1, 1, 1, 1), ro).centroids, fed.centroids);
}

void TestCentroidRefine::feedbackRoundingBadOptions()
{
    const Tensor w = test::randomTensor({4, 2, 3, 3}, 2);
    core::ClusterOptions co;
    co.clusters = 2;
    const CompressedKernels ck = core::compressConvWeights(w, co);
    const Tensor x = test::randomTensor({1, 2, 6, 6}, 3);
    const auto identity = [](const std::vector<float>&) -> std::function<float(float)> { return [](float v) { return v; }; };
    RefineOptions ro;
    ro.roundingFor = identity; // without requantize
    QVERIFY_THROWS_EXCEPTION(core::FormatError, core::refineCentroids(ck, w, x, ConvGeometry{}, ro));
    ro.requantize = [](std::vector<float>&) {};
    for (double damp : {0.0, -1.0, std::nan("")}) {
        ro.roundingDamp = damp;
        QVERIFY_THROWS_EXCEPTION(core::FormatError, core::refineCentroids(ck, w, x, ConvGeometry{}, ro));
    }
    ro.roundingDamp = 0.01;
    ro.roundingFor = [](const std::vector<float>&) { return std::function<float(float)>(); };
    QVERIFY_THROWS_EXCEPTION(core::FormatError, core::refineCentroids(ck, w, x, ConvGeometry{}, ro));
}

QTEST_GUILESS_MAIN(TestCentroidRefine)
#include "test_centroid_refine.moc"
