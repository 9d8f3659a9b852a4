// Element-wise binary ops with multidirectional (numpy) broadcasting: Add, Sub, Mul, Div, Pow.
//
// Every broadcast pattern goes through one loop: size-1 output dims are dropped and adjacent
// dims that both inputs step through alike are merged, so a same-shape pair becomes one
// contiguous run, a scalar operand becomes a run against a constant, and a per-channel operand
// ([C,1,1] against N×C×H×W) becomes runs of H·W against one channel value. The inner loop then
// only sees (contiguous, contiguous), (contiguous, constant) or (constant, contiguous).
#include "lnscope/core/op_registry.h"
#include "lnscope/core/parallel.h"
#include "ops_util.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <type_traits>

namespace lnscope::core {

namespace {

/// Collapsed broadcast geometry: output dims and each input's strides over them.
struct BroadcastPlan
{
    std::vector<int64_t> dims;
    std::vector<int64_t> strideA;
    std::vector<int64_t> strideB;
    int64_t numel = 0;
};

BroadcastPlan makePlan(const Shape& a, const Shape& b, const Shape& out)
{
    const auto sa = ops::broadcastStrides(a, out);
    const auto sb = ops::broadcastStrides(b, out);
    BroadcastPlan plan;
    plan.numel = shapeNumel(out);
    for (size_t d = 0; d < out.size(); ++d) {
        if (out[d] == 1)
            continue; // a size-1 output dim never advances any index
        if (!plan.dims.empty()) {
            // Merge with the previous dim when both inputs step through the pair as one dim.
            const bool mergeA = plan.strideA.back() == sa[d] * out[d];
            const bool mergeB = plan.strideB.back() == sb[d] * out[d];
            if (mergeA && mergeB) {
                plan.dims.back() *= out[d];
                plan.strideA.back() = sa[d];
                plan.strideB.back() = sb[d];
                continue;
            }
        }
        plan.dims.push_back(out[d]);
        plan.strideA.push_back(sa[d]);
        plan.strideB.push_back(sb[d]);
    }
    if (plan.dims.empty()) { // scalar result
        plan.dims = {1};
        plan.strideA = {0};
        plan.strideB = {0};
    }
    return plan;
}

/// Computes out[begin, end) of the planned broadcast. Numeric inner loop: does not throw.
template <typename TA, typename TB, typename TO, typename Op>
void broadcastRange(const TA* a, const TB* b, TO* out, const BroadcastPlan& plan, int64_t begin, int64_t end, Op op)
{
    const int r = static_cast<int>(plan.dims.size());
    const int64_t inner = plan.dims[r - 1];
    const int64_t innerA = plan.strideA[r - 1];
    const int64_t innerB = plan.strideB[r - 1];
    // Multi-index and input offsets of `begin`.
    std::vector<int64_t> idx(r, 0);
    int64_t ia = 0, ib = 0;
    for (int64_t d = r - 1, rem = begin; d >= 0; --d) {
        idx[d] = rem % plan.dims[d];
        rem /= plan.dims[d];
        ia += idx[d] * plan.strideA[d];
        ib += idx[d] * plan.strideB[d];
    }
    int64_t i = begin;
    while (i < end) {
        const int64_t n = std::min(inner - idx[r - 1], end - i);
        const TA* pa = a + ia;
        const TB* pb = b + ib;
        TO* po = out + i;
        if (innerA != 0 && innerB != 0) {
            for (int64_t k = 0; k < n; ++k)
                po[k] = op(pa[k], pb[k]);
        } else if (innerA != 0) {
            const TB vb = *pb;
            for (int64_t k = 0; k < n; ++k)
                po[k] = op(pa[k], vb);
        } else if (innerB != 0) {
            const TA va = *pa;
            for (int64_t k = 0; k < n; ++k)
                po[k] = op(va, pb[k]);
        } else {
            const TO v = op(*pa, *pb);
            for (int64_t k = 0; k < n; ++k)
                po[k] = v;
        }
        i += n;
        idx[r - 1] += n;
        ia += innerA * n;
        ib += innerB * n;
        // Carry into the outer dims.
        for (int d = r - 1; d > 0 && idx[d] == plan.dims[d]; --d) {
            ia -= plan.strideA[d] * plan.dims[d];
            ib -= plan.strideB[d] * plan.dims[d];
            idx[d] = 0;
            ++idx[d - 1];
            ia += plan.strideA[d - 1];
            ib += plan.strideB[d - 1];
        }
    }
}

template <typename T>
const T* dataOf(const Tensor& t);
template <>
const float* dataOf<float>(const Tensor& t)
{
    return t.floats().data();
}
template <>
const int64_t* dataOf<int64_t>(const Tensor& t)
{
    return t.ints().data();
}

template <typename T>
T* mutableDataOf(Tensor& t);
template <>
float* mutableDataOf<float>(Tensor& t)
{
    return t.floats().data();
}
template <>
int64_t* mutableDataOf<int64_t>(Tensor& t)
{
    return t.ints().data();
}

template <typename T>
constexpr DType dtypeOf()
{
    return std::is_same_v<T, float> ? DType::Float32 : DType::Int64;
}

/// out = op(a, b) over the broadcast of a and b; TO decides the output dtype.
template <typename TA, typename TB, typename TO, typename Op>
Tensor broadcastBinary(const Tensor& a, const Tensor& b, const OpContext& ctx, Op op)
{
    const Shape outShape = ops::broadcastShapes(a.shape(), b.shape());
    Tensor out(dtypeOf<TO>(), outShape);
    const BroadcastPlan plan = makePlan(a.shape(), b.shape(), outShape);
    const TA* pa = dataOf<TA>(a);
    const TB* pb = dataOf<TB>(b);
    TO* po = mutableDataOf<TO>(out);
    const int threads = ops::threadsFor(plan.numel, ctx);
    parallelFor(plan.numel, threads,
                [&](int64_t begin, int64_t end) { broadcastRange(pa, pb, po, plan, begin, end, op); });
    return out;
}

// Integer arithmetic wraps like the hardware instead of being undefined on overflow.
inline int64_t wrap(uint64_t v)
{
    return static_cast<int64_t>(v);
}

struct AddOp
{
    float operator()(float a, float b) const { return a + b; }
    int64_t operator()(int64_t a, int64_t b) const { return wrap(uint64_t(a) + uint64_t(b)); }
};
struct SubOp
{
    float operator()(float a, float b) const { return a - b; }
    int64_t operator()(int64_t a, int64_t b) const { return wrap(uint64_t(a) - uint64_t(b)); }
};
struct MulOp
{
    float operator()(float a, float b) const { return a * b; }
    int64_t operator()(int64_t a, int64_t b) const { return wrap(uint64_t(a) * uint64_t(b)); }
};
struct DivOp
{
    float operator()(float a, float b) const { return a / b; }
    // Truncates toward zero like C. x/0 gives 0 (as numpy) and INT64_MIN/-1 wraps, so the
    // loop never traps.
    int64_t operator()(int64_t a, int64_t b) const
    {
        if (b == 0)
            return 0;
        if (b == -1)
            return wrap(0 - uint64_t(a));
        return a / b;
    }
};

int64_t doubleToInt64(double v)
{
    // Out-of-range and NaN give INT64_MIN, what the x86 conversion produces, without UB.
    if (!(std::fabs(v) < 9.2e18))
        return std::numeric_limits<int64_t>::min();
    return static_cast<int64_t>(v);
}

int64_t powInt(int64_t base, int64_t exponent)
{
    if (exponent < 0) // 1 / base^|e| truncated
        return base == 1 ? 1 : base == -1 ? (exponent % 2 == 0 ? 1 : -1) : 0;
    uint64_t result = 1;
    uint64_t b = static_cast<uint64_t>(base);
    for (uint64_t e = static_cast<uint64_t>(exponent); e != 0; e >>= 1) {
        if (e & 1)
            result *= b;
        b *= b;
    }
    return wrap(result);
}

struct PowOp
{
    float operator()(float a, float b) const { return std::pow(a, b); }
    float operator()(float a, int64_t b) const { return static_cast<float>(std::pow(double(a), double(b))); }
    int64_t operator()(int64_t a, int64_t b) const { return powInt(a, b); }
    int64_t operator()(int64_t a, float b) const { return doubleToInt64(std::pow(double(a), double(b))); }
};

void requireSameType(const Tensor& a, const Tensor& b)
{
    if (a.dtype() != b.dtype())
        throw FormatError(std::string("inputs A and B must have the same type, got ") + dtypeName(a.dtype()) + " and "
                          + dtypeName(b.dtype()));
}

/// Add/Sub/Mul/Div: both inputs float or both int64.
template <typename Op>
std::vector<Tensor> runArithmetic(const Node&, OpInputs inputs, const OpContext& ctx)
{
    const Tensor& a = ops::input(inputs, 0, "A");
    const Tensor& b = ops::input(inputs, 1, "B");
    requireSameType(a, b);
    std::vector<Tensor> out;
    if (a.isFloat())
        out.push_back(broadcastBinary<float, float, float>(a, b, ctx, Op{}));
    else
        out.push_back(broadcastBinary<int64_t, int64_t, int64_t>(a, b, ctx, Op{}));
    return out;
}

bool isScalarValue(const Tensor& t, double value)
{
    return t.numel() == 1 && t.valueAsDouble(0) == value;
}

/// Pow: the output has the base's type; the exponent may be float or int64.
std::vector<Tensor> runPow(const Node&, OpInputs inputs, const OpContext& ctx)
{
    const Tensor& x = ops::input(inputs, 0, "X");
    const Tensor& y = ops::input(inputs, 1, "Y");
    std::vector<Tensor> out;
    if (x.isFloat() && isScalarValue(y, 2.0)) {
        // The common square (norms, distances): x·x is the correctly rounded x², and much
        // cheaper than powf.
        const auto square = [](float a, auto) { return a * a; };
        if (y.isFloat())
            out.push_back(broadcastBinary<float, float, float>(x, y, ctx, square));
        else
            out.push_back(broadcastBinary<float, int64_t, float>(x, y, ctx, square));
        return out;
    }
    if (x.isFloat() && y.isFloat())
        out.push_back(broadcastBinary<float, float, float>(x, y, ctx, PowOp{}));
    else if (x.isFloat())
        out.push_back(broadcastBinary<float, int64_t, float>(x, y, ctx, PowOp{}));
    else if (y.isFloat())
        out.push_back(broadcastBinary<int64_t, float, int64_t>(x, y, ctx, PowOp{}));
    else
        out.push_back(broadcastBinary<int64_t, int64_t, int64_t>(x, y, ctx, PowOp{}));
    return out;
}

void validateBinary(const Node& node, int64_t)
{
    opcheck::inputCount(node, 2, 2);
    opcheck::outputCount(node, 1, 1);
}

OpDef binaryDef(const char* opType, decltype(OpDef::run) run)
{
    OpDef def;
    def.opType = opType;
    def.sinceOpset = 7; // multidirectional broadcasting, no 'broadcast'/'axis' attributes
    def.validate = validateBinary;
    def.run = std::move(run);
    return def;
}

} // namespace

void registerElementwiseOps(OpRegistry& registry)
{
    registry.add(binaryDef("Add", runArithmetic<AddOp>));
    registry.add(binaryDef("Sub", runArithmetic<SubOp>));
    registry.add(binaryDef("Mul", runArithmetic<MulOp>));
    registry.add(binaryDef("Div", runArithmetic<DivOp>));
    registry.add(binaryDef("Pow", runPow));
}

} // namespace lnscope::core
