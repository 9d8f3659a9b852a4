// Normalisation and reduction family: BatchNormalization (inference), Softmax, ReduceMean, ArgMax.
//
// The axis ops view their input as [outer, len, inner] around the axis. When inner > 1 (e.g.
// Softmax over the channels of N×C×H×W) the loops walk `len` on the outside and a block of
// contiguous inner positions on the inside, so memory is read in order.
#include "lnscope/core/op_registry.h"
#include "lnscope/core/parallel.h"
#include "ops_util.h"

#include <algorithm>
#include <cmath>
#include <set>

namespace lnscope::core {

namespace {

using ops::floatInput;
using ops::single;
using ops::threadsFor;

// Inner positions handled together by the [outer, len, inner] loops (stack buffers).
constexpr int64_t kInnerBlock = 64;

void requireBinary(const Node& node, const std::string& attr, int64_t def)
{
    const int64_t v = node.attrInt(attr, def);
    if (v != 0 && v != 1)
        throw FormatError(node.describe() + ": attribute '" + attr + "' must be 0 or 1, got " + std::to_string(v));
}

/// A tensor seen as [outer, len, inner] around an axis range [first, last).
struct AxisSplit
{
    int64_t outer = 1;
    int64_t len = 1;
    int64_t inner = 1;
};

AxisSplit splitAxes(const Shape& shape, int first, int last)
{
    AxisSplit s;
    for (int d = 0; d < static_cast<int>(shape.size()); ++d)
        (d < first ? s.outer : d < last ? s.len : s.inner) *= shape[d];
    return s;
}

/// Number of (outer, inner-block) tasks of a split.
int64_t blockCount(const AxisSplit& s)
{
    return (s.inner + kInnerBlock - 1) / kInnerBlock;
}

// ---- BatchNormalization ----------------------------------------------------------------------

std::vector<Tensor> runBatchNorm(const Node& node, OpInputs inputs, const OpContext& ctx)
{
    const Tensor& x = floatInput(inputs, 0, "X");
    if (x.rank() < 2)
        throw ShapeError("X must have rank ≥ 2 (N, C, ...), got " + shapeToString(x.shape()));
    const int64_t channels = x.dim(1);
    const char* names[] = {"scale", "B", "input_mean", "input_var"};
    const float* params[4];
    for (size_t i = 0; i < 4; ++i) {
        const Tensor& p = floatInput(inputs, i + 1, names[i]);
        if (p.numel() != channels || p.rank() > 1)
            throw ShapeError(std::string("input '") + names[i] + "' must have shape [" + std::to_string(channels)
                             + "], got " + shapeToString(p.shape()));
        params[i] = p.floats().data();
    }
    // y = x·a + b with a = scale / sqrt(var + ε), b = B − mean·a (per channel, in double).
    const double eps = node.attrFloat("epsilon", 1e-5f);
    std::vector<float> a(static_cast<size_t>(channels)), b(static_cast<size_t>(channels));
    for (int64_t c = 0; c < channels; ++c) {
        const double ac = double(params[0][c]) / std::sqrt(double(params[3][c]) + eps);
        a[c] = static_cast<float>(ac);
        b[c] = static_cast<float>(double(params[1][c]) - double(params[2][c]) * ac);
    }
    const int64_t plane = shapeNumel(x.shape()) / std::max<int64_t>(1, x.dim(0) * channels);
    const int64_t planes = x.dim(0) * channels;
    Tensor y(DType::Float32, x.shape());
    const float* px = x.floats().data();
    float* py = y.floats().data();
    parallelFor(planes, threadsFor(x.numel(), ctx), [&](int64_t begin, int64_t end) {
        for (int64_t p = begin; p < end; ++p) {
            const float ac = a[p % channels], bc = b[p % channels];
            const float* xp = px + p * plane;
            float* yp = py + p * plane;
            for (int64_t k = 0; k < plane; ++k)
                yp[k] = xp[k] * ac + bc;
        }
    });
    return single(std::move(y));
}

void validateBatchNorm(const Node& node, int64_t opset)
{
    opcheck::inputCount(node, 5, 5);
    opcheck::outputCount(node, 1, opset < 14 ? 5 : 3);
    const float eps = node.attrFloat("epsilon", 1e-5f);
    if (!(eps >= 0.f) || !std::isfinite(eps))
        throw FormatError(node.describe() + ": attribute 'epsilon' must be finite and ≥ 0, got " + std::to_string(eps));
    node.attrFloat("momentum", 0.9f); // type check only: running statistics are not updated
    requireBinary(node, "training_mode", 0);
    if (node.attrInt("training_mode", 0) == 1)
        throw UnsupportedError(node.describe() + ": training_mode = 1 is not supported (inference only)");
    if (opset < 9 && node.attrInt("spatial", 1) != 1)
        throw UnsupportedError(node.describe() + ": spatial = 0 (per-activation statistics) is not supported");
    for (size_t o = 1; o < node.outputs.size(); ++o)
        if (!node.outputs[o].empty())
            throw UnsupportedError(node.describe() + ": output " + std::to_string(o) + " ('" + node.outputs[o]
                                   + "') exists only in training mode, which is not supported");
}

// ---- Softmax ---------------------------------------------------------------------------------

/// Softmax of contiguous rows of length len.
void softmaxRows(const float* x, float* y, int64_t len, int64_t begin, int64_t end)
{
    for (int64_t r = begin; r < end; ++r) {
        const float* xr = x + r * len;
        float* yr = y + r * len;
        float m = xr[0];
        for (int64_t k = 1; k < len; ++k)
            m = xr[k] > m ? xr[k] : m;
        float sum = 0.f;
        for (int64_t k = 0; k < len; ++k) {
            yr[k] = std::exp(xr[k] - m); // max subtracted: exp never overflows
            sum += yr[k];
        }
        const float inv = 1.f / sum;
        for (int64_t k = 0; k < len; ++k)
            yr[k] *= inv;
    }
}

/// Softmax along a strided axis, for the tasks [begin, end) of (outer, inner block).
void softmaxStrided(const float* x, float* y, const AxisSplit& s, int64_t begin, int64_t end)
{
    const int64_t blocks = blockCount(s);
    float m[kInnerBlock], sum[kInnerBlock];
    for (int64_t t = begin; t < end; ++t) {
        const int64_t o = t / blocks;
        const int64_t i0 = (t % blocks) * kInnerBlock;
        const int64_t w = std::min(kInnerBlock, s.inner - i0);
        const float* xo = x + o * s.len * s.inner + i0;
        float* yo = y + o * s.len * s.inner + i0;
        std::copy(xo, xo + w, m);
        for (int64_t l = 1; l < s.len; ++l)
            for (int64_t k = 0; k < w; ++k)
                m[k] = xo[l * s.inner + k] > m[k] ? xo[l * s.inner + k] : m[k];
        std::fill(sum, sum + w, 0.f);
        for (int64_t l = 0; l < s.len; ++l)
            for (int64_t k = 0; k < w; ++k) {
                const float e = std::exp(xo[l * s.inner + k] - m[k]);
                yo[l * s.inner + k] = e;
                sum[k] += e;
            }
        for (int64_t k = 0; k < w; ++k)
            sum[k] = 1.f / sum[k];
        for (int64_t l = 0; l < s.len; ++l)
            for (int64_t k = 0; k < w; ++k)
                yo[l * s.inner + k] *= sum[k];
    }
}

std::vector<Tensor> runSoftmax(const Node& node, OpInputs inputs, const OpContext& ctx)
{
    const Tensor& x = floatInput(inputs, 0, "input");
    const bool flatten = ctx.opset < 13; // opsets 1–12: softmax over all dims from axis on
    const int rank = x.rank();
    const int axis = rank == 0 ? 0 : ops::normalizeAxis(node.attrInt("axis", flatten ? 1 : -1), rank);
    const AxisSplit s = splitAxes(x.shape(), axis, flatten ? rank : axis + 1);
    Tensor y(DType::Float32, x.shape());
    if (x.empty() || s.len == 0)
        return single(std::move(y));
    const float* px = x.floats().data();
    float* py = y.floats().data();
    const int threads = threadsFor(x.numel(), ctx);
    if (s.inner == 1) {
        parallelFor(s.outer, threads, [&](int64_t b, int64_t e) { softmaxRows(px, py, s.len, b, e); });
    } else {
        parallelFor(s.outer * blockCount(s), threads, [&](int64_t b, int64_t e) { softmaxStrided(px, py, s, b, e); });
    }
    return single(std::move(y));
}

void validateSoftmax(const Node& node, int64_t)
{
    opcheck::inputCount(node, 1, 1);
    opcheck::outputCount(node, 1, 1);
    node.attrInt("axis", 0);
}

// ---- ReduceMean ------------------------------------------------------------------------------

/// Input dims merged into runs that are all reduced or all kept (size-1 dims dropped).
struct ReduceGroups
{
    std::vector<int64_t> extent;
    std::vector<bool> reduced;
};

ReduceGroups groupDims(const Shape& shape, const std::vector<bool>& reduce)
{
    ReduceGroups g;
    for (size_t d = 0; d < shape.size(); ++d) {
        if (shape[d] == 1)
            continue;
        if (!g.extent.empty() && g.reduced.back() == reduce[d]) {
            g.extent.back() *= shape[d];
        } else {
            g.extent.push_back(shape[d]);
            g.reduced.push_back(reduce[d]);
        }
    }
    return g;
}

/// Means over [outer, len, inner] with the middle reduced: out[o, i] = mean_l x[o, l, i].
void meanMiddle(const float* x, float* y, const AxisSplit& s, int64_t begin, int64_t end)
{
    const int64_t blocks = blockCount(s);
    double acc[kInnerBlock];
    for (int64_t t = begin; t < end; ++t) {
        const int64_t o = t / blocks;
        const int64_t i0 = (t % blocks) * kInnerBlock;
        const int64_t w = std::min(kInnerBlock, s.inner - i0);
        const float* xo = x + o * s.len * s.inner + i0;
        std::fill(acc, acc + w, 0.0);
        for (int64_t l = 0; l < s.len; ++l)
            for (int64_t k = 0; k < w; ++k)
                acc[k] += xo[l * s.inner + k];
        for (int64_t k = 0; k < w; ++k)
            y[o * s.inner + i0 + k] = static_cast<float>(acc[k] / double(s.len));
    }
}

/// Means of contiguous rows (reduction over trailing dims, e.g. H·W of N×C×H×W).
void meanRows(const float* x, float* y, int64_t len, int64_t begin, int64_t end)
{
    for (int64_t r = begin; r < end; ++r) {
        const float* xr = x + r * len;
        double sum = 0.0;
        // Vectorised partial sums: the order is fixed by the binary, not by the thread count.
#pragma omp simd reduction(+ : sum)
        for (int64_t k = 0; k < len; ++k)
            sum += xr[k];
        y[r] = static_cast<float>(sum / double(len));
    }
}

/// Any other reduction pattern: accumulate every element into its output (sequential).
void meanGeneral(const Tensor& x, const Shape& keptShape, Tensor& y)
{
    std::vector<double> acc(static_cast<size_t>(y.numel()), 0.0);
    const float* px = x.floats().data();
    ops::forEachBroadcast(x.shape(), x.shape(), keptShape, [&](int64_t i, int64_t, int64_t o) { acc[o] += px[i]; });
    const double count = double(x.numel()) / double(std::max<int64_t>(1, y.numel()));
    float* py = y.floats().data();
    for (size_t o = 0; o < acc.size(); ++o)
        py[o] = static_cast<float>(acc[o] / count);
}

std::vector<Tensor> runReduceMean(const Node& node, OpInputs inputs, const OpContext& ctx)
{
    const Tensor& x = floatInput(inputs, 0, "data");
    const int rank = x.rank();
    std::vector<bool> reduce(static_cast<size_t>(rank), false);
    const auto axes = node.attrInts("axes");
    for (int64_t a : axes) {
        const int d = ops::normalizeAxis(a, rank, "axes value");
        if (reduce[d])
            throw ShapeError("axes lists dimension " + std::to_string(d) + " twice");
        reduce[d] = true;
    }
    if (axes.empty())
        std::fill(reduce.begin(), reduce.end(), true);
    const bool keepdims = node.attrInt("keepdims", 1) != 0;
    Shape keptShape = x.shape(), outShape;
    for (int d = 0; d < rank; ++d) {
        if (reduce[d])
            keptShape[d] = 1;
        if (!reduce[d] || keepdims)
            outShape.push_back(keptShape[d]);
    }
    Tensor y(DType::Float32, outShape);
    const ReduceGroups g = groupDims(x.shape(), reduce);
    const int threads = threadsFor(x.numel(), ctx);
    // Patterns [R], [K,R], [R,K], [K,R,K] have one reduced run: the [outer, len, inner] loop.
    const size_t ng = g.extent.size();
    const auto r = std::find(g.reduced.begin(), g.reduced.end(), true) - g.reduced.begin();
    if (x.numel() == 0 || ng == 0 || std::count(g.reduced.begin(), g.reduced.end(), true) != 1) {
        if (ng == 0 && x.numel() == 1)
            y.floats()[0] = x.floats()[0];
        else
            meanGeneral(x, keptShape, y);
        return single(std::move(y));
    }
    AxisSplit s;
    for (size_t i = 0; i < ng; ++i)
        (static_cast<ptrdiff_t>(i) < r ? s.outer : static_cast<ptrdiff_t>(i) == r ? s.len : s.inner) *= g.extent[i];
    const float* px = x.floats().data();
    float* py = y.floats().data();
    if (s.inner == 1)
        parallelFor(s.outer, threads, [&](int64_t b, int64_t e) { meanRows(px, py, s.len, b, e); });
    else
        parallelFor(s.outer * blockCount(s), threads, [&](int64_t b, int64_t e) { meanMiddle(px, py, s, b, e); });
    return single(std::move(y));
}

void validateReduceMean(const Node& node, int64_t)
{
    opcheck::inputCount(node, 1, 1);
    opcheck::outputCount(node, 1, 1);
    node.attrInts("axes");
    requireBinary(node, "keepdims", 1);
}

// ---- ArgMax ----------------------------------------------------------------------------------

inline bool isNan(float v)
{
    return std::isnan(v);
}
inline bool isNan(int64_t)
{
    return false;
}

/// Whether v replaces the current best. NaN counts as the maximum (as numpy's argmax).
template <typename T>
bool takes(T v, T best, bool last)
{
    if (isNan(best))
        return last && isNan(v);
    return last ? (v >= best || isNan(v)) : (v > best || isNan(v));
}

template <typename T>
void argMaxTasks(const T* x, int64_t* y, const AxisSplit& s, bool last, int64_t begin, int64_t end)
{
    const int64_t blocks = blockCount(s);
    T best[kInnerBlock];
    int64_t arg[kInnerBlock];
    for (int64_t t = begin; t < end; ++t) {
        const int64_t o = t / blocks;
        const int64_t i0 = (t % blocks) * kInnerBlock;
        const int64_t w = std::min(kInnerBlock, s.inner - i0);
        const T* xo = x + o * s.len * s.inner + i0;
        std::copy(xo, xo + w, best);
        std::fill(arg, arg + w, 0);
        for (int64_t l = 1; l < s.len; ++l)
            for (int64_t k = 0; k < w; ++k)
                if (takes(xo[l * s.inner + k], best[k], last)) {
                    best[k] = xo[l * s.inner + k];
                    arg[k] = l;
                }
        std::copy(arg, arg + w, y + o * s.inner + i0);
    }
}

std::vector<Tensor> runArgMax(const Node& node, OpInputs inputs, const OpContext& ctx)
{
    const Tensor& x = ops::input(inputs, 0, "data");
    const int rank = x.rank();
    const int axis = ops::normalizeAxis(node.attrInt("axis", 0), rank);
    if (rank == 0)
        throw ShapeError("ArgMax needs an input of rank ≥ 1");
    const bool keepdims = node.attrInt("keepdims", 1) != 0;
    const bool last = node.attrInt("select_last_index", 0) != 0;
    const AxisSplit s = splitAxes(x.shape(), axis, axis + 1);
    if (s.len == 0)
        throw ShapeError("cannot take ArgMax over empty axis " + std::to_string(axis) + " of shape "
                         + shapeToString(x.shape()));
    Shape outShape = x.shape();
    if (keepdims)
        outShape[axis] = 1;
    else
        outShape.erase(outShape.begin() + axis);
    Tensor y(DType::Int64, outShape);
    int64_t* py = y.ints().data();
    const int threads = threadsFor(x.numel(), ctx);
    const int64_t tasks = s.outer * blockCount(s);
    if (x.isFloat())
        parallelFor(tasks, threads, [&](int64_t b, int64_t e) { argMaxTasks(x.floats().data(), py, s, last, b, e); });
    else
        parallelFor(tasks, threads, [&](int64_t b, int64_t e) { argMaxTasks(x.ints().data(), py, s, last, b, e); });
    return single(std::move(y));
}

void validateArgMax(const Node& node, int64_t)
{
    opcheck::inputCount(node, 1, 1);
    opcheck::outputCount(node, 1, 1);
    node.attrInt("axis", 0);
    requireBinary(node, "keepdims", 1);
    requireBinary(node, "select_last_index", 0);
}

} // namespace

void registerNormOps(OpRegistry& registry)
{
    registry.add(ops::opDef("BatchNormalization", 7, validateBatchNorm, runBatchNorm));
    registry.add(ops::opDef("Softmax", 1, validateSoftmax, runSoftmax));
    registry.add(ops::opDef("ReduceMean", 1, validateReduceMean, runReduceMean));
    registry.add(ops::opDef("ArgMax", 1, validateArgMax, runArgMax));
}

} // namespace lnscope::core
