#include "ops_util.h"

#include <algorithm>

namespace lnscope::core::ops {

const Tensor& input(OpInputs inputs, size_t i, const char* what)
{
    if (i >= inputs.size() || !inputs[i])
        throw ShapeError(std::string("missing required input ") + std::to_string(i) + " (" + what + ")");
    return *inputs[i];
}

const Tensor& floatInput(OpInputs inputs, size_t i, const char* what)
{
    const Tensor& t = input(inputs, i, what);
    if (!t.isFloat())
        throw UnsupportedError(std::string("input ") + what + " must be float, got " + dtypeName(t.dtype()));
    return t;
}

Shape broadcastShapes(const Shape& a, const Shape& b)
{
    const size_t r = std::max(a.size(), b.size());
    Shape out(r);
    for (size_t i = 0; i < r; ++i) {
        const int64_t da = i < r - a.size() ? 1 : a[i - (r - a.size())];
        const int64_t db = i < r - b.size() ? 1 : b[i - (r - b.size())];
        if (da != db && da != 1 && db != 1)
            throw ShapeError("shapes " + shapeToString(a) + " and " + shapeToString(b) + " do not broadcast");
        out[i] = da == 1 ? db : da;
    }
    return out;
}

std::vector<int64_t> broadcastStrides(const Shape& in, const Shape& out)
{
    std::vector<int64_t> strides(out.size(), 0);
    const auto own = stridesOf(in);
    const size_t off = out.size() - in.size();
    for (size_t i = 0; i < in.size(); ++i)
        strides[off + i] = in[i] == 1 ? 0 : own[i];
    return strides;
}

int normalizeAxis(int64_t axis, int rank, const char* what)
{
    if (axis < -rank || axis >= std::max(rank, 1))
        throw ShapeError(std::string(what) + " " + std::to_string(axis) + " is out of range for rank " + std::to_string(rank));
    return static_cast<int>(axis < 0 ? axis + rank : axis);
}

namespace {
std::vector<int64_t> intsOr(const Node& node, const char* name, size_t n, int64_t def)
{
    auto v = node.attrInts(name);
    if (v.empty())
        return std::vector<int64_t>(n, def);
    if (v.size() != n)
        throw ShapeError(std::string("attribute '") + name + "' has " + std::to_string(v.size()) + " values, expected "
                         + std::to_string(n));
    return v;
}
} // namespace

Window convWindow(const Node& node, const Shape& x, const std::vector<int64_t>& kernelFromWeights, bool allowCeilMode)
{
    if (x.size() < 3)
        throw ShapeError("input must have rank ≥ 3 (N, C, spatial...), got " + shapeToString(x));
    const size_t n = x.size() - 2;
    Window w;
    w.inSize.assign(x.begin() + 2, x.end());
    w.kernel = node.attrInts("kernel_shape");
    if (w.kernel.empty())
        w.kernel = kernelFromWeights;
    if (w.kernel.size() != n)
        throw ShapeError("kernel has " + std::to_string(w.kernel.size()) + " spatial dims, input has " + std::to_string(n));
    w.strides = intsOr(node, "strides", n, 1);
    w.dilations = intsOr(node, "dilations", n, 1);
    auto pads = intsOr(node, "pads", 2 * n, 0);
    const std::string autoPad = node.attrString("auto_pad", "NOTSET");
    const bool ceil = allowCeilMode && node.attrInt("ceil_mode", 0) != 0;
    w.padBegin.resize(n);
    w.padEnd.resize(n);
    w.outSize.resize(n);
    for (size_t i = 0; i < n; ++i) {
        const int64_t ek = (w.kernel[i] - 1) * w.dilations[i] + 1; // effective kernel extent
        if (autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER") {
            w.outSize[i] = (w.inSize[i] + w.strides[i] - 1) / w.strides[i];
            const int64_t total = std::max<int64_t>(0, (w.outSize[i] - 1) * w.strides[i] + ek - w.inSize[i]);
            w.padBegin[i] = autoPad == "SAME_UPPER" ? total / 2 : total - total / 2;
            w.padEnd[i] = total - w.padBegin[i];
        } else {
            if (autoPad == "VALID") {
                w.padBegin[i] = w.padEnd[i] = 0;
            } else {
                w.padBegin[i] = pads[i];
                w.padEnd[i] = pads[i + n];
            }
            const int64_t span = w.inSize[i] + w.padBegin[i] + w.padEnd[i] - ek;
            if (span < 0)
                throw ShapeError("kernel extent " + std::to_string(ek) + " exceeds padded input size "
                                 + std::to_string(w.inSize[i] + w.padBegin[i] + w.padEnd[i]));
            w.outSize[i] = (ceil ? (span + w.strides[i] - 1) / w.strides[i] : span / w.strides[i]) + 1;
            // ONNX/PyTorch: the last window must start inside the input or left padding.
            if (ceil && (w.outSize[i] - 1) * w.strides[i] >= w.inSize[i] + w.padBegin[i])
                --w.outSize[i];
        }
        if (w.outSize[i] <= 0)
            throw ShapeError("output spatial size would be " + std::to_string(w.outSize[i]));
    }
    return w;
}

TransposeWindow convTransposeWindow(const Node& node, const Shape& x, const std::vector<int64_t>& kernel)
{
    if (x.size() < 3)
        throw ShapeError("input must have rank ≥ 3 (N, C, spatial...), got " + shapeToString(x));
    const size_t n = x.size() - 2;
    TransposeWindow w;
    w.inSize.assign(x.begin() + 2, x.end());
    w.kernel = node.attrInts("kernel_shape");
    if (w.kernel.empty())
        w.kernel = kernel;
    if (w.kernel.size() != n)
        throw ShapeError("kernel has " + std::to_string(w.kernel.size()) + " spatial dims, input has " + std::to_string(n));
    w.strides = intsOr(node, "strides", n, 1);
    w.dilations = intsOr(node, "dilations", n, 1);
    w.outputPadding = intsOr(node, "output_padding", n, 0);
    auto pads = intsOr(node, "pads", 2 * n, 0);
    const auto outputShape = node.attrInts("output_shape");
    if (!outputShape.empty() && outputShape.size() != n && outputShape.size() != n + 2)
        throw ShapeError("output_shape has " + std::to_string(outputShape.size()) + " values, expected "
                         + std::to_string(n) + " or " + std::to_string(n + 2));
    const std::string autoPad = node.attrString("auto_pad", "NOTSET");
    w.padBegin.resize(n);
    w.padEnd.resize(n);
    w.outSize.resize(n);
    for (size_t i = 0; i < n; ++i) {
        const int64_t ek = (w.kernel[i] - 1) * w.dilations[i] + 1;
        const int64_t full = w.strides[i] * (w.inSize[i] - 1) + w.outputPadding[i] + ek;
        if (!outputShape.empty()) {
            // output_shape may list all dims or only the spatial ones.
            const int64_t target = outputShape.size() == n ? outputShape[i] : outputShape.at(i + 2);
            // A target past the full output adds zero rows at the end, as output_padding would
            // (ONNX test convtranspose_output_shape; onnxruntime clamps the padding at 0). Bound
            // it like output_padding (< stride or dilation) so a bad model cannot ask for a huge tensor.
            const int64_t excess = target - full;
            if (excess >= std::max(w.strides[i], w.dilations[i]))
                throw ShapeError("output_shape " + std::to_string(target) + " exceeds the full output " + std::to_string(full)
                                 + " by more than output_padding could");
            const int64_t total = std::max<int64_t>(0, full - target);
            w.outSize[i] = target;
            if (autoPad == "SAME_LOWER") {
                w.padBegin[i] = total - total / 2;
            } else {
                w.padBegin[i] = total / 2;
            }
            w.padEnd[i] = total - w.padBegin[i];
        } else if (autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER") {
            w.outSize[i] = w.inSize[i] * w.strides[i];
            const int64_t total = std::max<int64_t>(0, full - w.outSize[i]);
            w.padBegin[i] = autoPad == "SAME_UPPER" ? total / 2 : total - total / 2;
            w.padEnd[i] = total - w.padBegin[i];
        } else {
            w.padBegin[i] = autoPad == "VALID" ? 0 : pads[i];
            w.padEnd[i] = autoPad == "VALID" ? 0 : pads[i + n];
            w.outSize[i] = full - w.padBegin[i] - w.padEnd[i];
        }
        if (w.outSize[i] <= 0)
            throw ShapeError("output spatial size would be " + std::to_string(w.outSize[i]));
    }
    return w;
}

void validateWindowAttrs(const Node& node)
{
    opcheck::positiveInts(node, "strides");
    opcheck::positiveInts(node, "dilations");
    opcheck::positiveInts(node, "kernel_shape");
    opcheck::nonNegativeInts(node, "pads");
    opcheck::nonNegativeInts(node, "output_padding");
    const auto pads = node.attrInts("pads");
    if (pads.size() % 2 != 0)
        throw FormatError(node.describe() + ": attribute 'pads' must have an even number of values");
    opcheck::oneOf(node, "auto_pad", "NOTSET", {"NOTSET", "SAME_UPPER", "SAME_LOWER", "VALID"});
    if (node.has("group") && node.attrInt("group", 1) < 1)
        throw FormatError(node.describe() + ": attribute 'group' must be ≥ 1, got " + std::to_string(node.attrInt("group", 1)));
}

} // namespace lnscope::core::ops
