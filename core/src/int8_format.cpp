#include "lnscope/core/int8_format.h"

#include <algorithm>
#include <array>
#include <cmath>

namespace lnscope::core {

namespace {

inline uint32_t encodeInt8(float x, double scale)
{
    const double v = static_cast<double>(x) / scale;
    if (std::isnan(v))
        return 0u;
    const double q = roundHalfEven(std::clamp(v, -double{Int8Format::kMaxLevel}, double{Int8Format::kMaxLevel}));
    return static_cast<uint32_t>(static_cast<uint8_t>(static_cast<int8_t>(q)));
}

} // namespace

QuantParam Int8Format::paramForAbsMax(float absMax) const
{
    if (!(absMax > 0.0f) || !std::isfinite(absMax))
        return defaultParam();
    QuantParam p;
    p.scale = static_cast<double>(absMax) / kMaxLevel;
    return p;
}

uint32_t Int8Format::encode(float x, const QuantParam& param) const
{
    return encodeInt8(x, param.scale);
}

double Int8Format::decode(uint32_t code, const QuantParam& param) const
{
    return level(code) * param.scale;
}

void Int8Format::encode(std::span<const float> values, const QuantParam& param, std::span<uint32_t> codes) const
{
    const double scale = param.scale; // a local: the uint32_t stores cannot alias it
    const size_t n = std::min(values.size(), codes.size());
    for (size_t i = 0; i < n; ++i)
        codes[i] = encodeInt8(values[i], scale);
}

void Int8Format::decode(std::span<const uint32_t> codes, const QuantParam& param, std::span<float> values) const
{
    std::array<float, 256> table{};
    for (uint32_t c = 0; c < 256; ++c)
        table[c] = static_cast<float>(level(c) * param.scale);
    const size_t n = std::min(values.size(), codes.size());
    for (size_t i = 0; i < n; ++i)
        values[i] = table[codes[i] & 0xFFu];
}

} // namespace lnscope::core
