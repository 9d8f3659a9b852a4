// Emulated LNS multiply-accumulate (spec/numerics.md §3.2): the exact path against a naive
// long-double reference of the same datapath (bit-identical) and against the true value (within
// the LUT bound); the fast path against the exact one (within the bound of lns_datapath.h).

#include "lnscope/core/error.h"
#include "lnscope/core/lns_datapath.h"
#include "lnscope/core/lns_format.h"
#include "test_utils.h"

#include <QElapsedTimer>
#include <QTest>
#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>
#include <vector>

using namespace lnscope;
using core::LnsGemmParams;

namespace {

constexpr uint8_t kZeroCode = 0x40;
constexpr uint8_t kNanCode = 0xC0;

uint8_t makeCode(bool negative, int log)
{
    return static_cast<uint8_t>((negative ? 0x80 : 0x00) | (log & 0x7F));
}
int logOf(uint8_t c)
{
    const int field = c & 0x7F;
    return field >= 64 ? field - 128 : field;
}
bool isNegative(uint8_t c) { return (c & 0x80) != 0; }

/// One GEMM problem: a is M×K, w is N×K (codes), biases in 1/2^F units.
struct Problem
{
    int64_t M = 0, N = 0, K = 0;
    LnsGemmParams params;
    std::vector<uint8_t> a, w;
    int32_t biasA = 0;
    std::vector<int32_t> biasW;
    std::vector<float> linearBias; ///< empty: none

    const float* linearBiasPtr() const { return linearBias.empty() ? nullptr : linearBias.data(); }
};

/// Random codes with L uniform in ±maxLog, random signs, about zeroPermille/1000 zero codes.
Problem randomProblem(int64_t M, int64_t N, int64_t K, int F, uint32_t seed, int maxLog = 63, int zeroPermille = 50)
{
    std::mt19937 rng(seed);
    Problem p;
    p.M = M;
    p.N = N;
    p.K = K;
    p.params.fractionBits = F;
    auto code = [&] {
        if (test::uniformInt(rng, 0, 999) < zeroPermille)
            return kZeroCode;
        const int l = static_cast<int>(test::uniformInt(rng, -maxLog, maxLog));
        return makeCode((rng() & 1u) != 0, l);
    };
    p.a.resize(static_cast<size_t>(M * K));
    p.w.resize(static_cast<size_t>(N * K));
    for (auto& c : p.a)
        c = code();
    for (auto& c : p.w)
        c = code();
    p.biasA = static_cast<int32_t>(test::uniformInt(rng, -20, 20));
    p.biasW.resize(static_cast<size_t>(N));
    for (auto& b : p.biasW)
        b = static_cast<int32_t>(test::uniformInt(rng, -20, 20));
    return p;
}

std::vector<float> runExact(const Problem& p, int threads = 2)
{
    std::vector<float> y(static_cast<size_t>(p.M * p.N), -12345.f);
    core::lnsGemmExact(p.a.data(), p.biasA, p.w.data(), p.biasW.data(), p.linearBiasPtr(), p.M, p.N, p.K, y.data(),
                       p.params, threads);
    return y;
}

std::vector<float> runFast(const Problem& p, int threads = 2)
{
    std::vector<float> y(static_cast<size_t>(p.M * p.N), -12345.f);
    core::lnsGemmFast(p.a.data(), p.biasA, p.w.data(), p.biasW.data(), p.linearBiasPtr(), p.M, p.N, p.K, y.data(),
                      p.params, threads);
    return y;
}

int floorDiv(int x, int d) { return x >= 0 ? x / d : -((-x + d - 1) / d); }

/// LUT entry from the spec's definition, computed independently of the library.
long double specLut(int r, int F, bool mitchell)
{
    const long double x = static_cast<long double>(r) / static_cast<long double>(1 << F);
    return mitchell ? (1.0L + x) * 32768.0L : std::round(std::exp2l(x) * 32768.0L);
}

/// Naive datapath: Σ ±LUT[r]·2^(q − 15) in long double in k order (exact for the ranges used),
/// then the output scale and linear bias as documented for lnsGemmExact.
std::vector<float> naiveDatapath(const Problem& p)
{
    const int F = p.params.fractionBits, D = 1 << F;
    std::vector<float> y(static_cast<size_t>(p.M * p.N));
    for (int64_t m = 0; m < p.M; ++m) {
        for (int64_t n = 0; n < p.N; ++n) {
            long double sum = 0;
            bool nan = false;
            for (int64_t k = 0; k < p.K; ++k) {
                const uint8_t ca = p.a[static_cast<size_t>(m * p.K + k)], cw = p.w[static_cast<size_t>(n * p.K + k)];
                if (ca == kNanCode || cw == kNanCode)
                    nan = true;
                if (ca == kZeroCode || cw == kZeroCode || nan)
                    continue;
                const int lp = logOf(ca) + logOf(cw);
                const int q = floorDiv(lp, D), r = lp - q * D;
                const long double term = std::ldexp(specLut(r, F, p.params.mitchell), q - 15);
                sum += isNegative(ca) != isNegative(cw) ? -term : term;
            }
            long double out = sum * core::lnsBiasScale(int64_t{p.biasA} + p.biasW[static_cast<size_t>(n)], F);
            if (!p.linearBias.empty())
                out += p.linearBias[static_cast<size_t>(n)];
            y[static_cast<size_t>(m * p.N + n)] = nan ? NAN : static_cast<float>(out);
        }
    }
    return y;
}

/// The mathematically exact value Σ ±2^((L_a + L_w + B_a + B_w)/2^F) and Σ of its |terms|.
struct TrueValue
{
    std::vector<long double> value, sumAbs;
};
TrueValue trueValues(const Problem& p)
{
    const long double D = static_cast<long double>(1 << p.params.fractionBits);
    TrueValue t;
    for (int64_t m = 0; m < p.M; ++m) {
        for (int64_t n = 0; n < p.N; ++n) {
            long double sum = 0, sumAbs = 0;
            for (int64_t k = 0; k < p.K; ++k) {
                const uint8_t ca = p.a[static_cast<size_t>(m * p.K + k)], cw = p.w[static_cast<size_t>(n * p.K + k)];
                if (ca == kZeroCode || cw == kZeroCode)
                    continue;
                const int e = logOf(ca) + logOf(cw) + p.biasA + p.biasW[static_cast<size_t>(n)];
                const long double term = std::exp2l(static_cast<long double>(e) / D);
                sum += isNegative(ca) != isNegative(cw) ? -term : term;
                sumAbs += term;
            }
            t.value.push_back(sum);
            t.sumAbs.push_back(sumAbs);
        }
    }
    return t;
}

/// "" when bit-identical (NaN matches NaN), else the first difference.
QString firstDifference(const std::vector<float>& actual, const std::vector<float>& expected)
{
    if (actual.size() != expected.size())
        return QStringLiteral("size %1 vs %2").arg(actual.size()).arg(expected.size());
    for (size_t i = 0; i < actual.size(); ++i) {
        const bool same = std::isnan(actual[i]) ? std::isnan(expected[i])
                                                : std::memcmp(&actual[i], &expected[i], sizeof(float)) == 0;
        if (!same)
            return QStringLiteral("index %1: %2 vs %3").arg(i).arg(double(actual[i]), 0, 'g', 9).arg(double(expected[i]), 0, 'g', 9);
    }
    return {};
}

} // namespace

class TestLnsDatapath : public QObject
{
    Q_OBJECT
private slots:
    void lutMatchesSpec_data();
    void lutMatchesSpec();
    void exactMatchesNaiveDatapath_data();
    void exactMatchesNaiveDatapath();
    void exactWithinLutBoundOfTrueValue_data();
    void exactWithinLutBoundOfTrueValue();
    void exactIsOrderIndependent();
    void exactAtFullAccumulatorRange();
    void handVectors_data();
    void handVectors();
    void zeroCodesSkip();
    void nanPropagates_data();
    void nanPropagates();
    void mitchellBias();
    void fastWithinBoundOfExact_data();
    void fastWithinBoundOfExact();
    void matchesLnsFormatDecode_data();
    void matchesLnsFormatDecode();
    void deterministicForAnyThreadCount();
    void emptySizes_data();
    void emptySizes();
    void rejectsBadInput_data();
    void rejectsBadInput();
    void wideMatchesNaiveProductDatapath_data();
    void wideMatchesNaiveProductDatapath();
    void wideOfPlainCodesEqualsExact();
    void wideRejectsOutOfRangeLogs();
    void timing();
};

void TestLnsDatapath::lutMatchesSpec_data()
{
    QTest::addColumn<int>("F");
    QTest::addColumn<bool>("mitchell");
    for (int F : {0, 2, 3, 4, 8}) {
        QTest::addRow("F=%d", F) << F << false;
        QTest::addRow("F=%d mitchell", F) << F << true;
    }
}

void TestLnsDatapath::lutMatchesSpec()
{
    QFETCH(int, F);
    QFETCH(bool, mitchell);
    LnsGemmParams params;
    params.fractionBits = F;
    params.mitchell = mitchell;
    for (int r = 0; r < (1 << F); ++r) {
        const long double lut = specLut(r, F, mitchell);
        QCOMPARE(static_cast<long double>(core::lnsLutEntry(r, params)), lut);
        // The bound of lns_datapath.h: |LUT[r]/2^15 − 2^(r/2^F)| ≤ 2^−16 · 2^(r/2^F).
        if (!mitchell) {
            const long double x = std::exp2l(static_cast<long double>(r) / (1 << F));
            QVERIFY(std::fabs(lut / 32768.0L - x) <= std::ldexp(1.0L, -16) * x);
        }
    }
    // The output scale is 2^(bias/2^F) to long-double precision, including negative biases.
    for (int bias : {-77, -8, -1, 0, 5, 64}) {
        const long double s = core::lnsBiasScale(bias, F);
        const long double expected = std::exp2l(static_cast<long double>(bias) / (1 << F));
        QVERIFY2(std::fabs(s - expected) <= 4 * std::numeric_limits<long double>::epsilon() * expected,
                 qPrintable(QStringLiteral("bias %1").arg(bias)));
    }
}

void TestLnsDatapath::exactMatchesNaiveDatapath_data()
{
    QTest::addColumn<int>("F");
    QTest::addColumn<bool>("mitchell");
    QTest::addColumn<int>("maxLog");
    QTest::addColumn<bool>("withLinearBias");
    // At F = 2 the naive long-double sum is exact only while the product logs stay within ±60
    // (q spans 30 binades + 16 LUT bits + 12 count bits < 64); the library is exact regardless.
    QTest::addRow("F=3") << 3 << false << 63 << false;
    QTest::addRow("F=3 linear bias") << 3 << false << 63 << true;
    QTest::addRow("F=2 |L|<=30") << 2 << false << 30 << false;
    QTest::addRow("F=4") << 4 << false << 63 << true;
    QTest::addRow("F=3 mitchell") << 3 << true << 63 << false;
    QTest::addRow("F=4 mitchell") << 4 << true << 63 << true;
}

void TestLnsDatapath::exactMatchesNaiveDatapath()
{
    QFETCH(int, F);
    QFETCH(bool, mitchell);
    QFETCH(int, maxLog);
    QFETCH(bool, withLinearBias);
    Problem p = randomProblem(9, 7, 300, F, 11u + static_cast<uint32_t>(F), maxLog);
    p.params.mitchell = mitchell;
    if (withLinearBias)
        for (int64_t n = 0; n < p.N; ++n)
            p.linearBias.push_back(0.25f * static_cast<float>(n) - 1.f);
    const QString diff = firstDifference(runExact(p), naiveDatapath(p));
    QVERIFY2(diff.isEmpty(), qPrintable(diff));
}

void TestLnsDatapath::exactWithinLutBoundOfTrueValue_data()
{
    QTest::addColumn<int>("F");
    QTest::addColumn<int>("K");
    for (int F : {2, 3, 4})
        for (int K : {1, 64, 4608})
            QTest::addRow("F=%d K=%d", F, K) << F << K;
}

void TestLnsDatapath::exactWithinLutBoundOfTrueValue()
{
    QFETCH(int, F);
    QFETCH(int, K);
    const Problem p = randomProblem(5, 6, K, F, 100u + static_cast<uint32_t>(K + F));
    const std::vector<float> y = runExact(p);
    const TrueValue t = trueValues(p);
    for (size_t i = 0; i < y.size(); ++i) {
        // 2^−16 per product (the LUT), plus the final rounding to float.
        const long double tol = std::ldexp(1.0L, -16) * t.sumAbs[i] + std::ldexp(1.0L, -24) * std::fabs(t.value[i]);
        QVERIFY2(std::fabs(static_cast<long double>(y[i]) - t.value[i]) <= tol,
                 qPrintable(QStringLiteral("output %1: %2 vs true %3").arg(i).arg(double(y[i])).arg(double(t.value[i]))));
    }
}

void TestLnsDatapath::exactIsOrderIndependent()
{
    // Permuting the K products (same permutation for a and w) gives bit-identical outputs: the
    // integer accumulator has no rounding. Large dynamic range and cancellation on purpose.
    Problem p = randomProblem(6, 5, 2000, 3, 7u);
    Problem q = p;
    std::vector<int64_t> perm(static_cast<size_t>(p.K));
    std::iota(perm.begin(), perm.end(), 0);
    std::mt19937 rng(99);
    for (size_t i = perm.size() - 1; i > 0; --i)
        std::swap(perm[i], perm[static_cast<size_t>(test::uniformInt(rng, 0, static_cast<int64_t>(i)))]);
    for (int64_t m = 0; m < p.M; ++m)
        for (int64_t k = 0; k < p.K; ++k)
            q.a[static_cast<size_t>(m * p.K + k)] = p.a[static_cast<size_t>(m * p.K + perm[static_cast<size_t>(k)])];
    for (int64_t n = 0; n < p.N; ++n)
        for (int64_t k = 0; k < p.K; ++k)
            q.w[static_cast<size_t>(n * p.K + k)] = p.w[static_cast<size_t>(n * p.K + perm[static_cast<size_t>(k)])];
    QVERIFY(q.a != p.a);
    const QString diff = firstDifference(runExact(q), runExact(p));
    QVERIFY2(diff.isEmpty(), qPrintable(diff));
}

void TestLnsDatapath::exactAtFullAccumulatorRange()
{
    // K = 2^15 products of the largest magnitude, and the same with one tiny product added:
    // the accumulator must neither overflow nor lose the smallest term's bits.
    Problem p;
    p.M = p.N = 1;
    p.K = core::kLnsExactMaxK;
    p.a.assign(static_cast<size_t>(p.K), makeCode(false, 63));
    p.w.assign(static_cast<size_t>(p.K), makeCode(false, 63));
    p.biasW = {0};
    QCOMPARE(runExact(p)[0], naiveDatapath(p)[0]);
    QCOMPARE(runExact(p)[0], static_cast<float>(std::ldexp(specLut(126 % 8, 3, false), 126 / 8 - 15 + 15)));

    // Largest and smallest product cancel to exactly the smallest one.
    Problem c;
    c.M = c.N = 1;
    c.K = 3;
    c.a = {makeCode(false, 63), makeCode(true, 63), makeCode(false, -63)};
    c.w = {makeCode(false, 63), makeCode(false, 63), makeCode(false, -63)};
    c.biasW = {0};
    QCOMPARE(runExact(c)[0], static_cast<float>(std::ldexp(specLut(2, 3, false), -16 - 15)));
}

void TestLnsDatapath::handVectors_data()
{
    // Q4.3, B = 0 test vectors of §3.1: 0x00 = 1, 0x08 = 2, 0x80 = −1, 0x78 = 0.5, 0xF8 = −0.5.
    QTest::addColumn<QByteArray>("a");
    QTest::addColumn<QByteArray>("w");
    QTest::addColumn<float>("expected");
    QTest::addRow("1 * -1") << QByteArray("\x00", 1) << QByteArray("\x80", 1) << -1.f;
    QTest::addRow("-1 * -1") << QByteArray("\x80", 1) << QByteArray("\x80", 1) << 1.f;
    QTest::addRow("2 * -0.5") << QByteArray("\x08", 1) << QByteArray("\xF8", 1) << -1.f;
    QTest::addRow("-0.5 * -0.5 + 2 * 2") << QByteArray("\xF8\x08", 2) << QByteArray("\xF8\x08", 2) << 4.25f;
    QTest::addRow("1*1 - 1*1 cancels") << QByteArray("\x00\x80", 2) << QByteArray("\x00\x00", 2) << 0.f;
    QTest::addRow("zero skips") << QByteArray("\x40\x00", 2) << QByteArray("\x08\x08", 2) << 2.f;
    // 1.54221 (0x05) · 1.54221 = 2^(10/8): LUT[2]/2^15 · 2 = 2·38968/32768 (exact in float).
    QTest::addRow("0x05 * 0x05") << QByteArray("\x05", 1) << QByteArray("\x05", 1) << 2.f * 38968.f / 32768.f;
}

void TestLnsDatapath::handVectors()
{
    QFETCH(QByteArray, a);
    QFETCH(QByteArray, w);
    QFETCH(float, expected);
    Problem p;
    p.M = p.N = 1;
    p.K = a.size();
    p.a.assign(a.begin(), a.end());
    p.w.assign(w.begin(), w.end());
    p.biasW = {0};
    QCOMPARE(runExact(p)[0], expected);
    QVERIFY(std::fabs(runFast(p)[0] - expected) <= 2e-5f * std::max(1.f, std::fabs(expected)));
}

void TestLnsDatapath::zeroCodesSkip()
{
    // Interleaving zero codes (in a, in w, or both) leaves the exact result bit-identical, and an
    // all-zero row gives exactly the linear bias.
    const Problem p = randomProblem(4, 3, 100, 3, 21u, 63, 0);
    Problem z = p;
    z.K = 2 * p.K + 1;
    z.a.assign(static_cast<size_t>(z.M * z.K), kZeroCode);
    z.w.assign(static_cast<size_t>(z.N * z.K), kZeroCode);
    std::mt19937 rng(5);
    for (int64_t k = 0; k < z.K; ++k) // odd slots carry the data; even slots: zero against random
        for (int64_t m = 0; m < z.M; ++m)
            z.a[static_cast<size_t>(m * z.K + k)] = k % 2 ? p.a[static_cast<size_t>(m * p.K + k / 2)] : kZeroCode;
    for (int64_t k = 0; k < z.K; ++k)
        for (int64_t n = 0; n < z.N; ++n)
            z.w[static_cast<size_t>(n * z.K + k)] =
                k % 2 ? p.w[static_cast<size_t>(n * p.K + k / 2)] : makeCode((rng() & 1u) != 0, static_cast<int>(rng() % 127) - 63);
    const QString diff = firstDifference(runExact(z), runExact(p));
    QVERIFY2(diff.isEmpty(), qPrintable(diff));

    Problem allZero = p;
    std::fill(allZero.a.begin(), allZero.a.end(), kZeroCode);
    allZero.linearBias = {0.5f, -3.f, 0.f};
    for (const auto& y : {runExact(allZero), runFast(allZero)})
        for (int64_t m = 0; m < p.M; ++m)
            for (int64_t n = 0; n < p.N; ++n)
                QCOMPARE(y[static_cast<size_t>(m * p.N + n)], allZero.linearBias[static_cast<size_t>(n)]);
}

void TestLnsDatapath::nanPropagates_data()
{
    QTest::addColumn<bool>("inWeights");
    QTest::addColumn<bool>("againstZero");
    QTest::addColumn<bool>("mitchell");
    for (bool mitchell : {false, true}) {
        const char* tag = mitchell ? " mitchell" : "";
        QTest::addRow("activation NaN%s", tag) << false << false << mitchell;
        QTest::addRow("weight NaN%s", tag) << true << false << mitchell;
        QTest::addRow("activation NaN vs zero weight%s", tag) << false << true << mitchell;
        QTest::addRow("weight NaN vs zero activation%s", tag) << true << true << mitchell;
    }
}

void TestLnsDatapath::nanPropagates()
{
    QFETCH(bool, inWeights);
    QFETCH(bool, againstZero);
    QFETCH(bool, mitchell);
    Problem p = randomProblem(40, 5, 30, 3, 31u, 63, 0); // 40 rows: more than one fast-path block
    p.params.mitchell = mitchell;
    const int64_t row = 33, col = 2, k = 17;
    if (inWeights) {
        p.w[static_cast<size_t>(col * p.K + k)] = kNanCode;
        if (againstZero)
            for (int64_t m = 0; m < p.M; ++m)
                p.a[static_cast<size_t>(m * p.K + k)] = kZeroCode;
    } else {
        p.a[static_cast<size_t>(row * p.K + k)] = kNanCode;
        if (againstZero)
            for (int64_t n = 0; n < p.N; ++n)
                p.w[static_cast<size_t>(n * p.K + k)] = kZeroCode;
    }
    for (const auto& y : {runExact(p), runFast(p)}) {
        for (int64_t m = 0; m < p.M; ++m) {
            for (int64_t n = 0; n < p.N; ++n) {
                const bool expectNan = inWeights ? n == col : m == row;
                QVERIFY2(std::isnan(y[static_cast<size_t>(m * p.N + n)]) == expectNan,
                         qPrintable(QStringLiteral("output (%1, %2)").arg(m).arg(n)));
            }
        }
    }
}

void TestLnsDatapath::mitchellBias()
{
    // Every pair of Q4.3 magnitudes, one product per output: Mitchell's 1 + r/8 for 2^(r/8) is
    // never below the true value, at most +6.07 % (r = 4: 1.5/√2) and +4.0 % on average (§3.2).
    Problem p;
    p.M = p.N = 127;
    p.K = 1;
    p.params.mitchell = true;
    for (int l = -63; l <= 63; ++l) {
        p.a.push_back(makeCode(false, l));
        p.w.push_back(makeCode(l % 2 != 0, l)); // signs cancel out in the ratio
    }
    p.biasW.assign(127, 0);
    const std::vector<float> y = runExact(p);
    const TrueValue t = trueValues(p);
    double maxErr = -1, minErr = 1, meanErr = 0;
    for (size_t i = 0; i < y.size(); ++i) {
        const double err = static_cast<double>(y[i] / t.value[i]) - 1.0;
        maxErr = std::max(maxErr, err);
        minErr = std::min(minErr, err);
        meanErr += err / static_cast<double>(y.size());
    }
    qInfo("Mitchell relative error per product (F = 3): min %.5f, mean %+.5f, max %+.5f", minErr, meanErr, maxErr);
    QVERIFY(std::fabs(maxErr - 0.0606602) < 1e-6);
    QVERIFY(minErr > -1e-7);
    QVERIFY(std::fabs(meanErr - 0.0400) < 0.002);

    // On random dot products the bias shows as a positive mean error of |y| against the LUT path.
    Problem r = randomProblem(16, 16, 576, 3, 41u);
    for (auto& c : r.a) // positive activations (post-ReLU) and weights: no cancellation
        c &= 0x7F;
    for (auto& c : r.w)
        c &= 0x7F;
    const std::vector<float> lut = runExact(r);
    r.params.mitchell = true;
    const std::vector<float> mit = runExact(r);
    double mean = 0;
    for (size_t i = 0; i < lut.size(); ++i)
        mean += (static_cast<double>(mit[i]) / lut[i] - 1.0) / static_cast<double>(lut.size());
    qInfo("Mitchell vs LUT on 16x576x16 positive dot products: mean relative error %+.4f", mean);
    QVERIFY(mean > 0.02 && mean < 0.0607);
}

void TestLnsDatapath::fastWithinBoundOfExact_data()
{
    QTest::addColumn<int>("M");
    QTest::addColumn<int>("N");
    QTest::addColumn<int>("K");
    QTest::addColumn<int>("F");
    QTest::addColumn<bool>("mitchell");
    QTest::addRow("1x1x1") << 1 << 1 << 1 << 3 << false;
    QTest::addRow("7x5x9 F=2") << 7 << 5 << 9 << 2 << false;
    QTest::addRow("33x17x27 F=4") << 33 << 17 << 27 << 4 << false;
    QTest::addRow("64x64x576") << 64 << 64 << 576 << 3 << false;
    QTest::addRow("40x9x4608") << 40 << 9 << 4608 << 3 << false;
    QTest::addRow("40x9x4608 F=2") << 40 << 9 << 4608 << 2 << false;
    QTest::addRow("40x9x4608 F=4") << 40 << 9 << 4608 << 4 << false;
    QTest::addRow("35x12x576 mitchell") << 35 << 12 << 576 << 3 << true;
    QTest::addRow("35x12x576 F=2 mitchell") << 35 << 12 << 576 << 2 << true;
    QTest::addRow("35x12x576 F=4 mitchell") << 35 << 12 << 576 << 4 << true;
}

void TestLnsDatapath::fastWithinBoundOfExact()
{
    QFETCH(int, M);
    QFETCH(int, N);
    QFETCH(int, K);
    QFETCH(int, F);
    QFETCH(bool, mitchell);
    Problem p = randomProblem(M, N, K, F, static_cast<uint32_t>(M * 1000 + K + F));
    p.params.mitchell = mitchell;
    const std::vector<float> exact = runExact(p), fast = runFast(p);
    const TrueValue t = trueValues(p);
    double worst = 0;
    for (size_t i = 0; i < exact.size(); ++i) {
        // Mitchell terms are up to 6.1 % larger than the true products the bound is stated in.
        const double sumAbs = static_cast<double>(t.sumAbs[i]) * (mitchell ? 1.07 : 1.0);
        const double tol = (1.6e-5 + K * 6e-8) * sumAbs;
        const double d = std::fabs(static_cast<double>(exact[i]) - fast[i]);
        QVERIFY2(d <= tol, qPrintable(QStringLiteral("output %1: exact %2 fast %3 bound %4")
                                          .arg(i).arg(double(exact[i]), 0, 'g', 9).arg(double(fast[i]), 0, 'g', 9).arg(tol)));
        if (sumAbs > 0)
            worst = std::max(worst, d / sumAbs);
    }
    qInfo("max |exact - fast| / sum|a w| = %.3g (bound %.3g)", worst, 1.6e-5 + K * 6e-8);
}

void TestLnsDatapath::matchesLnsFormatDecode_data()
{
    QTest::addColumn<int>("bits");
    QTest::addColumn<int>("F");
    QTest::addRow("lns8 Q4.3") << 8 << 3;
    QTest::addRow("lns8 Q5.2") << 8 << 2;
    QTest::addRow("lns8 Q3.4") << 8 << 4;
    QTest::addRow("lns6 F=2") << 6 << 2;
    QTest::addRow("lns5 F=1") << 5 << 1;
}

void TestLnsDatapath::matchesLnsFormatDecode()
{
    QFETCH(int, bits);
    QFETCH(int, F);
    // Codes written by the existing LnsFormat from random floats (absmax bias rule: per tensor
    // for activations, per output channel for weights; narrower codes too): the fast path equals
    // the float GEMM of LnsFormat's decoded values, the exact path is within the LUT bound of it.
    const int64_t M = 8, N = 6, K = 200;
    const core::LnsFormat format(bits, F);
    const core::Tensor act = test::randomTensor({M, K}, 51u, -3.f, 3.f);
    const core::Tensor wts = test::randomTensor({N, K}, 52u, -0.2f, 0.2f);
    const core::QuantizedTensor qa = format.quantize(act, core::Granularity::PerTensor);
    const core::QuantizedTensor qw = format.quantize(wts, core::Granularity::PerChannel);
    Problem p;
    p.M = M;
    p.N = N;
    p.K = K;
    p.params.totalBits = bits;
    p.params.fractionBits = F;
    p.a.assign(qa.codes.begin(), qa.codes.end());
    p.w.assign(qw.codes.begin(), qw.codes.end());
    p.biasA = qa.params[0].bias;
    for (const auto& param : qw.params)
        p.biasW.push_back(param.bias);
    const std::vector<float> exact = runExact(p), fast = runFast(p);
    for (int64_t m = 0; m < M; ++m) {
        for (int64_t n = 0; n < N; ++n) {
            double sum = 0, sumAbs = 0;
            for (int64_t k = 0; k < K; ++k) {
                const double prod = format.decode(qa.codes[static_cast<size_t>(m * K + k)], qa.params[0]) *
                                    format.decode(qw.codes[static_cast<size_t>(n * K + k)], qw.params[static_cast<size_t>(n)]);
                sum += prod;
                sumAbs += std::fabs(prod);
            }
            const size_t i = static_cast<size_t>(m * N + n);
            QVERIFY(std::fabs(fast[i] - sum) <= (K + 4) * 6e-8 * sumAbs);
            QVERIFY(std::fabs(exact[i] - sum) <= 1.6e-5 * sumAbs);
        }
    }
}

void TestLnsDatapath::deterministicForAnyThreadCount()
{
    for (bool mitchell : {false, true}) {
        Problem p = randomProblem(70, 9, 300, 3, 61u);
        p.params.mitchell = mitchell;
        const std::vector<float> exact1 = runExact(p, 1), fast1 = runFast(p, 1);
        for (int threads : {2, 3, 8}) {
            QString diff = firstDifference(runExact(p, threads), exact1);
            QVERIFY2(diff.isEmpty(), qPrintable(diff));
            diff = firstDifference(runFast(p, threads), fast1);
            QVERIFY2(diff.isEmpty(), qPrintable(diff));
        }
    }
}

void TestLnsDatapath::emptySizes_data()
{
    QTest::addColumn<int>("M");
    QTest::addColumn<int>("N");
    QTest::addColumn<int>("K");
    QTest::addRow("M=0") << 0 << 4 << 5;
    QTest::addRow("N=0") << 3 << 0 << 5;
    QTest::addRow("K=0") << 3 << 4 << 0;
    QTest::addRow("all 0") << 0 << 0 << 0;
}

void TestLnsDatapath::emptySizes()
{
    QFETCH(int, M);
    QFETCH(int, N);
    QFETCH(int, K);
    Problem p = randomProblem(M, N, K, 3, 71u);
    for (int n = 0; n < N; ++n)
        p.linearBias.push_back(static_cast<float>(n) + 0.5f);
    for (const auto& y : {runExact(p), runFast(p)}) {
        QCOMPARE(y.size(), static_cast<size_t>(M * N));
        for (int64_t i = 0; i < M * N; ++i) // K = 0: nothing to sum, only the linear bias
            QCOMPARE(y[static_cast<size_t>(i)], p.linearBias[static_cast<size_t>(i % N)]);
    }
}

void TestLnsDatapath::rejectsBadInput_data()
{
    QTest::addColumn<int>("K");
    QTest::addColumn<int>("F");
    QTest::addColumn<int>("bits");
    QTest::addColumn<QString>("errorKind");
    QTest::addColumn<QString>("messagePart");
    QTest::addRow("K = 2^15 + 1") << int(core::kLnsExactMaxK + 1) << 3 << 8 << "shape" << "exactness bound";
    QTest::addRow("K < 0") << -1 << 3 << 8 << "shape" << "negative size";
    QTest::addRow("F = 1 at 8 bits") << 4 << 1 << 8 << "unsupported" << "F = 1";
    QTest::addRow("F = 9") << 4 << 9 << 8 << "unsupported" << "outside 0..8";
    QTest::addRow("16-bit codes") << 4 << 3 << 16 << "unsupported" << "outside 3..8";
}

void TestLnsDatapath::rejectsBadInput()
{
    QFETCH(int, K);
    QFETCH(int, F);
    QFETCH(int, bits);
    QFETCH(QString, errorKind);
    QFETCH(QString, messagePart);
    LnsGemmParams params;
    params.fractionBits = F;
    params.totalBits = bits;
    const std::vector<uint8_t> codes(static_cast<size_t>(std::max(K, 0)), 0);
    const int32_t biasW = 0;
    float y = 7.f;
    using Fn = void (*)(const uint8_t*, int32_t, const uint8_t*, const int32_t*, const float*, int64_t, int64_t, int64_t,
                        float*, const LnsGemmParams&, int);
    for (Fn fn : {Fn(&core::lnsGemmExact), Fn(&core::lnsGemmFast)}) {
        try {
            fn(codes.data(), 0, codes.data(), &biasW, nullptr, 1, 1, K, &y, params, 1);
            QFAIL("no exception");
        } catch (const core::ShapeError& e) {
            QCOMPARE(errorKind, QStringLiteral("shape"));
            QVERIFY2(QString::fromUtf8(e.what()).contains(messagePart), e.what());
        } catch (const core::UnsupportedError& e) {
            QCOMPARE(errorKind, QStringLiteral("unsupported"));
            QVERIFY2(QString::fromUtf8(e.what()).contains(messagePart), e.what());
        }
        QCOMPARE(y, 7.f); // nothing written on error
    }
}

namespace {

/// A weight that is the product of two codes (scale · centroid), as wide operands.
struct WideWeights
{
    std::vector<int16_t> log;
    std::vector<uint8_t> flags;
};

WideWeights productWeights(const std::vector<uint8_t>& s, const std::vector<uint8_t>& c)
{
    WideWeights w;
    for (size_t i = 0; i < s.size(); ++i) {
        uint8_t fl = isNegative(s[i]) != isNegative(c[i]) ? core::kLnsWeightNegative : 0;
        if (s[i] == kNanCode || c[i] == kNanCode)
            fl |= core::kLnsWeightNan;
        else if (s[i] == kZeroCode || c[i] == kZeroCode)
            fl |= core::kLnsWeightZero;
        w.flags.push_back(fl);
        w.log.push_back(static_cast<int16_t>(logOf(s[i]) + logOf(c[i])));
    }
    return w;
}

/// Naive three-operand datapath L_p = L_a + L_s + L_c, summed in long double in k order.
std::vector<float> naiveProductDatapath(const Problem& p, const std::vector<uint8_t>& s, const std::vector<uint8_t>& c)
{
    const int F = p.params.fractionBits, D = 1 << F;
    std::vector<float> y;
    for (int64_t m = 0; m < p.M; ++m) {
        for (int64_t n = 0; n < p.N; ++n) {
            long double sum = 0;
            bool nan = false;
            for (int64_t k = 0; k < p.K; ++k) {
                const size_t wi = static_cast<size_t>(n * p.K + k);
                const uint8_t ca = p.a[static_cast<size_t>(m * p.K + k)];
                if (ca == kNanCode || s[wi] == kNanCode || c[wi] == kNanCode)
                    nan = true;
                if (ca == kZeroCode || s[wi] == kZeroCode || c[wi] == kZeroCode || nan)
                    continue;
                const int lp = logOf(ca) + logOf(s[wi]) + logOf(c[wi]);
                const int q = floorDiv(lp, D), r = lp - q * D;
                const long double term = std::ldexp(specLut(r, F, false), q - 15);
                const bool neg = isNegative(ca) != (isNegative(s[wi]) != isNegative(c[wi]));
                sum += neg ? -term : term;
            }
            long double out = sum * core::lnsBiasScale(int64_t{p.biasA} + p.biasW[static_cast<size_t>(n)], F);
            if (!p.linearBias.empty())
                out += p.linearBias[static_cast<size_t>(n)];
            y.push_back(nan ? NAN : static_cast<float>(out));
        }
    }
    return y;
}

} // namespace

void TestLnsDatapath::wideMatchesNaiveProductDatapath_data()
{
    QTest::addColumn<int>("F");
    QTest::addColumn<int>("K");
    QTest::addRow("F=3 K=9 (3x3 kernel)") << 3 << 9;
    QTest::addRow("F=3 K=144") << 3 << 144;
    QTest::addRow("F=4 K=50") << 4 << 50;
    QTest::addRow("F=2 K=200 (widest exponent span)") << 2 << 200;
}

void TestLnsDatapath::wideMatchesNaiveProductDatapath()
{
    QFETCH(int, F);
    QFETCH(int, K);
    // Scales and centroids as two independent code matrices; the product spans ±126 in L_w.
    Problem p = randomProblem(7, 5, K, F, 900u + static_cast<uint32_t>(K));
    const Problem other = randomProblem(5, 5, K, F, 1900u + static_cast<uint32_t>(K));
    p.linearBias = {0.5f, -1.f, 0.f, 2.f, 0.25f};
    std::vector<uint8_t> scales = p.w, centroids = other.w;
    centroids[3] = kNanCode; // one NaN weight poisons output channel 0
    const WideWeights w = productWeights(scales, centroids);
    std::vector<float> y(static_cast<size_t>(p.M * p.N));
    core::lnsGemmExactWide(p.a.data(), p.biasA, w.log.data(), w.flags.data(), p.biasW.data(), p.linearBiasPtr(), p.M,
                           p.N, p.K, y.data(), p.params, 2);
    const QString diff = firstDifference(y, naiveProductDatapath(p, scales, centroids));
    QVERIFY2(diff.isEmpty(), qPrintable(diff));
    QVERIFY(std::isnan(y[0]));
}

void TestLnsDatapath::wideOfPlainCodesEqualsExact()
{
    // A plain code is a product with the unit code (L = 0): both entry points must agree bit for bit.
    const Problem p = randomProblem(33, 17, 75, 3, 4242u);
    const std::vector<uint8_t> ones(p.w.size(), 0x00);
    const WideWeights w = productWeights(p.w, ones);
    std::vector<float> y(static_cast<size_t>(p.M * p.N));
    core::lnsGemmExactWide(p.a.data(), p.biasA, w.log.data(), w.flags.data(), p.biasW.data(), nullptr, p.M, p.N, p.K,
                           y.data(), p.params, 1);
    const QString diff = firstDifference(y, runExact(p));
    QVERIFY2(diff.isEmpty(), qPrintable(diff));
}

void TestLnsDatapath::wideRejectsOutOfRangeLogs()
{
    const uint8_t a = 0x01;
    const int16_t log = 127; // > 2·63
    const uint8_t flags = 0;
    const int32_t biasW = 0;
    float y = 7.f;
    try {
        core::lnsGemmExactWide(&a, 0, &log, &flags, &biasW, nullptr, 1, 1, 1, &y, LnsGemmParams{}, 1);
        QFAIL("no exception");
    } catch (const core::ShapeError& e) {
        QVERIFY2(QString::fromUtf8(e.what()).contains("outside"), e.what());
    }
    QCOMPARE(y, 7.f);
}

void TestLnsDatapath::timing()
{
    // The conv-sized product of the brief: 64 output positions × (3·3·64) × 64 channels.
    const Problem p = randomProblem(64, 64, 576, 3, 81u);
    for (int threads : {1, 2}) {
        runExact(p, threads); // warm-up (thread pool, scratch)
        runFast(p, threads);
        QElapsedTimer timer;
        timer.start();
        constexpr int kRepeats = 10;
        for (int i = 0; i < kRepeats; ++i)
            runExact(p, threads);
        const double exactMs = static_cast<double>(timer.nsecsElapsed()) / 1e6 / kRepeats;
        timer.restart();
        for (int i = 0; i < kRepeats; ++i)
            runFast(p, threads);
        const double fastMs = static_cast<double>(timer.nsecsElapsed()) / 1e6 / kRepeats;
        qInfo("64x576x64, %d thread(s): exact %.3f ms, fast %.3f ms", threads, exactMs, fastMs);
        QVERIFY2(exactMs < 500, "exact path is absurdly slow"); // generous: shared CI machines
    }
}

QTEST_GUILESS_MAIN(TestLnsDatapath)
#include "test_lns_datapath.moc"
