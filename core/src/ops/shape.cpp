// Shape and data-movement ops: Concat, Split, Slice, Reshape, Flatten, Transpose, Squeeze,
// Unsqueeze, Gather, Shape, Cast, Identity, Pad (ONNX opsets 7–17).
//
// Every op here moves elements without arithmetic, so each kernel is written once for both
// element types (float32, int64) through a generic lambda over a type tag.

#include "lnscope/core/op_registry.h"
#include "lnscope/core/parallel.h"
#include "ops_util.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>

namespace lnscope::core {
namespace {

using ops::input;
using ops::single;
using ops::threadsFor;
using ops::normalizeAxis;
using ops::optionalInput;

// Upper bound on elements a Pad may create: bounded memory on malformed pads.
constexpr int64_t kMaxOutputElements = int64_t(1) << 31;

template <typename T>
std::span<const T> elems(const Tensor& t)
{
    if constexpr (std::is_same_v<T, float>)
        return t.floats();
    else
        return t.ints();
}

template <typename T>
std::span<T> elems(Tensor& t)
{
    if constexpr (std::is_same_v<T, float>)
        return t.floats();
    else
        return t.ints();
}

/// Calls fn(T{}) with T = float or int64_t matching `type`.
template <typename Fn>
decltype(auto) visitType(DType type, Fn&& fn)
{
    if (type == DType::Float32)
        return fn(float{});
    return fn(int64_t{});
}

/// Copies a strided view of `src` (element offset `base`, per-axis strides, possibly negative)
/// into `dst`, which is dense row-major with shape `outShape`.
template <typename T>
void copyStrided(const T* src, int64_t base, const std::vector<int64_t>& srcStrides, const Shape& outShape, T* dst,
                 int threads)
{
    const int64_t n = shapeNumel(outShape);
    if (n == 0)
        return;
    const int r = static_cast<int>(outShape.size());
    if (r == 0) {
        dst[0] = src[base];
        return;
    }
    const int64_t inner = outShape[r - 1];
    const int64_t innerStride = srcStrides[r - 1];
    const int64_t rows = n / inner;
    parallelFor(rows, threads, [&](int64_t begin, int64_t end) {
        std::vector<int64_t> idx(static_cast<size_t>(r - 1), 0);
        int64_t off = base;
        for (int64_t rem = begin, d = r - 2; d >= 0; --d) {
            idx[d] = rem % outShape[d];
            rem /= outShape[d];
            off += idx[d] * srcStrides[d];
        }
        for (int64_t row = begin; row < end; ++row) {
            T* out = dst + row * inner;
            if (innerStride == 1) {
                std::copy(src + off, src + off + inner, out);
            } else {
                for (int64_t i = 0; i < inner; ++i)
                    out[i] = src[off + i * innerStride];
            }
            for (int d = r - 2; d >= 0; --d) {
                off += srcStrides[d];
                if (++idx[d] < outShape[d])
                    break;
                off -= srcStrides[d] * outShape[d];
                idx[d] = 0;
            }
        }
    });
}

int64_t product(const Shape& shape, size_t begin, size_t end)
{
    int64_t p = 1;
    for (size_t i = begin; i < end; ++i)
        p *= shape[i];
    return p;
}

/// Axes from an attribute (opset < `inputSince`) or from input `index` (later opsets).
std::vector<int64_t> axesFrom(const Node& node, OpInputs inputs, size_t index, const OpContext& ctx, int64_t inputSince,
                              bool& given)
{
    if (ctx.opset < inputSince || node.has("axes")) {
        given = node.has("axes");
        return node.attrInts("axes");
    }
    const Tensor* t = optionalInput(inputs, index);
    given = t != nullptr && t->numel() > 0;
    return given ? t->toInts() : std::vector<int64_t>{};
}

// ---- Identity, Shape, Cast ----------------------------------------------------------------

std::vector<Tensor> runIdentity(const Node&, OpInputs inputs, const OpContext&)
{
    return single(input(inputs, 0, "input"));
}

std::vector<Tensor> runShape(const Node& node, OpInputs inputs, const OpContext&)
{
    const Shape& s = input(inputs, 0, "data").shape();
    const int64_t r = static_cast<int64_t>(s.size());
    auto clampEnd = [r](int64_t v) { return std::clamp<int64_t>(v < 0 ? v + r : v, 0, r); };
    const int64_t start = clampEnd(node.attrInt("start", 0));
    const int64_t end = node.has("end") ? clampEnd(node.attrInt("end", r)) : r;
    std::vector<int64_t> dims;
    for (int64_t i = start; i < end; ++i)
        dims.push_back(s[static_cast<size_t>(i)]);
    const int64_t n = static_cast<int64_t>(dims.size());
    return single(Tensor::fromInts({n}, std::move(dims)));
}

// ONNX TensorProto.DataType codes used by Cast's `to`.
enum OnnxType : int64_t {
    kFloat = 1,
    kUint8 = 2,
    kInt8 = 3,
    kUint16 = 4,
    kInt16 = 5,
    kInt32 = 6,
    kInt64 = 7,
    kString = 8,
    kBool = 9,
    kFloat16 = 10,
    kDouble = 11,
    kUint32 = 12,
    kUint64 = 13,
    kComplex64 = 14,
    kComplex128 = 15,
    kBfloat16 = 16
};

bool isFloatTarget(int64_t to)
{
    return to == kFloat || to == kFloat16 || to == kDouble || to == kBfloat16;
}

/// Rounds to the nearest value with `bits` significant bits (ties to even), as a cast to a
/// narrower float type would; `minNormal`/`overflow` bound the narrow type's range.
float roundToNarrowFloat(float x, int bits, float minNormal, float overflow)
{
    if (!std::isfinite(x) || x == 0.f)
        return x;
    const float a = std::fabs(x);
    if (a >= overflow)
        return std::copysign(std::numeric_limits<float>::infinity(), x);
    int e = 0;
    std::frexp(std::max(a, minNormal), &e);
    const float quantum = std::ldexp(1.f, e - bits); // subnormals share the smallest normal's quantum
    return std::copysign(std::nearbyint(a / quantum) * quantum, x);
}

/// The value an integer of ONNX type `to` would hold, stored as int64 (C++20: modular narrowing).
int64_t wrapToInt(int64_t v, int64_t to)
{
    switch (to) {
    case kUint8: return static_cast<uint8_t>(v);
    case kInt8: return static_cast<int8_t>(v);
    case kUint16: return static_cast<uint16_t>(v);
    case kInt16: return static_cast<int16_t>(v);
    case kInt32: return static_cast<int32_t>(v);
    case kUint32: return static_cast<uint32_t>(v);
    case kBool: return v != 0 ? 1 : 0;
    default: return v; // int64, uint64 (stored as int64)
    }
}

/// float → integer type: truncation toward zero; NaN → 0; out-of-range saturates to int64 first.
int64_t floatToInt(double v, int64_t to)
{
    if (to == kBool)
        return v != 0.0 ? 1 : 0; // NaN is true, as in numpy
    if (std::isnan(v))
        return 0;
    constexpr double kLimit = 9.2233720368547758e18; // 2^63
    const double t = std::trunc(v);
    const int64_t i = t >= kLimit   ? std::numeric_limits<int64_t>::max()
                      : t < -kLimit ? std::numeric_limits<int64_t>::min()
                                    : static_cast<int64_t>(t);
    return wrapToInt(i, to);
}

void validateCast(const Node& node, int64_t)
{
    opcheck::inputCount(node, 1, 1);
    opcheck::outputCount(node, 1, 1);
    if (!node.has("to"))
        throw FormatError(node.describe() + ": required attribute 'to' is missing");
    const int64_t to = node.attrInt("to", 0);
    if (to == kString || to == kComplex64 || to == kComplex128)
        throw UnsupportedError(node.describe() + ": cast to ONNX type " + std::to_string(to)
                               + " (string/complex) is not supported");
    if (to < kFloat || to > kBfloat16)
        throw FormatError(node.describe() + ": attribute 'to' has unknown type " + std::to_string(to));
}

std::vector<Tensor> runCast(const Node& node, OpInputs inputs, const OpContext&)
{
    const Tensor& x = input(inputs, 0, "input");
    const int64_t to = node.attrInt("to", kFloat);
    const int64_t n = x.numel();
    if (isFloatTarget(to)) {
        Tensor y(DType::Float32, x.shape());
        float* out = y.f();
        for (int64_t i = 0; i < n; ++i)
            out[i] = static_cast<float>(x.valueAsDouble(i));
        if (to == kFloat16)
            for (int64_t i = 0; i < n; ++i)
                out[i] = roundToNarrowFloat(out[i], 11, 6.103515625e-05f, 65520.f);
        else if (to == kBfloat16)
            for (int64_t i = 0; i < n; ++i)
                out[i] = roundToNarrowFloat(out[i], 8, std::numeric_limits<float>::min(),
                                            std::numeric_limits<float>::infinity());
        return single(std::move(y));
    }
    Tensor y(DType::Int64, x.shape());
    auto out = y.ints();
    if (x.isFloat()) {
        const auto in = x.floats();
        for (int64_t i = 0; i < n; ++i)
            out[i] = floatToInt(in[i], to);
    } else {
        const auto in = x.ints();
        for (int64_t i = 0; i < n; ++i)
            out[i] = wrapToInt(in[i], to);
    }
    return single(std::move(y));
}

// ---- Reshape, Flatten, Squeeze, Unsqueeze (metadata only) ---------------------------------

Shape reshapeTarget(const Shape& in, const std::vector<int64_t>& spec, bool allowZero)
{
    Shape out(spec.size());
    int inferred = -1;
    bool hasZero = false;
    int64_t known = 1;
    for (size_t i = 0; i < spec.size(); ++i) {
        int64_t d = spec[i];
        if (d == -1) {
            if (inferred >= 0)
                throw ShapeError("shape " + shapeToString(spec) + " has more than one -1");
            inferred = static_cast<int>(i);
            continue;
        }
        if (d < -1)
            throw ShapeError("shape " + shapeToString(spec) + " has invalid dimension " + std::to_string(d));
        if (d == 0 && !allowZero) {
            if (i >= in.size())
                throw ShapeError("shape " + shapeToString(spec) + " copies dimension " + std::to_string(i)
                                 + " (0) but the input " + shapeToString(in) + " has rank "
                                 + std::to_string(in.size()));
            d = in[i];
        }
        hasZero = hasZero || d == 0;
        out[i] = d;
        known *= d;
    }
    const int64_t total = shapeNumel(in);
    if (inferred >= 0) {
        if (allowZero && hasZero)
            throw ShapeError("shape " + shapeToString(spec) + " has both 0 and -1 with allowzero=1");
        if (known == 0 || total % known != 0)
            throw ShapeError("cannot infer the -1 in shape " + shapeToString(spec) + " for input " + shapeToString(in));
        out[static_cast<size_t>(inferred)] = total / known;
    }
    if (shapeNumel(out) != total)
        throw ShapeError("cannot reshape " + shapeToString(in) + " (" + std::to_string(total) + " elements) to "
                         + shapeToString(spec));
    return out;
}

std::vector<Tensor> runReshape(const Node& node, OpInputs inputs, const OpContext&)
{
    const Tensor& x = input(inputs, 0, "data");
    const Tensor& spec = input(inputs, 1, "shape");
    if (spec.rank() != 1)
        throw ShapeError("shape input must be 1-D, got " + shapeToString(spec.shape()));
    return single(x.reshaped(reshapeTarget(x.shape(), spec.toInts(), node.attrInt("allowzero", 0) != 0)));
}

std::vector<Tensor> runFlatten(const Node& node, OpInputs inputs, const OpContext&)
{
    const Tensor& x = input(inputs, 0, "input");
    const int64_t r = x.rank();
    int64_t axis = node.attrInt("axis", 1);
    if (axis < -r || axis > r) // Flatten accepts axis == rank (everything in the first dim)
        throw ShapeError("axis " + std::to_string(axis) + " is out of range for rank " + std::to_string(r));
    if (axis < 0)
        axis += r;
    const Shape& s = x.shape();
    return single(x.reshaped({product(s, 0, size_t(axis)), product(s, size_t(axis), s.size())}));
}

std::vector<Tensor> runSqueeze(const Node& node, OpInputs inputs, const OpContext& ctx)
{
    const Tensor& x = input(inputs, 0, "data");
    bool given = false;
    const auto axes = axesFrom(node, inputs, 1, ctx, 13, given);
    std::vector<bool> drop(x.shape().size(), false);
    for (int64_t a : axes) {
        const int ax = normalizeAxis(a, x.rank());
        if (drop[ax])
            throw ShapeError("axis " + std::to_string(a) + " is listed twice");
        if (x.dim(ax) != 1)
            throw ShapeError("cannot squeeze axis " + std::to_string(a) + " of size " + std::to_string(x.dim(ax))
                             + " in " + shapeToString(x.shape()));
        drop[ax] = true;
    }
    Shape out;
    for (int i = 0; i < x.rank(); ++i)
        if (given ? !drop[i] : x.dim(i) != 1) // no axes: drop every 1
            out.push_back(x.dim(i));
    return single(x.reshaped(out));
}

std::vector<Tensor> runUnsqueeze(const Node& node, OpInputs inputs, const OpContext& ctx)
{
    const Tensor& x = input(inputs, 0, "data");
    bool given = false;
    const auto axes = axesFrom(node, inputs, 1, ctx, 13, given);
    if (!given)
        throw ShapeError("missing axes");
    const int outRank = x.rank() + static_cast<int>(axes.size());
    std::vector<bool> inserted(static_cast<size_t>(outRank), false);
    for (int64_t a : axes) {
        const int ax = normalizeAxis(a, outRank);
        if (inserted[ax])
            throw ShapeError("axis " + std::to_string(a) + " is listed twice");
        inserted[ax] = true;
    }
    Shape out;
    size_t next = 0;
    for (int i = 0; i < outRank; ++i)
        out.push_back(inserted[i] ? 1 : x.shape()[next++]);
    return single(x.reshaped(out));
}

// ---- Transpose ----------------------------------------------------------------------------

std::vector<int64_t> permOf(const Node& node, int rank)
{
    auto perm = node.attrInts("perm");
    if (perm.empty() && !node.has("perm")) {
        for (int i = rank - 1; i >= 0; --i)
            perm.push_back(i);
        return perm;
    }
    if (static_cast<int>(perm.size()) != rank)
        throw ShapeError("perm has " + std::to_string(perm.size()) + " entries for an input of rank "
                         + std::to_string(rank));
    return perm;
}

std::vector<Tensor> runTranspose(const Node& node, OpInputs inputs, const OpContext& ctx)
{
    const Tensor& x = input(inputs, 0, "data");
    const auto perm = permOf(node, x.rank());
    const auto inStrides = stridesOf(x.shape());
    Shape outShape(perm.size());
    std::vector<int64_t> strides(perm.size());
    for (size_t i = 0; i < perm.size(); ++i) {
        outShape[i] = x.shape()[static_cast<size_t>(perm[i])];
        strides[i] = inStrides[static_cast<size_t>(perm[i])];
    }
    Tensor y(x.dtype(), outShape);
    visitType(x.dtype(), [&](auto tag) {
        using T = decltype(tag);
        copyStrided<T>(elems<T>(x).data(), 0, strides, outShape, elems<T>(y).data(), threadsFor(x.numel(), ctx));
    });
    return single(std::move(y));
}

void validateTranspose(const Node& node, int64_t)
{
    opcheck::inputCount(node, 1, 1);
    opcheck::outputCount(node, 1, 1);
    const auto perm = node.attrInts("perm");
    std::vector<bool> seen(perm.size(), false);
    for (int64_t p : perm) {
        if (p < 0 || p >= static_cast<int64_t>(perm.size()) || seen[static_cast<size_t>(p)])
            throw FormatError(node.describe() + ": attribute 'perm' is not a permutation of 0.."
                              + std::to_string(int64_t(perm.size()) - 1));
        seen[static_cast<size_t>(p)] = true;
    }
}

// ---- Concat, Split ------------------------------------------------------------------------

std::vector<Tensor> runConcat(const Node& node, OpInputs inputs, const OpContext& ctx)
{
    const Tensor& first = input(inputs, 0, "inputs");
    if (first.rank() == 0)
        throw ShapeError("cannot concatenate scalars");
    const int axis = normalizeAxis(node.attrInt("axis", 0), first.rank());
    Shape outShape = first.shape();
    outShape[axis] = 0;
    for (size_t k = 0; k < inputs.size(); ++k) {
        const Tensor& t = input(inputs, k, "inputs");
        bool fits = t.rank() == first.rank() && t.dtype() == first.dtype();
        for (int d = 0; fits && d < t.rank(); ++d)
            fits = d == axis || t.dim(d) == first.dim(d);
        if (!fits)
            throw ShapeError("input " + std::to_string(k) + " " + shapeToString(t.shape()) + " (" + dtypeName(t.dtype())
                             + ") does not fit input 0 " + shapeToString(first.shape()) + " ("
                             + dtypeName(first.dtype()) + ") along axis " + std::to_string(axis));
        outShape[axis] += t.dim(axis);
    }
    Tensor y(first.dtype(), outShape);
    const int64_t outer = product(outShape, 0, size_t(axis));
    const int64_t inner = product(outShape, size_t(axis) + 1, outShape.size());
    const int64_t outRow = outShape[axis] * inner;
    visitType(first.dtype(), [&](auto tag) {
        using T = decltype(tag);
        T* dst = elems<T>(y).data();
        int64_t offset = 0;
        for (size_t k = 0; k < inputs.size(); ++k) {
            const T* src = elems<T>(*inputs[k]).data();
            const int64_t row = inputs[k]->dim(axis) * inner;
            parallelFor(outer, threadsFor(outer * row, ctx), [&](int64_t b, int64_t e) {
                for (int64_t o = b; o < e; ++o)
                    std::copy(src + o * row, src + (o + 1) * row, dst + o * outRow + offset);
            });
            offset += row;
        }
    });
    return single(std::move(y));
}

void validateConcat(const Node& node, int64_t)
{
    opcheck::inputCount(node, 1, std::numeric_limits<size_t>::max());
    opcheck::outputCount(node, 1, 1);
    if (!node.has("axis"))
        throw FormatError(node.describe() + ": required attribute 'axis' is missing");
    node.attrInt("axis", 0);
    for (const auto& in : node.inputs)
        if (in.empty())
            throw FormatError(node.describe() + ": an input is empty");
}

std::vector<int64_t> splitSizes(const Node& node, OpInputs inputs, int64_t dim, size_t outputs)
{
    std::vector<int64_t> sizes = node.attrInts("split");
    if (const Tensor* t = optionalInput(inputs, 1); t && t->numel() > 0)
        sizes = t->toInts();
    if (sizes.empty()) {
        if (dim % static_cast<int64_t>(outputs) != 0)
            throw ShapeError("dimension " + std::to_string(dim) + " does not split into " + std::to_string(outputs)
                             + " equal parts");
        return std::vector<int64_t>(outputs, dim / static_cast<int64_t>(outputs));
    }
    int64_t sum = 0;
    for (int64_t s : sizes) {
        if (s < 0)
            throw ShapeError("negative split size " + std::to_string(s));
        sum += s;
    }
    if (sizes.size() != outputs || sum != dim)
        throw ShapeError("split " + shapeToString(sizes) + " does not divide dimension " + std::to_string(dim)
                         + " into " + std::to_string(outputs) + " outputs");
    return sizes;
}

std::vector<Tensor> runSplit(const Node& node, OpInputs inputs, const OpContext& ctx)
{
    const Tensor& x = input(inputs, 0, "input");
    const int axis = normalizeAxis(node.attrInt("axis", 0), x.rank());
    const auto sizes = splitSizes(node, inputs, x.dim(axis), node.outputs.size());
    const int64_t outer = product(x.shape(), 0, size_t(axis));
    const int64_t inner = product(x.shape(), size_t(axis) + 1, x.shape().size());
    const int64_t inRow = x.dim(axis) * inner;
    std::vector<Tensor> outs;
    int64_t offset = 0;
    for (int64_t size : sizes) {
        Shape s = x.shape();
        s[axis] = size;
        Tensor y(x.dtype(), s);
        const int64_t row = size * inner;
        visitType(x.dtype(), [&](auto tag) {
            using T = decltype(tag);
            const T* src = elems<T>(x).data() + offset;
            T* dst = elems<T>(y).data();
            parallelFor(outer, threadsFor(outer * row, ctx), [&](int64_t b, int64_t e) {
                for (int64_t o = b; o < e; ++o)
                    std::copy(src + o * inRow, src + o * inRow + row, dst + o * row);
            });
        });
        offset += row;
        outs.push_back(std::move(y));
    }
    return outs;
}

void validateSplit(const Node& node, int64_t opset)
{
    opcheck::inputCount(node, 1, opset >= 13 ? 2 : 1);
    opcheck::outputCount(node, 1, std::numeric_limits<size_t>::max());
    opcheck::nonNegativeInts(node, "split");
    node.attrInt("axis", 0);
    if (node.has("split") && node.hasInput(1))
        throw FormatError(node.describe() + ": 'split' is given both as attribute and as input");
    if (node.has("split") && node.attrInts("split").size() != node.outputs.size())
        throw FormatError(node.describe() + ": attribute 'split' has " + std::to_string(node.attrInts("split").size())
                          + " entries for " + std::to_string(node.outputs.size()) + " outputs");
}

// ---- Slice --------------------------------------------------------------------------------

struct SliceParams
{
    std::vector<int64_t> starts, ends, axes, steps;
};

SliceParams sliceParams(const Node& node, OpInputs inputs, const OpContext& ctx)
{
    SliceParams p;
    if (ctx.opset < 10) {
        p.starts = node.attrInts("starts");
        p.ends = node.attrInts("ends");
        p.axes = node.attrInts("axes");
    } else {
        p.starts = input(inputs, 1, "starts").toInts();
        p.ends = input(inputs, 2, "ends").toInts();
        if (const Tensor* t = optionalInput(inputs, 3))
            p.axes = t->toInts();
        if (const Tensor* t = optionalInput(inputs, 4))
            p.steps = t->toInts();
    }
    if (p.axes.empty())
        for (size_t i = 0; i < p.starts.size(); ++i)
            p.axes.push_back(static_cast<int64_t>(i));
    if (p.steps.empty())
        p.steps.assign(p.starts.size(), 1);
    const size_t n = p.starts.size();
    if (p.ends.size() != n || p.axes.size() != n || p.steps.size() != n)
        throw ShapeError("starts, ends, axes and steps differ in length (" + std::to_string(n) + ", "
                         + std::to_string(p.ends.size()) + ", " + std::to_string(p.axes.size()) + ", "
                         + std::to_string(p.steps.size()) + ")");
    return p;
}

/// Clamps start/end of one axis as the ONNX spec does and returns the element count.
int64_t sliceAxis(int64_t dim, int64_t step, int64_t& start, int64_t end)
{
    if (dim == 0)
        return 0;
    if (start < 0)
        start += dim;
    if (end < 0)
        end += dim;
    if (step > 0) {
        start = std::clamp<int64_t>(start, 0, dim);
        end = std::clamp<int64_t>(end, 0, dim);
        return end > start ? (end - start - 1) / step + 1 : 0; // no overflow for steps near INT64_MAX
    }
    start = std::clamp<int64_t>(start, 0, dim - 1);
    end = std::clamp<int64_t>(end, -1, dim - 1);
    const int64_t back = step == std::numeric_limits<int64_t>::min() ? std::numeric_limits<int64_t>::max() : -step;
    return start > end ? (start - end - 1) / back + 1 : 0;
}

std::vector<Tensor> runSlice(const Node& node, OpInputs inputs, const OpContext& ctx)
{
    const Tensor& x = input(inputs, 0, "data");
    const SliceParams p = sliceParams(node, inputs, ctx);
    Shape outShape = x.shape();
    std::vector<int64_t> start(x.shape().size(), 0), step(x.shape().size(), 1);
    std::vector<bool> seen(x.shape().size(), false);
    for (size_t i = 0; i < p.starts.size(); ++i) {
        const int ax = normalizeAxis(p.axes[i], x.rank());
        if (seen[ax])
            throw ShapeError("axis " + std::to_string(p.axes[i]) + " is sliced twice");
        seen[ax] = true;
        if (p.steps[i] == 0)
            throw ShapeError("step 0 on axis " + std::to_string(p.axes[i]));
        start[ax] = p.starts[i];
        step[ax] = p.steps[i];
        outShape[ax] = sliceAxis(x.dim(ax), step[ax], start[ax], p.ends[i]);
        if (outShape[ax] <= 1)
            step[ax] = 1; // the step is never taken; keeps step·stride from overflowing
    }
    const auto inStrides = stridesOf(x.shape());
    int64_t base = 0;
    std::vector<int64_t> strides(inStrides.size());
    for (size_t d = 0; d < inStrides.size(); ++d) {
        if (outShape[d] > 0)
            base += start[d] * inStrides[d];
        strides[d] = step[d] * inStrides[d];
    }
    Tensor y(x.dtype(), outShape);
    visitType(x.dtype(), [&](auto tag) {
        using T = decltype(tag);
        copyStrided<T>(elems<T>(x).data(), base, strides, outShape, elems<T>(y).data(), threadsFor(y.numel(), ctx));
    });
    return single(std::move(y));
}

void validateSlice(const Node& node, int64_t opset)
{
    opcheck::outputCount(node, 1, 1);
    if (opset >= 10) {
        opcheck::inputCount(node, 3, 5);
        return;
    }
    opcheck::inputCount(node, 1, 1);
    if (!node.has("starts") || !node.has("ends"))
        throw FormatError(node.describe() + ": attributes 'starts' and 'ends' are required");
    const size_t n = node.attrInts("starts").size();
    if (node.attrInts("ends").size() != n || (node.has("axes") && node.attrInts("axes").size() != n))
        throw FormatError(node.describe() + ": attributes 'starts', 'ends' and 'axes' differ in length");
}

// ---- Gather -------------------------------------------------------------------------------

std::vector<Tensor> runGather(const Node& node, OpInputs inputs, const OpContext& ctx)
{
    const Tensor& x = input(inputs, 0, "data");
    const Tensor& indicesT = input(inputs, 1, "indices");
    if (x.rank() == 0)
        throw ShapeError("data must have rank ≥ 1");
    const int axis = normalizeAxis(node.attrInt("axis", 0), x.rank());
    const int64_t dim = x.dim(axis);
    std::vector<int64_t> indices = indicesT.toInts();
    for (int64_t& i : indices) {
        if (i < -dim || i >= dim)
            throw ShapeError("index " + std::to_string(i) + " is out of range for axis " + std::to_string(axis)
                             + " of size " + std::to_string(dim));
        if (i < 0)
            i += dim;
    }
    Shape outShape(x.shape().begin(), x.shape().begin() + axis);
    outShape.insert(outShape.end(), indicesT.shape().begin(), indicesT.shape().end());
    outShape.insert(outShape.end(), x.shape().begin() + axis + 1, x.shape().end());
    Tensor y(x.dtype(), outShape);
    const int64_t outer = product(x.shape(), 0, size_t(axis));
    const int64_t inner = product(x.shape(), size_t(axis) + 1, x.shape().size());
    const int64_t count = static_cast<int64_t>(indices.size());
    visitType(x.dtype(), [&](auto tag) {
        using T = decltype(tag);
        const T* src = elems<T>(x).data();
        T* dst = elems<T>(y).data();
        parallelFor(outer * count, threadsFor(y.numel(), ctx), [&](int64_t b, int64_t e) {
            for (int64_t k = b; k < e; ++k) {
                const T* from = src + ((k / count) * dim + indices[size_t(k % count)]) * inner;
                std::copy(from, from + inner, dst + k * inner);
            }
        });
    });
    return single(std::move(y));
}

// ---- Pad ----------------------------------------------------------------------------------

enum class PadMode { Constant, Reflect, Edge };

/// For one axis: the input index each output position reads, or -1 for the constant.
/// Negative pads crop first; reflect/edge then work on the cropped extent (as onnxruntime).
std::vector<int64_t> padIndexTable(int64_t dim, int64_t before, int64_t after, PadMode mode)
{
    const int64_t lo = std::max<int64_t>(0, -before);
    const int64_t len = dim - lo - std::max<int64_t>(0, -after);
    const int64_t b = std::max<int64_t>(0, before);
    const int64_t outLen = len + b + std::max<int64_t>(0, after);
    if (len < 0 || outLen < 0)
        throw ShapeError("pads " + std::to_string(before) + ", " + std::to_string(after) + " crop more than the "
                         + std::to_string(dim) + " elements of an axis");
    if (len == 0 && outLen > 0 && mode != PadMode::Constant)
        throw ShapeError("cannot reflect or extend an empty axis");
    std::vector<int64_t> table(static_cast<size_t>(outLen));
    for (int64_t o = 0; o < outLen; ++o) {
        int64_t j = o - b;
        if (j < 0 || j >= len) {
            if (mode == PadMode::Constant) {
                table[o] = -1;
                continue;
            }
            if (mode == PadMode::Edge) {
                j = std::clamp<int64_t>(j, 0, len - 1);
            } else if (len == 1) {
                j = 0;
            } else { // reflect without repeating the edge: period 2·(len − 1)
                const int64_t period = 2 * (len - 1);
                j = ((j % period) + period) % period;
                if (j >= len)
                    j = period - j;
            }
        }
        table[o] = lo + j;
    }
    return table;
}

PadMode padMode(const Node& node)
{
    const std::string m = node.attrString("mode", "constant");
    return m == "reflect" ? PadMode::Reflect : m == "edge" ? PadMode::Edge : PadMode::Constant;
}

template <typename T>
void padCopy(const T* src, const Shape& inShape, const std::vector<std::vector<int64_t>>& tables, const Shape& outShape,
             T value, T* dst, int threads)
{
    const int r = static_cast<int>(outShape.size());
    const int64_t inner = outShape[r - 1];
    const int64_t rows = shapeNumel(outShape) / std::max<int64_t>(inner, 1);
    const auto inStrides = stridesOf(inShape);
    const auto& last = tables[r - 1];
    parallelFor(inner == 0 ? 0 : rows, threads, [&](int64_t begin, int64_t end) {
        for (int64_t row = begin; row < end; ++row) {
            T* out = dst + row * inner;
            int64_t off = 0;
            bool constant = false;
            for (int64_t rem = row, d = r - 2; d >= 0; --d) {
                const int64_t i = tables[d][size_t(rem % outShape[d])];
                rem /= outShape[d];
                constant = constant || i < 0;
                off += i * inStrides[d];
            }
            if (constant) {
                std::fill(out, out + inner, value);
                continue;
            }
            for (int64_t o = 0; o < inner; ++o)
                out[o] = last[size_t(o)] < 0 ? value : src[off + last[size_t(o)]];
        }
    });
}

std::vector<Tensor> runPad(const Node& node, OpInputs inputs, const OpContext& ctx)
{
    const Tensor& x = input(inputs, 0, "data");
    std::vector<int64_t> pads;
    double value = 0.0;
    int64_t intValue = 0; // int64 data keeps an int64 constant exact
    if (ctx.opset < 11) {
        pads = node.attrInts("pads");
        value = node.attrFloat("value", 0.f);
        intValue = floatToInt(value, kInt64);
    } else {
        pads = input(inputs, 1, "pads").toInts();
        if (const Tensor* c = optionalInput(inputs, 2); c && c->numel() > 0) {
            value = c->valueAsDouble(0);
            intValue = c->isFloat() ? floatToInt(value, kInt64) : c->valueAsInt(0);
        }
    }
    const size_t r = x.shape().size();
    if (pads.size() != 2 * r)
        throw ShapeError("pads has " + std::to_string(pads.size()) + " values for an input of rank "
                         + std::to_string(r));
    if (r == 0)
        return single(x);
    const PadMode mode = padMode(node);
    std::vector<std::vector<int64_t>> tables;
    Shape outShape;
    for (size_t d = 0; d < r; ++d) {
        tables.push_back(padIndexTable(x.shape()[d], pads[d], pads[d + r], mode));
        outShape.push_back(static_cast<int64_t>(tables.back().size()));
    }
    if (shapeNumel(outShape) > kMaxOutputElements)
        throw ShapeError("padded shape " + shapeToString(outShape) + " is too large");
    Tensor y(x.dtype(), outShape);
    visitType(x.dtype(), [&](auto tag) {
        using T = decltype(tag);
        const T fill = std::is_same_v<T, float> ? static_cast<T>(value) : static_cast<T>(intValue);
        padCopy<T>(elems<T>(x).data(), x.shape(), tables, outShape, fill, elems<T>(y).data(),
                   threadsFor(y.numel(), ctx));
    });
    return single(std::move(y));
}

void validatePad(const Node& node, int64_t opset)
{
    opcheck::outputCount(node, 1, 1);
    opcheck::oneOf(node, "mode", "constant", {"constant", "reflect", "edge"});
    if (opset >= 11) {
        opcheck::inputCount(node, 2, 3);
        return;
    }
    opcheck::inputCount(node, 1, 1);
    if (!node.has("pads"))
        throw FormatError(node.describe() + ": required attribute 'pads' is missing");
    if (node.attrInts("pads").size() % 2 != 0)
        throw FormatError(node.describe() + ": attribute 'pads' must have an even number of values");
    node.attrFloat("value", 0.f);
}

// ---- validation of the simple ops ---------------------------------------------------------

/// validate() for ops whose only checks are input/output counts and the kinds of int attributes.
std::function<void(const Node&, int64_t)> counts(size_t minIn, size_t maxIn, std::vector<const char*> intAttrs = {})
{
    return [=](const Node& node, int64_t) {
        opcheck::inputCount(node, minIn, maxIn);
        opcheck::outputCount(node, 1, 1);
        for (const char* a : intAttrs)
            node.attrInt(a, 0); // throws FormatError on a wrong attribute kind
    };
}

void validateReshape(const Node& node, int64_t)
{
    opcheck::inputCount(node, 2, 2);
    opcheck::outputCount(node, 1, 1);
    const int64_t allowZero = node.attrInt("allowzero", 0);
    if (allowZero != 0 && allowZero != 1)
        throw FormatError(node.describe() + ": attribute 'allowzero' must be 0 or 1, got " + std::to_string(allowZero));
}

void validateSqueeze(const Node& node, int64_t opset)
{
    opcheck::inputCount(node, 1, opset >= 13 ? 2 : 1);
    opcheck::outputCount(node, 1, 1);
    node.attrInts("axes");
}

void validateUnsqueeze(const Node& node, int64_t opset)
{
    opcheck::outputCount(node, 1, 1);
    if (opset >= 13) {
        opcheck::inputCount(node, 2, 2);
        return;
    }
    opcheck::inputCount(node, 1, 1);
    if (!node.has("axes"))
        throw FormatError(node.describe() + ": required attribute 'axes' is missing");
    const auto axes = node.attrInts("axes");
    if (std::set<int64_t>(axes.begin(), axes.end()).size() != axes.size())
        throw FormatError(node.describe() + ": attribute 'axes' lists an axis twice");
}

} // namespace

void registerShapeOps(OpRegistry& registry)
{
    registry.add({"Identity", 1, counts(1, 1), runIdentity});
    registry.add({"Shape", 1, counts(1, 1, {"start", "end"}), runShape});
    registry.add({"Cast", 6, validateCast, runCast});
    registry.add({"Reshape", 5, validateReshape, runReshape});
    registry.add({"Flatten", 1, counts(1, 1, {"axis"}), runFlatten});
    registry.add({"Squeeze", 1, validateSqueeze, runSqueeze});
    registry.add({"Unsqueeze", 1, validateUnsqueeze, runUnsqueeze});
    registry.add({"Transpose", 1, validateTranspose, runTranspose});
    registry.add({"Concat", 4, validateConcat, runConcat});
    registry.add({"Split", 2, validateSplit, runSplit});
    registry.add({"Slice", 1, validateSlice, runSlice});
    registry.add({"Gather", 1, counts(2, 2, {"axis"}), runGather});
    registry.add({"Pad", 2, validatePad, runPad});
}

} // namespace lnscope::core
