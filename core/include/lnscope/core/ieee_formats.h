#pragma once
// Floating-point comparison formats (spec/numerics.md §3.3): FP8 E4M3 and E5M2 with a per-block
// scale, FP16 and BF16 as IEEE binary16 / bfloat16, and float32 as the identity.
// All rounding is round-to-nearest, ties to even, written out in integer/double arithmetic so it
// does not depend on the FPU rounding mode or on compiler support for _Float16 / __bf16.
// Thread-safe: immutable after construction.

#include "lnscope/core/number_format.h"

#include <array>
#include <cstdint>

namespace lnscope::core {

/// IEEE binary16 bits of a float: round to nearest even, subnormals kept, overflow (≥ 65520)
/// to ±inf, NaN to a quiet NaN keeping the top payload bits and the sign.
uint16_t floatToHalfBits(float x);
/// The float of binary16 bits (exact: every half is a float).
float halfBitsToFloat(uint16_t bits);
/// bfloat16 bits of a float (the top 16 bits, rounded to nearest even; NaN stays a quiet NaN).
uint16_t floatToBf16Bits(float x);
/// The float of bfloat16 bits (exact).
float bf16BitsToFloat(uint16_t bits);

/// An 8-bit float S.E…E.M…M with a per-block scale: value = fp8(code) · scale, encode rounds
/// x / scale (in double) to nearest even. Saturating: |x / scale| ≥ max (including ±inf) gives
/// ±max, never inf. NaN → the NaN code with x's sign (S.1111.111 for E4M3, S.11111.11 for E5M2).
/// −0 and values that round to zero keep their sign (0x80), as in IEEE.
class MiniFloatFormat : public NumberFormat
{
public:
    struct Layout
    {
        int exponentBits;
        int mantissaBits;
        int exponentBias;
        bool ieeeSpecials; ///< true: top exponent is inf/NaN (E5M2); false: only S.1…1.1…1 is NaN (E4M3)
    };
    static constexpr Layout kE4M3 = {4, 3, 7, false};
    static constexpr Layout kE5M2 = {5, 2, 15, true};

    MiniFloatFormat(std::string name, Layout layout);

    ParamKind paramKind() const override { return ParamKind::Scale; }
    QuantParam paramForAbsMax(float absMax) const override;

    uint32_t encode(float x, const QuantParam& param) const override;
    double decode(uint32_t code, const QuantParam& param) const override;
    void encode(std::span<const float> values, const QuantParam& param, std::span<uint32_t> codes) const override;
    void decode(std::span<const uint32_t> codes, const QuantParam& param, std::span<float> values) const override;

    /// Unscaled value of a code (exact).
    double codeValue(uint32_t code) const { return m_values[code & 0xFFu]; }
    double maxValue() const { return m_maxValue; }
    uint32_t maxCode() const { return m_maxCode; }
    uint32_t nanCode() const { return m_nanCode; }
    bool isNaNCode(uint32_t code) const;
    bool isInfCode(uint32_t code) const;
    /// Code of an unscaled value (what encode does after dividing by the scale).
    uint32_t encodeUnscaled(double v) const;

private:
    struct Kernel;
    Kernel kernel() const;

    Layout m_layout;
    std::array<double, 256> m_values{};
    double m_maxValue = 0.0;
    double m_minNormal = 0.0;
    uint32_t m_maxCode = 0;
    uint32_t m_nanCode = 0;
};

/// IEEE binary16 (no parameter). Overflow gives inf, as IEEE does.
class Fp16Format : public NumberFormat
{
public:
    Fp16Format() : NumberFormat("fp16", 16) {}
    ParamKind paramKind() const override { return ParamKind::None; }
    QuantParam paramForAbsMax(float) const override { return defaultParam(); }
    uint32_t encode(float x, const QuantParam&) const override { return floatToHalfBits(x); }
    double decode(uint32_t code, const QuantParam&) const override { return halfBitsToFloat(static_cast<uint16_t>(code)); }
    void encode(std::span<const float> values, const QuantParam& param, std::span<uint32_t> codes) const override;
    void decode(std::span<const uint32_t> codes, const QuantParam& param, std::span<float> values) const override;
};

/// bfloat16 (no parameter).
class Bf16Format : public NumberFormat
{
public:
    Bf16Format() : NumberFormat("bf16", 16) {}
    ParamKind paramKind() const override { return ParamKind::None; }
    QuantParam paramForAbsMax(float) const override { return defaultParam(); }
    uint32_t encode(float x, const QuantParam&) const override { return floatToBf16Bits(x); }
    double decode(uint32_t code, const QuantParam&) const override { return bf16BitsToFloat(static_cast<uint16_t>(code)); }
    void encode(std::span<const float> values, const QuantParam& param, std::span<uint32_t> codes) const override;
    void decode(std::span<const uint32_t> codes, const QuantParam& param, std::span<float> values) const override;
};

/// float32 as is: the code is the float's bit pattern (the reference "format").
class Float32Format : public NumberFormat
{
public:
    Float32Format() : NumberFormat("float32", 32) {}
    ParamKind paramKind() const override { return ParamKind::None; }
    QuantParam paramForAbsMax(float) const override { return defaultParam(); }
    uint32_t encode(float x, const QuantParam&) const override;
    double decode(uint32_t code, const QuantParam&) const override;
    void encode(std::span<const float> values, const QuantParam& param, std::span<uint32_t> codes) const override;
    void decode(std::span<const uint32_t> codes, const QuantParam& param, std::span<float> values) const override;
};

} // namespace lnscope::core
