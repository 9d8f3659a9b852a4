// MaxPool (with the optional Indices output), AveragePool, GlobalAveragePool, GlobalMaxPool;
// 1-D to 3-D, float32. Parallel over the N·C planes, so results do not depend on the thread count.
// Without Indices the pools run row by row (one pass per kernel tap over an output row); the
// Indices path walks each window (it is rare and needs the argmax position).

#include "lnscope/core/parallel.h"
#include "ops_util.h"

#include <algorithm>
#include <limits>

namespace lnscope::core {

namespace {

constexpr size_t kMaxSpatial = 3;

/// For one spatial axis and every output position: the window taps [kLo, kHi) that land inside
/// the input, and how many taps land inside input + padding (count_include_pad divisor).
struct AxisTaps
{
    int64_t in = 1, stride = 1, dilation = 1, padBegin = 0;
    std::vector<int64_t> kLo, kHi, padded;
    int64_t start(int64_t o) const { return o * stride - padBegin; }
};

AxisTaps axisTaps(int64_t in, int64_t out, int64_t kernel, int64_t stride, int64_t dilation, int64_t padBegin,
                  int64_t padEnd)
{
    AxisTaps a{in, stride, dilation, padBegin, {}, {}, {}};
    a.kLo.resize(out);
    a.kHi.resize(out);
    a.padded.resize(out);
    for (int64_t o = 0; o < out; ++o) {
        const int64_t s = a.start(o);
        int64_t lo = 0, hi = 0, pad = 0;
        while (lo < kernel && s + lo * dilation < 0)
            ++lo;
        hi = lo;
        while (hi < kernel && s + hi * dilation < in)
            ++hi;
        while (pad < kernel && s + pad * dilation < in + padEnd)
            ++pad;
        a.kLo[o] = lo;
        a.kHi[o] = std::max(lo, hi);
        a.padded[o] = pad;
    }
    return a;
}

/// The window as three axes (depth, height, width); missing leading axes have size 1.
struct PoolGeom
{
    AxisTaps axes[kMaxSpatial];
    int64_t out[kMaxSpatial] = {1, 1, 1};
    int64_t inPlane = 1, outPlane = 1;
};

PoolGeom poolGeom(const ops::Window& w)
{
    const size_t n = w.kernel.size();
    if (n < 1 || n > kMaxSpatial)
        throw UnsupportedError("only 1-D, 2-D and 3-D pooling is supported, got " + std::to_string(n) + " spatial dims");
    PoolGeom g;
    const size_t off = kMaxSpatial - n;
    for (size_t i = 0; i < kMaxSpatial; ++i) {
        if (i < off) {
            g.axes[i] = axisTaps(1, 1, 1, 1, 1, 0, 0);
            continue;
        }
        const size_t j = i - off;
        g.axes[i] = axisTaps(w.inSize[j], w.outSize[j], w.kernel[j], w.strides[j], w.dilations[j], w.padBegin[j], w.padEnd[j]);
        g.out[i] = w.outSize[j];
        g.inPlane *= w.inSize[j];
        g.outPlane *= w.outSize[j];
    }
    return g;
}

/// Input X of a pool: float32 with rank ≥ 3.
const Tensor& poolInput(OpInputs inputs)
{
    const Tensor& x = ops::input(inputs, 0, "X");
    if (!x.isFloat())
        throw UnsupportedError(std::string("X must be float32, got ") + dtypeName(x.dtype()));
    if (x.rank() < 3)
        throw ShapeError("X must have rank ≥ 3 (N, C, spatial...), got " + shapeToString(x.shape()));
    return x;
}

Shape pooledShape(const Shape& x, const std::vector<int64_t>& spatial)
{
    Shape s{x[0], x[1]};
    s.insert(s.end(), spatial.begin(), spatial.end());
    return s;
}

/// Calls fn(outIndex, d, h, w taps...) — shared walk over the output positions of one plane.
template <typename Fn>
void forEachOutput(const PoolGeom& g, Fn&& fn)
{
    int64_t o = 0;
    for (int64_t od = 0; od < g.out[0]; ++od)
        for (int64_t oh = 0; oh < g.out[1]; ++oh)
            for (int64_t ow = 0; ow < g.out[2]; ++ow)
                fn(o++, od, oh, ow);
}

/// Strides of the spatial axes used for Indices: row-major, or column-major when storage_order = 1
/// (2-D: h + w·H). Leading size-1 axes always have index 0, so one formula serves every rank.
void indexStrides(const PoolGeom& g, bool columnMajor, int64_t strides[kMaxSpatial])
{
    const int64_t d = g.axes[0].in, h = g.axes[1].in, w = g.axes[2].in;
    strides[0] = columnMajor ? 1 : h * w;
    strides[1] = columnMajor ? d : w;
    strides[2] = columnMajor ? d * h : 1;
}

/// Max or average over every window of one plane, row by row: for each valid (depth, height)
/// tap and each kernel column, one pass over the output row (vectorizes for stride 1). No indices.
template <bool kMax>
void poolPlaneRows(const float* plane, float* out, const PoolGeom& g, const std::vector<int64_t>& colLo,
                   const std::vector<int64_t>& colHi, int64_t kernelW, bool includePad)
{
    const auto& [A0, A1, A2] = g.axes;
    const int64_t outW = g.out[2], s = A2.stride;
    for (int64_t od = 0; od < g.out[0]; ++od) {
        for (int64_t oh = 0; oh < g.out[1]; ++oh) {
            float* orow = out + (od * g.out[1] + oh) * outW;
            std::fill(orow, orow + outW, kMax ? std::numeric_limits<float>::lowest() : 0.f);
            for (int64_t kd = A0.kLo[od]; kd < A0.kHi[od]; ++kd) {
                const int64_t id = A0.start(od) + kd * A0.dilation;
                for (int64_t kh = A1.kLo[oh]; kh < A1.kHi[oh]; ++kh) {
                    const int64_t ih = A1.start(oh) + kh * A1.dilation;
                    const float* row = plane + (id * A1.in + ih) * A2.in;
                    for (int64_t kw = 0; kw < kernelW; ++kw) {
                        const float* src = row + kw * A2.dilation - A2.padBegin;
                        for (int64_t ow = colLo[kw]; ow < colHi[kw]; ++ow) {
                            const float v = src[ow * s];
                            orow[ow] = kMax ? std::max(orow[ow], v) : orow[ow] + v;
                        }
                    }
                }
            }
            if constexpr (!kMax) {
                const int64_t dh = includePad ? A0.padded[od] * A1.padded[oh]
                                              : (A0.kHi[od] - A0.kLo[od]) * (A1.kHi[oh] - A1.kLo[oh]);
                for (int64_t ow = 0; ow < outW; ++ow) {
                    const int64_t count = dh * (includePad ? A2.padded[ow] : A2.kHi[ow] - A2.kLo[ow]);
                    orow[ow] = count > 0 ? orow[ow] / static_cast<float>(count) : 0.f;
                }
            }
        }
    }
}

/// Runs poolPlaneRows over all N·C planes in parallel.
template <bool kMax>
void poolRows(const Tensor& x, Tensor& y, const ops::Window& win, const PoolGeom& g, bool includePad, int threads)
{
    // Per kernel column: the output columns whose tap lands inside the input.
    const AxisTaps& aw = g.axes[2];
    const int64_t kernelW = win.kernel.back();
    std::vector<int64_t> colLo(kernelW), colHi(kernelW);
    for (int64_t kw = 0; kw < kernelW; ++kw) {
        const int64_t a = aw.padBegin - kw * aw.dilation; // need ow·s ≥ a and ow·s ≤ in − 1 + a
        colLo[kw] = a <= 0 ? 0 : (a + aw.stride - 1) / aw.stride;
        const int64_t b = aw.in - 1 + a;
        colHi[kw] = b < 0 ? 0 : std::min(g.out[2], b / aw.stride + 1);
        colLo[kw] = std::min(colLo[kw], colHi[kw]);
    }
    const float* xf = x.f();
    float* yf = y.f();
    parallelFor(x.dim(0) * x.dim(1), threads, [&](int64_t p0, int64_t p1) {
        for (int64_t p = p0; p < p1; ++p)
            poolPlaneRows<kMax>(xf + p * g.inPlane, yf + p * g.outPlane, g, colLo, colHi, kernelW, includePad);
    });
}

std::vector<Tensor> runMaxPool(const Node& node, OpInputs inputs, const OpContext& ctx)
{
    const Tensor& x = poolInput(inputs);
    const ops::Window win = ops::convWindow(node, x.shape(), {}, true);
    const PoolGeom g = poolGeom(win);
    const bool wantIndices = node.outputs.size() > 1 && !node.outputs[1].empty();
    Tensor y(DType::Float32, pooledShape(x.shape(), win.outSize));
    if (!wantIndices) {
        poolRows<true>(x, y, win, g, false, ctx.threads);
        std::vector<Tensor> result;
        result.push_back(std::move(y));
        return result;
    }
    Tensor indices(DType::Int64, y.shape());
    int64_t istr[kMaxSpatial];
    indexStrides(g, node.attrInt("storage_order", 0) != 0, istr);
    const float* xf = x.f();
    float* yf = y.f();
    int64_t* idxf = indices.ints().data();
    const auto& [A0, A1, A2] = g.axes;
    parallelFor(x.dim(0) * x.dim(1), ctx.threads, [&](int64_t p0, int64_t p1) {
        for (int64_t p = p0; p < p1; ++p) {
            const float* plane = xf + p * g.inPlane;
            float* out = yf + p * g.outPlane;
            forEachOutput(g, [&](int64_t o, int64_t od, int64_t oh, int64_t ow) {
                float best = std::numeric_limits<float>::lowest();
                int64_t bestIdx = -1;
                for (int64_t kd = A0.kLo[od]; kd < A0.kHi[od]; ++kd) {
                    const int64_t id = A0.start(od) + kd * A0.dilation;
                    for (int64_t kh = A1.kLo[oh]; kh < A1.kHi[oh]; ++kh) {
                        const int64_t ih = A1.start(oh) + kh * A1.dilation;
                        const float* row = plane + (id * A1.in + ih) * A2.in;
                        for (int64_t kw = A2.kLo[ow]; kw < A2.kHi[ow]; ++kw) {
                            const int64_t iw = A2.start(ow) + kw * A2.dilation;
                            if (row[iw] > best || bestIdx < 0) {
                                best = row[iw];
                                bestIdx = id * istr[0] + ih * istr[1] + iw * istr[2];
                            }
                        }
                    }
                }
                out[o] = best;
                idxf[p * g.outPlane + o] = bestIdx < 0 ? -1 : p * g.inPlane + bestIdx;
            });
        }
    });
    std::vector<Tensor> result;
    result.push_back(std::move(y));
    result.push_back(std::move(indices));
    return result;
}

std::vector<Tensor> runAveragePool(const Node& node, OpInputs inputs, const OpContext& ctx)
{
    const Tensor& x = poolInput(inputs);
    const ops::Window win = ops::convWindow(node, x.shape(), {}, true);
    const PoolGeom g = poolGeom(win);
    Tensor y(DType::Float32, pooledShape(x.shape(), win.outSize));
    poolRows<false>(x, y, win, g, node.attrInt("count_include_pad", 0) != 0, ctx.threads);
    std::vector<Tensor> result;
    result.push_back(std::move(y));
    return result;
}

template <bool kMax>
std::vector<Tensor> runGlobalPool(const Node& node, OpInputs inputs, const OpContext& ctx)
{
    const Tensor& x = poolInput(inputs);
    Shape shape = x.shape();
    std::fill(shape.begin() + 2, shape.end(), 1);
    Tensor y(DType::Float32, shape);
    const int64_t plane = shapeNumel(Shape(x.shape().begin() + 2, x.shape().end()));
    const float* xf = x.f();
    float* yf = y.f();
    parallelFor(x.dim(0) * x.dim(1), ctx.threads, [&](int64_t p0, int64_t p1) {
        for (int64_t p = p0; p < p1; ++p) {
            const float* v = xf + p * plane;
            if constexpr (kMax) {
                float best = plane > 0 ? v[0] : 0.f;
                for (int64_t i = 1; i < plane; ++i)
                    best = std::max(best, v[i]);
                yf[p] = best;
            } else {
                double sum = 0.0;
                for (int64_t i = 0; i < plane; ++i)
                    sum += v[i];
                yf[p] = plane > 0 ? static_cast<float>(sum / static_cast<double>(plane)) : 0.f;
            }
        }
    });
    std::vector<Tensor> result;
    result.push_back(std::move(y));
    return result;
}

void validatePool(const Node& node, size_t maxOutputs)
{
    opcheck::inputCount(node, 1, 1);
    opcheck::outputCount(node, 1, maxOutputs);
    ops::validateWindowAttrs(node);
    const auto kernel = node.attrInts("kernel_shape");
    if (kernel.empty())
        throw FormatError(node.describe() + ": attribute 'kernel_shape' is required");
    if (kernel.size() > kMaxSpatial)
        throw UnsupportedError(node.describe() + ": only 1-D, 2-D and 3-D pooling is supported");
    const auto check = [&](const char* attr, size_t n) {
        const size_t got = node.attrInts(attr).size();
        if (got != 0 && got != n)
            throw FormatError(node.describe() + ": attribute '" + attr + "' has " + std::to_string(got)
                              + " values, expected " + std::to_string(n));
    };
    check("strides", kernel.size());
    check("dilations", kernel.size());
    check("pads", 2 * kernel.size());
    const int64_t ceil = node.attrInt("ceil_mode", 0);
    if (ceil != 0 && ceil != 1)
        throw FormatError(node.describe() + ": attribute 'ceil_mode' must be 0 or 1");
}

void validateMaxPool(const Node& node, int64_t /*opset*/)
{
    validatePool(node, 2);
    const int64_t order = node.attrInt("storage_order", 0);
    if (order != 0 && order != 1)
        throw FormatError(node.describe() + ": attribute 'storage_order' must be 0 or 1");
}

void validateAveragePool(const Node& node, int64_t /*opset*/)
{
    validatePool(node, 1);
    const int64_t include = node.attrInt("count_include_pad", 0);
    if (include != 0 && include != 1)
        throw FormatError(node.describe() + ": attribute 'count_include_pad' must be 0 or 1");
}

void validateGlobalPool(const Node& node, int64_t /*opset*/)
{
    opcheck::inputCount(node, 1, 1);
    opcheck::outputCount(node, 1, 1);
}

} // namespace

void registerPoolOps(OpRegistry& registry)
{
    registry.add({"MaxPool", 1, validateMaxPool, runMaxPool});
    registry.add({"AveragePool", 1, validateAveragePool, runAveragePool});
    registry.add({"GlobalMaxPool", 1, validateGlobalPool, runGlobalPool<true>});
    registry.add({"GlobalAveragePool", 1, validateGlobalPool, runGlobalPool<false>});
}

} // namespace lnscope::core
