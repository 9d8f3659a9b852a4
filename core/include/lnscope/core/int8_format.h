#pragma once
// Symmetric INT8 (spec/numerics.md §3.3): value = q · scale, q = clamp(round_half_even(x / scale),
// −127, 127) as a two's complement byte. Weights take one scale per output channel
// (s_o = max|W_o| / 127), activations one per tensor. −128 (0x80) is never written; it decodes
// to −128 · scale. INT8 has no NaN: NaN encodes to 0 (and ±inf saturates to ±127).
// Thread-safe: immutable.

#include "lnscope/core/number_format.h"

namespace lnscope::core {

class Int8Format : public NumberFormat
{
public:
    static constexpr int kMaxLevel = 127;

    Int8Format() : NumberFormat("int8", 8) {}

    ParamKind paramKind() const override { return ParamKind::Scale; }
    QuantParam paramForAbsMax(float absMax) const override;

    uint32_t encode(float x, const QuantParam& param) const override;
    double decode(uint32_t code, const QuantParam& param) const override;
    void encode(std::span<const float> values, const QuantParam& param, std::span<uint32_t> codes) const override;
    void decode(std::span<const uint32_t> codes, const QuantParam& param, std::span<float> values) const override;

    /// The signed level q of a code (−128 … 127).
    static int level(uint32_t code) { return static_cast<int8_t>(static_cast<uint8_t>(code & 0xFFu)); }
};

} // namespace lnscope::core
