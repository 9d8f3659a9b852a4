// Data-movement ops: Transpose, Concat, Split, Slice, Gather, Pad (ONNX opsets 7–17).
//
// Every op here moves elements without arithmetic, so each kernel is written once for both
// element types (float32, int64) through a generic lambda over a type tag (shape_util.h).

#include "lnscope/core/op_registry.h"
#include "lnscope/core/parallel.h"
#include "ops_util.h"
#include "shape_util.h"

#include <algorithm>
#include <limits>

namespace lnscope::core {
namespace {

using ops::castFloatToInt64;
using ops::copyStrided;
using ops::counts;
using ops::elems;
using ops::input;
using ops::normalizeAxis;
using ops::optionalInput;
using ops::product;
using ops::single;
using ops::threadsFor;
using ops::visitType;

// Upper bound on elements a Pad may create: bounded memory on malformed pads.
constexpr int64_t kMaxOutputElements = int64_t(1) << 31;

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
        intValue = castFloatToInt64(value);
    } else {
        pads = input(inputs, 1, "pads").toInts();
        if (const Tensor* c = optionalInput(inputs, 2); c && c->numel() > 0) {
            value = c->valueAsDouble(0);
            intValue = c->isFloat() ? castFloatToInt64(value) : c->valueAsInt(0);
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

} // namespace

void registerMovementOps(OpRegistry& registry)
{
    registry.add({"Transpose", 1, validateTranspose, runTranspose});
    registry.add({"Concat", 4, validateConcat, runConcat});
    registry.add({"Split", 2, validateSplit, runSplit});
    registry.add({"Slice", 1, validateSlice, runSlice});
    registry.add({"Gather", 1, counts(2, 2, {"axis"}), runGather});
    registry.add({"Pad", 2, validatePad, runPad});
}

} // namespace lnscope::core
