// Resize (opsets 10–17) and Upsample (7, 9): nearest, N-d linear and cubic interpolation with
// every coordinate_transformation_mode and nearest_mode of the spec.
//
// Sampling is separable: each axis gets a table of input taps and weights per output
// coordinate (resize_util.h). The common case — only the last two axes resized, float data —
// runs as one 2-D pass per plane; anything else runs one pass per resized axis.

#include "lnscope/core/op_registry.h"
#include "lnscope/core/parallel.h"
#include "ops_util.h"
#include "resize_util.h"

#include <algorithm>
#include <cmath>

namespace lnscope::core {
namespace ops {

double originalCoordinate(CoordMode mode, double x, double scale, int64_t inLen, double resizedLen, double roiStart,
                          double roiEnd)
{
    // Formulas and their operation order follow the ONNX reference, so nearest-mode ties land on
    // the same side.
    const double last = static_cast<double>(inLen - 1);
    switch (mode) {
    case CoordMode::HalfPixel: return (x + 0.5) / scale - 0.5;
    case CoordMode::PytorchHalfPixel: return resizedLen > 1 ? (x + 0.5) / scale - 0.5 : 0.0;
    case CoordMode::AlignCorners: return resizedLen == 1 ? 0.0 : x * last / (resizedLen - 1);
    case CoordMode::Asymmetric: return x / scale;
    case CoordMode::TfHalfPixelForNn: return (x + 0.5) / scale;
    case CoordMode::TfCropAndResize:
        if (resizedLen == 1)
            return (roiEnd - roiStart) * last / 2 + roiStart * last;
        return x * (roiEnd - roiStart) * last / (resizedLen - 1) + roiStart * last;
    }
    return x;
}

int64_t nearestIndex(NearestMode mode, double x, double scale)
{
    switch (mode) {
    case NearestMode::RoundPreferFloor: return static_cast<int64_t>(std::ceil(x - 0.5));
    case NearestMode::RoundPreferCeil: return static_cast<int64_t>(std::floor(x + 0.5));
    case NearestMode::Floor: return static_cast<int64_t>(std::floor(x));
    case NearestMode::Ceil: return static_cast<int64_t>(std::ceil(x));
    case NearestMode::Simple: return static_cast<int64_t>(scale < 1 ? std::ceil(x) : std::floor(x));
    }
    return 0;
}

double cubicWeight(double s, double a)
{
    s = std::fabs(s);
    if (s <= 1)
        return ((a + 2) * s - (a + 3)) * s * s + 1;
    if (s < 2)
        return ((a * s - 5 * a) * s + 8 * a) * s - 4 * a;
    return 0;
}

namespace {

int tapsOf(ResizeMode mode)
{
    return mode == ResizeMode::Nearest ? 1 : mode == ResizeMode::Linear ? 2 : 4;
}

/// Fills the taps of output o for input coordinate x (already known to be inside when cropping).
void fillTaps(const ResizeParams& p, int64_t inLen, double x, double scale, int64_t* index, float* weight)
{
    const int64_t last = inLen - 1;
    switch (p.mode) {
    case ResizeMode::Nearest:
        index[0] = std::clamp<int64_t>(nearestIndex(p.nearest, x, scale), 0, last);
        weight[0] = 1.f;
        return;
    case ResizeMode::Linear: {
        // Outside the input, linear interpolation between edge-padded values is the edge value.
        const double xc = std::clamp(x, 0.0, static_cast<double>(last));
        const int64_t i0 = std::min(static_cast<int64_t>(xc), last);
        const double f = xc - static_cast<double>(i0);
        index[0] = i0;
        index[1] = std::min(i0 + 1, last);
        weight[0] = static_cast<float>(1 - f);
        weight[1] = static_cast<float>(f);
        return;
    }
    case ResizeMode::Cubic: {
        const double x0 = std::floor(x);
        const double f = x - x0;
        double w[4];
        double sum = 0;
        for (int k = 0; k < 4; ++k) {
            const int64_t i = static_cast<int64_t>(x0) - 1 + k;
            w[k] = cubicWeight(f + 1 - k, p.cubicA);
            if (p.excludeOutside && (i < 0 || i > last))
                w[k] = 0;
            sum += w[k];
            index[k] = std::clamp<int64_t>(i, 0, last); // edge padding
        }
        for (int k = 0; k < 4; ++k)
            weight[k] = static_cast<float>(p.excludeOutside && sum != 0 ? w[k] / sum : w[k]);
        return;
    }
    }
}

} // namespace

AxisTable buildAxisTable(const ResizeParams& p, int64_t inLen, int64_t outLen, double scale, double resizedLen,
                         double roiStart, double roiEnd)
{
    AxisTable t;
    t.taps = tapsOf(p.mode);
    const size_t n = static_cast<size_t>(outLen);
    t.index.assign(n * static_cast<size_t>(t.taps), 0);
    t.weight.assign(n * static_cast<size_t>(t.taps), 0.f);
    t.outside.assign(n, 0);
    for (int64_t o = 0; o < outLen; ++o) {
        const double x =
            originalCoordinate(p.coord, static_cast<double>(o), scale, inLen, resizedLen, roiStart, roiEnd);
        if (p.coord == CoordMode::TfCropAndResize && (x < 0 || x > static_cast<double>(inLen - 1))) {
            t.outside[o] = 1;
            t.anyOutside = true;
            continue;
        }
        fillTaps(p, inLen, x, scale, &t.index[size_t(o * t.taps)], &t.weight[size_t(o * t.taps)]);
    }
    return t;
}

bool isIdentity(const AxisTable& t, int64_t inLen)
{
    if (t.anyOutside || static_cast<int64_t>(t.outside.size()) != inLen)
        return false;
    for (int64_t o = 0; o < inLen; ++o) {
        // Taps clamped onto the same index add up, so sum the weights that read o.
        float own = 0.f, other = 0.f;
        for (size_t j = size_t(o * t.taps); j < size_t((o + 1) * t.taps); ++j)
            (t.index[j] == o ? own : other) += std::fabs(t.weight[j]);
        if (own != 1.f || other != 0.f)
            return false;
    }
    return true;
}

} // namespace ops

namespace {

using namespace ops;

// Below this many output elements a kernel runs on the calling thread; lower than the shared
// ops::kParallelMinElements because each interpolated element costs several reads.
constexpr int64_t kResizeParallelMinElements = 1 << 14;
// Upper bound on output elements: bounded memory on absurd sizes/scales.
constexpr int64_t kMaxOutputElements = int64_t(1) << 31;

struct Target
{
    Shape out;
    std::vector<double> scales;     ///< per axis, for the coordinate transform
    std::vector<double> resizedLen; ///< per axis, inLen·scale (unrounded) or the given size
    std::vector<double> roi;        ///< 2·rank: starts then ends
};

const Tensor* nonEmpty(const Tensor* t)
{
    return t && t->numel() > 0 ? t : nullptr;
}

Target targetFromScales(const Shape& in, const std::vector<float>& scales)
{
    if (scales.size() != in.size())
        throw ShapeError("scales has " + std::to_string(scales.size()) + " values for an input of rank "
                         + std::to_string(in.size()));
    Target t;
    for (size_t i = 0; i < in.size(); ++i) {
        const float s = scales[i];
        if (!(s > 0.f) || !std::isfinite(s))
            throw ShapeError("scale " + std::to_string(s) + " on axis " + std::to_string(i) + " must be positive");
        // float product as onnxruntime and PyTorch (floor(10·0.7f) = 7, not 6)
        const float len = static_cast<float>(in[i]) * s;
        if (len >= static_cast<float>(kMaxOutputElements))
            throw ShapeError("scale " + std::to_string(s) + " makes axis " + std::to_string(i) + " too large");
        t.out.push_back(static_cast<int64_t>(std::floor(len)));
        t.scales.push_back(s);
        t.resizedLen.push_back(static_cast<double>(in[i]) * static_cast<double>(s));
    }
    return t;
}

Target targetFromSizes(const Shape& in, const std::vector<int64_t>& sizes)
{
    if (sizes.size() != in.size())
        throw ShapeError("sizes has " + std::to_string(sizes.size()) + " values for an input of rank "
                         + std::to_string(in.size()));
    Target t;
    for (size_t i = 0; i < in.size(); ++i) {
        if (sizes[i] < 0 || sizes[i] >= kMaxOutputElements)
            throw ShapeError("size " + std::to_string(sizes[i]) + " on axis " + std::to_string(i) + " is out of range");
        t.out.push_back(sizes[i]);
        t.scales.push_back(in[i] > 0 ? static_cast<double>(sizes[i]) / static_cast<double>(in[i]) : 1.0);
        t.resizedLen.push_back(static_cast<double>(sizes[i]));
    }
    return t;
}

/// Output shape and per-axis parameters from Resize's roi/scales/sizes inputs.
Target resizeTarget(const Shape& in, const Tensor* roi, const Tensor* scales, const Tensor* sizes)
{
    scales = nonEmpty(scales);
    sizes = nonEmpty(sizes);
    if (scales && sizes)
        throw ShapeError("both scales and sizes are given");
    if (!scales && !sizes)
        throw ShapeError("neither scales nor sizes is given");
    Target t = scales ? targetFromScales(in, scales->toFloats()) : targetFromSizes(in, sizes->toInts());
    t.roi.assign(in.size(), 0.0);
    t.roi.resize(2 * in.size(), 1.0);
    if ((roi = nonEmpty(roi))) {
        if (roi->numel() != static_cast<int64_t>(2 * in.size()))
            throw ShapeError("roi has " + std::to_string(roi->numel()) + " values for an input of rank "
                             + std::to_string(in.size()));
        for (size_t i = 0; i < t.roi.size(); ++i)
            t.roi[i] = roi->valueAsDouble(static_cast<int64_t>(i));
    }
    return t;
}

/// A one-tap table reading output o from input o.
AxisTable identityTable(int64_t len)
{
    AxisTable t;
    t.taps = 1;
    t.index.resize(size_t(len));
    for (int64_t i = 0; i < len; ++i)
        t.index[size_t(i)] = i;
    t.weight.assign(size_t(len), 1.f);
    t.outside.assign(size_t(len), 0);
    return t;
}

/// 2-D resize of `planes` row-major planes: output (oy, ox) = Σ wy·wx·in(iy, ix).
/// KY/KX are the taps per axis (compile-time so the tap loops unroll).
template <int KY, int KX>
void resizePlanes(const float* src, float* dst, int64_t planes, int64_t inH, int64_t inW, const AxisTable& ty,
                  const AxisTable& tx, float extrapolation, int threads)
{
    const int64_t outH = static_cast<int64_t>(ty.outside.size());
    const int64_t outW = static_cast<int64_t>(tx.outside.size());
    parallelFor(planes * outH, threads, [&](int64_t begin, int64_t end) {
        for (int64_t r = begin; r < end; ++r) {
            const int64_t oy = r % outH;
            const float* plane = src + (r / outH) * inH * inW;
            float* out = dst + r * outW;
            if (ty.outside[size_t(oy)]) {
                std::fill(out, out + outW, extrapolation);
                continue;
            }
            const int64_t* iy = &ty.index[size_t(oy * KY)];
            const float* wy = &ty.weight[size_t(oy * KY)];
            for (int64_t ox = 0; ox < outW; ++ox) {
                const int64_t* ix = &tx.index[size_t(ox * KX)];
                const float* wx = &tx.weight[size_t(ox * KX)];
                float acc = 0.f;
                for (int ky = 0; ky < KY; ++ky) {
                    const float* row = plane + iy[ky] * inW;
                    float s = 0.f;
                    for (int kx = 0; kx < KX; ++kx)
                        s += wx[kx] * row[ix[kx]];
                    acc += wy[ky] * s;
                }
                out[ox] = tx.outside[size_t(ox)] ? extrapolation : acc;
            }
        }
    });
}

using PlaneKernel = void (*)(const float*, float*, int64_t, int64_t, int64_t, const AxisTable&, const AxisTable&, float,
                             int);

template <int KY>
PlaneKernel planeKernelX(int kx)
{
    switch (kx) {
    case 1: return resizePlanes<KY, 1>;
    case 2: return resizePlanes<KY, 2>;
    default: return resizePlanes<KY, 4>;
    }
}

PlaneKernel planeKernel(int ky, int kx)
{
    switch (ky) {
    case 1: return planeKernelX<1>(kx);
    case 2: return planeKernelX<2>(kx);
    default: return planeKernelX<4>(kx);
    }
}

/// One separable pass: resizes `axis` of x with table t. Nearest (one tap) copies exactly, so
/// it serves int64 data too.
template <typename T>
Tensor resizeAxis(const Tensor& x, int axis, const AxisTable& t, int threads)
{
    Shape outShape = x.shape();
    const int64_t inLen = outShape[axis];
    const int64_t outLen = static_cast<int64_t>(t.outside.size());
    outShape[axis] = outLen;
    Tensor y(x.dtype(), outShape);
    int64_t outer = 1, inner = 1;
    for (int d = 0; d < axis; ++d)
        outer *= outShape[d];
    for (size_t d = size_t(axis) + 1; d < outShape.size(); ++d)
        inner *= outShape[d];
    const T* src;
    T* dst;
    if constexpr (std::is_same_v<T, float>) {
        src = x.f();
        dst = y.f();
    } else {
        src = x.ints().data();
        dst = y.ints().data();
    }
    parallelFor(outer * outLen, threads, [&](int64_t begin, int64_t end) {
        for (int64_t r = begin; r < end; ++r) {
            const int64_t o = r % outLen;
            const T* block = src + (r / outLen) * inLen * inner;
            T* out = dst + r * inner;
            if (t.taps == 1) {
                const T* from = block + t.index[size_t(o)] * inner;
                std::copy(from, from + inner, out);
                continue;
            }
            if constexpr (std::is_same_v<T, float>) {
                std::fill(out, out + inner, 0.f);
                for (int k = 0; k < t.taps; ++k) {
                    const float w = t.weight[size_t(o * t.taps + k)];
                    const float* from = block + t.index[size_t(o * t.taps + k)] * inner;
                    for (int64_t i = 0; i < inner; ++i)
                        out[i] += w * from[i];
                }
            }
        }
    });
    return y;
}

/// Sets every element whose coordinate lies outside the input on some axis (tf_crop_and_resize).
template <typename T>
void applyExtrapolation(Tensor& y, const std::vector<AxisTable>& tables, T value)
{
    const Shape& s = y.shape();
    T* data;
    if constexpr (std::is_same_v<T, float>)
        data = y.f();
    else
        data = y.ints().data();
    for (size_t axis = 0; axis < s.size(); ++axis) {
        if (!tables[axis].anyOutside)
            continue;
        int64_t outer = 1, inner = 1;
        for (size_t d = 0; d < axis; ++d)
            outer *= s[d];
        for (size_t d = axis + 1; d < s.size(); ++d)
            inner *= s[d];
        for (int64_t o = 0; o < outer; ++o)
            for (int64_t j = 0; j < s[axis]; ++j)
                if (tables[axis].outside[size_t(j)])
                    std::fill_n(data + (o * s[axis] + j) * inner, inner, value);
    }
}

/// Resizes float data along the last two axes only (rank ≥ 1; rank 1 is a 1×W plane).
Tensor resizeLastTwo(const Tensor& x, const Shape& outShape, std::vector<AxisTable>& tables, float extrapolation,
                     int threads)
{
    const int r = x.rank();
    AxisTable rowTable = r >= 2 ? std::move(tables[size_t(r - 2)]) : identityTable(1);
    const AxisTable& colTable = tables[size_t(r - 1)];
    const int64_t inH = r >= 2 ? x.dim(r - 2) : 1;
    const int64_t inW = x.dim(r - 1);
    const int64_t planes = inH * inW == 0 ? 0 : x.numel() / (inH * inW);
    Tensor y(DType::Float32, outShape);
    planeKernel(rowTable.taps, colTable.taps)(x.f(), y.f(), planes, inH, inW, rowTable, colTable, extrapolation,
                                              threads);
    return y;
}

Tensor resizeTensor(const Tensor& x, const Target& target, const ResizeParams& p, int threads)
{
    const int r = x.rank();
    for (int d = 0; d < r; ++d)
        if (x.dim(d) == 0 && target.out[size_t(d)] > 0)
            throw ShapeError("cannot resize the empty axis " + std::to_string(d) + " of " + shapeToString(x.shape()));
    if (shapeNumel(target.out) > kMaxOutputElements)
        throw ShapeError("output shape " + shapeToString(target.out) + " is too large");
    if (shapeNumel(target.out) == 0)
        return Tensor(x.dtype(), target.out);

    std::vector<AxisTable> tables;
    std::vector<int> resized;
    for (int d = 0; d < r; ++d) {
        const size_t i = size_t(d);
        tables.push_back(buildAxisTable(p, x.dim(d), target.out[i], target.scales[i], target.resizedLen[i],
                                        target.roi[i], target.roi[i + size_t(r)]));
        if (isIdentity(tables.back(), x.dim(d)))
            tables.back() = identityTable(x.dim(d));
        else
            resized.push_back(d);
    }
    if (resized.empty())
        return x;
    if (!x.isFloat() && p.mode != ResizeMode::Nearest)
        throw UnsupportedError("linear and cubic resize of int64 data are not supported");
    if (x.isFloat() && resized.front() >= r - 2)
        return resizeLastTwo(x, target.out, tables, p.extrapolation, threads);

    Tensor y = x;
    for (int d : resized)
        y = x.isFloat() ? resizeAxis<float>(y, d, tables[size_t(d)], threads)
                        : resizeAxis<int64_t>(y, d, tables[size_t(d)], threads);
    if (x.isFloat())
        applyExtrapolation<float>(y, tables, p.extrapolation);
    else
        applyExtrapolation<int64_t>(y, tables, static_cast<int64_t>(p.extrapolation));
    return y;
}

int resizeThreads(const Shape& out, const OpContext& ctx)
{
    return threadsFor(shapeNumel(out), ctx, kResizeParallelMinElements);
}

// ---- attributes ---------------------------------------------------------------------------

ResizeMode modeOf(const Node& node)
{
    const std::string m = node.attrString("mode", "nearest");
    return m == "nearest" ? ResizeMode::Nearest : m == "cubic" ? ResizeMode::Cubic : ResizeMode::Linear;
}

CoordMode coordModeOf(const std::string& m)
{
    if (m == "pytorch_half_pixel")
        return CoordMode::PytorchHalfPixel;
    if (m == "align_corners")
        return CoordMode::AlignCorners;
    if (m == "asymmetric")
        return CoordMode::Asymmetric;
    if (m == "tf_half_pixel_for_nn")
        return CoordMode::TfHalfPixelForNn;
    if (m == "tf_crop_and_resize")
        return CoordMode::TfCropAndResize;
    return CoordMode::HalfPixel;
}

NearestMode nearestModeOf(const std::string& m)
{
    if (m == "round_prefer_ceil")
        return NearestMode::RoundPreferCeil;
    if (m == "floor")
        return NearestMode::Floor;
    if (m == "ceil")
        return NearestMode::Ceil;
    return NearestMode::RoundPreferFloor;
}

/// Resize-11+ reads every attribute; Resize-10 and Upsample have only `mode` and use
/// asymmetric coordinates with the legacy nearest rounding.
ResizeParams paramsOf(const Node& node, bool legacy)
{
    ResizeParams p;
    p.mode = modeOf(node);
    if (legacy) {
        p.coord = CoordMode::Asymmetric;
        p.nearest = NearestMode::Simple;
        return p;
    }
    p.coord = coordModeOf(node.attrString("coordinate_transformation_mode", "half_pixel"));
    p.nearest = nearestModeOf(node.attrString("nearest_mode", "round_prefer_floor"));
    p.cubicA = node.attrFloat("cubic_coeff_a", -0.75f);
    p.excludeOutside = node.attrInt("exclude_outside", 0) != 0;
    p.extrapolation = node.attrFloat("extrapolation_value", 0.f);
    return p;
}

void validateResize(const Node& node, int64_t opset)
{
    opcheck::outputCount(node, 1, 1);
    if (opset < 11) {
        opcheck::inputCount(node, 2, 2);
        opcheck::oneOf(node, "mode", "nearest", {"nearest", "linear"});
        return;
    }
    opcheck::inputCount(node, 1, 4); // X, roi, scales, sizes; roi may be omitted ("")
    if (!node.hasInput(2) && !node.hasInput(3))
        throw FormatError(node.describe() + ": needs a 'scales' or a 'sizes' input");
    opcheck::oneOf(node, "mode", "nearest", {"nearest", "linear", "cubic"});
    opcheck::oneOf(node, "coordinate_transformation_mode", "half_pixel",
                   {"half_pixel", "pytorch_half_pixel", "align_corners", "asymmetric", "tf_half_pixel_for_nn",
                    "tf_crop_and_resize"});
    opcheck::oneOf(node, "nearest_mode", "round_prefer_floor",
                   {"round_prefer_floor", "round_prefer_ceil", "floor", "ceil"});
    node.attrFloat("cubic_coeff_a", -0.75f);
    node.attrFloat("extrapolation_value", 0.f);
    const int64_t exclude = node.attrInt("exclude_outside", 0);
    if (exclude != 0 && exclude != 1)
        throw FormatError(node.describe() + ": attribute 'exclude_outside' must be 0 or 1, got "
                          + std::to_string(exclude));
    for (const char* newer : {"antialias", "axes", "keep_aspect_ratio_policy"})
        if (node.has(newer))
            throw UnsupportedError(node.describe() + ": attribute '" + newer + "' (Resize-18) is not supported");
}

std::vector<Tensor> runResize(const Node& node, OpInputs inputs, const OpContext& ctx)
{
    const Tensor& x = input(inputs, 0, "X");
    const bool legacy = ctx.opset < 11;
    const Target target =
        legacy ? resizeTarget(x.shape(), nullptr, &input(inputs, 1, "scales"), nullptr)
               : resizeTarget(x.shape(), optionalInput(inputs, 1), optionalInput(inputs, 2), optionalInput(inputs, 3));
    return single(resizeTensor(x, target, paramsOf(node, legacy), resizeThreads(target.out, ctx)));
}

void validateUpsample(const Node& node, int64_t opset)
{
    opcheck::outputCount(node, 1, 1);
    // "bilinear" is the experimental Upsample-1 spelling of "linear"; exporters still write it.
    opcheck::oneOf(node, "mode", "nearest", {"nearest", "linear", "bilinear"});
    if (opset >= 9) {
        opcheck::inputCount(node, 2, 2);
        return;
    }
    opcheck::inputCount(node, 1, 1);
    if (!node.has("scales"))
        throw FormatError(node.describe() + ": required attribute 'scales' is missing");
    for (float s : node.attrFloats("scales"))
        if (!(s > 0.f))
            throw FormatError(node.describe() + ": attribute 'scales' must be positive, got " + std::to_string(s));
}

std::vector<Tensor> runUpsample(const Node& node, OpInputs inputs, const OpContext& ctx)
{
    const Tensor& x = input(inputs, 0, "X");
    const std::vector<float> scales = ctx.opset < 9 ? node.attrFloats("scales") : input(inputs, 1, "scales").toFloats();
    Target target = targetFromScales(x.shape(), scales);
    target.roi.assign(2 * x.shape().size(), 0.0);
    return single(resizeTensor(x, target, paramsOf(node, true), resizeThreads(target.out, ctx)));
}

} // namespace

void registerResizeOps(OpRegistry& registry)
{
    registry.add({"Resize", 10, validateResize, runResize});
    registry.add({"Upsample", 7, validateUpsample, runUpsample});
}

} // namespace lnscope::core
