// Shape ops: Reshape, Flatten, Squeeze, Unsqueeze, Shape, Cast, Identity (ONNX opsets 7–17).
// The data-movement ops (Transpose, Concat, Split, Slice, Gather, Pad) are in movement.cpp.

#include "lnscope/core/op_registry.h"
#include "ops_util.h"
#include "shape_util.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>

namespace lnscope::core {
namespace {

using ops::counts;
using ops::input;
using ops::normalizeAxis;
using ops::optionalInput;
using ops::product;
using ops::single;

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


// ---- validation of the simple ops ---------------------------------------------------------

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

int64_t ops::castFloatToInt64(double v)
{
    return floatToInt(v, kInt64);
}

void registerShapeOps(OpRegistry& registry)
{
    registry.add({"Identity", 1, counts(1, 1), runIdentity});
    registry.add({"Shape", 1, counts(1, 1, {"start", "end"}), runShape});
    registry.add({"Cast", 6, validateCast, runCast});
    registry.add({"Reshape", 5, validateReshape, runReshape});
    registry.add({"Flatten", 1, counts(1, 1, {"axis"}), runFlatten});
    registry.add({"Squeeze", 1, validateSqueeze, runSqueeze});
    registry.add({"Unsqueeze", 1, validateUnsqueeze, runUnsqueeze});
}

} // namespace lnscope::core
