#include "lnscope/core/number_format.h"

#include "lnscope/core/error.h"
#include "lnscope/core/ieee_formats.h"
#include "lnscope/core/int8_format.h"
#include "lnscope/core/lns_format.h"

#include <algorithm>
#include <array>
#include <cmath>

namespace lnscope::core {

float finiteAbsMax(std::span<const float> values)
{
    float m = 0.0f;
    for (float v : values)
        if (std::isfinite(v))
            m = std::max(m, std::fabs(v));
    return m;
}

// ---------------------------------------------------------------- NumberFormat

QuantParam NumberFormat::chooseParam(std::span<const float> values, ParamRule) const
{
    return paramForAbsMax(finiteAbsMax(values));
}

void NumberFormat::checkParam(const QuantParam& param) const
{
    if (paramKind() == ParamKind::Scale && !(std::isfinite(param.scale) && param.scale > 0.0))
        throw FormatError("number format '" + m_name + "': scale must be finite and > 0, got "
                          + std::to_string(param.scale));
}

void NumberFormat::fakeQuantize(std::span<const float> values, const QuantParam& param, std::span<float> out) const
{
    constexpr size_t kChunk = 4096; // codes stay in L1; `out` may alias `values`
    std::array<uint32_t, kChunk> codes{};
    const size_t n = std::min(values.size(), out.size());
    for (size_t begin = 0; begin < n; begin += kChunk) {
        const size_t count = std::min(kChunk, n - begin);
        encode(values.subspan(begin, count), param, std::span<uint32_t>(codes.data(), count));
        decode(std::span<const uint32_t>(codes.data(), count), param, out.subspan(begin, count));
    }
}

namespace {

/// Number of blocks and elements per block of a tensor under a granularity.
struct Blocks
{
    int64_t count = 1;
    int64_t size = 0;
};

Blocks blocksOf(const std::string& format, const Shape& shape, Granularity granularity)
{
    const int64_t numel = shapeNumel(shape);
    if (granularity == Granularity::PerTensor)
        return {1, numel};
    if (shape.empty())
        throw ShapeError("number format '" + format + "': per-channel quantization needs a tensor of rank ≥ 1, got a scalar");
    const int64_t channels = shape[0];
    return {channels, channels == 0 ? 0 : numel / channels};
}

void checkParamCount(const std::string& format, const Blocks& blocks, size_t count, const Shape& shape)
{
    if (static_cast<int64_t>(count) != blocks.count)
        throw ShapeError("number format '" + format + "': " + std::to_string(count) + " parameters for "
                         + std::to_string(blocks.count) + " blocks of a tensor of shape " + shapeToString(shape));
}

} // namespace

std::vector<QuantParam> NumberFormat::chooseParams(const Tensor& tensor, Granularity granularity, ParamRule rule) const
{
    const std::span<const float> values = tensor.floats();
    const Blocks blocks = blocksOf(m_name, tensor.shape(), granularity);
    std::vector<QuantParam> params;
    params.reserve(static_cast<size_t>(blocks.count));
    for (int64_t b = 0; b < blocks.count; ++b)
        params.push_back(chooseParam(values.subspan(static_cast<size_t>(b * blocks.size), static_cast<size_t>(blocks.size)), rule));
    return params;
}

QuantizedTensor NumberFormat::quantize(const Tensor& tensor, Granularity granularity, ParamRule rule) const
{
    return quantize(tensor, granularity, chooseParams(tensor, granularity, rule));
}

QuantizedTensor NumberFormat::quantize(const Tensor& tensor, Granularity granularity, std::vector<QuantParam> params) const
{
    const std::span<const float> values = tensor.floats();
    const Blocks blocks = blocksOf(m_name, tensor.shape(), granularity);
    checkParamCount(m_name, blocks, params.size(), tensor.shape());
    for (const QuantParam& p : params)
        checkParam(p);
    QuantizedTensor q;
    q.format = m_name;
    q.shape = tensor.shape();
    q.granularity = granularity;
    q.codes.resize(values.size());
    for (int64_t b = 0; b < blocks.count; ++b) {
        const auto offset = static_cast<size_t>(b * blocks.size);
        const auto size = static_cast<size_t>(blocks.size);
        encode(values.subspan(offset, size), params[static_cast<size_t>(b)], std::span<uint32_t>(q.codes).subspan(offset, size));
    }
    q.params = std::move(params);
    return q;
}

Tensor NumberFormat::dequantize(const QuantizedTensor& q) const
{
    if (q.format != m_name)
        throw FormatError("number format '" + m_name + "': cannot decode codes written by '" + q.format + "'");
    const int64_t numel = shapeNumel(q.shape);
    if (static_cast<int64_t>(q.codes.size()) != numel)
        throw FormatError("number format '" + m_name + "': " + std::to_string(q.codes.size())
                          + " codes for shape " + shapeToString(q.shape));
    const Blocks blocks = blocksOf(m_name, q.shape, q.granularity);
    if (static_cast<int64_t>(q.params.size()) != blocks.count)
        throw FormatError("number format '" + m_name + "': " + std::to_string(q.params.size())
                          + " parameters for " + std::to_string(blocks.count) + " blocks of shape " + shapeToString(q.shape));
    for (const QuantParam& p : q.params)
        checkParam(p);
    Tensor out(DType::Float32, q.shape);
    const std::span<float> values = out.floats();
    for (int64_t b = 0; b < blocks.count; ++b) {
        const auto offset = static_cast<size_t>(b * blocks.size);
        const auto size = static_cast<size_t>(blocks.size);
        decode(std::span<const uint32_t>(q.codes).subspan(offset, size), q.params[static_cast<size_t>(b)], values.subspan(offset, size));
    }
    return out;
}

Tensor NumberFormat::fakeQuantize(const Tensor& tensor, Granularity granularity, ParamRule rule) const
{
    const std::vector<QuantParam> params = chooseParams(tensor, granularity, rule);
    return fakeQuantize(tensor, granularity, params);
}

Tensor NumberFormat::fakeQuantize(const Tensor& tensor, Granularity granularity, std::span<const QuantParam> params) const
{
    const std::span<const float> values = tensor.floats();
    const Blocks blocks = blocksOf(m_name, tensor.shape(), granularity);
    checkParamCount(m_name, blocks, params.size(), tensor.shape());
    for (const QuantParam& p : params)
        checkParam(p);
    Tensor out(DType::Float32, tensor.shape());
    const std::span<float> outValues = out.floats();
    for (int64_t b = 0; b < blocks.count; ++b) {
        const auto offset = static_cast<size_t>(b * blocks.size);
        const auto size = static_cast<size_t>(blocks.size);
        fakeQuantize(values.subspan(offset, size), params[static_cast<size_t>(b)], outValues.subspan(offset, size));
    }
    return out;
}

// ---------------------------------------------------------------- registry

const NumberFormatRegistry& NumberFormatRegistry::builtin()
{
    static const NumberFormatRegistry registry = [] {
        NumberFormatRegistry r;
        registerBuiltinNumberFormats(r);
        return r;
    }();
    return registry;
}

void NumberFormatRegistry::add(std::shared_ptr<const NumberFormat> format)
{
    for (auto& existing : m_formats)
        if (existing->name() == format->name()) {
            existing = std::move(format);
            return;
        }
    m_formats.push_back(std::move(format));
}

const NumberFormat* NumberFormatRegistry::find(std::string_view name) const
{
    for (const auto& format : m_formats)
        if (format->name() == name)
            return format.get();
    return nullptr;
}

const NumberFormat& NumberFormatRegistry::get(std::string_view name) const
{
    if (const NumberFormat* format = find(name))
        return *format;
    std::string known;
    for (const auto& format : m_formats)
        known += (known.empty() ? "" : ", ") + format->name();
    throw UnsupportedError("unknown number format '" + std::string(name) + "' (known: " + known + ")");
}

std::vector<std::string> NumberFormatRegistry::names() const
{
    std::vector<std::string> names;
    names.reserve(m_formats.size());
    for (const auto& format : m_formats)
        names.push_back(format->name());
    return names;
}

void registerBuiltinNumberFormats(NumberFormatRegistry& registry)
{
    registry.add(std::make_shared<LnsFormat>(8, 3, "lns8")); // the default layout, Q4.3
    registry.add(std::make_shared<LnsFormat>(8, 4));         // lns8_q3.4: per-channel weights
    registry.add(std::make_shared<LnsFormat>(8, 2));         // lns8_q5.2: wide range
    // Q2.3: per-kernel scales (ConversionConfig::scaleFormat) — lns8's F, so scale · centroid is
    // still an add of log codes; 3.75 binades per output channel, 6 bits instead of 8 per kernel.
    registry.add(std::make_shared<LnsFormat>(6, 3, "lns6"));
    registry.add(std::make_shared<MiniFloatFormat>("fp8_e4m3", MiniFloatFormat::kE4M3));
    registry.add(std::make_shared<MiniFloatFormat>("fp8_e5m2", MiniFloatFormat::kE5M2));
    registry.add(std::make_shared<Int8Format>());
    registry.add(std::make_shared<Fp16Format>());
    registry.add(std::make_shared<Bf16Format>());
    registry.add(std::make_shared<Float32Format>());
}

} // namespace lnscope::core
