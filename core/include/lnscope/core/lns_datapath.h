#pragma once
// Emulated LNS multiply-accumulate (spec/numerics.md §3.2): the dense dot-product core that the
// emulated Conv calls as im2col × weights. Two paths over the same codes:
//
//   lnsGemmExact  the accelerator's datapath, bit for bit: L_p = L_a + L_w (integer add),
//                 term = ±LUT[r]·2^q with q = floor(L_p / 2^F), r = L_p mod 2^F,
//                 LUT[r] = round(2^(r/2^F)·2^15) (or Mitchell's 2^15 + r·2^(15−F)), summed in
//                 integers — exact and independent of summation order. The reference.
//   lnsGemmFast   decode both operands to float (the nearest float to 2^(L/2^F)), float GEMM
//                 (Eigen), scale by 2^((B_a + B_w[o]) / 2^F). What the emulator runs by default.
//
// Codes (one per uint8_t, layout of LnsFormat, §3.1) for totalBits = 8:
//   bit 7 sign, bits 6..0 L in two's complement, value (−1)^s · 2^((L + B) / 2^F);
//   L = −64 is reserved: 0x40 zero, 0xC0 NaN. Bits above totalBits are ignored.
//
// Layout: a is M×K activation codes, row-major (one im2col row per output position); w is N×K
// weight codes, row-major (one row per output channel); y is M×N, row-major, float32:
//   y[m][n] = Σ_k a[m][k]·w[n][k]  · (scales folded in)  + linearBias[n]
// The activation bias B_a is one integer per tensor; weight biases B_w[n] one per output channel
// (both in 1/2^F units of log2, QuantParam::bias). Activation and re-encoding are the caller's job.
//
// Special codes: a zero operand contributes nothing; a NaN operand (in a or w, even against a
// zero) makes that output NaN. The zero code never carries a sign.
//
// Bound between the two paths (both use the same codes and biases). For x = 2^(r/2^F) ∈ [1, 2):
//   |LUT[r] − x·2^15| ≤ ½ (rounding to an integer)  ⇒  |LUT[r]/2^15 − x| / x ≤ ½ / 2^15 = 2^−16
// ≈ 1.53e-5 per product, in the same direction for every product with the same r. Hence
//   |y_exact − y_true| ≤ 2^−16 · Σ_k |a_k·w_k|   (+ one rounding of y_exact to float, 2^−24·|y|)
// and the fast path adds float GEMM rounding (decoded operands 2^−24 each, K-term float sums,
// scaling): |y_fast − y_true| ≲ (K + 3)·2^−24 · Σ_k |a_k·w_k|. Together
//   |y_exact − y_fast| ≤ (2^−16 + (K + 4)·2^−24) · Σ_k |a_k·w_k|   (≈ (1.53e-5 + K·6e-8)·Σ|a w|)
// where a_k·w_k are the true products 2^((L_a + L_w + B_a + B_w)/2^F) and the linear bias is
// not counted (it adds one float rounding of |y|). With mitchell = true both paths use the same
// Mitchell LUT, which is exact in float, so only the float rounding term remains; Mitchell
// itself is off the true value by up to +6.07 % per product (F = 3: 1.5/√2 at r = 4), never
// below it (1 + x ≥ 2^x on [0, 1]): a positive bias, shown for study, never the default.
//
// Threading: both functions split the outputs into blocks whose boundaries do not depend on
// `threads` and run them with parallelFor; every output is computed by exactly one thread in a
// fixed order, so results are bit-identical for every thread count. Inputs are only read; y must
// not alias them.
//
// Errors (checked before any work, nothing is written on error): ShapeError when M, N or K is
// negative, or when K > kLnsExactMaxK (the exactness bound of the accelerator's accumulator —
// checked by both paths so they accept the same shapes); UnsupportedError for totalBits outside
// 3..8, fractionBits outside 0..8, or an F too small for the emulator's 128-bit accumulator
// (for 8-bit codes: F ≥ 2). Numeric loops never throw.

#include <cstdint>

namespace lnscope::core {

/// Most products per output for which the int64 accumulation of §3.2 is exact (2^15).
inline constexpr int64_t kLnsExactMaxK = int64_t{1} << 15;

/// Fixed-point scale of the LUT: LUT[r] ≈ 2^(r/2^F) · 2^15.
inline constexpr int kLnsLutBits = 15;

struct LnsGemmParams
{
    int totalBits = 8;    ///< code width, 3..8 (codes are held in uint8_t)
    int fractionBits = 3; ///< F, 0..8 (Q4.3 default); F ≥ 2 for 8-bit codes
    bool mitchell = false; ///< LUT[r] = 2^15·(1 + r/2^F) instead of round(2^15·2^(r/2^F))
};

/// LUT entry r (0 ≤ r < 2^F) of the back-to-linear step, in units of 2^−15.
int64_t lnsLutEntry(int r, const LnsGemmParams& params);

/// The output scale 2^(bias / 2^F) as a long double: exactly 2^floor(bias/2^F) times
/// exp2l((bias mod 2^F) / 2^F) (within an ulp of the true value). Both paths use it (the fast one rounded to float).
long double lnsBiasScale(int64_t bias, int fractionBits);

/// Exact path. y[m][n] = round_to_float(A · S + linearBias[n]) where A is the exact accumulated
/// sum Σ ±LUT[r]·2^(q − 15) (exact in long double whenever it has at most 64 significant bits,
/// which always holds for F ≥ 3 at 8 bits; otherwise rounded once to long double),
/// S = lnsBiasScale(biasA + biasW[n], F); A·S and the sum with the bias are computed in long
/// double (64-bit significand on x86-64, so they add at most ~2^−63 relative each) and then
/// rounded to float — in effect the exact value rounded once to float, bar ties. `linearBias` may be null (no bias); `biasW` has N entries.
/// Throws as described at the top of this header.
void lnsGemmExact(const uint8_t* a, int32_t biasA, const uint8_t* w, const int32_t* biasW, const float* linearBias,
                  int64_t M, int64_t N, int64_t K, float* y, const LnsGemmParams& params, int threads);

/// Flags of a wide weight (lnsGemmExactWide).
inline constexpr uint8_t kLnsWeightNegative = 1; ///< sign bit
inline constexpr uint8_t kLnsWeightZero = 2;     ///< the weight is zero (skipped)
inline constexpr uint8_t kLnsWeightNan = 4;      ///< the weight is NaN (its outputs are NaN)

/// Exact path for weights that are products of two codes, as a cluster-compressed weight is on
/// the accelerator (numerics.md §3.2 step 1: L_w = L_scale + L_centroid, both integer adds):
/// wLog[n·K + k] is the weight's log magnitude in 1/2^F units without its bias, |wLog| ≤ 2·Lmax,
/// wFlags the kLnsWeight* flags (sign = XOR of the two signs; zero when either is zero; NaN when
/// either is NaN). biasW[n] = B_scale[n] + B_centroid. The products L_a + L_w span up to 3·Lmax,
/// still exact in the 128-bit accumulator for 8-bit codes with F ≥ 2. Same contract and errors as
/// lnsGemmExact, plus ShapeError for a normal weight with |wLog| > 2·Lmax.
void lnsGemmExactWide(const uint8_t* a, int32_t biasA, const int16_t* wLog, const uint8_t* wFlags,
                      const int32_t* biasW, const float* linearBias, int64_t M, int64_t N, int64_t K, float* y,
                      const LnsGemmParams& params, int threads);

/// Fast path, same arguments and errors. Decodes codes to float through a 2^bits-entry table
/// (bias-free values, so the float range is only 2^±(Lmax/2^F)), runs float GEMMs on fixed
/// 32-row blocks (Eigen, single-threaded per block), then y = acc · float(S) + linearBias[n] in
/// float. With mitchell = true the sum is split by activation residue r_a into 2^F GEMMs
/// (term = 2^(q_a + q_w + carry) · (1 + ((r_a + r_w) mod 2^F)/2^F) factors once r_a is fixed);
/// this holds 2^F decoded copies of w (2^F · N · K floats).
void lnsGemmFast(const uint8_t* a, int32_t biasA, const uint8_t* w, const int32_t* biasW, const float* linearBias,
                 int64_t M, int64_t N, int64_t K, float* y, const LnsGemmParams& params, int threads);

} // namespace lnscope::core
