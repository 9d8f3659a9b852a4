#include "lnscope/core/centroid_refine.h"

#include "lnscope/core/parallel.h"

#include "lnscope/core/detail/eigen.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

namespace lnscope::core {

namespace {

using MatD = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using VecD = Eigen::VectorXd;

/// Patches per GEMM block when accumulating S (rows of the im2col block).
constexpr int64_t kPositionBlock = 256;
/// Columns of S per parallel tile: fixed so that results do not depend on the thread count.
constexpr int64_t kColumnTile = 64;

[[noreturn]] void failFormat(const std::string& what) { throw FormatError("centroid refinement: " + what); }
[[noreturn]] void failShape(const std::string& what) { throw ShapeError("centroid refinement: " + what); }

/// Everything about the layer, resolved and checked.
struct Layer
{
    int64_t n = 0, c = 0, h = 0, w = 0;   ///< input N, C, H, W
    int64_t o = 0, ig = 0, kh = 0, kw = 0; ///< weight O, I per group, kernel
    int64_t d = 0;                         ///< kh · kw
    int64_t groups = 1, og = 0;            ///< groups, output channels per group
    int64_t oh = 0, ow = 0;                ///< output spatial size
    int64_t dim = 0;                       ///< ig · d: length of one patch
    ConvGeometry geom;
};

Layer checkInputs(const CompressedKernels& ck, const Tensor& weight, const Tensor& input, const ConvGeometry& g,
                  const RefineOptions& options)
{
    if (!weight.isFloat() || !input.isFloat())
        failFormat("weight and input must be float32");
    if (weight.rank() != 4)
        failShape("weight must be [O, I, kh, kw], got " + shapeToString(weight.shape()));
    if (input.rank() != 4)
        failShape("input must be [N, C, H, W], got " + shapeToString(input.shape()));
    if (ck.unit != ClusterUnit::Kernel)
        failFormat("only per-kernel clustering (unit Kernel) can be refined");
    if (ck.weightShape != weight.shape())
        failShape("compressed weight " + shapeToString(ck.weightShape) + " does not match float weight "
                  + shapeToString(weight.shape()));
    if (g.group < 1)
        failFormat("group must be ≥ 1, got " + std::to_string(g.group));
    for (int64_t s : g.strides)
        if (s < 1)
            failFormat("strides must be ≥ 1");
    for (int64_t s : g.dilations)
        if (s < 1)
            failFormat("dilations must be ≥ 1");
    for (int64_t p : g.pads)
        if (p < 0)
            failFormat("pads must be ≥ 0");
    if (!(options.lambda >= 0.0) || !std::isfinite(options.lambda))
        failFormat("lambda must be finite and ≥ 0");
    if (options.maxPositions < 1)
        failFormat("maxPositions must be ≥ 1");
    if (!(options.damp > 0.0) || !std::isfinite(options.damp))
        failFormat("damp must be finite and > 0");
    if (!(options.roundingDamp > 0.0) || !std::isfinite(options.roundingDamp))
        failFormat("roundingDamp must be finite and > 0");
    if (options.roundingFor && !options.requantize)
        failFormat("roundingFor needs requantize (the rounding it describes)");
    if (options.reassignRounds < 0)
        failFormat("reassignRounds must be ≥ 0");
    if (!(options.targetDamp > 0.0) || !std::isfinite(options.targetDamp))
        failFormat("targetDamp must be finite and > 0");
    if (options.referenceInput
        && (!options.referenceInput->isFloat() || options.referenceInput->shape() != input.shape()))
        failShape("reference input " + shapeToString(options.referenceInput->shape()) + " does not match input "
                  + shapeToString(input.shape()));

    Layer l;
    l.n = input.dim(0);
    l.c = input.dim(1);
    l.h = input.dim(2);
    l.w = input.dim(3);
    l.o = weight.dim(0);
    l.ig = weight.dim(1);
    l.kh = weight.dim(2);
    l.kw = weight.dim(3);
    l.d = l.kh * l.kw;
    l.groups = g.group;
    l.geom = g;
    if (l.c != l.ig * l.groups)
        failShape("input has " + std::to_string(l.c) + " channels, weight " + shapeToString(weight.shape())
                  + " with group " + std::to_string(l.groups) + " needs " + std::to_string(l.ig * l.groups));
    if (l.o % l.groups != 0)
        failShape(std::to_string(l.o) + " output channels are not divisible by group " + std::to_string(l.groups));
    l.og = l.o / l.groups;
    l.dim = l.ig * l.d;
    const int64_t effH = g.dilations[0] * (l.kh - 1) + 1;
    const int64_t effW = g.dilations[1] * (l.kw - 1) + 1;
    const int64_t padH = l.h + g.pads[0] + g.pads[2];
    const int64_t padW = l.w + g.pads[1] + g.pads[3];
    if (padH < effH || padW < effW || l.n < 1)
        failShape("empty output for input " + shapeToString(input.shape()) + " and kernel " + std::to_string(l.kh) + "×"
                  + std::to_string(l.kw));
    l.oh = (padH - effH) / g.strides[0] + 1;
    l.ow = (padW - effW) / g.strides[1] + 1;

    if (ck.d != l.d)
        failFormat("compressed d = " + std::to_string(ck.d) + ", kernel has " + std::to_string(l.d) + " values");
    if (ck.clusters < 0 || ck.centroids.size() != static_cast<size_t>(ck.clusters) * static_cast<size_t>(ck.d))
        failFormat("centroids do not match clusters × d");
    const size_t units = static_cast<size_t>(l.o * l.ig);
    if (ck.indices.size() != units || ck.scales.size() != units)
        failFormat("compressed weight has " + std::to_string(ck.indices.size()) + " indices and "
                   + std::to_string(ck.scales.size()) + " scales for " + std::to_string(units) + " kernels");
    for (size_t u = 0; u < units; ++u)
        if (ck.scales[u] != 0.f && ck.indices[u] >= static_cast<uint32_t>(ck.clusters))
            failFormat("index " + std::to_string(ck.indices[u]) + " ≥ clusters " + std::to_string(ck.clusters));
    return l;
}

/// Flat output positions n·OH·OW + oy·OW + ox used for the statistics (deterministic stride).
std::vector<int64_t> samplePositions(const Layer& l, int64_t maxPositions)
{
    const int64_t total = l.n * l.oh * l.ow;
    const int64_t used = std::min(total, maxPositions);
    std::vector<int64_t> pos(static_cast<size_t>(used));
    for (int64_t j = 0; j < used; ++j)
        pos[static_cast<size_t>(j)] = j * total / used; // j·total < maxPositions·total: fits int64
    return pos;
}

/// One im2col patch of group `grp` at flat position `p` into row (length l.dim), in double;
/// entries that fall into the padding are 0. Order: input channel, then ky, then kx (= weight order).
void gatherPatch(const Layer& l, const float* x, int64_t grp, int64_t p, double* row)
{
    const int64_t nIdx = p / (l.oh * l.ow);
    const int64_t rem = p % (l.oh * l.ow);
    const int64_t oy = rem / l.ow;
    const int64_t ox = rem % l.ow;
    const ConvGeometry& g = l.geom;
    const int64_t y0 = oy * g.strides[0] - g.pads[0];
    const int64_t x0 = ox * g.strides[1] - g.pads[1];
    for (int64_t i = 0; i < l.ig; ++i) {
        const float* plane = x + ((nIdx * l.c) + grp * l.ig + i) * l.h * l.w;
        for (int64_t ky = 0; ky < l.kh; ++ky) {
            const int64_t iy = y0 + ky * g.dilations[0];
            for (int64_t kx = 0; kx < l.kw; ++kx) {
                const int64_t ix = x0 + kx * g.dilations[1];
                const bool inside = iy >= 0 && iy < l.h && ix >= 0 && ix < l.w;
                *row++ = inside ? double(plane[iy * l.w + ix]) : 0.0;
            }
        }
    }
}

/// S = Σ_p x(p) z(p)ᵀ over the sampled patches of group `grp` (l.dim square), x from `input` and z
/// from `other` (same shape; nullptr: z = x, the second moment).
MatD patchMoments(const Layer& l, const Tensor& input, int64_t grp, const std::vector<int64_t>& pos, int threads,
                  const Tensor* other = nullptr)
{
    MatD s = MatD::Zero(l.dim, l.dim);
    MatD block(kPositionBlock, l.dim);
    MatD otherBlock(other ? kPositionBlock : 0, l.dim);
    const float* x = input.f();
    const int64_t tiles = (l.dim + kColumnTile - 1) / kColumnTile;
    for (size_t b0 = 0; b0 < pos.size(); b0 += kPositionBlock) {
        const int64_t rows = std::min<int64_t>(kPositionBlock, static_cast<int64_t>(pos.size() - b0));
        parallelFor(rows, threads, [&](int64_t begin, int64_t end) {
            for (int64_t r = begin; r < end; ++r) {
                gatherPatch(l, x, grp, pos[b0 + static_cast<size_t>(r)], block.row(r).data());
                if (other)
                    gatherPatch(l, other->f(), grp, pos[b0 + static_cast<size_t>(r)], otherBlock.row(r).data());
            }
        });
        const auto xb = block.topRows(rows);
        const auto zb = other ? otherBlock.topRows(rows) : block.topRows(rows);
        // Each tile of columns is one fixed-size product: the same bytes for any thread count.
        parallelFor(tiles, threads, [&](int64_t begin, int64_t end) {
            for (int64_t t = begin; t < end; ++t) {
                const int64_t c0 = t * kColumnTile;
                const int64_t w = std::min(kColumnTile, l.dim - c0);
                s.middleCols(c0, w).noalias() += xb.transpose() * zb.middleCols(c0, w);
            }
        });
    }
    return s;
}


/// The float weight row of output channel o (l.dim values) in double.
VecD floatRow(const Layer& l, const Tensor& weight, int64_t o)
{
    VecD w(l.dim);
    const float* src = weight.f() + o * l.dim;
    for (int64_t j = 0; j < l.dim; ++j)
        w[j] = double(src[j]);
    return w;
}

/// The weight whose output on `input` best matches the float layer on the float model's input
/// (RefineOptions::referenceInput), per output row o of group grp:
///   t_o = argmin Σ_p (w_oᵀ z(p) − tᵀ x(p))² + δ‖t − w_o‖² = (S_xx + δI)⁻¹ (S_xz w_o + δ w_o),
/// δ = targetDamp · mean diag(S_xx). t_o = w_o when the inputs agree (z = x).
Tensor upstreamTarget(const Layer& l, const Tensor& weight, const Tensor& input, const Tensor& reference,
                      const std::vector<MatD>& moments, const std::vector<int64_t>& pos, double targetDamp, int threads)
{
    Tensor target = weight;
    float* out = target.f();
    for (int64_t grp = 0; grp < l.groups; ++grp) {
        const MatD& sxx = moments[static_cast<size_t>(grp)];
        const MatD sxz = patchMoments(l, input, grp, pos, threads, &reference);
        const double delta = std::max(targetDamp * sxx.trace() / double(l.dim), 1e-30);
        MatD a = sxx;
        a.diagonal().array() += delta;
        const Eigen::LDLT<Eigen::MatrixXd> ldlt(a);
        MatD rhs(l.dim, l.og);
        for (int64_t j = 0; j < l.og; ++j) {
            const VecD w = floatRow(l, weight, grp * l.og + j);
            rhs.col(j) = sxz * w + delta * w;
        }
        const Eigen::MatrixXd t = ldlt.solve(Eigen::MatrixXd(rhs));
        for (int64_t j = 0; j < l.og; ++j)
            for (int64_t k = 0; k < l.dim; ++k)
                out[(grp * l.og + j) * l.dim + k] = static_cast<float>(t(k, j));
    }
    return target;
}

/// The approximated weight row m[o,i] · C[idx[o,i]] of output channel o, in double.
VecD approxRow(const Layer& l, const CompressedKernels& ck, const std::vector<float>& centroids, int64_t o)
{
    VecD w = VecD::Zero(l.dim);
    for (int64_t i = 0; i < l.ig; ++i) {
        const size_t u = static_cast<size_t>(o * l.ig + i);
        if (ck.scales[u] == 0.f)
            continue;
        const float* c = centroids.data() + static_cast<size_t>(ck.indices[u]) * static_cast<size_t>(l.d);
        for (int64_t t = 0; t < l.d; ++t)
            w[i * l.d + t] = double(ck.scales[u]) * double(c[t]);
    }
    return w;
}

struct Energies
{
    double signal = 0.0; ///< ‖y_float‖² over the sampled positions
    double error = 0.0;  ///< ‖y_float − y_approx‖²
};

/// Output energies of the layer with `centroids`, from the per-group moments: Σ_o e_oᵀ S e_o.
/// Per-channel terms are summed in channel order (deterministic).
Energies outputEnergies(const Layer& l, const Tensor& weight, const CompressedKernels& ck,
                        const std::vector<float>& centroids, const std::vector<MatD>& moments, int threads)
{
    std::vector<double> signal(static_cast<size_t>(l.o)), error(static_cast<size_t>(l.o));
    parallelFor(l.o, threads, [&](int64_t begin, int64_t end) {
        for (int64_t o = begin; o < end; ++o) {
            const MatD& s = moments[static_cast<size_t>(o / l.og)];
            const VecD w = floatRow(l, weight, o);
            const VecD e = w - approxRow(l, ck, centroids, o);
            signal[static_cast<size_t>(o)] = w.dot(s * w);
            error[static_cast<size_t>(o)] = e.dot(s * e);
        }
    });
    Energies out;
    for (int64_t o = 0; o < l.o; ++o) {
        out.signal += signal[static_cast<size_t>(o)];
        out.error += std::max(0.0, error[static_cast<size_t>(o)]); // S is PSD; clamp rounding
    }
    return out;
}

/// Normal equations over the used clusters: slot[k] = row block of cluster k (−1 when unused).
struct NormalEquations
{
    MatD ata; ///< n × n
    VecD atb; ///< n
};

/// Adds channel o's part: AᵀA += M S Mᵀ and Aᵀb += M S w, M = the scatter of o's indices/scales.
void accumulateChannel(const Layer& l, const CompressedKernels& ck, const std::vector<int>& slot, const MatD& s,
                       const VecD& w, int64_t o, MatD& r, NormalEquations& ne, int threads)
{
    const int64_t n = ne.ata.rows();
    // Kernels of channel o grouped by their row block; kernels with scale 0 carry no centroid.
    std::vector<std::vector<std::pair<int64_t, double>>> byBlock(static_cast<size_t>(n / l.d));
    for (int64_t i = 0; i < l.ig; ++i) {
        const size_t u = static_cast<size_t>(o * l.ig + i);
        if (ck.scales[u] != 0.f)
            byBlock[static_cast<size_t>(slot[ck.indices[u]])].emplace_back(i, double(ck.scales[u]));
    }
    // R = M S (n × dim), row blocks in parallel: each block sums its kernels in input order.
    parallelFor(n / l.d, threads, [&](int64_t begin, int64_t end) {
        for (int64_t b = begin; b < end; ++b) {
            auto rb = r.middleRows(b * l.d, l.d);
            rb.setZero();
            for (const auto& [i, m] : byBlock[static_cast<size_t>(b)])
                rb += m * s.middleRows(i * l.d, l.d);
        }
    });
    // AᵀA += R Mᵀ: column block k2 gathers the columns of its kernels; parallel over row blocks.
    parallelFor(n / l.d, threads, [&](int64_t begin, int64_t end) {
        for (int64_t b = begin; b < end; ++b) {
            const auto rb = r.middleRows(b * l.d, l.d);
            auto ab = ne.ata.middleRows(b * l.d, l.d);
            for (size_t k2 = 0; k2 < byBlock.size(); ++k2)
                for (const auto& [i, m] : byBlock[k2])
                    ab.middleCols(static_cast<int64_t>(k2) * l.d, l.d) += m * rb.middleCols(i * l.d, l.d);
        }
    });
    const VecD v = s * w; // S w_o
    for (size_t b = 0; b < byBlock.size(); ++b)
        for (const auto& [i, m] : byBlock[b])
            ne.atb.segment(static_cast<int64_t>(b) * l.d, l.d) += m * v.segment(i * l.d, l.d);
}

/// Solves (AᵀA + λ_abs I) δ = Aᵀb − AᵀA c₀ and returns δ (zero where unobservable or on failure).
VecD solveDelta(const NormalEquations& ne, const VecD& c0, double lambda, double& lambdaAbs)
{
    const int64_t n = ne.ata.rows();
    const double trace = ne.ata.trace();
    lambdaAbs = n > 0 ? lambda * trace / double(n) : 0.0;
    if (n == 0 || !(trace > 0.0))
        return VecD::Zero(n); // no signal reaches the centroids: keep k-means
    Eigen::MatrixXd h = ne.ata;
    VecD rhs = ne.atb - ne.ata * c0;
    for (int64_t j = 0; j < n; ++j) {
        h(j, j) += lambdaAbs;
        if (h(j, j) <= 0.0) { // entry never observed (λ = 0): pin δ_j = 0
            h.row(j).setZero();
            h.col(j).setZero();
            h(j, j) = 1.0;
            rhs[j] = 0.0;
        }
    }
    const Eigen::LDLT<Eigen::MatrixXd> ldlt(h);
    if (ldlt.info() != Eigen::Success)
        return VecD::Zero(n);
    VecD delta = ldlt.solve(rhs);
    if (!delta.allFinite())
        return VecD::Zero(n);
    return delta;
}

/// The normal matrix of the last centroid solve, for the error-feedback rounding.
struct CentroidSystem
{
    MatD ata;                  ///< over the used clusters' entries, without λ
    std::vector<int> clusterOf; ///< row block b holds cluster clusterOf[b]
};

/// The centroids minimizing the output error for ck's indices and scales (see the header): the
/// normal equations over the used clusters, accumulated from the per-group moments.
std::vector<float> solveCentroids(const Layer& l, const CompressedKernels& ck, const Tensor& floatWeight,
                                  const std::vector<MatD>& moments, double lambda, int threads, int& usedClusters,
                                  double& lambdaAbs, CentroidSystem* system)
{
    // Used clusters get consecutive row blocks; the others keep their k-means value.
    std::vector<int> slot(static_cast<size_t>(ck.clusters), -1);
    std::vector<int> clusterOf;
    for (size_t u = 0; u < ck.indices.size(); ++u)
        if (ck.scales[u] != 0.f)
            slot[ck.indices[u]] = 0;
    for (int k = 0; k < ck.clusters; ++k)
        if (slot[static_cast<size_t>(k)] == 0) {
            slot[static_cast<size_t>(k)] = static_cast<int>(clusterOf.size());
            clusterOf.push_back(k);
        }
    usedClusters = static_cast<int>(clusterOf.size());
    const int64_t n = static_cast<int64_t>(clusterOf.size()) * l.d;

    NormalEquations ne{MatD::Zero(n, n), VecD::Zero(n)};
    MatD r(n, l.dim);
    if (n > 0)
        for (int64_t o = 0; o < l.o; ++o)
            accumulateChannel(l, ck, slot, moments[static_cast<size_t>(o / l.og)], floatRow(l, floatWeight, o), o, r, ne,
                              threads);

    VecD c0(n);
    for (size_t b = 0; b < clusterOf.size(); ++b)
        for (int64_t t = 0; t < l.d; ++t)
            c0[static_cast<int64_t>(b) * l.d + t] = double(ck.centroids[static_cast<size_t>(clusterOf[b] * l.d + t)]);
    const VecD delta = solveDelta(ne, c0, lambda, lambdaAbs);

    std::vector<float> centroids = ck.centroids;
    for (size_t b = 0; b < clusterOf.size(); ++b)
        for (int64_t t = 0; t < l.d; ++t) {
            const int64_t j = static_cast<int64_t>(b) * l.d + t;
            centroids[static_cast<size_t>(clusterOf[b] * l.d + t)] = static_cast<float>(c0[j] + delta[j]);
        }
    if (system) {
        system->ata = std::move(ne.ata);
        system->clusterOf = std::move(clusterOf);
    }
    return centroids;
}

/// Error-feedback rounding of the used clusters' entries (RefineOptions::roundingFor, see the
/// header): order by descending diagonal of H = AᵀA + δI (δ = damp · mean diagonal; ties by
/// entry), H⁻¹ = UᵀU in that order, then c_j ← round(c_j) and c_later −= (c_j − round(c_j)) / U_jj ·
/// U_j,later. Entries outside the system (unused clusters) are rounded plainly.
std::vector<float> roundWithFeedback(const Layer& l, const CentroidSystem& sys, std::vector<float> centroids,
                                     const std::function<float(float)>& round, double damp)
{
    const int64_t n = sys.ata.rows();
    std::vector<char> inSystem(centroids.size(), 0);
    for (int k : sys.clusterOf)
        std::fill_n(inSystem.begin() + k * l.d, l.d, char{1});
    for (size_t j = 0; j < centroids.size(); ++j)
        if (!inSystem[j])
            centroids[j] = round(centroids[j]);
    if (n == 0)
        return centroids;
    const auto entry = [&](int64_t j) {
        return static_cast<size_t>(sys.clusterOf[static_cast<size_t>(j / l.d)] * l.d + j % l.d);
    };
    const double mean = sys.ata.diagonal().mean();
    const double delta = damp * (mean > 0.0 ? mean : 1.0);
    std::vector<int64_t> order(static_cast<size_t>(n));
    for (int64_t j = 0; j < n; ++j)
        order[static_cast<size_t>(j)] = j;
    std::stable_sort(order.begin(), order.end(),
                     [&](int64_t a, int64_t b) { return sys.ata(a, a) > sys.ata(b, b); });
    Eigen::MatrixXd h(n, n);
    for (int64_t a = 0; a < n; ++a)
        for (int64_t b = 0; b < n; ++b)
            h(a, b) = sys.ata(order[static_cast<size_t>(a)], order[static_cast<size_t>(b)]);
    h.diagonal().array() += delta;
    const Eigen::LLT<Eigen::MatrixXd> llt(h);
    bool feedback = llt.info() == Eigen::Success;
    Eigen::MatrixXd u;
    if (feedback) {
        const Eigen::LLT<Eigen::MatrixXd> inv(llt.solve(Eigen::MatrixXd::Identity(n, n)));
        feedback = inv.info() == Eigen::Success;
        if (feedback)
            u = inv.matrixU();
        feedback = feedback && u.allFinite();
    }
    VecD c(n);
    for (int64_t a = 0; a < n; ++a)
        c[a] = double(centroids[entry(order[static_cast<size_t>(a)])]);
    for (int64_t a = 0; a < n; ++a) {
        const double q = double(round(static_cast<float>(c[a])));
        if (feedback && a + 1 < n)
            c.tail(n - a - 1) -= (c[a] - q) / u(a, a) * u.row(a).tail(n - a - 1).transpose();
        c[a] = q;
    }
    for (int64_t a = 0; a < n; ++a)
        centroids[entry(order[static_cast<size_t>(a)])] = static_cast<float>(c[a]);
    return centroids;
}

/// Error-feedback reassignment of one conv group (see RefineOptions::reassignRounds): the inverse
/// Hessian H⁻¹ = (S + damp·mean(diag S)·I)⁻¹ = UᵀU (U upper triangular); kernels are taken in input
/// channel order; kernel i of row o gets the centroid and scale minimizing
/// ‖(w_i − m·c) U_ii⁻¹‖² (U_ii the d×d diagonal block: the output error the choice adds when the
/// kernels after it may still move), and that error is fed forward into the later kernels of the
/// row: w_after −= e · U_i,after with e = (w_i − m·c) U_ii⁻¹ (the optimal compensation).
/// Rows are independent (parallel; the result does not depend on the thread count).
void reassignGroup(const Layer& l, const Tensor& floatWeight, const MatD& s, int64_t grp, double damp,
                   CompressedKernels& ck, int threads)
{
    const int64_t dim = l.dim, d = l.d;
    Eigen::MatrixXd h = s;
    double meanDiag = 0.0;
    for (int64_t j = 0; j < dim; ++j)
        meanDiag += h(j, j);
    meanDiag = dim > 0 ? meanDiag / double(dim) : 0.0;
    if (!(meanDiag > 0.0))
        return; // no signal reaches this group: keep the assignment
    for (int64_t j = 0; j < dim; ++j)
        if (h(j, j) <= 0.0) // an input never seen (e.g. always padding): its weights cost nothing
            h(j, j) = meanDiag;
    Eigen::MatrixXd u;
    for (double dampNow = damp; ; dampNow *= 10.0) {
        Eigen::MatrixXd hd = h;
        hd.diagonal().array() += dampNow * meanDiag;
        const Eigen::LLT<Eigen::MatrixXd> llt(hd);
        if (llt.info() == Eigen::Success) {
            const Eigen::MatrixXd hinv = llt.solve(Eigen::MatrixXd::Identity(dim, dim));
            const Eigen::LLT<Eigen::MatrixXd> llt2(hinv);
            if (llt2.info() == Eigen::Success && hinv.allFinite()) {
                u = llt2.matrixU();
                break;
            }
        }
        if (dampNow > 1e3)
            return; // numerically hopeless: keep the assignment
    }

    // Per input channel: the metric G_i = (U_iiᵀ U_ii)⁻¹, G_i c_k and c_kᵀ G_i c_k for every centroid.
    const int64_t k = ck.clusters;
    Eigen::Map<const Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>> cf(ck.centroids.data(), k, d);
    const MatD c = cf.cast<double>();
    std::vector<MatD> gc(static_cast<size_t>(l.ig));
    std::vector<VecD> cgc(static_cast<size_t>(l.ig));
    parallelFor(l.ig, threads, [&](int64_t begin, int64_t end) {
        for (int64_t i = begin; i < end; ++i) {
            const Eigen::MatrixXd ub = u.block(i * d, i * d, d, d);
            const Eigen::MatrixXd g = (ub.transpose() * ub).inverse();
            gc[static_cast<size_t>(i)] = c * g; // row k = (G c_k)ᵀ (G symmetric)
            cgc[static_cast<size_t>(i)] = (gc[static_cast<size_t>(i)].array() * c.array()).rowwise().sum();
        }
    });

    parallelFor(l.og, threads, [&](int64_t begin, int64_t end) {
        for (int64_t oo = begin; oo < end; ++oo) {
            const int64_t o = grp * l.og + oo;
            VecD w = floatRow(l, floatWeight, o);
            for (int64_t i = 0; i < l.ig; ++i) {
                const size_t unit = static_cast<size_t>(o * l.ig + i);
                VecD q = VecD::Zero(d);
                if (ck.scales[unit] != 0.f) { // all-zero kernels stay excluded (scale 0)
                    const auto wb = w.segment(i * d, d);
                    const VecD cgw = gc[static_cast<size_t>(i)] * wb; // c_kᵀ G w for every k
                    const VecD& cc = cgc[static_cast<size_t>(i)];
                    int64_t best = -1;
                    double bestScore = -1.0;
                    for (int64_t kk = 0; kk < k; ++kk) {
                        if (!(cc[kk] > 0.0))
                            continue;
                        const double score = cgw[kk] * cgw[kk] / cc[kk]; // error reduction of the best m
                        if (score > bestScore) {
                            bestScore = score;
                            best = kk;
                        }
                    }
                    if (best >= 0) {
                        const double m = cgw[best] / cc[best];
                        if (m != 0.0 && std::isfinite(m)) {
                            ck.indices[unit] = static_cast<uint32_t>(best);
                            ck.scales[unit] = static_cast<float>(m);
                            q = double(ck.scales[unit]) * c.row(best).transpose();
                        } else {
                            q = double(ck.scales[unit]) * c.row(ck.indices[unit]).transpose();
                        }
                    }
                }
                const VecD diff = w.segment(i * d, d) - q;
                // e·U_ii = diff  ⇔  U_iiᵀ eᵀ = diffᵀ (lower triangular)
                const VecD e = u.block(i * d, i * d, d, d).transpose().triangularView<Eigen::Lower>().solve(diff);
                const int64_t rest = dim - (i + 1) * d;
                if (rest > 0)
                    w.tail(rest).noalias() -= u.block(i * d, (i + 1) * d, d, rest).transpose() * e;
            }
        }
    });
}

} // namespace

double outputSqnrDb(double signalEnergy, double errorEnergy)
{
    if (errorEnergy <= 0.0)
        return std::numeric_limits<double>::infinity();
    if (signalEnergy <= 0.0)
        return -std::numeric_limits<double>::infinity();
    return 10.0 * std::log10(signalEnergy / errorEnergy); // energies: 10·log10 = 20·log10 of norms
}

RefineResult refineCentroids(const CompressedKernels& ck, const Tensor& floatWeight, const Tensor& calibInput,
                             const ConvGeometry& geom, const RefineOptions& options)
{
    const Layer l = checkInputs(ck, floatWeight, calibInput, geom, options);
    const int threads = std::max(1, options.threads);
    const std::vector<int64_t> pos = samplePositions(l, options.maxPositions);

    RefineResult result;
    result.positionsUsed = static_cast<int64_t>(pos.size());
    result.positionsTotal = l.n * l.oh * l.ow;

    std::vector<MatD> moments;
    moments.reserve(static_cast<size_t>(l.groups));
    for (int64_t grp = 0; grp < l.groups; ++grp)
        moments.push_back(patchMoments(l, calibInput, grp, pos, threads));

    // With a reference input the target is the float layer on the float model's activations:
    // ‖W z − Ŵ x‖² = ‖(T − Ŵ) x‖² + const with T from upstreamTarget, so every step below runs
    // unchanged on T (up to the damping), and the SQNR figures are against T x.
    const Tensor target = options.referenceInput ? upstreamTarget(l, floatWeight, calibInput, *options.referenceInput,
                                                                  moments, pos, options.targetDamp, threads)
                                                 : Tensor();
    const Tensor& goal = options.referenceInput ? target : floatWeight;
    const Energies before = outputEnergies(l, goal, ck, ck.centroids, moments, threads);
    result.sqnrBeforeDb = outputSqnrDb(before.signal, before.error);

    CompressedKernels cur = ck;
    CentroidSystem system;
    const int rounds = std::max(0, options.reassignRounds);
    for (int round = 0; round < std::max(1, rounds); ++round) {
        if (rounds > 0) {
            for (int64_t grp = 0; grp < l.groups; ++grp)
                reassignGroup(l, goal, moments[static_cast<size_t>(grp)], grp, options.damp, cur, threads);
            if (options.requantizeScales) {
                const size_t size = cur.scales.size();
                options.requantizeScales(cur.scales);
                if (cur.scales.size() != size)
                    failFormat("requantizeScales changed the scale count from " + std::to_string(size) + " to "
                               + std::to_string(cur.scales.size()));
            }
        }
        cur.centroids = solveCentroids(l, cur, goal, moments, options.lambda, threads, result.usedClusters,
                                       result.lambdaAbs, &system);
    }
    result.solvedCentroids = cur.centroids;
    result.centroids = cur.centroids;
    result.indices = cur.indices;
    result.scales = cur.scales;
    const Energies refined = outputEnergies(l, goal, cur, result.centroids, moments, threads);
    result.sqnrRefinedDb = outputSqnrDb(refined.signal, refined.error);

    result.sqnrAfterDb = result.sqnrRefinedDb;
    result.sqnrNearestDb = result.sqnrRefinedDb;
    if (options.requantize) {
        const auto requantize = [&](std::vector<float>& c) {
            const size_t size = c.size();
            options.requantize(c);
            if (c.size() != size)
                failFormat("requantize changed the centroid count from " + std::to_string(size) + " to "
                           + std::to_string(c.size()));
        };
        std::vector<float> nearest = result.centroids;
        requantize(nearest);
        const Energies plain = outputEnergies(l, goal, cur, nearest, moments, threads);
        result.sqnrNearestDb = outputSqnrDb(plain.signal, plain.error);
        if (options.roundingFor) {
            const std::function<float(float)> round = options.roundingFor(result.centroids);
            if (!round)
                failFormat("roundingFor returned no rounding function");
            result.centroids = roundWithFeedback(l, system, result.centroids, round, options.roundingDamp);
            requantize(result.centroids);
            const Energies after = outputEnergies(l, goal, cur, result.centroids, moments, threads);
            result.sqnrAfterDb = outputSqnrDb(after.signal, after.error);
        } else {
            result.centroids = std::move(nearest);
            result.sqnrAfterDb = result.sqnrNearestDb;
        }
    }
    return result;
}

} // namespace lnscope::core
