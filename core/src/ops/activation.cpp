// Activations: Relu, LeakyRelu, PRelu, Clip, Sigmoid, HardSigmoid, HardSwish, Tanh.
// Element-wise over contiguous data; large tensors are split over ctx.threads (every element is
// computed independently, so the result does not depend on the split).
#include "lnscope/core/op_registry.h"
#include "lnscope/core/parallel.h"
#include "ops_util.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <type_traits>

namespace lnscope::core {

namespace {

using ops::floatInput;
using ops::single;
using ops::threadsFor;

/// y = fn(x) element-wise on a float tensor.
template <typename Fn>
Tensor mapFloats(const Tensor& x, const OpContext& ctx, Fn fn)
{
    Tensor y(DType::Float32, x.shape());
    const float* px = x.floats().data();
    float* py = y.floats().data();
    parallelFor(x.numel(), threadsFor(x.numel(), ctx), [&](int64_t begin, int64_t end) {
        for (int64_t i = begin; i < end; ++i)
            py[i] = fn(px[i]);
    });
    return y;
}

/// y = fn(x) element-wise on an int64 tensor.
template <typename Fn>
Tensor mapInts(const Tensor& x, const OpContext& ctx, Fn fn)
{
    Tensor y(DType::Int64, x.shape());
    const int64_t* px = x.ints().data();
    int64_t* py = y.ints().data();
    parallelFor(x.numel(), threadsFor(x.numel(), ctx), [&](int64_t begin, int64_t end) {
        for (int64_t i = begin; i < end; ++i)
            py[i] = fn(px[i]);
    });
    return y;
}

// The comparisons are written so that NaN passes through (as numpy's maximum/minimum do).
std::vector<Tensor> runRelu(const Node&, OpInputs inputs, const OpContext& ctx)
{
    const Tensor& x = ops::input(inputs, 0, "X");
    if (!x.isFloat())
        return single(mapInts(x, ctx, [](int64_t v) { return v < 0 ? int64_t{0} : v; }));
    return single(mapFloats(x, ctx, [](float v) { return v < 0.f ? 0.f : v; }));
}

std::vector<Tensor> runLeakyRelu(const Node& node, OpInputs inputs, const OpContext& ctx)
{
    const float alpha = node.attrFloat("alpha", 0.01f);
    return single(mapFloats(floatInput(inputs, 0, "X"), ctx, [alpha](float v) { return v < 0.f ? alpha * v : v; }));
}

std::vector<Tensor> runSigmoid(const Node&, OpInputs inputs, const OpContext& ctx)
{
    // Branch-free (twice as fast on mixed signs): for v < −88 exp(−v) overflows to +inf and
    // 1/(1 + inf) gives the correct limit 0; for large v exp(−v) → 0 gives 1.
    return single(mapFloats(floatInput(inputs, 0, "X"), ctx, [](float v) { return 1.f / (1.f + std::exp(-v)); }));
}

std::vector<Tensor> runHardSigmoid(const Node& node, OpInputs inputs, const OpContext& ctx)
{
    const float alpha = node.attrFloat("alpha", 0.2f);
    const float beta = node.attrFloat("beta", 0.5f);
    return single(mapFloats(floatInput(inputs, 0, "X"), ctx, [alpha, beta](float v) {
        const float t = alpha * v + beta;
        return t < 0.f ? 0.f : (t > 1.f ? 1.f : t);
    }));
}

std::vector<Tensor> runHardSwish(const Node&, OpInputs inputs, const OpContext& ctx)
{
    // y = x · max(0, min(1, x/6 + 1/2)), the spec's alpha = 1/6.
    constexpr float kAlpha = 1.f / 6.f;
    return single(mapFloats(floatInput(inputs, 0, "X"), ctx, [](float v) {
        const float t = kAlpha * v + 0.5f;
        return v * (t < 0.f ? 0.f : (t > 1.f ? 1.f : t));
    }));
}

std::vector<Tensor> runTanh(const Node&, OpInputs inputs, const OpContext& ctx)
{
    return single(mapFloats(floatInput(inputs, 0, "X"), ctx, [](float v) { return std::tanh(v); }));
}

// ---- Clip ------------------------------------------------------------------------------------

/// The bound from optional input i (opset ≥ 11): a one-element tensor of X's type, or `def`.
template <typename T>
T clipBound(OpInputs inputs, size_t i, const Tensor& x, T def, const char* what)
{
    const Tensor* t = ops::optionalInput(inputs, i);
    if (!t)
        return def;
    if (t->numel() != 1)
        throw ShapeError(std::string("input '") + what + "' must be a scalar, got shape " + shapeToString(t->shape()));
    if (t->dtype() != x.dtype())
        throw FormatError(std::string("input '") + what + "' must have the type of X (" + dtypeName(x.dtype())
                          + "), got " + dtypeName(t->dtype()));
    if constexpr (std::is_same_v<T, float>)
        return t->floats()[0];
    else
        return t->ints()[0];
}

template <typename T>
T clamp(T v, T lo, T hi)
{
    // min(max(v, lo), hi) as numpy's clip: min > max gives max everywhere; NaN passes through.
    v = v < lo ? lo : v;
    return v > hi ? hi : v;
}

std::vector<Tensor> runClip(const Node& node, OpInputs inputs, const OpContext& ctx)
{
    const Tensor& x = ops::input(inputs, 0, "input");
    constexpr float kLowest = std::numeric_limits<float>::lowest();
    constexpr float kMax = std::numeric_limits<float>::max();
    if (ctx.opset < 11) {
        const float lo = node.attrFloat("min", kLowest);
        const float hi = node.attrFloat("max", kMax);
        return single(mapFloats(floatInput(inputs, 0, "input"), ctx, [lo, hi](float v) { return clamp(v, lo, hi); }));
    }
    if (x.isFloat()) {
        const float lo = clipBound<float>(inputs, 1, x, kLowest, "min");
        const float hi = clipBound<float>(inputs, 2, x, kMax, "max");
        return single(mapFloats(x, ctx, [lo, hi](float v) { return clamp(v, lo, hi); }));
    }
    const int64_t lo = clipBound<int64_t>(inputs, 1, x, std::numeric_limits<int64_t>::min(), "min");
    const int64_t hi = clipBound<int64_t>(inputs, 2, x, std::numeric_limits<int64_t>::max(), "max");
    return single(mapInts(x, ctx, [lo, hi](int64_t v) { return clamp(v, lo, hi); }));
}

void validateClip(const Node& node, int64_t opset)
{
    opcheck::outputCount(node, 1, 1);
    if (opset < 11) {
        opcheck::inputCount(node, 1, 1);
        node.attrFloat("min", 0.f);
        node.attrFloat("max", 0.f);
        return;
    }
    opcheck::inputCount(node, 1, 3);
    if (node.has("min") || node.has("max"))
        throw FormatError(node.describe() + ": attributes 'min'/'max' were replaced by inputs in opset 11");
}

// ---- PRelu -----------------------------------------------------------------------------------

/// PRelu with the slope broadcast unidirectionally to X. X is split into blocks over which the
/// slope is constant (the trailing dims where the slope has extent 1): one block per channel
/// for the usual [C,1,1] slope against N×C×H×W.
std::vector<Tensor> runPRelu(const Node&, OpInputs inputs, const OpContext& ctx)
{
    const Tensor& x = floatInput(inputs, 0, "X");
    const Tensor& slope = floatInput(inputs, 1, "slope");
    if (slope.rank() > x.rank() || ops::broadcastShapes(x.shape(), slope.shape()) != x.shape())
        throw ShapeError("slope of shape " + shapeToString(slope.shape()) + " does not broadcast to X of shape "
                         + shapeToString(x.shape()));
    const auto strides = ops::broadcastStrides(slope.shape(), x.shape());
    Shape outer = x.shape();
    int64_t block = 1;
    while (!outer.empty() && strides[outer.size() - 1] == 0) {
        block *= outer.back();
        outer.pop_back();
    }
    // Slope index of every block, in block order.
    std::vector<int64_t> slopeIndex;
    slopeIndex.reserve(static_cast<size_t>(shapeNumel(outer)));
    Shape slopeOuter(slope.shape().begin(),
                     slope.shape().end() - std::min<size_t>(slope.shape().size(), x.shape().size() - outer.size()));
    ops::forEachBroadcast(outer, outer, slopeOuter, [&](int64_t, int64_t, int64_t is) { slopeIndex.push_back(is); });

    Tensor y(DType::Float32, x.shape());
    const float* px = x.floats().data();
    const float* ps = slope.floats().data();
    float* py = y.floats().data();
    const int64_t blocks = static_cast<int64_t>(slopeIndex.size());
    parallelFor(blocks, threadsFor(x.numel(), ctx), [&](int64_t begin, int64_t end) {
        for (int64_t b = begin; b < end; ++b) {
            const float s = ps[slopeIndex[b]];
            const float* xb = px + b * block;
            float* yb = py + b * block;
            for (int64_t k = 0; k < block; ++k)
                yb[k] = xb[k] < 0.f ? s * xb[k] : xb[k];
        }
    });
    return single(std::move(y));
}

// ---- registration ----------------------------------------------------------------------------

void validateUnary(const Node& node, int64_t)
{
    opcheck::inputCount(node, 1, 1);
    opcheck::outputCount(node, 1, 1);
}

void validateLeakyRelu(const Node& node, int64_t opset)
{
    validateUnary(node, opset);
    node.attrFloat("alpha", 0.f);
}

void validateHardSigmoid(const Node& node, int64_t opset)
{
    validateUnary(node, opset);
    node.attrFloat("alpha", 0.f);
    node.attrFloat("beta", 0.f);
}

void validatePRelu(const Node& node, int64_t)
{
    opcheck::inputCount(node, 2, 2);
    opcheck::outputCount(node, 1, 1);
}

} // namespace

void registerActivationOps(OpRegistry& registry)
{
    registry.add(ops::opDef("Relu", 6, validateUnary, runRelu));
    registry.add(ops::opDef("LeakyRelu", 6, validateLeakyRelu, runLeakyRelu));
    registry.add(ops::opDef("PRelu", 7, validatePRelu, runPRelu));
    registry.add(ops::opDef("Clip", 6, validateClip, runClip));
    registry.add(ops::opDef("Sigmoid", 6, validateUnary, runSigmoid));
    registry.add(ops::opDef("HardSigmoid", 6, validateHardSigmoid, runHardSigmoid));
    registry.add(ops::opDef("HardSwish", 14, validateUnary, runHardSwish));
    registry.add(ops::opDef("Tanh", 6, validateUnary, runTanh));
}

} // namespace lnscope::core
