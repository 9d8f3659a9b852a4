// Emulated LNS multiply-accumulate (spec/numerics.md §3.2); see lns_datapath.h for the contract.
//
// Exact path: instead of shifting every term into the int64 accumulator, each output counts its
// products per product log L_p and sign (two histograms over the 4·Lmax + 1 values of L_p; one
// packed integer add per product finds the bin). Since term(L_p) is a fixed integer times a power
// of two, Σ count[L_p]·LUT[r]·2^(q − qmin) is the same integer the hardware accumulates, in any
// order; it is formed once per output in 128 bits, which also covers F = 2, where the span of q
// (63 binades) outgrows int64.

#include "lnscope/core/lns_datapath.h"

#include "lnscope/core/error.h"
#include "lnscope/core/parallel.h"

#include "lnscope/core/detail/eigen.h"
#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

namespace lnscope::core {

namespace {

__extension__ typedef __int128 Int128; // GCC/Clang; __extension__ keeps -Wpedantic quiet

using MatR = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using MapR = Eigen::Map<MatR>;
using CMapR = Eigen::Map<const MatR>;

constexpr int kCodes = 256;
constexpr int kMaxBins = 4 * 63 + 1; // L_p in −2·Lmax … 2·Lmax, Lmax ≤ 63 for ≤ 8-bit codes
constexpr int64_t kBlockRows = 32;   // fast path: rows per GEMM, fixed so results ignore `threads`
// Σ|count·LUT·2^(q−qmin)| < 2^15 (K) · 2^16 (LUT) · 2^span must stay below 2^127.
constexpr int kMaxExponentSpan = 127 - 15 - 16 - 1;

enum CodeKind : uint8_t { kNormal = 0, kZero = 1, kNan = 2 };

/// Per-code decode tables (index = the uint8_t code as stored; bits above totalBits ignored).
struct CodeTables
{
    int fractionBits = 0;
    int maxLog = 0; ///< Lmax
    std::array<int16_t, kCodes> log{};
    std::array<uint8_t, kCodes> negative{};
    std::array<uint8_t, kCodes> kind{};

    explicit CodeTables(const LnsGemmParams& p) : fractionBits(p.fractionBits), maxLog((1 << (p.totalBits - 2)) - 1)
    {
        const int bits = p.totalBits;
        const uint32_t mask = (1u << bits) - 1;
        const int fieldHalf = 1 << (bits - 2); // L field is (bits − 1)-bit two's complement
        for (int c = 0; c < kCodes; ++c) {
            const uint32_t low = static_cast<uint32_t>(c) & mask;
            const bool neg = ((low >> (bits - 1)) & 1u) != 0;
            const int field = static_cast<int>(low & ((1u << (bits - 1)) - 1));
            const int l = field >= fieldHalf ? field - 2 * fieldHalf : field;
            log[c] = static_cast<int16_t>(l);
            negative[c] = neg ? 1 : 0;
            kind[c] = l == -fieldHalf ? (neg ? kNan : kZero) : kNormal;
        }
    }
};

void validate(const char* fn, int64_t M, int64_t N, int64_t K, const LnsGemmParams& p)
{
    const std::string name(fn);
    if (p.totalBits < 3 || p.totalBits > 8)
        throw UnsupportedError(name + ": LNS code width " + std::to_string(p.totalBits) + " bits is outside 3..8");
    if (p.fractionBits < 0 || p.fractionBits > 8)
        throw UnsupportedError(name + ": LNS fraction bits F = " + std::to_string(p.fractionBits) + " is outside 0..8");
    const int twoMax = 2 * ((1 << (p.totalBits - 2)) - 1);
    const int span = (twoMax >> p.fractionBits) - ((-twoMax) >> p.fractionBits);
    if (span > kMaxExponentSpan)
        throw UnsupportedError(name + ": F = " + std::to_string(p.fractionBits) + " with " + std::to_string(p.totalBits) +
                               "-bit codes spans " + std::to_string(span) +
                               " binades of products, more than the exact accumulator holds (use F >= 2 for 8-bit codes)");
    if (M < 0 || N < 0 || K < 0)
        throw ShapeError(name + ": negative size M = " + std::to_string(M) + ", N = " + std::to_string(N) +
                         ", K = " + std::to_string(K));
    if (K > kLnsExactMaxK)
        throw ShapeError(name + ": K = " + std::to_string(K) + " products per output exceeds " +
                         std::to_string(kLnsExactMaxK) + ", the exactness bound of the LNS accumulator (spec §3.2)");
}

/// y = linearBias (or 0) for K = 0, where there is nothing to multiply.
void fillBiasOnly(const float* linearBias, int64_t M, int64_t N, float* y)
{
    for (int64_t m = 0; m < M; ++m)
        for (int64_t n = 0; n < N; ++n)
            y[m * N + n] = linearBias ? linearBias[n] : 0.f;
}

std::vector<float> outputScales(int32_t biasA, const int32_t* biasW, int64_t N, int fractionBits)
{
    std::vector<float> scales(static_cast<size_t>(N));
    for (int64_t n = 0; n < N; ++n)
        scales[static_cast<size_t>(n)] =
            static_cast<float>(lnsBiasScale(int64_t{biasA} + int64_t{biasW[n]}, fractionBits));
    return scales;
}

/// Thread-local scratch, grown as needed and kept between calls.
float* scratch(size_t n)
{
    thread_local std::vector<float> buffer;
    if (buffer.size() < n)
        buffer.resize(n);
    return buffer.data();
}

} // namespace

int64_t lnsLutEntry(int r, const LnsGemmParams& params)
{
    const int f = params.fractionBits;
    if (params.mitchell) // 2^15·(1 + r/2^F), exact for F ≤ 15
        return (int64_t{1} << kLnsLutBits) + (static_cast<int64_t>(r) << kLnsLutBits >> f);
    return std::llround(std::ldexp(std::exp2(static_cast<double>(r) / static_cast<double>(1 << f)), kLnsLutBits));
}

long double lnsBiasScale(int64_t bias, int fractionBits)
{
    const int64_t q = bias >> fractionBits; // floor division (arithmetic shift, C++20)
    const int64_t r = bias & ((int64_t{1} << fractionBits) - 1);
    const long double frac = std::exp2l(static_cast<long double>(r) / static_cast<long double>(int64_t{1} << fractionBits));
    return std::ldexp(frac, static_cast<int>(std::clamp<int64_t>(q, -100000, 100000)));
}

namespace {

/// One weight operand of the exact path: log magnitude (in 1/2^F units, before the bias), sign
/// and kind. For plain codes |log| ≤ Lmax; for LnsWeightFlags-described products ≤ 2·Lmax.
struct ExactWeights
{
    const uint8_t* codes = nullptr; ///< plain codes, or
    const int16_t* log = nullptr;   ///< wide weights: log values and
    const uint8_t* flags = nullptr; ///< LnsWeightFlags
    int maxLog = 0;                 ///< bound on |log|
};

void exactKernel(const char* fn, const uint8_t* a, int32_t biasA, const ExactWeights& w, const int32_t* biasW,
                 const float* linearBias, int64_t M, int64_t N, int64_t K, float* y, const LnsGemmParams& params,
                 int threads)
{
    validate(fn, M, N, K, params);
    if (M == 0 || N == 0)
        return;
    const CodeTables tab(params);
    const int f = params.fractionBits;
    const int offset = tab.maxLog + w.maxLog; // bin = L_a + L_w + offset, in 0 … 2·offset
    const int nBins = 2 * offset + 1;
    if ((offset >> f) - ((-offset) >> f) > kMaxExponentSpan) // only reachable with wide weights
        throw UnsupportedError(std::string(fn) + ": F = " + std::to_string(f) +
                               " spans more binades of products than the exact accumulator holds");
    // Packed operands: bits 0..binBits-1 the biased log (the sum of the two is the bin, no carry),
    // bit binBits the sign (the sum's bit binBits is s_a XOR s_w, the next bit their AND), then
    // two bits of zero flags and two of NaN flags (counts of 0..2 never overflow into the next).
    const int binBits = nBins <= 256 ? 8 : 9;
    const unsigned signBit = 1u << binBits;
    const unsigned packedZero = 1u << (binBits + 2);
    const unsigned packedNan = 1u << (binBits + 4);
    const unsigned keep = (signBit << 1) - 1; // bin + XOR sign, drops the AND bit
    const int qMin = (-offset) >> f;
    std::array<int64_t, 2 * kMaxBins> binLut{};
    std::array<int, 2 * kMaxBins> binShift{};
    for (int bin = 0; bin < nBins; ++bin) {
        const int lp = bin - offset;
        binLut[bin] = lnsLutEntry(lp & ((1 << f) - 1), params);
        binShift[bin] = (lp >> f) - qMin;
    }
    const int accExponent = qMin - kLnsLutBits; // value of one accumulator unit: 2^(qMin − 15)

    auto pack = [&](int log, bool negative, int kind, int maxLog) -> uint16_t {
        return kind == kZero  ? static_cast<uint16_t>(packedZero)
               : kind == kNan ? static_cast<uint16_t>(packedNan)
                              : static_cast<uint16_t>(unsigned(log + maxLog) | (negative ? signBit : 0u));
    };
    std::array<uint16_t, kCodes> aTable{};
    for (int c = 0; c < kCodes; ++c)
        aTable[c] = pack(tab.log[c], tab.negative[c] != 0, tab.kind[c], tab.maxLog);
    std::vector<uint16_t> aPacked(static_cast<size_t>(M * K)), wPacked(static_cast<size_t>(N * K));
    for (int64_t i = 0; i < M * K; ++i)
        aPacked[static_cast<size_t>(i)] = aTable[a[i]];
    if (w.codes) {
        std::array<uint16_t, kCodes> wTable{};
        for (int c = 0; c < kCodes; ++c)
            wTable[c] = pack(tab.log[c], tab.negative[c] != 0, tab.kind[c], w.maxLog);
        for (int64_t i = 0; i < N * K; ++i)
            wPacked[static_cast<size_t>(i)] = wTable[w.codes[i]];
    } else {
        for (int64_t i = 0; i < N * K; ++i) {
            const uint8_t fl = w.flags[i];
            const int kind = (fl & kLnsWeightNan) ? kNan : (fl & kLnsWeightZero) ? kZero : kNormal;
            wPacked[static_cast<size_t>(i)] = pack(w.log[i], (fl & kLnsWeightNegative) != 0, kind, w.maxLog);
        }
    }

    const size_t histHalf = size_t{1} << binBits;
    parallelFor(M * N, threads, [&](int64_t begin, int64_t end) {
        // Positive products count in bins [0, histHalf), negative ones in [histHalf, 2·histHalf).
        std::array<int32_t, 2 * 512> hist;
        for (int64_t i = begin; i < end; ++i) {
            const int64_t m = i / N, n = i % N;
            const uint16_t* arow = aPacked.data() + m * K;
            const uint16_t* wrow = wPacked.data() + n * K;
            std::fill_n(hist.begin(), nBins, 0);
            std::fill_n(hist.begin() + static_cast<std::ptrdiff_t>(histHalf), nBins, 0);
            unsigned special = 0;
            for (int64_t k = 0; k < K; ++k) {
                const unsigned s = unsigned{arow[k]} + unsigned{wrow[k]};
                if (s >= packedZero) { // zero skips; NaN is remembered (NaN against zero is still NaN)
                    special |= s;
                    continue;
                }
                ++hist[s & keep];
            }
            if (special >= packedNan) {
                y[i] = std::numeric_limits<float>::quiet_NaN();
                continue;
            }
            Int128 acc = 0;
            for (int bin = 0; bin < nBins; ++bin) {
                const int64_t count = int64_t{hist[bin]} - int64_t{hist[bin + histHalf]};
                if (count != 0)
                    acc += static_cast<Int128>(count * binLut[bin]) << binShift[bin];
            }
            const long double sum = std::ldexp(static_cast<long double>(acc), accExponent);
            long double out = sum * lnsBiasScale(int64_t{biasA} + int64_t{biasW[n]}, f);
            if (linearBias)
                out += static_cast<long double>(linearBias[n]);
            y[i] = static_cast<float>(out);
        }
    });
}

} // namespace

void lnsGemmExact(const uint8_t* a, int32_t biasA, const uint8_t* w, const int32_t* biasW, const float* linearBias,
                  int64_t M, int64_t N, int64_t K, float* y, const LnsGemmParams& params, int threads)
{
    ExactWeights ew;
    ew.codes = w;
    ew.maxLog = (1 << (std::clamp(params.totalBits, 3, 8) - 2)) - 1;
    exactKernel("lnsGemmExact", a, biasA, ew, biasW, linearBias, M, N, K, y, params, threads);
}

void lnsGemmExactWide(const uint8_t* a, int32_t biasA, const int16_t* wLog, const uint8_t* wFlags,
                      const int32_t* biasW, const float* linearBias, int64_t M, int64_t N, int64_t K, float* y,
                      const LnsGemmParams& params, int threads)
{
    ExactWeights ew;
    ew.log = wLog;
    ew.flags = wFlags;
    ew.maxLog = 2 * ((1 << (std::clamp(params.totalBits, 3, 8) - 2)) - 1);
    validate("lnsGemmExactWide", M, N, K, params);
    for (int64_t i = 0; i < N * K; ++i)
        if ((wFlags[i] & (kLnsWeightZero | kLnsWeightNan)) == 0 && std::abs(int{wLog[i]}) > ew.maxLog)
            throw ShapeError("lnsGemmExactWide: weight log " + std::to_string(wLog[i]) + " at " + std::to_string(i) +
                             " is outside ±" + std::to_string(ew.maxLog) + " (two codes' sum)");
    exactKernel("lnsGemmExactWide", a, biasA, ew, biasW, linearBias, M, N, K, y, params, threads);
}

void lnsGemmFast(const uint8_t* a, int32_t biasA, const uint8_t* w, const int32_t* biasW, const float* linearBias,
                 int64_t M, int64_t N, int64_t K, float* y, const LnsGemmParams& params, int threads)
{
    validate("lnsGemmFast", M, N, K, params);
    if (M == 0 || N == 0)
        return;
    if (K == 0) {
        fillBiasOnly(linearBias, M, N, y);
        return;
    }
    const CodeTables tab(params);
    const int f = params.fractionBits;
    const int residues = params.mitchell ? 1 << f : 1;
    const int rMask = (1 << f) - 1;
    const float nan = std::numeric_limits<float>::quiet_NaN();

    // Activation tables per residue slice: plain path = the decoded value 2^(L/2^F); Mitchell
    // slice ra = ±2^q_a where r_a == ra, else 0 (a NaN goes to slice 0 only, once is enough).
    std::vector<std::array<float, kCodes>> aTab(static_cast<size_t>(residues));
    // Weight tables per slice: plain = 2^(L/2^F); Mitchell slice ra = ±2^(q_w + carry)·(1 + r/2^F)
    // with r = (ra + r_w) mod 2^F, carry = (ra + r_w) >> F, so that a·w = the Mitchell term.
    std::vector<std::array<float, kCodes>> wTab(static_cast<size_t>(residues));
    for (int ra = 0; ra < residues; ++ra) {
        for (int c = 0; c < kCodes; ++c) {
            const int l = tab.log[c];
            const float sign = tab.negative[c] ? -1.f : 1.f;
            float av, wv;
            if (tab.kind[c] == kZero) {
                av = wv = 0.f;
            } else if (tab.kind[c] == kNan) {
                wv = nan;
                av = ra == 0 ? nan : 0.f;
            } else if (!params.mitchell) {
                av = wv = sign * static_cast<float>(std::exp2(static_cast<double>(l) / static_cast<double>(1 << f)));
            } else {
                const int q = l >> f, r = l & rMask;
                av = (r == ra) ? sign * std::ldexp(1.f, q) : 0.f;
                const int sum = ra + r;
                const float mant = 1.f + static_cast<float>(sum & rMask) / static_cast<float>(1 << f);
                wv = sign * std::ldexp(mant, q + (sum >> f));
            }
            aTab[static_cast<size_t>(ra)][static_cast<size_t>(c)] = av;
            wTab[static_cast<size_t>(ra)][static_cast<size_t>(c)] = wv;
        }
    }
    std::vector<float> wDec(static_cast<size_t>(residues * N * K));
    for (int ra = 0; ra < residues; ++ra) {
        float* dst = wDec.data() + static_cast<size_t>(ra) * static_cast<size_t>(N * K);
        const auto& t = wTab[static_cast<size_t>(ra)];
        for (int64_t i = 0; i < N * K; ++i)
            dst[i] = t[w[i]];
    }
    const std::vector<float> scales = outputScales(biasA, biasW, N, f);

    const int64_t nBlocks = (M + kBlockRows - 1) / kBlockRows;
    parallelFor(nBlocks, threads, [&](int64_t b0, int64_t b1) {
        float* aDec = scratch(static_cast<size_t>(kBlockRows * K));
        for (int64_t b = b0; b < b1; ++b) {
            const int64_t m0 = b * kBlockRows;
            const int64_t rows = std::min(kBlockRows, M - m0);
            MapR yBlock(y + m0 * N, rows, N);
            for (int ra = 0; ra < residues; ++ra) {
                const auto& t = aTab[static_cast<size_t>(ra)];
                const uint8_t* src = a + m0 * K;
                for (int64_t i = 0; i < rows * K; ++i)
                    aDec[i] = t[src[i]];
                const CMapR aMat(aDec, rows, K);
                const CMapR wMat(wDec.data() + static_cast<size_t>(ra) * static_cast<size_t>(N * K), N, K);
                if (ra == 0)
                    yBlock.noalias() = aMat * wMat.transpose();
                else
                    yBlock.noalias() += aMat * wMat.transpose();
            }
            for (int64_t m = 0; m < rows; ++m) {
                float* yr = y + (m0 + m) * N;
                for (int64_t n = 0; n < N; ++n)
                    yr[n] = yr[n] * scales[static_cast<size_t>(n)] + (linearBias ? linearBias[n] : 0.f);
            }
        }
    });
}

} // namespace lnscope::core
