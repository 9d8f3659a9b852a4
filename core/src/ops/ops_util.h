#pragma once
// Internal helpers shared by the op families: input access, broadcasting, sliding-window
// geometry (Conv, ConvTranspose, pools). Everything throws ShapeError/FormatError with a reason;
// the executor prefixes the node.

#include "lnscope/core/error.h"
#include "lnscope/core/graph.h"
#include "lnscope/core/op_registry.h"
#include "lnscope/core/tensor.h"

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace lnscope::core::ops {

/// Below this many elements a kernel runs on the calling thread: thread start-up costs more
/// than it saves.
constexpr int64_t kParallelMinElements = 1 << 15;

/// Threads for a kernel over `elements` elements: ctx.threads when the work is large enough.
inline int threadsFor(int64_t elements, const OpContext& ctx, int64_t minElements = kParallelMinElements)
{
    return elements < minElements ? 1 : ctx.threads;
}

/// One output. (`return {t};` would copy t: initializer_list elements are const.)
inline std::vector<Tensor> single(Tensor t)
{
    std::vector<Tensor> out;
    out.push_back(std::move(t));
    return out;
}

/// Required input i (ShapeError if omitted).
const Tensor& input(OpInputs inputs, size_t i, const char* what);
/// An OpDef from its parts, for the registration lists.
inline OpDef opDef(const char* opType, int64_t since, decltype(OpDef::validate) validate, decltype(OpDef::run) run)
{
    OpDef d;
    d.opType = opType;
    d.sinceOpset = since;
    d.validate = std::move(validate);
    d.run = std::move(run);
    return d;
}

/// Required float input i (ShapeError if omitted, UnsupportedError if not float).
const Tensor& floatInput(OpInputs inputs, size_t i, const char* what);
/// Optional input i or nullptr.
inline const Tensor* optionalInput(OpInputs inputs, size_t i)
{
    return i < inputs.size() ? inputs[i] : nullptr;
}

/// Numpy-style broadcast of two shapes (ShapeError when incompatible).
Shape broadcastShapes(const Shape& a, const Shape& b);

/// For an output shape `out` and an input shape `in` broadcast to it: the input's strides in
/// the output's index space (0 along broadcast axes). `in` rank ≤ `out` rank.
std::vector<int64_t> broadcastStrides(const Shape& in, const Shape& out);

/// Calls fn(outIndex, aIndex, bIndex) for every element of the broadcast of a and b, in order.
template <typename Fn>
void forEachBroadcast(const Shape& outShape, const Shape& aShape, const Shape& bShape, Fn&& fn)
{
    const int64_t n = shapeNumel(outShape);
    const size_t r = outShape.size();
    const auto sa = broadcastStrides(aShape, outShape);
    const auto sb = broadcastStrides(bShape, outShape);
    if (aShape == outShape && bShape == outShape) {
        for (int64_t i = 0; i < n; ++i)
            fn(i, i, i);
        return;
    }
    std::vector<int64_t> idx(r, 0);
    int64_t ia = 0, ib = 0;
    for (int64_t i = 0; i < n; ++i) {
        fn(i, ia, ib);
        for (int d = static_cast<int>(r) - 1; d >= 0; --d) {
            ++idx[d];
            ia += sa[d];
            ib += sb[d];
            if (idx[d] < outShape[d])
                break;
            ia -= sa[d] * outShape[d];
            ib -= sb[d] * outShape[d];
            idx[d] = 0;
        }
    }
}

/// Normalises a possibly negative axis for a tensor of `rank` (ShapeError when out of range).
int normalizeAxis(int64_t axis, int rank, const char* what = "axis");

/// Sliding-window geometry for N-d Conv/ConvTranspose/pools over the spatial dims.
struct Window
{
    std::vector<int64_t> kernel;
    std::vector<int64_t> strides;
    std::vector<int64_t> dilations;
    std::vector<int64_t> padBegin;
    std::vector<int64_t> padEnd;
    std::vector<int64_t> inSize;  ///< spatial input size
    std::vector<int64_t> outSize; ///< spatial output size
};

/// Computes the window of a Conv or pool: reads kernel_shape (or `kernelFromWeights` when
/// empty / absent), strides, dilations, pads, auto_pad (NOTSET, SAME_UPPER, SAME_LOWER,
/// VALID) and, for pools, ceil_mode. Throws ShapeError when the output would be empty.
Window convWindow(const Node& node, const Shape& inputShape, const std::vector<int64_t>& kernelFromWeights,
                  bool allowCeilMode);

/// Window of a ConvTranspose (pads, output_padding, output_shape, auto_pad, dilations, strides).
struct TransposeWindow : Window
{
    std::vector<int64_t> outputPadding;
};
TransposeWindow convTransposeWindow(const Node& node, const Shape& inputShape, const std::vector<int64_t>& kernel);

/// Shared validation for Conv/ConvTranspose/pool attributes (strides, dilations, kernel_shape > 0;
/// pads ≥ 0 with 2·spatial entries; auto_pad value; group ≥ 1).
void validateWindowAttrs(const Node& node);

} // namespace lnscope::core::ops
