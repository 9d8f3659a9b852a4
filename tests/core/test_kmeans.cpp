// k-means (spec/numerics.md §2): the optimized seeding and Lloyd iterations against naive
// references in plain double loops, determinism across runs and thread counts, the stop rules,
// degenerate data (K > N, duplicates, identical points, empty clusters, points far from the
// origin), cancellation and bad arguments.

#include "lnscope/core/error.h"
#include "lnscope/core/kmeans.h"
#include "lnscope/core/progress.h"
#include "test_utils.h"

#include <QTest>
#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <set>

using namespace lnscope;
using core::KMeansOptions;
using core::KMeansResult;
using core::KMeansStop;

namespace {

constexpr double kCentroidTol = 1e-5; // brief: optimized vs reference centroids, absolute

// ---------------------------------------------------------------------------------------------
// Data

/// n unit-norm d-vectors from a mixture of `modes` random directions with noise: shaped like
/// normalized 3×3 kernels.
std::vector<float> mixturePoints(int64_t n, int d, int modes, uint32_t seed)
{
    std::mt19937 rng(seed);
    std::vector<float> centres(static_cast<size_t>(modes) * d);
    for (float& v : centres)
        v = test::uniform(rng, -1.f, 1.f);
    std::vector<float> pts(static_cast<size_t>(n) * d);
    for (int64_t i = 0; i < n; ++i) {
        const auto m = static_cast<int>(test::uniformInt(rng, 0, modes - 1));
        double norm = 0.0;
        for (int k = 0; k < d; ++k) {
            float& v = pts[i * d + k];
            v = centres[static_cast<size_t>(m) * d + k] + test::uniform(rng, -0.3f, 0.3f);
            norm += static_cast<double>(v) * v;
        }
        const auto inv = static_cast<float>(1.0 / std::sqrt(std::max(norm, 1e-30)));
        for (int k = 0; k < d; ++k)
            pts[i * d + k] *= inv;
    }
    return pts;
}

std::vector<float> uniformPoints(int64_t n, int d, uint32_t seed, float lo = -1.f, float hi = 1.f)
{
    std::mt19937 rng(seed);
    std::vector<float> pts(static_cast<size_t>(n) * d);
    for (float& v : pts)
        v = test::uniform(rng, lo, hi);
    return pts;
}

// ---------------------------------------------------------------------------------------------
// Naive references: the rules of kmeans.h written as directly as possible.

double distD(const float* a, const float* b, int d)
{
    double s = 0.0;
    for (int k = 0; k < d; ++k) {
        const double t = static_cast<double>(a[k]) - static_cast<double>(b[k]);
        s += t * t;
    }
    return s;
}

float distF(const float* a, const float* b, int d)
{
    float s = 0.f;
    for (int k = 0; k < d; ++k) {
        const float t = a[k] - b[k];
        s = std::fma(t, t, s); // kmeans.h: the seeding distance uses FMA
    }
    return s;
}

double uniform01(std::mt19937& rng)
{
    const uint64_t a = rng() >> 5;
    const uint64_t b = rng() >> 6;
    return (static_cast<double>(a) * 67108864.0 + static_cast<double>(b)) / 9007199254740992.0;
}

/// k-means++ without pruning or chunks: a sequential cumulative sum in double.
std::vector<float> naiveSeeding(const std::vector<float>& pts, int d, int k, uint32_t seed)
{
    const auto n = static_cast<int64_t>(pts.size() / d);
    std::mt19937 rng(seed);
    std::vector<float> centres;
    std::vector<float> dmin(static_cast<size_t>(n), std::numeric_limits<float>::infinity());
    for (int j = 0; j < k; ++j) {
        const double u = uniform01(rng);
        int64_t pick = 0;
        double total = 0.0;
        for (int64_t i = 0; i < n && j > 0; ++i)
            total += dmin[i];
        if (j == 0 || total <= 0.0) {
            pick = std::min<int64_t>(n - 1, static_cast<int64_t>(u * n));
        } else {
            const double target = u * total;
            double run = 0.0;
            pick = -1;
            for (int64_t i = 0; i < n && pick < 0; ++i) {
                run += dmin[i];
                if (run > target)
                    pick = i;
            }
            for (int64_t i = n - 1; pick < 0 && i >= 0; --i)
                if (dmin[i] > 0.f)
                    pick = i;
        }
        centres.insert(centres.end(), pts.begin() + pick * d, pts.begin() + (pick + 1) * d);
        for (int64_t i = 0; i < n; ++i)
            dmin[i] = std::min(dmin[i], distF(&pts[i * d], &centres[static_cast<size_t>(j) * d], d));
    }
    return centres;
}

struct NaiveResult
{
    std::vector<float> centroids;
    std::vector<int32_t> labels;
    std::vector<double> history;
    int iterations = 0;
    KMeansStop stop = KMeansStop::MaxIterations;
    int repaired = 0;
};

void naiveAssign(const std::vector<float>& pts, int d, const std::vector<float>& c, int k, std::vector<int32_t>& labels,
                 std::vector<double>& dist)
{
    const auto n = static_cast<int64_t>(pts.size() / d);
    labels.assign(static_cast<size_t>(n), 0);
    dist.assign(static_cast<size_t>(n), 0.0);
    for (int64_t i = 0; i < n; ++i) {
        double best = std::numeric_limits<double>::infinity();
        for (int j = 0; j < k; ++j) {
            const double s = distD(&pts[i * d], &c[static_cast<size_t>(j) * d], d);
            if (s < best) {
                best = s;
                labels[i] = j;
            }
        }
        dist[i] = best;
    }
}

NaiveResult naiveLloyd(const std::vector<float>& pts, int d, std::vector<float> c, const KMeansOptions& o)
{
    const auto n = static_cast<int64_t>(pts.size() / d);
    const int k = static_cast<int>(c.size() / d);
    std::vector<double> mean(static_cast<size_t>(d), 0.0);
    for (int64_t i = 0; i < n; ++i)
        for (int j = 0; j < d; ++j)
            mean[j] += pts[i * d + j];
    for (double& m : mean)
        m /= static_cast<double>(n);
    double spread = 0.0;
    for (int64_t i = 0; i < n; ++i) {
        double s = 0.0;
        for (int j = 0; j < d; ++j)
            s += (pts[i * d + j] - mean[j]) * (pts[i * d + j] - mean[j]);
        spread += s;
    }
    spread = std::sqrt(spread / static_cast<double>(n));

    NaiveResult r;
    std::vector<double> dist;
    naiveAssign(pts, d, c, k, r.labels, dist);
    const auto total = [](const std::vector<double>& v) {
        double s = 0.0;
        for (double x : v)
            s += x;
        return s;
    };
    r.history.push_back(total(dist));
    for (int it = 0; it < o.maxIterations; ++it) {
        std::vector<int64_t> counts(static_cast<size_t>(k), 0);
        for (int32_t l : r.labels)
            ++counts[l];
        std::vector<int32_t> effective = r.labels; // -1: moved into an empty cluster
        std::vector<float> next(c.size());
        int repaired = 0;
        std::vector<bool> refilled(static_cast<size_t>(k), false);
        for (int e = 0; e < k; ++e) {
            if (counts[e] != 0)
                continue;
            const int donor = static_cast<int>(std::max_element(counts.begin(), counts.end()) - counts.begin());
            int64_t far = -1;
            for (int64_t i = 0; i < n; ++i)
                if (effective[i] == donor && (far < 0 || dist[i] > dist[far]))
                    far = i;
            effective[far] = -1;
            --counts[donor];
            counts[e] = 1;
            std::copy_n(&pts[far * d], d, &next[static_cast<size_t>(e) * d]);
            refilled[e] = true;
            ++repaired;
        }
        std::vector<double> sums(c.size(), 0.0);
        for (int64_t i = 0; i < n; ++i)
            if (effective[i] >= 0)
                for (int j = 0; j < d; ++j)
                    sums[static_cast<size_t>(effective[i]) * d + j] += pts[i * d + j];
        for (int j = 0; j < k; ++j) {
            if (refilled[j])
                continue;
            for (int m = 0; m < d; ++m)
                next[static_cast<size_t>(j) * d + m] =
                    static_cast<float>(sums[static_cast<size_t>(j) * d + m] / static_cast<double>(counts[j]));
        }
        double shift = 0.0;
        for (int j = 0; j < k; ++j)
            shift = std::max(shift, distD(&next[static_cast<size_t>(j) * d], &c[static_cast<size_t>(j) * d], d));
        shift = std::sqrt(shift);
        std::vector<int32_t> labels;
        std::vector<double> nextDist;
        naiveAssign(pts, d, next, k, labels, nextDist);
        const double inertia = total(nextDist);
        if (inertia > r.history.back()) {
            r.stop = KMeansStop::InertiaRose;
            break;
        }
        const bool same = labels == r.labels;
        c = next;
        r.labels = labels;
        dist = nextDist;
        r.history.push_back(inertia);
        r.repaired += repaired;
        ++r.iterations;
        if (o.stopEarly && same) {
            r.stop = KMeansStop::NoLabelChange;
            break;
        }
        if (o.stopEarly && shift <= o.tolerance * spread) {
            r.stop = KMeansStop::CentreShift;
            break;
        }
    }
    r.centroids = c;
    return r;
}

void verifyNonIncreasing(const std::vector<double>& history)
{
    QVERIFY(!history.empty());
    for (size_t i = 1; i < history.size(); ++i)
        QVERIFY2(history[i] <= history[i - 1],
                 qPrintable(QString("inertia rose at iteration %1: %2 → %3").arg(i).arg(history[i - 1], 0, 'g', 17)
                                .arg(history[i], 0, 'g', 17)));
}

/// Result fields that must hold for every run.
void verifyConsistent(const std::vector<float>& pts, int d, const KMeansResult& r)
{
    const auto n = static_cast<int64_t>(pts.size() / d);
    QCOMPARE(r.dim, d);
    QCOMPARE(static_cast<int64_t>(r.labels.size()), n);
    QCOMPARE(r.centroids.size(), static_cast<size_t>(r.clusters) * d);
    for (float v : r.centroids)
        QVERIFY(std::isfinite(v));
    std::vector<int64_t> counts(static_cast<size_t>(r.clusters), 0);
    double inertia = 0.0;
    for (int64_t i = 0; i < n; ++i) {
        QVERIFY(r.labels[i] >= 0 && r.labels[i] < r.clusters);
        ++counts[r.labels[i]];
        inertia += distD(&pts[i * d], &r.centroids[static_cast<size_t>(r.labels[i]) * d], d);
    }
    QCOMPARE(r.counts, counts);
    QCOMPARE(r.inertia, inertia);
    QVERIFY(r.inertia >= 0.0);
    QCOMPARE(r.inertiaHistory.back(), r.inertia);
    QCOMPARE(static_cast<int>(r.inertiaHistory.size()), r.iterations + 1);
    verifyNonIncreasing(r.inertiaHistory);
}

bool sameBytes(const KMeansResult& a, const KMeansResult& b)
{
    const auto bytesEqual = [](const auto& x, const auto& y) {
        return x.size() == y.size() && std::memcmp(x.data(), y.data(), x.size() * sizeof(x[0])) == 0;
    };
    return a.clusters == b.clusters && bytesEqual(a.centroids, b.centroids) && bytesEqual(a.labels, b.labels)
        && bytesEqual(a.counts, b.counts) && bytesEqual(a.inertiaHistory, b.inertiaHistory)
        && std::memcmp(&a.inertia, &b.inertia, sizeof(double)) == 0 && a.iterations == b.iterations
        && a.stop == b.stop && a.emptyClustersRepaired == b.emptyClustersRepaired;
}

/// Cancels once cancelled() has been asked `after` times.
class CancelAfter : public core::Progress
{
public:
    explicit CancelAfter(int after) : m_after(after) {}
    bool cancelled() const override { return m_asked.fetch_add(1) >= m_after; }
    void report(double fraction, const std::string&) override
    {
        m_monotone = m_monotone && fraction >= m_last && fraction <= 1.0;
        m_last = fraction;
    }
    int asked() const { return m_asked.load(); }
    bool monotone() const { return m_monotone; }

private:
    int m_after;
    mutable std::atomic<int> m_asked{0};
    double m_last = 0.0;
    bool m_monotone = true;
};

} // namespace

class TestKmeans : public QObject
{
    Q_OBJECT

private slots:
    void seedingMatchesReference_data();
    void seedingMatchesReference();
    void lloydMatchesReference_data();
    void lloydMatchesReference();
    void deterministic_data();
    void deterministic();
    void stopRules();
    void moreClustersThanPoints();
    void duplicatePoints_data();
    void duplicatePoints();
    void allIdenticalPoints();
    void emptyClusterRepair();
    void farFromOrigin();
    void assignNearestMatchesReference();
    void cancellation_data();
    void cancellation();
    void invalidArguments_data();
    void invalidArguments();
};

void TestKmeans::seedingMatchesReference_data()
{
    QTest::addColumn<int>("d");
    QTest::addColumn<int>("n");
    QTest::addColumn<int>("k");
    QTest::addRow("d1 n10 k1") << 1 << 10 << 1;
    QTest::addRow("d2 n300 k7") << 2 << 300 << 7;
    QTest::addRow("d9 n20000 k256 (several chunks)") << 9 << 20000 << 256;
    QTest::addRow("d25 n3000 k64") << 25 << 3000 << 64;
    QTest::addRow("d9 n64 k64 (every point)") << 9 << 64 << 64;
}

void TestKmeans::seedingMatchesReference()
{
    QFETCH(int, d);
    QFETCH(int, n);
    QFETCH(int, k);
    const auto pts = mixturePoints(n, d, 12, 100u + d);
    const auto centres = core::kmeansPlusPlus(pts, d, k, 7, 2);
    QCOMPARE(centres, naiveSeeding(pts, d, k, 7));
    // Centres are data points, and distinct when the data is.
    std::set<std::vector<float>> seen;
    for (int j = 0; j < k; ++j)
        seen.insert(std::vector<float>(centres.begin() + j * d, centres.begin() + (j + 1) * d));
    QCOMPARE(static_cast<int>(seen.size()), k);
}

void TestKmeans::lloydMatchesReference_data()
{
    QTest::addColumn<int>("d");
    QTest::addColumn<int>("n");
    QTest::addColumn<int>("k");
    QTest::addColumn<bool>("mixture");
    QTest::addColumn<int>("maxIterations");
    QTest::addRow("d1 n10 k1") << 1 << 10 << 1 << false << 50;
    QTest::addRow("d1 n500 k7") << 1 << 500 << 7 << false << 50;
    QTest::addRow("d2 n10 k7") << 2 << 10 << 7 << false << 50;
    QTest::addRow("d2 n2000 k64") << 2 << 2000 << 64 << false << 50;
    QTest::addRow("d9 n5000 k64 mixture") << 9 << 5000 << 64 << true << 50;
    QTest::addRow("d9 n1000 k256 mixture") << 9 << 1000 << 256 << true << 50;
    QTest::addRow("d9 n50000 k256 mixture") << 9 << 50000 << 256 << true << 6;
    QTest::addRow("d25 n3000 k7") << 25 << 3000 << 7 << false << 50;
    QTest::addRow("d25 n4000 k64 mixture") << 25 << 4000 << 64 << true << 20;
}

void TestKmeans::lloydMatchesReference()
{
    QFETCH(int, d);
    QFETCH(int, n);
    QFETCH(int, k);
    QFETCH(bool, mixture);
    QFETCH(int, maxIterations);
    const auto pts = mixture ? mixturePoints(n, d, 20, 11u * d + n) : uniformPoints(n, d, 3u * d + n);
    KMeansOptions o;
    o.clusters = k;
    o.maxIterations = maxIterations;
    const auto init = core::kmeansPlusPlus(pts, d, k, 5, 2);
    const KMeansResult r = core::lloyd(pts, d, init, o);
    const NaiveResult ref = naiveLloyd(pts, d, init, o);
    verifyConsistent(pts, d, r);
    QCOMPARE(r.labels, ref.labels);
    QCOMPARE(r.iterations, ref.iterations);
    QCOMPARE(r.stop, ref.stop);
    QCOMPARE(r.emptyClustersRepaired, ref.repaired);
    QCOMPARE(r.centroids.size(), ref.centroids.size());
    double worst = 0.0;
    for (size_t i = 0; i < r.centroids.size(); ++i)
        worst = std::max(worst, std::fabs(static_cast<double>(r.centroids[i]) - ref.centroids[i]));
    QVERIFY2(worst <= kCentroidTol, qPrintable(QString("max |Δ centroid| = %1").arg(worst)));
    QCOMPARE(r.inertiaHistory.size(), ref.history.size());
    for (size_t i = 0; i < ref.history.size(); ++i)
        QVERIFY(core::nearlyEqual(r.inertiaHistory[i], ref.history[i], 0.0, 1e-12));

    // kmeans() = the same seeding + lloyd().
    o.seed = 5;
    QVERIFY(sameBytes(core::kmeans(pts, d, o), r));
}

void TestKmeans::deterministic_data()
{
    QTest::addColumn<int>("d");
    QTest::addColumn<int>("n");
    QTest::addColumn<int>("k");
    QTest::addRow("d9 n40000 k64") << 9 << 40000 << 64;
    QTest::addRow("d9 n8001 k256 (odd n)") << 9 << 8001 << 256;
    QTest::addRow("d3 n5003 k7") << 3 << 5003 << 7;
}

void TestKmeans::deterministic()
{
    // Guarantee (kmeans.h): identical bytes for any thread count, not only for a fixed one.
    QFETCH(int, d);
    QFETCH(int, n);
    QFETCH(int, k);
    const auto pts = mixturePoints(n, d, 30, 99);
    KMeansOptions o;
    o.clusters = k;
    o.seed = 42;
    o.threads = 2;
    const KMeansResult a = core::kmeans(pts, d, o);
    verifyConsistent(pts, d, a);
    QVERIFY(sameBytes(core::kmeans(pts, d, o), a));
    for (int threads : {1, 3}) {
        o.threads = threads;
        QVERIFY2(sameBytes(core::kmeans(pts, d, o), a), qPrintable(QString("threads = %1").arg(threads)));
    }
    o.threads = 2;
    o.seed = 43;
    QVERIFY(!sameBytes(core::kmeans(pts, d, o), a)); // the seed matters
}

void TestKmeans::stopRules()
{
    const int d = 9;
    const auto pts = mixturePoints(8000, d, 16, 5);
    KMeansOptions o;
    o.clusters = 32;

    o.stopEarly = false;
    o.maxIterations = 7;
    KMeansResult r = core::kmeans(pts, d, o);
    verifyConsistent(pts, d, r);
    QCOMPARE(r.iterations, 7);
    QCOMPARE(r.stop, KMeansStop::MaxIterations);

    o.stopEarly = true;
    o.maxIterations = 1000;
    o.tolerance = 0.0;
    r = core::kmeans(pts, d, o);
    verifyConsistent(pts, d, r);
    QCOMPARE(r.stop, KMeansStop::NoLabelChange);
    QVERIFY(r.iterations < 1000);
    // At a fixed point a further run from the result changes nothing.
    o.maxIterations = 5;
    const KMeansResult again = core::lloyd(pts, d, r.centroids, o);
    QCOMPARE(again.labels, r.labels);
    QCOMPARE(again.iterations, 1);
    QCOMPARE(again.stop, KMeansStop::NoLabelChange);

    o.tolerance = 10.0; // any move is small against 10 σ
    o.maxIterations = 50;
    r = core::kmeans(pts, d, o);
    QCOMPARE(r.stop, KMeansStop::CentreShift);
    QCOMPARE(r.iterations, 1);

    o.maxIterations = 0;
    r = core::kmeans(pts, d, o);
    verifyConsistent(pts, d, r);
    QCOMPARE(r.iterations, 0);
    QCOMPARE(r.centroids, core::kmeansPlusPlus(pts, d, 32, o.seed));
    QCOMPARE(QString(core::toString(r.stop)), QString("max iterations"));
}

void TestKmeans::moreClustersThanPoints()
{
    const int d = 3;
    const auto pts = uniformPoints(5, d, 8);
    KMeansOptions o;
    o.clusters = 10;
    const KMeansResult r = core::kmeans(pts, d, o);
    verifyConsistent(pts, d, r);
    QCOMPARE(r.clusters, 5);
    QCOMPARE(r.inertia, 0.0);
    for (int i = 0; i < 5; ++i) // every point its own centre
        QCOMPARE(std::vector<float>(r.centroids.begin() + r.labels[i] * d, r.centroids.begin() + (r.labels[i] + 1) * d),
                 std::vector<float>(pts.begin() + i * d, pts.begin() + (i + 1) * d));
    QCOMPARE(std::set<int32_t>(r.labels.begin(), r.labels.end()).size(), size_t(5));
}

void TestKmeans::duplicatePoints_data()
{
    QTest::addColumn<int>("k");
    QTest::addColumn<int>("expectedClusters");
    QTest::addRow("K = distinct points") << 10 << 10;
    QTest::addRow("K > distinct points") << 15 << 15;
    QTest::addRow("K > N") << 500 << 100;
    QTest::addRow("K < distinct points") << 4 << 4;
}

void TestKmeans::duplicatePoints()
{
    QFETCH(int, k);
    QFETCH(int, expectedClusters);
    const int d = 9;
    const auto distinct = uniformPoints(10, d, 21);
    std::vector<float> pts;
    for (int copy = 0; copy < 10; ++copy) // 100 points, each distinct one 10 times, interleaved
        pts.insert(pts.end(), distinct.begin(), distinct.end());
    KMeansOptions o;
    o.clusters = k;
    const KMeansResult r = core::kmeans(pts, d, o);
    verifyConsistent(pts, d, r);
    QCOMPARE(r.clusters, expectedClusters);
    QVERIFY(r.iterations < o.maxIterations);
    if (k >= 10)
        QCOMPARE(r.inertia, 0.0);
    for (int i = 0; i < 100; ++i) // copies of a point share its label
        QCOMPARE(r.labels[i], r.labels[i % 10]);
}

void TestKmeans::allIdenticalPoints()
{
    const int d = 9;
    std::vector<float> pts(static_cast<size_t>(1000) * d, 0.25f);
    KMeansOptions o;
    o.clusters = 8;
    const KMeansResult r = core::kmeans(pts, d, o);
    verifyConsistent(pts, d, r);
    QCOMPARE(r.clusters, 8);
    QCOMPARE(r.inertia, 0.0);
    QCOMPARE(r.stop, KMeansStop::NoLabelChange);
    QCOMPARE(r.iterations, 1);
    QCOMPARE(r.emptyClustersRepaired, 7);
    for (float v : r.centroids)
        QCOMPARE(v, 0.25f);
    QCOMPARE(r.counts[0], int64_t(1000)); // ties go to the lowest index
}

void TestKmeans::emptyClusterRepair()
{
    // Two groups on a line; centre 2 starts far away and gets no point. The largest group (A,
    // 6 points around 0 with an outlier at 0.9) gives it its farthest point, the outlier.
    const int d = 2;
    const std::vector<float> pts = {0.0f, 0, 0.1f, 0, -0.1f, 0, 0.05f, 0, -0.05f, 0, 0.9f, 0,
                                    10.0f, 0, 10.1f, 0, 9.9f, 0};
    const std::vector<float> init = {0.0f, 0, 10.0f, 0, 100.0f, 100.0f};
    KMeansOptions o;
    o.stopEarly = false;
    o.maxIterations = 1;
    KMeansResult r = core::lloyd(pts, d, init, o);
    verifyConsistent(pts, d, r);
    QCOMPARE(r.emptyClustersRepaired, 1);
    QCOMPARE(r.centroids[4], 0.9f);
    QCOMPARE(r.centroids[5], 0.0f);
    QCOMPARE(r.labels[5], 2);
    QCOMPARE(r.counts, (std::vector<int64_t>{5, 3, 1}));
    QVERIFY(r.inertiaHistory[1] < r.inertiaHistory[0]);

    // Several empty clusters at once, against the reference.
    const auto many = mixturePoints(400, 4, 3, 17);
    std::vector<float> far(static_cast<size_t>(12) * 4);
    for (size_t i = 0; i < far.size(); ++i)
        far[i] = i < 12 ? many[i] : 50.f + static_cast<float>(i); // 3 real centres, 9 far away
    o.stopEarly = true;
    o.maxIterations = 50;
    r = core::lloyd(many, 4, far, o);
    verifyConsistent(many, 4, r);
    const NaiveResult ref = naiveLloyd(many, 4, far, o);
    QCOMPARE(r.labels, ref.labels);
    QCOMPARE(r.emptyClustersRepaired, ref.repaired);
    QVERIFY(r.emptyClustersRepaired >= 9);
    for (int64_t c : r.counts)
        QVERIFY(c > 0);
}

void TestKmeans::farFromOrigin()
{
    // ‖x‖² ≈ 9e6 while distances are ≈ 1e-6: ‖x‖² − 2x·c + ‖c‖² in float is pure rounding noise
    // (and often negative). Labels and distances must still be exact and never negative.
    const int d = 9;
    std::mt19937 rng(77);
    std::vector<float> pts(static_cast<size_t>(3000) * d);
    for (float& v : pts)
        v = 1000.f + test::uniform(rng, 0.f, 1e-3f);
    KMeansOptions o;
    o.clusters = 16;
    o.maxIterations = 10;
    const auto init = core::kmeansPlusPlus(pts, d, 16, o.seed);
    const KMeansResult r = core::lloyd(pts, d, init, o);
    verifyConsistent(pts, d, r);
    QVERIFY(r.exactRechecks > 0); // the float kernel knew it could not decide
    const NaiveResult ref = naiveLloyd(pts, d, init, o);
    QCOMPARE(r.labels, ref.labels);
    QCOMPARE(r.iterations, ref.iterations);
    std::vector<double> dist;
    core::assignNearest(pts, d, r.centroids, 2, &dist);
    for (double v : dist)
        QVERIFY(v >= 0.0);
    for (double v : r.inertiaHistory)
        QVERIFY(v >= 0.0);
}

void TestKmeans::assignNearestMatchesReference()
{
    for (int d : {1, 9, 25, 64}) {
        const auto pts = uniformPoints(3001, d, 5u + d);
        const auto centres = uniformPoints(100, d, 6u + d);
        std::vector<double> dist;
        const auto labels = core::assignNearest(pts, d, centres, 2, &dist);
        std::vector<int32_t> refLabels;
        std::vector<double> refDist;
        naiveAssign(pts, d, centres, 100, refLabels, refDist);
        QCOMPARE(labels, refLabels);
        QCOMPARE(dist, refDist);
    }
    // Exact ties go to the lowest index.
    const std::vector<float> pts = {0.5f};
    const std::vector<float> centres = {1.0f, 0.0f, 1.0f};
    QCOMPARE(core::assignNearest(pts, 1, centres), std::vector<int32_t>{0});
}

void TestKmeans::cancellation_data()
{
    QTest::addColumn<int>("after");
    QTest::addRow("before anything") << 0;
    QTest::addRow("during seeding") << 40;
    QTest::addRow("during Lloyd iterations") << 64 + 3;
}

void TestKmeans::cancellation()
{
    QFETCH(int, after);
    const auto pts = mixturePoints(5000, 9, 10, 3);
    CancelAfter progress(after);
    KMeansOptions o;
    o.clusters = 64;
    o.tolerance = 0.0;
    o.stopEarly = false;
    o.progress = &progress;
    bool thrown = false;
    try {
        core::kmeans(pts, 9, o);
    } catch (const core::Cancelled&) {
        thrown = true;
    }
    QVERIFY(thrown);
    QCOMPARE(progress.asked(), after + 1); // stops at the first check that sees the cancel
    QVERIFY(progress.monotone());
}

void TestKmeans::invalidArguments_data()
{
    QTest::addColumn<std::vector<float>>("points");
    QTest::addColumn<int>("d");
    QTest::addColumn<int>("k");
    QTest::addColumn<int>("maxIterations");
    QTest::addColumn<double>("tolerance");
    QTest::addColumn<QString>("message");
    const std::vector<float> ok = uniformPoints(20, 2, 1);
    std::vector<float> nan = ok;
    nan[7] = std::numeric_limits<float>::quiet_NaN();
    std::vector<float> inf = ok;
    inf[0] = -std::numeric_limits<float>::infinity();
    std::vector<float> huge = ok;
    huge[39] = 3e15f;
    QTest::addRow("K = 0") << ok << 2 << 0 << 50 << 1e-4 << "number of clusters must be at least 1";
    QTest::addRow("d = 0") << ok << 0 << 4 << 50 << 1e-4 << "dimension must be at least 1";
    QTest::addRow("N = 0") << std::vector<float>{} << 2 << 4 << 50 << 1e-4 << "no points";
    QTest::addRow("size not a multiple of d") << ok << 3 << 4 << 50 << 1e-4 << "not a multiple of the dimension 3";
    QTest::addRow("NaN") << nan << 2 << 4 << 50 << 1e-4 << "points: row 3, dimension 1 is NaN";
    QTest::addRow("infinity") << inf << 2 << 4 << 50 << 1e-4 << "row 0, dimension 0 is infinite";
    QTest::addRow("too large") << huge << 2 << 4 << 50 << 1e-4 << "row 19, dimension 1 exceeds 1e15";
    QTest::addRow("negative iterations") << ok << 2 << 4 << -1 << 1e-4 << "maxIterations must not be negative";
    QTest::addRow("NaN tolerance") << ok << 2 << 4 << 50 << std::nan("") << "tolerance must be a number";
}

void TestKmeans::invalidArguments()
{
    QFETCH(std::vector<float>, points);
    QFETCH(int, d);
    QFETCH(int, k);
    QFETCH(int, maxIterations);
    QFETCH(double, tolerance);
    QFETCH(QString, message);
    KMeansOptions o;
    o.clusters = k;
    o.maxIterations = maxIterations;
    o.tolerance = tolerance;
    QString what;
    try {
        core::kmeans(points, d, o);
    } catch (const core::FormatError& e) {
        what = QString::fromStdString(e.what());
    }
    QVERIFY2(what.startsWith("k-means: ") && what.contains(message), qPrintable("got: " + what));

    // lloyd() and assignNearest() check their centres the same way.
    if (points.size() == 40 && d == 2 && k > 0 && maxIterations >= 0 && tolerance >= 0) {
        bool thrown = false;
        try {
            core::assignNearest(uniformPoints(20, 2, 1), 2, points);
        } catch (const core::FormatError& e) {
            thrown = QString(e.what()).contains("centres: row");
        }
        QVERIFY(thrown);
    }
}

QTEST_GUILESS_MAIN(TestKmeans)
#include "test_kmeans.moc"
