#include "lnscope/core/kmeans.h"

#include "kmeans_kernel.h"
#include "lnscope/core/parallel.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <limits>
#include <random>
#include <string>

namespace lnscope::core {

namespace {

using detail::AssignStats;
using detail::Panel;
using detail::PointView;
using detail::assignAll;
using detail::makePanel;
using detail::pointNorms;
using detail::squaredDistanceD;
#if defined(__AVX512F__)
using detail::max16;
using detail::min16;
#endif

constexpr int64_t kSeedChunk = 4096;    // points per seeding sum chunk; fixed, so sums ignore threads
constexpr double kMaxAbsValue = 1e15;   // larger values could overflow float squared distances
constexpr int kLanes = 16;              // points per seeding vector
// Seeding skips a point when ‖c_new − c_owner‖² ≥ kPruneFactor · D²: 4 from the triangle
// inequality, times a margin far above float rounding (~1e-6), so skipping never changes D².
constexpr float kPruneFactor = 4.f * 1.001f;
constexpr int64_t kMinParallelSweep = 1 << 18; // values per seeding step worth a parallel region
constexpr double kSeedingShare = 0.1;  // share of the progress bar given to seeding in kmeans()
constexpr int64_t kPrefetchAhead = 16; // rows ahead when summing clusters in label order

[[noreturn]] void fail(const std::string& what) { throw FormatError("k-means: " + what); }

/// First non-finite or too large value in a row-major block, as a flat index, or -1.
int64_t firstBadValue(const float* data, int64_t size, int threads)
{
    std::atomic<int64_t> first{std::numeric_limits<int64_t>::max()};
    parallelFor(size, threads, [&](int64_t begin, int64_t end) {
        for (int64_t i = begin; i < end; ++i) {
            if (!(std::fabs(static_cast<double>(data[i])) <= kMaxAbsValue)) { // also catches NaN
                int64_t seen = first.load();
                while (i < seen && !first.compare_exchange_weak(seen, i)) {
                }
                return;
            }
        }
    });
    const int64_t v = first.load();
    return v == std::numeric_limits<int64_t>::max() ? -1 : v;
}

PointView checkRows(std::span<const float> values, int dim, const char* what, int threads)
{
    if (dim < 1)
        fail("dimension must be at least 1 (got " + std::to_string(dim) + ")");
    if (values.size() % static_cast<size_t>(dim) != 0)
        fail(std::string(what) + ": " + std::to_string(values.size()) + " values is not a multiple of the dimension "
             + std::to_string(dim));
    const auto count = static_cast<int64_t>(values.size() / static_cast<size_t>(dim));
    if (count == 0)
        fail(std::string("no ") + what);
    if (count > std::numeric_limits<int32_t>::max())
        fail(std::string("too many ") + what + " for int32 labels (" + std::to_string(count) + ")");
    const int64_t bad = firstBadValue(values.data(), static_cast<int64_t>(values.size()), threads);
    if (bad >= 0) {
        const float v = values[static_cast<size_t>(bad)];
        fail(std::string(what) + ": row " + std::to_string(bad / dim) + ", dimension " + std::to_string(bad % dim)
             + (std::isnan(v) ? " is NaN" : std::isinf(v) ? " is infinite" : " exceeds 1e15 in magnitude"));
    }
    return {values.data(), count, dim};
}

void checkOptions(const KMeansOptions& o)
{
    if (o.clusters < 1)
        fail("the number of clusters must be at least 1 (got " + std::to_string(o.clusters) + ")");
    if (o.maxIterations < 0)
        fail("maxIterations must not be negative (got " + std::to_string(o.maxIterations) + ")");
    if (!(o.tolerance >= 0.0))
        fail("tolerance must be a number ≥ 0");
}

/// u ∈ [0, 1) with 53 random bits from two mt19937 draws (portable, unlike std distributions).
double uniform01(std::mt19937& rng)
{
    const uint64_t a = rng() >> 5;
    const uint64_t b = rng() >> 6;
    return (static_cast<double>(a) * 67108864.0 + static_cast<double>(b)) / 9007199254740992.0;
}

/// The seeding distance: float, index order, explicit FMA so the SIMD sweep matches it bit for bit.
float squaredDistanceF(const float* a, const float* b, int dim)
{
    float s = 0.f;
    for (int k = 0; k < dim; ++k) {
        const float t = a[k] - b[k];
        s = std::fma(t, t, s);
    }
    return s;
}

// ---------------------------------------------------------------------------------------------
// Seeding

/// Points in blocks of 16, each block transposed (x[block][k][lane], zeros past N): the seeding
/// sweep measures 16 points per vector and streams memory in order.
struct Transposed
{
    int64_t padded = 0;
    std::vector<float> values;
};

Transposed transpose(PointView pts, int threads)
{
    Transposed t;
    t.padded = (pts.count + kLanes - 1) / kLanes * kLanes;
    t.values.assign(static_cast<size_t>(t.padded) * pts.dim, 0.f);
    parallelFor(pts.count, threads, [&](int64_t begin, int64_t end) {
        for (int64_t i = begin; i < end; ++i)
            for (int k = 0; k < pts.dim; ++k)
                t.values[static_cast<size_t>(i / kLanes * pts.dim + k) * kLanes + i % kLanes] = pts.row(i)[k];
    });
    return t;
}

/// One seeding step over points [begin, end) (multiples of 16): lowers minDist/owner with the
/// new centre j, skipping 16-point blocks that the triangle inequality rules out, and returns the
/// block's weight: 16 lane sums in double (lane l sums points ≡ l mod 16), added in lane order.
double sweepBlock(const Transposed& xt, int dim, const float* centre, const float* centreGap, int j,
                  float* minDist, int32_t* owner, int64_t begin, int64_t end)
{
    const bool first = j == 0;
#if defined(__AVX512F__)
    const __m512 pruneFactor = _mm512_set1_ps(kPruneFactor);
    const __m512i newOwner = _mm512_set1_epi32(j);
    __m512d low = _mm512_setzero_pd();
    __m512d high = _mm512_setzero_pd();
    for (int64_t i = begin; i < end; i += kLanes) {
        __m512 dmin = _mm512_loadu_ps(minDist + i);
        bool compute = first;
        if (!first) {
            const __m512i own = _mm512_loadu_si512(owner + i);
            const __m512 gap = _mm512_mask_i32gather_ps(_mm512_setzero_ps(), 0xFFFF, own, centreGap, 4);
            compute = _mm512_cmp_ps_mask(gap, _mm512_mul_ps(pruneFactor, dmin), _CMP_LT_OQ) != 0;
        }
        if (compute) {
            __m512 d2 = _mm512_setzero_ps();
            const float* x = xt.values.data() + i * dim;
            for (int k = 0; k < dim; ++k, x += kLanes) {
                const __m512 t = _mm512_sub_ps(_mm512_loadu_ps(x), _mm512_set1_ps(centre[k]));
                d2 = _mm512_fmadd_ps(t, t, d2);
            }
            const __mmask16 closer = _mm512_cmp_ps_mask(d2, dmin, _CMP_LT_OQ);
            dmin = _mm512_mask_mov_ps(dmin, closer, d2);
            _mm512_storeu_ps(minDist + i, dmin);
            _mm512_mask_storeu_epi32(owner + i, closer, newOwner);
        }
        const __m512d pairs = _mm512_castps_pd(dmin);
        const __m256 lo8 = _mm256_castpd_ps(_mm512_mask_extractf64x4_pd(_mm256_setzero_pd(), 0xFF, pairs, 0));
        const __m256 hi8 = _mm256_castpd_ps(_mm512_mask_extractf64x4_pd(_mm256_setzero_pd(), 0xFF, pairs, 1));
        low = _mm512_add_pd(low, _mm512_mask_cvtps_pd(_mm512_setzero_pd(), 0xFF, lo8));
        high = _mm512_add_pd(high, _mm512_mask_cvtps_pd(_mm512_setzero_pd(), 0xFF, hi8));
    }
    alignas(64) double lanes[kLanes];
    _mm512_store_pd(lanes, low);
    _mm512_store_pd(lanes + 8, high);
#else
    double lanes[kLanes] = {};
    for (int64_t i = begin; i < end; i += kLanes) {
        bool compute = first;
        for (int l = 0; l < kLanes && !compute; ++l)
            compute = centreGap[owner[i + l]] < kPruneFactor * minDist[i + l];
        for (int l = 0; l < kLanes && compute; ++l) {
            float d2 = 0.f;
            for (int k = 0; k < dim; ++k) {
                const float t = xt.values[static_cast<size_t>(i * dim + k * kLanes + l)] - centre[k];
                d2 = std::fma(t, t, d2);
            }
            if (d2 < minDist[i + l]) {
                minDist[i + l] = d2;
                owner[i + l] = j;
            }
        }
        for (int l = 0; l < kLanes; ++l)
            lanes[l] += minDist[i + l];
    }
#endif
    double sum = 0.0;
    for (double v : lanes)
        sum += v;
    return sum;
}

std::vector<float> seedPlusPlus(PointView pts, int clusters, uint32_t seed, int threads, Progress* progress,
                                double progressLo, double progressHi)
{
    const int dim = pts.dim;
    const int64_t n = pts.count;
    const Transposed xt = transpose(pts, threads);
    const int64_t chunks = (xt.padded + kSeedChunk - 1) / kSeedChunk;
    std::vector<float> centres(static_cast<size_t>(clusters) * dim);
    // D²: float distance to the nearest chosen centre (+inf before the first; 0 on padding, which
    // therefore never weighs), and which centre that is.
    std::vector<float> minDist(static_cast<size_t>(xt.padded), 0.f);
    std::fill_n(minDist.begin(), n, std::numeric_limits<float>::infinity());
    std::vector<int32_t> owner(static_cast<size_t>(xt.padded), 0);
    std::vector<double> chunkSum(static_cast<size_t>(chunks));
    std::vector<float> centreGap(static_cast<size_t>(clusters)); // ‖c_new − c_j‖², float
    std::mt19937 rng(seed);
    // One parallel region per step: for small inputs its start-up costs more than the sweep.
    const int sweepThreads = n * dim >= kMinParallelSweep ? threads : 1;

    const auto uniformIndex = [&](double u) { return std::min<int64_t>(n - 1, static_cast<int64_t>(u * n)); };

    // The point where the cumulative weight passes target: chunks in order, then points in order
    // inside the chunk. The in-chunk running sum may round differently from the chunk's lane sums,
    // so a chunk that should hold the target but is not passed yields its last weighted point.
    const auto sample = [&](double target) -> int64_t {
        double before = 0.0;
        for (int64_t c = 0; c < chunks; ++c) {
            if (chunkSum[c] > 0.0 && before + chunkSum[c] > target) {
                const int64_t end = std::min(n, (c + 1) * kSeedChunk);
                double inside = 0.0;
                int64_t lastWeighted = c * kSeedChunk;
                for (int64_t i = c * kSeedChunk; i < end; ++i) {
                    if (minDist[i] > 0.f)
                        lastWeighted = i;
                    inside += minDist[i];
                    if (before + inside > target)
                        return i;
                }
                return lastWeighted;
            }
            before += chunkSum[c];
        }
        for (int64_t i = n - 1; i > 0; --i) // target rounded up to the total: last weighted point
            if (minDist[i] > 0.f)
                return i;
        return 0;
    };

    for (int j = 0; j < clusters; ++j) {
        if (progress) {
            progress->checkCancelled();
            progress->report(progressLo + (progressHi - progressLo) * j / clusters, "k-means++");
        }
        const double u = uniform01(rng);
        int64_t pick = 0;
        if (j == 0) {
            pick = uniformIndex(u);
        } else {
            double total = 0.0;
            for (int64_t c = 0; c < chunks; ++c)
                total += chunkSum[c];
            // total == 0: every point sits on a chosen centre; any point is as good as another.
            pick = total > 0.0 ? sample(u * total) : uniformIndex(u);
        }
        float* centre = centres.data() + static_cast<size_t>(j) * dim;
        std::copy_n(pts.row(pick), dim, centre);
        for (int i = 0; i < j; ++i)
            centreGap[i] = squaredDistanceF(centre, centres.data() + static_cast<size_t>(i) * dim, dim);

        parallelFor(chunks, sweepThreads, [&, j](int64_t cBegin, int64_t cEnd) {
            for (int64_t c = cBegin; c < cEnd; ++c)
                chunkSum[c] = sweepBlock(xt, dim, centre, centreGap.data(), j, minDist.data(), owner.data(),
                                         c * kSeedChunk, std::min(xt.padded, (c + 1) * kSeedChunk));
        });
    }
    return centres;
}

// ---------------------------------------------------------------------------------------------
// Assignment helpers (the kernel itself is in kmeans_kernel.cpp)

double sumInOrder(const std::vector<double>& values)
{
    double s = 0.0;
    for (double v : values)
        s += v;
    return s;
}

/// RMS distance of the points from their mean (two passes in double: no cancellation for data
/// far from the origin). Scale of the centre-shift rule.
double rmsSpread(PointView pts)
{
    std::vector<double> mean(static_cast<size_t>(pts.dim), 0.0);
    for (int64_t i = 0; i < pts.count; ++i)
        for (int k = 0; k < pts.dim; ++k)
            mean[k] += pts.row(i)[k];
    for (double& m : mean)
        m /= static_cast<double>(pts.count);
    double total = 0.0;
    for (int64_t i = 0; i < pts.count; ++i) {
        double s = 0.0;
        for (int k = 0; k < pts.dim; ++k) {
            const double t = pts.row(i)[k] - mean[k];
            s += t * t;
        }
        total += s;
    }
    return std::sqrt(total / static_cast<double>(pts.count));
}

// ---------------------------------------------------------------------------------------------
// Update

struct UpdateScratch
{
    std::vector<int64_t> counts;
    std::vector<int64_t> offsets;
    std::vector<int64_t> members;
    std::vector<int64_t> fill;
    std::vector<int64_t> order;     // point indices grouped by label, each group in point order
    std::vector<int64_t> refill;    // repaired cluster → its point, or -1
};

/// New centres = mean of their points. Points are grouped by label with a stable counting sort,
/// so each cluster is summed in point order whatever the thread count. Returns repairs done.
int updateCentres(PointView pts, const int32_t* labels, const double* distances, int clusters, int threads,
                  UpdateScratch& s, float* centres)
{
    const int dim = pts.dim;
    const int64_t n = pts.count;
    s.counts.assign(static_cast<size_t>(clusters), 0);
    for (int64_t i = 0; i < n; ++i)
        ++s.counts[labels[i]];
    s.offsets.assign(static_cast<size_t>(clusters) + 1, 0);
    for (int c = 0; c < clusters; ++c)
        s.offsets[c + 1] = s.offsets[c] + s.counts[c];
    s.fill.assign(s.offsets.begin(), s.offsets.end() - 1);
    s.order.resize(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i)
        s.order[s.fill[labels[i]]++] = i;
    s.members = s.counts;

    // Empty clusters, in index order, take the farthest point of the currently largest cluster.
    // N ≥ K guarantees a donor with ≥ 2 points, so no cluster is left empty.
    int repaired = 0;
    s.refill.assign(static_cast<size_t>(clusters), -1);
    for (int e = 0; e < clusters; ++e) {
        if (s.counts[e] != 0)
            continue;
        const int donor = static_cast<int>(std::max_element(s.counts.begin(), s.counts.end()) - s.counts.begin());
        int64_t farthest = -1;
        double farthestDistance = -1.0;
        for (int64_t j = s.offsets[donor]; j < s.offsets[donor] + s.members[donor]; ++j)
            if (s.order[j] >= 0 && distances[s.order[j]] > farthestDistance) {
                farthest = j;
                farthestDistance = distances[s.order[j]];
            }
        s.refill[e] = s.order[farthest];
        s.order[farthest] = -1;
        --s.counts[donor];
        s.counts[e] = 1;
        ++repaired;
    }

    parallelFor(clusters, threads, [&](int64_t cBegin, int64_t cEnd) {
        std::vector<double> sum(static_cast<size_t>(dim));
        for (int64_t c = cBegin; c < cEnd; ++c) {
            float* centre = centres + static_cast<size_t>(c) * dim;
            if (s.refill[c] >= 0) {
                std::copy_n(pts.row(s.refill[c]), dim, centre);
                continue;
            }
            std::fill(sum.begin(), sum.end(), 0.0);
            const int64_t groupEnd = s.offsets[c] + s.members[c];
            for (int64_t j = s.offsets[c]; j < groupEnd; ++j) {
                // Rows are visited in label order, i.e. scattered: fetch a few ahead.
                if (j + kPrefetchAhead < groupEnd && s.order[j + kPrefetchAhead] >= 0)
                    __builtin_prefetch(pts.row(s.order[j + kPrefetchAhead]));
                if (s.order[j] < 0)
                    continue;
                const float* x = pts.row(s.order[j]);
                for (int k = 0; k < dim; ++k)
                    sum[k] += x[k];
            }
            const auto count = static_cast<double>(s.counts[c]);
            for (int k = 0; k < dim; ++k)
                centre[k] = static_cast<float>(sum[k] / count);
        }
    });
    return repaired;
}

double maxShift(const std::vector<float>& a, const std::vector<float>& b, int clusters, int dim)
{
    double worst = 0.0;
    for (int c = 0; c < clusters; ++c)
        worst = std::max(worst, squaredDistanceD(a.data() + static_cast<size_t>(c) * dim,
                                                 b.data() + static_cast<size_t>(c) * dim, dim));
    return std::sqrt(worst);
}

KMeansResult runLloyd(PointView pts, std::vector<float> centres, int clusters, const KMeansOptions& o,
                      double progressLo, double progressHi)
{
    const int threads = std::max(1, o.threads);
    const int dim = pts.dim;
    const auto n = static_cast<size_t>(pts.count);
    const std::vector<float> xnorms = pointNorms(pts, threads);
    const double spread = rmsSpread(pts);

    KMeansResult result;
    result.clusters = clusters;
    result.dim = dim;
    std::vector<int32_t> labels(n), nextLabels(n);
    std::vector<double> distances(n), nextDistances(n);
    std::vector<float> nextCentres(centres.size());
    UpdateScratch scratch;

    Panel panel = makePanel(centres.data(), clusters, dim);
    result.exactRechecks += assignAll(pts, xnorms, centres.data(), panel, nullptr, labels.data(), distances.data(),
                                      threads).rechecks;
    double inertia = sumInOrder(distances);
    result.inertiaHistory.push_back(inertia);

    result.stop = KMeansStop::MaxIterations;
    for (int it = 0; it < o.maxIterations; ++it) {
        if (o.progress) {
            o.progress->checkCancelled();
            o.progress->report(progressLo + (progressHi - progressLo) * it / o.maxIterations, "k-means");
        }
        const int repaired = updateCentres(pts, labels.data(), distances.data(), clusters, threads, scratch,
                                           nextCentres.data());
        const double shift = maxShift(nextCentres, centres, clusters, dim);
        panel = makePanel(nextCentres.data(), clusters, dim);
        const AssignStats stats = assignAll(pts, xnorms, nextCentres.data(), panel, labels.data(), nextLabels.data(),
                                            nextDistances.data(), threads);
        result.exactRechecks += stats.rechecks;
        const double nextInertia = sumInOrder(nextDistances);
        if (nextInertia > inertia) {
            result.stop = KMeansStop::InertiaRose;
            break;
        }
        centres.swap(nextCentres);
        labels.swap(nextLabels);
        distances.swap(nextDistances);
        inertia = nextInertia;
        result.inertiaHistory.push_back(inertia);
        result.emptyClustersRepaired += repaired;
        ++result.iterations;
        if (!o.stopEarly)
            continue;
        if (stats.changed == 0) {
            result.stop = KMeansStop::NoLabelChange;
            break;
        }
        if (shift <= o.tolerance * spread) {
            result.stop = KMeansStop::CentreShift;
            break;
        }
    }
    if (o.progress)
        o.progress->report(progressHi, "k-means");

    result.counts.assign(static_cast<size_t>(clusters), 0);
    for (int32_t l : labels)
        ++result.counts[l];
    result.centroids = std::move(centres);
    result.labels = std::move(labels);
    result.inertia = inertia;
    return result;
}

} // namespace

const char* toString(KMeansStop stop)
{
    switch (stop) {
    case KMeansStop::NoLabelChange: return "no label change";
    case KMeansStop::CentreShift: return "centre shift below tolerance";
    case KMeansStop::MaxIterations: return "max iterations";
    case KMeansStop::InertiaRose: return "inertia rose (rounding floor)";
    }
    return "?";
}

std::vector<float> kmeansPlusPlus(std::span<const float> points, int dim, int clusters, uint32_t seed, int threads,
                                  Progress* progress)
{
    threads = std::max(1, threads);
    const PointView pts = checkRows(points, dim, "points", threads);
    if (clusters < 1 || clusters > pts.count)
        fail("k-means++ needs 1 ≤ clusters ≤ points (got " + std::to_string(clusters) + " clusters, "
             + std::to_string(pts.count) + " points)");
    return seedPlusPlus(pts, clusters, seed, threads, progress, 0.0, 1.0);
}

KMeansResult lloyd(std::span<const float> points, int dim, std::span<const float> initialCentres,
                   const KMeansOptions& options)
{
    checkOptions(options);
    const int threads = std::max(1, options.threads);
    const PointView pts = checkRows(points, dim, "points", threads);
    const PointView init = checkRows(initialCentres, dim, "initial centres", threads);
    if (init.count > pts.count)
        fail("more initial centres (" + std::to_string(init.count) + ") than points (" + std::to_string(pts.count)
             + ")");
    return runLloyd(pts, std::vector<float>(initialCentres.begin(), initialCentres.end()),
                    static_cast<int>(init.count), options, 0.0, 1.0);
}

KMeansResult kmeans(std::span<const float> points, int dim, const KMeansOptions& options)
{
    checkOptions(options);
    const int threads = std::max(1, options.threads);
    const PointView pts = checkRows(points, dim, "points", threads);
    const int clusters = static_cast<int>(std::min<int64_t>(options.clusters, pts.count));
    std::vector<float> centres = seedPlusPlus(pts, clusters, options.seed, threads, options.progress, 0.0,
                                              kSeedingShare);
    return runLloyd(pts, std::move(centres), clusters, options, kSeedingShare, 1.0);
}

std::vector<int32_t> assignNearest(std::span<const float> points, int dim, std::span<const float> centres,
                                   int threads, std::vector<double>* distances)
{
    threads = std::max(1, threads);
    const PointView pts = checkRows(points, dim, "points", threads);
    const PointView c = checkRows(centres, dim, "centres", threads);
    std::vector<int32_t> labels(static_cast<size_t>(pts.count));
    std::vector<double> local;
    std::vector<double>& d = distances ? *distances : local;
    d.resize(static_cast<size_t>(pts.count));
    const Panel panel = makePanel(centres.data(), static_cast<int>(c.count), dim);
    assignAll(pts, pointNorms(pts, threads), centres.data(), panel, nullptr, labels.data(), d.data(), threads);
    return labels;
}

} // namespace lnscope::core
