#include "lnscope/core/ieee_formats.h"

#include "lnscope/core/error.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>

namespace lnscope::core {

namespace {

/// 2^k as a double for k in the normal range (exact, no libm call).
inline double pow2(int k)
{
    return std::bit_cast<double>(static_cast<uint64_t>(k + 1023) << 52);
}

} // namespace

// ---------------------------------------------------------------- binary16 / bfloat16 bits

uint16_t floatToHalfBits(float x)
{
    const uint32_t f = std::bit_cast<uint32_t>(x);
    const uint16_t sign = static_cast<uint16_t>((f >> 16) & 0x8000u);
    const uint32_t a = f & 0x7FFFFFFFu;
    if (a > 0x7F800000u) // NaN: quiet, keep the top 9 payload bits
        return static_cast<uint16_t>(sign | 0x7E00u | ((a >> 13) & 0x01FFu));
    if (a >= 0x477FF000u) // ≥ 65520 = halfway from 65504 (odd mantissa) to 2^16: ties go up
        return static_cast<uint16_t>(sign | 0x7C00u);
    if (a < 0x38800000u) {
        // Below 2^-14: a subnormal half, n · 2^-24. x · 2^24 < 1024 is exact in float (scaling
        // a float by a power of two that stays normal), then round half to even.
        const float scaled = std::bit_cast<float>(a) * 16777216.0f;
        const auto n = static_cast<uint16_t>(roundHalfEven(static_cast<double>(scaled)));
        return static_cast<uint16_t>(sign | n); // n = 1024 is the smallest normal, 0x0400
    }
    // Normal: rebias the exponent (127 → 15) and round off 13 mantissa bits to nearest even;
    // a carry out of the mantissa correctly bumps the exponent.
    const uint32_t rounded = a + 0x0FFFu + ((a >> 13) & 1u);
    return static_cast<uint16_t>(sign | ((rounded - (112u << 23)) >> 13));
}

float halfBitsToFloat(uint16_t bits)
{
    const uint32_t sign = static_cast<uint32_t>(bits & 0x8000u) << 16;
    const uint32_t exponent = (bits >> 10) & 0x1Fu;
    const uint32_t mantissa = bits & 0x03FFu;
    if (exponent == 0) {
        const float magnitude = static_cast<float>(mantissa) * 5.9604644775390625e-8f; // · 2^-24, exact
        return std::bit_cast<float>(std::bit_cast<uint32_t>(magnitude) | sign);
    }
    if (exponent == 31)
        return std::bit_cast<float>(sign | 0x7F800000u | (mantissa << 13));
    return std::bit_cast<float>(sign | ((exponent + 112u) << 23) | (mantissa << 13));
}

uint16_t floatToBf16Bits(float x)
{
    const uint32_t f = std::bit_cast<uint32_t>(x);
    if ((f & 0x7FFFFFFFu) > 0x7F800000u)
        return static_cast<uint16_t>((f >> 16) | 0x0040u); // keep a NaN a (quiet) NaN
    // Round off the low 16 bits to nearest even; overflow carries into inf, subnormals follow
    // the same bit pattern rule.
    return static_cast<uint16_t>((f + 0x7FFFu + ((f >> 16) & 1u)) >> 16);
}

float bf16BitsToFloat(uint16_t bits)
{
    return std::bit_cast<float>(static_cast<uint32_t>(bits) << 16);
}

// ---------------------------------------------------------------- FP8

MiniFloatFormat::MiniFloatFormat(std::string name, Layout layout)
    : NumberFormat(std::move(name), 1 + layout.exponentBits + layout.mantissaBits)
    , m_layout(layout)
{
    if (bits() != 8)
        throw UnsupportedError("FP8 format '" + this->name() + "': layout must have 8 bits");
    const int m = layout.mantissaBits;
    const uint32_t topExponent = (1u << layout.exponentBits) - 1u;
    const uint32_t mantissaMask = (1u << m) - 1u;
    m_minNormal = pow2(1 - layout.exponentBias);
    m_nanCode = 0x7Fu; // S.1…1.1…1 is NaN in both layouts
    for (uint32_t c = 0; c < 256; ++c) {
        const uint32_t e = (c >> m) & topExponent;
        const uint32_t mant = c & mantissaMask;
        double v = 0.0;
        if (isNaNCode(c))
            v = std::numeric_limits<double>::quiet_NaN();
        else if (isInfCode(c))
            v = std::numeric_limits<double>::infinity();
        else if (e == 0)
            v = mant * pow2(1 - layout.exponentBias - m);
        else
            v = (1.0 + mant * pow2(-m)) * pow2(static_cast<int>(e) - layout.exponentBias);
        m_values[c] = (c & 0x80u) ? -v : v;
    }
    for (uint32_t c = 0; c < 0x80u; ++c)
        if (std::isfinite(m_values[c]) && m_values[c] > m_maxValue) {
            m_maxValue = m_values[c];
            m_maxCode = c;
        }
}

bool MiniFloatFormat::isNaNCode(uint32_t code) const
{
    const int m = m_layout.mantissaBits;
    const uint32_t topExponent = (1u << m_layout.exponentBits) - 1u;
    const uint32_t e = (code >> m) & topExponent;
    const uint32_t mant = code & ((1u << m) - 1u);
    if (m_layout.ieeeSpecials)
        return e == topExponent && mant != 0;
    return e == topExponent && mant == (1u << m) - 1u;
}

bool MiniFloatFormat::isInfCode(uint32_t code) const
{
    const int m = m_layout.mantissaBits;
    const uint32_t topExponent = (1u << m_layout.exponentBits) - 1u;
    return m_layout.ieeeSpecials && ((code >> m) & topExponent) == topExponent && (code & ((1u << m) - 1u)) == 0;
}

/// The encoder's constants by value, so the inner loop keeps them in registers (stores to the
/// uint32_t codes could otherwise alias the int members and force reloads).
struct MiniFloatFormat::Kernel
{
    double maxValue;
    double minNormal;
    double subnormalScale; ///< 2^(m − (1 − bias)): subnormal values to their integer mantissa
    int mantissaBits;
    int exponentBias;
    uint32_t maxCode;
    uint32_t nanCode;

    uint32_t operator()(double v) const
    {
        const uint32_t sign = std::signbit(v) ? 0x80u : 0u;
        if (std::isnan(v))
            return sign | nanCode;
        const double a = std::fabs(v);
        if (a >= maxValue) // saturate (±inf too): everything from max up rounds to max or overflows
            return sign | maxCode;
        if (a < minNormal) // subnormal grid; n = 2^m is the smallest normal's code
            return sign | static_cast<uint32_t>(roundHalfEven(a * subnormalScale));
        const int e = static_cast<int>((std::bit_cast<uint64_t>(a) >> 52) & 0x7FFu) - 1023;
        const double n = roundHalfEven(a * pow2(mantissaBits - e)); // in [2^m, 2^(m+1)]; 2^(m+1) carries
        return sign | ((static_cast<uint32_t>(e + exponentBias) << mantissaBits) + (static_cast<uint32_t>(n) - (1u << mantissaBits)));
    }
};

MiniFloatFormat::Kernel MiniFloatFormat::kernel() const
{
    return Kernel{m_maxValue, m_minNormal, pow2(m_layout.mantissaBits - (1 - m_layout.exponentBias)),
                  m_layout.mantissaBits, m_layout.exponentBias, m_maxCode, m_nanCode};
}

uint32_t MiniFloatFormat::encodeUnscaled(double v) const
{
    return kernel()(v);
}

QuantParam MiniFloatFormat::paramForAbsMax(float absMax) const
{
    if (!(absMax > 0.0f) || !std::isfinite(absMax))
        return defaultParam();
    QuantParam p;
    p.scale = static_cast<double>(absMax) / m_maxValue; // absMax maps to ±max
    return p;
}

uint32_t MiniFloatFormat::encode(float x, const QuantParam& param) const
{
    return encodeUnscaled(static_cast<double>(x) / param.scale);
}

double MiniFloatFormat::decode(uint32_t code, const QuantParam& param) const
{
    return m_values[code & 0xFFu] * param.scale;
}

void MiniFloatFormat::encode(std::span<const float> values, const QuantParam& param, std::span<uint32_t> codes) const
{
    const Kernel k = kernel();
    const double scale = param.scale;
    const size_t n = std::min(values.size(), codes.size());
    for (size_t i = 0; i < n; ++i)
        codes[i] = k(static_cast<double>(values[i]) / scale);
}

void MiniFloatFormat::decode(std::span<const uint32_t> codes, const QuantParam& param, std::span<float> values) const
{
    std::array<float, 256> table{};
    for (size_t c = 0; c < 256; ++c)
        table[c] = static_cast<float>(m_values[c] * param.scale);
    const size_t n = std::min(values.size(), codes.size());
    for (size_t i = 0; i < n; ++i)
        values[i] = table[codes[i] & 0xFFu];
}

// ---------------------------------------------------------------- FP16, BF16, float32

void Fp16Format::encode(std::span<const float> values, const QuantParam&, std::span<uint32_t> codes) const
{
    const size_t n = std::min(values.size(), codes.size());
    for (size_t i = 0; i < n; ++i)
        codes[i] = floatToHalfBits(values[i]);
}

void Fp16Format::decode(std::span<const uint32_t> codes, const QuantParam&, std::span<float> values) const
{
    const size_t n = std::min(values.size(), codes.size());
    for (size_t i = 0; i < n; ++i)
        values[i] = halfBitsToFloat(static_cast<uint16_t>(codes[i]));
}

void Bf16Format::encode(std::span<const float> values, const QuantParam&, std::span<uint32_t> codes) const
{
    const size_t n = std::min(values.size(), codes.size());
    for (size_t i = 0; i < n; ++i)
        codes[i] = floatToBf16Bits(values[i]);
}

void Bf16Format::decode(std::span<const uint32_t> codes, const QuantParam&, std::span<float> values) const
{
    const size_t n = std::min(values.size(), codes.size());
    for (size_t i = 0; i < n; ++i)
        values[i] = bf16BitsToFloat(static_cast<uint16_t>(codes[i]));
}

uint32_t Float32Format::encode(float x, const QuantParam&) const
{
    return std::bit_cast<uint32_t>(x);
}

double Float32Format::decode(uint32_t code, const QuantParam&) const
{
    return std::bit_cast<float>(code);
}

void Float32Format::encode(std::span<const float> values, const QuantParam&, std::span<uint32_t> codes) const
{
    const size_t n = std::min(values.size(), codes.size());
    for (size_t i = 0; i < n; ++i)
        codes[i] = std::bit_cast<uint32_t>(values[i]);
}

void Float32Format::decode(std::span<const uint32_t> codes, const QuantParam&, std::span<float> values) const
{
    const size_t n = std::min(values.size(), codes.size());
    for (size_t i = 0; i < n; ++i)
        values[i] = std::bit_cast<float>(codes[i]);
}

} // namespace lnscope::core
