// Gemm and MatMul, float32, through Eigen's GEMM. Eigen runs single-threaded; large products are
// split over output rows (or columns) with parallelFor. Deterministic for a given thread count:
// the split depends only on the shapes and the thread count.

#include "lnscope/core/parallel.h"
#include "ops_util.h"

#include "lnscope/core/detail/eigen.h"

namespace lnscope::core {

namespace {

using MatR = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using MapR = Eigen::Map<MatR>;
using CMapR = Eigen::Map<const MatR>;

/// y += alpha · (lhs × rhs) using up to `threads` threads: split over rows, or over columns when
/// there are too few rows (batch-1 fully connected layers). Small products run on the caller.
template <typename Lhs, typename Rhs>
void parallelProduct(MapR y, const Lhs& lhs, const Rhs& rhs, float alpha, int threads)
{
    const int64_t m = y.rows(), n = y.cols(), k = lhs.cols();
    if (threads <= 1 || m * n * k < (int64_t(1) << 18)) {
        y.noalias() += alpha * (lhs * rhs);
        return;
    }
    if (m >= 4 * int64_t(threads))
        parallelFor(m, threads, [&](int64_t r0, int64_t r1) {
            y.middleRows(r0, r1 - r0).noalias() += alpha * (lhs.middleRows(r0, r1 - r0) * rhs);
        });
    else
        parallelFor(n, threads, [&](int64_t c0, int64_t c1) {
            y.middleCols(c0, c1 - c0).noalias() += alpha * (lhs * rhs.middleCols(c0, c1 - c0));
        });
}

void requireFloat(const Tensor& t, const char* what)
{
    if (!t.isFloat())
        throw UnsupportedError(std::string(what) + " must be float32, got " + dtypeName(t.dtype()));
}

/// Fills y [M × N] with beta · C broadcast unidirectionally to [M, N].
void fillBroadcastC(float* y, int64_t m, int64_t n, const Tensor& c, float beta)
{
    const Shape& cs = c.shape();
    if (cs.size() > 2)
        throw ShapeError("C must have rank ≤ 2, got " + shapeToString(cs));
    const int64_t cm = cs.size() == 2 ? cs[0] : 1;
    const int64_t cn = cs.empty() ? 1 : cs.back();
    if ((cm != 1 && cm != m) || (cn != 1 && cn != n))
        throw ShapeError("C " + shapeToString(cs) + " does not broadcast to [" + std::to_string(m) + ", "
                         + std::to_string(n) + "]");
    const float* cv = c.f();
    for (int64_t i = 0; i < m; ++i)
        for (int64_t j = 0; j < n; ++j)
            y[i * n + j] = beta * cv[(cm == 1 ? 0 : i) * cn + (cn == 1 ? 0 : j)];
}

std::vector<Tensor> runGemm(const Node& node, OpInputs inputs, const OpContext& ctx)
{
    const Tensor& a = ops::input(inputs, 0, "A");
    const Tensor& b = ops::input(inputs, 1, "B");
    const Tensor* c = ops::optionalInput(inputs, 2);
    requireFloat(a, "A");
    requireFloat(b, "B");
    if (c)
        requireFloat(*c, "C");
    if (a.rank() != 2 || b.rank() != 2)
        throw ShapeError("A and B must be matrices, got " + shapeToString(a.shape()) + " and " + shapeToString(b.shape()));
    const bool ta = node.attrInt("transA", 0) != 0;
    const bool tb = node.attrInt("transB", 0) != 0;
    const float alpha = node.attrFloat("alpha", 1.f);
    const float beta = node.attrFloat("beta", 1.f);
    const int64_t m = ta ? a.dim(1) : a.dim(0);
    const int64_t k = ta ? a.dim(0) : a.dim(1);
    const int64_t kb = tb ? b.dim(1) : b.dim(0);
    const int64_t n = tb ? b.dim(0) : b.dim(1);
    if (k != kb)
        throw ShapeError("inner dimensions differ: A " + shapeToString(a.shape()) + (ta ? " (transposed)" : "") + ", B "
                         + shapeToString(b.shape()) + (tb ? " (transposed)" : ""));
    Tensor y(DType::Float32, {m, n});
    if (y.empty())
        return ops::single(std::move(y));
    MapR ym(y.f(), m, n);
    if (c && beta != 0.f && !c->empty())
        fillBroadcastC(y.f(), m, n, *c, beta);
    else
        ym.setZero();
    if (k > 0) {
        CMapR am(a.f(), a.dim(0), a.dim(1));
        CMapR bm(b.f(), b.dim(0), b.dim(1));
        if (ta && tb)
            parallelProduct(ym, am.transpose(), bm.transpose(), alpha, ctx.threads);
        else if (ta)
            parallelProduct(ym, am.transpose(), bm, alpha, ctx.threads);
        else if (tb)
            parallelProduct(ym, am, bm.transpose(), alpha, ctx.threads);
        else
            parallelProduct(ym, am, bm, alpha, ctx.threads);
    }
    std::vector<Tensor> out;
    out.push_back(std::move(y));
    return out;
}

/// MatMul with numpy semantics: 1-D operands get a dim prepended (A) or appended (B) that is
/// removed from the result; leading (batch) dims broadcast.
std::vector<Tensor> runMatMul(const Node& node, OpInputs inputs, const OpContext& ctx)
{
    const Tensor& a = ops::input(inputs, 0, "A");
    const Tensor& b = ops::input(inputs, 1, "B");
    requireFloat(a, "A");
    requireFloat(b, "B");
    if (a.rank() < 1 || b.rank() < 1)
        throw ShapeError("MatMul operands must have rank ≥ 1, got " + shapeToString(a.shape()) + " and "
                         + shapeToString(b.shape()));
    Shape as = a.shape(), bs = b.shape();
    const bool aVec = as.size() == 1, bVec = bs.size() == 1;
    if (aVec)
        as.insert(as.begin(), 1);
    if (bVec)
        bs.push_back(1);
    const int64_t m = as[as.size() - 2], k = as.back();
    const int64_t n = bs.back();
    if (bs[bs.size() - 2] != k)
        throw ShapeError("inner dimensions differ: " + shapeToString(a.shape()) + " × " + shapeToString(b.shape()));
    const Shape aBatch(as.begin(), as.end() - 2), bBatch(bs.begin(), bs.end() - 2);
    const Shape batch = ops::broadcastShapes(aBatch, bBatch);

    Shape outShape = batch;
    if (!aVec)
        outShape.push_back(m);
    if (!bVec)
        outShape.push_back(n);
    Tensor y(DType::Float32, outShape);
    if (y.empty())
        return ops::single(std::move(y));
    const float* af = a.f();
    const float* bf = b.f();
    float* yf = y.f();
    if (k == 0) {
        std::fill(yf, yf + y.numel(), 0.f);
    } else if (bBatch.empty() || shapeNumel(bBatch) == 1) {
        // One B for every batch: A's batch (which is the whole broadcast batch here) folds into
        // the rows of a single product.
        const int64_t rows = shapeNumel(batch) * m;
        parallelProduct(MapR(yf, rows, n), CMapR(af, rows, k), CMapR(bf, k, n), 1.f, ctx.threads); // y is zero-filled
    } else {
        const int64_t nb = shapeNumel(batch);
        const auto sa = ops::broadcastStrides(aBatch, batch);
        const auto sb = ops::broadcastStrides(bBatch, batch);
        const auto sy = stridesOf(batch);
        auto product = [&](int64_t i, int threads) {
            int64_t ia = 0, ib = 0, rem = i;
            for (size_t d = 0; d < batch.size(); ++d) {
                const int64_t idx = rem / sy[d];
                rem %= sy[d];
                ia += idx * sa[d];
                ib += idx * sb[d];
            }
            parallelProduct(MapR(yf + i * m * n, m, n), CMapR(af + ia * m * k, m, k), CMapR(bf + ib * k * n, k, n), 1.f,
                            threads);
        };
        // Many small products: spread over the threads; few large ones: one after the other,
        // each split over its rows.
        if (nb >= ctx.threads && m * n * k < (int64_t(1) << 21))
            parallelFor(nb, ctx.threads, [&](int64_t i0, int64_t i1) {
                for (int64_t i = i0; i < i1; ++i)
                    product(i, 1);
            });
        else
            for (int64_t i = 0; i < nb; ++i)
                product(i, ctx.threads);
    }
    std::vector<Tensor> out;
    out.push_back(std::move(y));
    return out;
}

void validateGemm(const Node& node, int64_t /*opset*/)
{
    opcheck::inputCount(node, 2, 3);
    opcheck::outputCount(node, 1, 1);
    node.attrInt("transA", 0);
    node.attrInt("transB", 0);
    node.attrFloat("alpha", 1.f);
    node.attrFloat("beta", 1.f);
}

void validateMatMul(const Node& node, int64_t /*opset*/)
{
    opcheck::inputCount(node, 2, 2);
    opcheck::outputCount(node, 1, 1);
}

} // namespace

void registerGemmOps(OpRegistry& registry)
{
    registry.add({"Gemm", 1, validateGemm, runGemm});
    registry.add({"MatMul", 1, validateMatMul, runMatMul});
}

} // namespace lnscope::core
