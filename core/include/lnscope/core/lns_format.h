#pragma once
// Logarithmic number system codes (spec/numerics.md §3.1), generic in total bits and fraction
// bits F. For 8 bits:
//   bit 7      s   sign
//   bits 6..0  L   7-bit two's complement; L = −64 is reserved: 0x40 zero, 0xC0 NaN
//   value      (−1)^s · 2^((L + B) / 2^F), B the integer bias (QuantParam::bias) in 1/2^F units
// Encode: NaN → NaN code; |x| < minpos/2 → zero code (also for −0 and for negative values that
// flush: the zero code never carries the sign); else
// L = clamp(round_half_even(2^F·log2|x| − B), −Lmax, Lmax), rounding in the log domain and
// saturating (±inf → ±max). minpos = 2^((−Lmax + B) / 2^F), Lmax = 2^(bits−2) − 1 (63).
//
// Exactness: since B is an integer, L = round(2^F·log2|x|) − B, and round(2^F·log2|x|) is
// decided from the float's exponent and an integer comparison of its mantissa against the
// log-midpoints 2^((j + ½)/2^F) pre-rounded to the 23-bit mantissa grid. No log2 is evaluated
// per element, and the result is exact for every float32 input (log-midpoints are irrational,
// so no float ties). Thread-safe: immutable after construction.

#include "lnscope/core/number_format.h"

#include <array>
#include <cstdint>
#include <vector>

namespace lnscope::core {

class LnsFormat : public NumberFormat
{
public:
    /// `totalBits` in 3..16, `fractionBits` F in 0..8; throws UnsupportedError otherwise.
    /// An empty name gives "lns<bits>_q<bits−1−F>.<F>".
    LnsFormat(int totalBits, int fractionBits, std::string name = {});

    ParamKind paramKind() const override { return ParamKind::Bias; }
    QuantParam paramForAbsMax(float absMax) const override;
    QuantParam chooseParam(std::span<const float> values, ParamRule rule) const override;

    uint32_t encode(float x, const QuantParam& param) const override;
    double decode(uint32_t code, const QuantParam& param) const override;
    void encode(std::span<const float> values, const QuantParam& param, std::span<uint32_t> codes) const override;
    void decode(std::span<const uint32_t> codes, const QuantParam& param, std::span<float> values) const override;
    using NumberFormat::fakeQuantize;
    /// Fused encode + table decode (the table of 2^bits decoded values is built once per call).
    void fakeQuantize(std::span<const float> values, const QuantParam& param, std::span<float> out) const override;

    int fractionBits() const { return m_fractionBits; }
    /// Lmax = 2^(bits−2) − 1: magnitudes run over −Lmax … Lmax (63 for 8 bits).
    int maxLog() const { return m_maxLog; }
    uint32_t zeroCode() const { return 1u << (bits() - 2); }
    uint32_t nanCode() const { return (1u << (bits() - 1)) | zeroCode(); }
    /// Code of sign and L (L in −Lmax … Lmax).
    uint32_t makeCode(bool negative, int log) const;
    /// L of a code (−2^(bits−2) for the zero and NaN codes).
    int logOf(uint32_t code) const;
    bool isNegative(uint32_t code) const { return ((code >> (bits() - 1)) & 1u) != 0; }

    /// round_half_even(2^F·log2|x|) for finite non-zero x, exact (bias-free log position).
    int roundedLog(float x) const;
    /// ceil(2^F·log2 x) for finite x > 0, exact.
    int ceilLog(float x) const;
    /// The smallest float ≥ minpos/2 for bias B: |x| below it flushes to the zero code.
    float flushThreshold(int32_t bias) const;

private:
    struct Prepared;
    Prepared prepare(int32_t bias) const;

    int m_fractionBits;
    int m_maxLog;
    // roundedLog(): the 23-bit mantissa field k is split into buckets of 2^m_bucketShift; every
    // bucket holds at most one log-midpoint, so r = m_bucketBase[b] + (k >= m_bucketThreshold[b]).
    int m_bucketShift;
    std::vector<int32_t> m_bucketBase;
    std::vector<uint32_t> m_bucketThreshold;
    std::vector<uint32_t> m_stepThreshold; ///< ceil((2^(j/2^F) − 1)·2^23), j = 1 … 2^F − 1
};

} // namespace lnscope::core
