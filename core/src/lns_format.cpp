#include "lnscope/core/lns_format.h"

#include "lnscope/core/error.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>

namespace lnscope::core {

namespace {

constexpr uint32_t kAbsMask = 0x7FFFFFFFu;
constexpr uint32_t kInfBits = 0x7F800000u;
constexpr uint32_t kMantissaMask = 0x007FFFFFu;
constexpr int kMantissaBits = 23;
constexpr double kMantissaScale = 8388608.0; // 2^23

/// Splits the bits of a finite positive float into x = (1 + k/2^23) · 2^e (subnormals normalised).
inline void splitFloat(uint32_t a, int& e, uint32_t& k)
{
    if (a >= 0x00800000u) {
        e = static_cast<int>(a >> kMantissaBits) - 127;
        k = a & kMantissaMask;
    } else {
        const int shift = std::countl_zero(a) - 8;
        e = -126 - shift;
        k = (a << shift) & kMantissaMask;
    }
}

/// ceil((t − 1) · 2^23) for an irrational t in (1, 2): the smallest mantissa field k whose
/// value 1 + k/2^23 lies above t. long double keeps ~2^-40 absolute accuracy here; the tests
/// check that no such threshold comes that close to a mantissa grid point.
uint32_t mantissaThreshold(long double t)
{
    return static_cast<uint32_t>(std::ceil((t - 1.0L) * static_cast<long double>(kMantissaScale)));
}

} // namespace

/// Everything one encode needs, copied by value so the inner loop keeps it in registers (stores
/// to the uint32_t codes could otherwise alias the int members and force reloads).
struct LnsFormat::Prepared
{
    int64_t bias = 0;
    uint32_t flushBits = 0; ///< bits of flushThreshold(bias): |x| bits below it → zero code
    int fractionBits = 0;
    int64_t maxLog = 0;
    int bucketShift = 0;
    uint32_t signBit = 0;
    uint32_t fieldMask = 0;
    uint32_t zeroCode = 0;
    uint32_t nanCode = 0;
    const int32_t* bucketBase = nullptr;
    const uint32_t* bucketThreshold = nullptr;

    uint32_t operator()(float x) const
    {
        const uint32_t raw = std::bit_cast<uint32_t>(x);
        const uint32_t a = raw & kAbsMask;
        if (a > kInfBits)
            return nanCode;
        if (a < flushBits)
            return zeroCode; // ReLU zeros, −0 and tiny values: never minpos, never signed
        int64_t log = maxLog;
        if (a != kInfBits) {
            int e = 0;
            uint32_t k = 0;
            splitFloat(a, e, k);
            const uint32_t b = k >> bucketShift;
            const int64_t rounded = static_cast<int64_t>(e) * (int64_t{1} << fractionBits) + bucketBase[b]
                                    + (k >= bucketThreshold[b] ? 1 : 0);
            log = std::clamp<int64_t>(rounded - bias, -maxLog, maxLog);
        }
        return ((raw >> 31) != 0 ? signBit : 0u) | (static_cast<uint32_t>(log) & fieldMask);
    }
};

LnsFormat::LnsFormat(int totalBits, int fractionBits, std::string name)
    : NumberFormat(name.empty() ? "lns" + std::to_string(totalBits) + "_q" + std::to_string(totalBits - 1 - fractionBits)
                                      + "." + std::to_string(fractionBits)
                                : std::move(name),
                   totalBits)
    , m_fractionBits(fractionBits)
    , m_maxLog((1 << (totalBits - 2)) - 1)
{
    if (totalBits < 3 || totalBits > 16 || fractionBits < 0 || fractionBits > 8)
        throw UnsupportedError("LNS format: needs 3..16 total bits and 0..8 fraction bits, got "
                               + std::to_string(totalBits) + " and " + std::to_string(fractionBits));
    const int steps = 1 << fractionBits;
    const long double stepScale = static_cast<long double>(steps);

    // Log-midpoints 2^((j + ½)/2^F), j = 0 … 2^F − 1, on the mantissa grid.
    std::vector<uint32_t> half(static_cast<size_t>(steps));
    for (int j = 0; j < steps; ++j)
        half[static_cast<size_t>(j)] = mantissaThreshold(std::exp2l((j + 0.5L) / stepScale));
    // Full steps 2^(j/2^F), j = 1 … 2^F − 1 (for ceilLog and the flush threshold).
    for (int j = 1; j < steps; ++j)
        m_stepThreshold.push_back(mantissaThreshold(std::exp2l(j / stepScale)));

    // 2^(F+3) buckets: neighbouring log-midpoints are ≥ 0.69·2^(23−F) mantissa units apart,
    // a bucket is 2^(20−F) wide, so no bucket holds two of them.
    m_bucketShift = kMantissaBits - (fractionBits + 3);
    const uint32_t buckets = 1u << (fractionBits + 3);
    m_bucketBase.resize(buckets);
    m_bucketThreshold.resize(buckets);
    for (uint32_t b = 0; b < buckets; ++b) {
        const uint32_t lo = b << m_bucketShift;
        const uint32_t hi = (b + 1) << m_bucketShift;
        int32_t base = 0;
        uint32_t inside = std::numeric_limits<uint32_t>::max();
        for (uint32_t t : half) {
            if (t <= lo)
                ++base;
            else if (t < hi) {
                if (inside != std::numeric_limits<uint32_t>::max())
                    throw Error("LNS format: two log-midpoints in one bucket (internal)");
                inside = t;
            }
        }
        m_bucketBase[b] = base;
        m_bucketThreshold[b] = inside;
    }
}

int LnsFormat::roundedLog(float x) const
{
    int e = 0;
    uint32_t k = 0;
    splitFloat(std::bit_cast<uint32_t>(x) & kAbsMask, e, k);
    const uint32_t b = k >> m_bucketShift;
    return e * (1 << m_fractionBits) + m_bucketBase[b] + (k >= m_bucketThreshold[b] ? 1 : 0);
}

int LnsFormat::ceilLog(float x) const
{
    int e = 0;
    uint32_t k = 0;
    splitFloat(std::bit_cast<uint32_t>(x) & kAbsMask, e, k);
    const int base = e * (1 << m_fractionBits);
    if (k == 0)
        return base; // an exact power of two: 2^F·log2 x is an integer
    // Full steps are irrational, so x > 2^(j/2^F) ⟺ k ≥ threshold_j.
    int above = 0;
    for (uint32_t t : m_stepThreshold)
        above += k >= t ? 1 : 0;
    return base + 1 + above;
}

float LnsFormat::flushThreshold(int32_t bias) const
{
    // minpos/2 = 2^(G/2^F) with G = B − Lmax − 2^F, a point of the full-step log grid. The
    // smallest float x with 2^F·log2 x ≥ G is found by bisection over the (monotone) bit
    // patterns of positive floats, using the exact floor position floor(2^F·log2 x).
    const int64_t g = static_cast<int64_t>(bias) - m_maxLog - (1 << m_fractionBits);
    auto floorLog = [this](uint32_t a) {
        int e = 0;
        uint32_t k = 0;
        splitFloat(a, e, k);
        int64_t below = 0;
        for (uint32_t t : m_stepThreshold)
            below += k >= t ? 1 : 0;
        return static_cast<int64_t>(e) * (1 << m_fractionBits) + below;
    };
    uint32_t lo = 1;        // smallest positive float
    uint32_t hi = kInfBits; // +inf: the answer when even the largest float is below G
    if (floorLog(lo) >= g)
        return std::bit_cast<float>(lo);
    while (hi - lo > 1) { // invariant: floorLog(lo) < g, answer in (lo, hi]
        const uint32_t mid = lo + (hi - lo) / 2;
        if (floorLog(mid) >= g)
            hi = mid;
        else
            lo = mid;
    }
    return std::bit_cast<float>(hi);
}

LnsFormat::Prepared LnsFormat::prepare(int32_t bias) const
{
    Prepared p;
    p.bias = bias;
    p.flushBits = std::bit_cast<uint32_t>(flushThreshold(bias));
    p.fractionBits = m_fractionBits;
    p.maxLog = m_maxLog;
    p.bucketShift = m_bucketShift;
    p.signBit = 1u << (bits() - 1);
    p.fieldMask = p.signBit - 1u;
    p.zeroCode = zeroCode();
    p.nanCode = nanCode();
    p.bucketBase = m_bucketBase.data();
    p.bucketThreshold = m_bucketThreshold.data();
    return p;
}

uint32_t LnsFormat::makeCode(bool negative, int log) const
{
    const uint32_t fieldMask = (1u << (bits() - 1)) - 1u;
    return (negative ? 1u << (bits() - 1) : 0u) | (static_cast<uint32_t>(log) & fieldMask);
}

int LnsFormat::logOf(uint32_t code) const
{
    const uint32_t fieldMask = (1u << (bits() - 1)) - 1u;
    const int field = static_cast<int>(code & fieldMask);
    return (field & (1 << (bits() - 2))) ? field - (1 << (bits() - 1)) : field;
}

uint32_t LnsFormat::encode(float x, const QuantParam& param) const
{
    return prepare(param.bias)(x);
}

void LnsFormat::encode(std::span<const float> values, const QuantParam& param, std::span<uint32_t> codes) const
{
    const Prepared p = prepare(param.bias);
    const size_t n = std::min(values.size(), codes.size());
    for (size_t i = 0; i < n; ++i)
        codes[i] = p(values[i]);
}

void LnsFormat::fakeQuantize(std::span<const float> values, const QuantParam& param, std::span<float> out) const
{
    const size_t n = std::min(values.size(), out.size());
    const size_t tableSize = size_t{1} << bits();
    const Prepared p = prepare(param.bias);
    // The branch-free loop below treats every non-zero input as a normal float; when the flush
    // threshold is itself subnormal (B < −937 at Q4.3), subnormal inputs need splitFloat().
    if (n < 4 * tableSize || p.flushBits < 0x00800000u) {
        NumberFormat::fakeQuantize(values, param, out);
        return;
    }
    // Decoded magnitude per L (index L + Lmax), from the exact decode of the positive codes.
    std::vector<uint32_t> codes(static_cast<size_t>(2 * m_maxLog + 1));
    for (int l = -m_maxLog; l <= m_maxLog; ++l)
        codes[static_cast<size_t>(l + m_maxLog)] = makeCode(false, l);
    std::vector<float> magnitude(codes.size());
    decode(codes, param, magnitude);
    const float* mag = magnitude.data();
    const int32_t* base = p.bucketBase;
    const uint32_t* threshold = p.bucketThreshold;
    const int f = p.fractionBits, shift = p.bucketShift;
    const auto maxLog = static_cast<int32_t>(p.maxLog);
    const auto bias = static_cast<int32_t>(p.bias);
    const uint32_t flush = p.flushBits;
    const float nan = std::numeric_limits<float>::quiet_NaN();
    const float* in = values.data();
    float* o = out.data();
    // Same arithmetic as Prepared::operator() for normal floats, written without branches so that
    // it vectorises (gathers from the three small tables); ±inf saturates through the clamp.
#pragma omp simd
    for (size_t i = 0; i < n; ++i) {
        const uint32_t raw = std::bit_cast<uint32_t>(in[i]);
        const uint32_t a = raw & kAbsMask;
        const uint32_t k = a & kMantissaMask;
        const uint32_t b = k >> shift;
        const int32_t e = static_cast<int32_t>(a >> kMantissaBits) - 127;
        const int32_t rounded = e * (1 << f) + base[b] + (k >= threshold[b] ? 1 : 0);
        const int32_t l = std::clamp(rounded - bias, -maxLog, maxLog);
        const float m = mag[l + maxLog];
        const float v = a < flush ? 0.0f : (raw >> 31) != 0 ? -m : m;
        o[i] = a > kInfBits ? nan : v;
    }
}

namespace {

/// 2^((L + B) / 2^F) in long double (the division is exact; exp2l is accurate to ~1e-19).
inline long double lnsMagnitude(int log, int32_t bias, int fractionBits)
{
    return std::exp2l(static_cast<long double>(static_cast<int64_t>(log) + bias)
                      / static_cast<long double>(1 << fractionBits));
}

} // namespace

double LnsFormat::decode(uint32_t code, const QuantParam& param) const
{
    const int log = logOf(code);
    if (log < -m_maxLog)
        return isNegative(code) ? std::numeric_limits<double>::quiet_NaN() : 0.0;
    const double magnitude = static_cast<double>(lnsMagnitude(log, param.bias, m_fractionBits));
    return isNegative(code) ? -magnitude : magnitude;
}

void LnsFormat::decode(std::span<const uint32_t> codes, const QuantParam& param, std::span<float> values) const
{
    const size_t n = std::min(values.size(), codes.size());
    const size_t tableSize = size_t{1} << bits();
    if (n < tableSize) { // not worth a table
        for (size_t i = 0; i < n; ++i) {
            const int log = logOf(codes[i]);
            const bool negative = isNegative(codes[i]);
            float v = 0.0f;
            if (log < -m_maxLog)
                v = negative ? std::numeric_limits<float>::quiet_NaN() : 0.0f;
            else
                v = static_cast<float>(lnsMagnitude(log, param.bias, m_fractionBits)) * (negative ? -1.0f : 1.0f);
            values[i] = v;
        }
        return;
    }
    std::vector<float> table(tableSize);
    for (uint32_t c = 0; c < tableSize; ++c) {
        const int log = logOf(c);
        if (log < -m_maxLog)
            table[c] = isNegative(c) ? std::numeric_limits<float>::quiet_NaN() : 0.0f;
        else
            table[c] = static_cast<float>(lnsMagnitude(log, param.bias, m_fractionBits)) * (isNegative(c) ? -1.0f : 1.0f);
    }
    const uint32_t mask = static_cast<uint32_t>(tableSize - 1);
    for (size_t i = 0; i < n; ++i)
        values[i] = table[codes[i] & mask];
}

QuantParam LnsFormat::paramForAbsMax(float absMax) const
{
    if (!(absMax > 0.0f) || !std::isfinite(absMax))
        return defaultParam();
    QuantParam p;
    p.bias = ceilLog(absMax) - m_maxLog; // absMax lands on the top code (or the one below)
    return p;
}

QuantParam LnsFormat::chooseParam(std::span<const float> values, ParamRule rule) const
{
    const QuantParam absMaxParam = paramForAbsMax(finiteAbsMax(values));
    if (rule != ParamRule::MinMse || absMaxParam == defaultParam())
        return absMaxParam;
    std::vector<float> approx(values.size());
    auto squaredError = [&](int32_t bias) {
        QuantParam p;
        p.bias = bias;
        fakeQuantize(values, p, approx);
        double sum = 0.0;
        for (size_t i = 0; i < values.size(); ++i) {
            if (!std::isfinite(values[i]))
                continue;
            const double d = static_cast<double>(values[i]) - static_cast<double>(approx[i]);
            sum += d * d;
        }
        return sum;
    };
    QuantParam best = absMaxParam;
    double bestError = squaredError(best.bias);
    // Downwards with a strict improvement: ties keep the larger bias (nothing clips).
    for (int32_t b = absMaxParam.bias - 1; b >= absMaxParam.bias - (1 << m_fractionBits); --b) {
        const double err = squaredError(b);
        if (err < bestError) {
            bestError = err;
            best.bias = b;
        }
    }
    return best;
}

} // namespace lnscope::core
