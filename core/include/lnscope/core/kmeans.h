#pragma once
// Deterministic k-means for cluster compression (spec/numerics.md §2): k-means++ seeding with a
// fixed seed, then Lloyd iterations.
//
// Points are N rows of dimension d, float32, row-major (d = 9 for 3×3 kernels). Units are those
// of the data; distances are squared Euclidean.
//
// Determinism: every result byte (centroids, labels, counts, inertia, history) depends only on
// the points, the options' clusters/maxIterations/tolerance/seed/stopEarly — NOT on `threads`.
// Why: the float distance kernel only proposes the nearest centre; any row whose best and
// second-best float distances are within the kernel's rounding bound is decided again in double
// (Σ(x−c)² in index order, lowest index on ties), so labels are the exact double argmin whatever
// the kernel's blocking. Every sum (cluster sums, inertia, seeding weights) runs in a fixed order
// that does not depend on how the work is split between threads.
//
// Threading: each call uses up to options.threads OpenMP threads; calls are independent and may
// run concurrently on different threads.

#include "lnscope/core/error.h"
#include "lnscope/core/progress.h"

#include <cstdint>
#include <span>
#include <vector>

namespace lnscope::core {

struct KMeansOptions
{
    int clusters = 256;      ///< K; k-means() uses K_eff = min(K, N)
    int maxIterations = 50;  ///< Lloyd iterations (updates); 0 = seeding + one assignment
    /// Stop when max_c ‖c_new − c_old‖ ≤ tolerance · σ, where σ is the RMS distance of the
    /// points from their mean (so the rule is scale-free and works for data far from the origin).
    double tolerance = 1e-4;
    uint32_t seed = 1;       ///< seeds the std::mt19937 used by k-means++
    int threads = 2;         ///< worker threads (values < 1 mean 1); results do not depend on it
    /// false: run exactly maxIterations iterations, ignoring the label and shift rules (benchmarks,
    /// comparisons with cv::kmeans at equal iterations). The inertia guard below still applies.
    bool stopEarly = true;
    Progress* progress = nullptr; ///< optional; checked between seeding steps and iterations
};

/// Which rule ended the iterations.
enum class KMeansStop
{
    NoLabelChange,  ///< an assignment changed no label: a fixed point
    CentreShift,    ///< the largest centre move was ≤ tolerance · σ
    MaxIterations,  ///< maxIterations updates were done
    InertiaRose,    ///< guard: an update raised the inertia (only possible by float rounding of
                    ///< the centroids at the noise floor); the previous state was kept
};

const char* toString(KMeansStop stop);

struct KMeansResult
{
    int clusters = 0;                ///< K_eff: rows of `centroids`
    int dim = 0;                     ///< d
    std::vector<float> centroids;    ///< clusters × dim, row-major
    std::vector<int32_t> labels;     ///< per point: index of its nearest centroid (exact argmin)
    std::vector<int64_t> counts;     ///< points per cluster (from `labels`); a zero is possible only
                                     ///< when the data has fewer distinct points than clusters
    double inertia = 0.0;            ///< Σ ‖x − c_label‖² in double, summed in point order
    int iterations = 0;              ///< Lloyd updates done (accepted ones)
    /// inertiaHistory[0]: after assigning to the initial centres; then one entry per iteration.
    /// Non-increasing by construction (see KMeansStop::InertiaRose); back() == inertia.
    std::vector<double> inertiaHistory;
    KMeansStop stop = KMeansStop::MaxIterations;
    int emptyClustersRepaired = 0;   ///< total over all iterations
    int64_t exactRechecks = 0;       ///< rows re-decided in double (near ties), over all assignments
};

/// k-means++ seeding (Arthur & Vassilvitskii, one candidate per step). Returns `clusters` × d
/// centres, each a copy of a data point. u ∈ [0, 1) is 53 bits from two mt19937(seed) draws, one
/// u per centre. The first centre is point ⌊u·N⌋; each next one is drawn with probability ∝ D²,
/// D² = min over chosen centres of Σ(x_k − c_k)² in float (std::fma, index order): the first
/// point whose cumulative D² (in double, point order) exceeds u·ΣD². ΣD² is summed over fixed
/// chunks of 4096 points (16 lane sums each), so it does not depend on the thread count.
/// Cost: one pass over the points per centre (O(N·K·d)), parallel over chunks.
/// When every point coincides with a chosen centre (fewer distinct points than clusters), the next
/// centre is drawn uniformly, so centres repeat.
/// Throws FormatError for bad arguments (see kmeans()) or clusters > N; Cancelled.
std::vector<float> kmeansPlusPlus(std::span<const float> points, int dim, int clusters, uint32_t seed,
                                  int threads = 2, Progress* progress = nullptr);

/// Lloyd iterations from the given centres (K = initialCentres.size() / dim, 1 ≤ K ≤ N);
/// options.clusters and options.seed are ignored. Each iteration: update the centres to the mean
/// of their points (sums in double, point order); an empty cluster takes the point farthest from
/// its centre in the currently largest cluster (empty clusters in index order; ties → lowest
/// index); then assign every point to its nearest centre. Stops as KMeansStop describes.
/// Throws FormatError for bad arguments; Cancelled.
KMeansResult lloyd(std::span<const float> points, int dim, std::span<const float> initialCentres,
                   const KMeansOptions& options);

/// kmeansPlusPlus() with K_eff = min(options.clusters, N), then lloyd().
/// Throws FormatError when dim < 1, N = 0, points.size() is not a multiple of dim, N ≥ 2³¹,
/// clusters < 1, maxIterations < 0, tolerance < 0 or NaN, or a value is non-finite or
/// |value| > 1e15 (its square would overflow the float distance kernel); the message names the
/// point and the dimension. Throws Cancelled when options.progress is cancelled.
KMeansResult kmeans(std::span<const float> points, int dim, const KMeansOptions& options);

/// Nearest centre of every point (exact argmin as in KMeansResult::labels; ties → lowest index).
/// `distances`, when given, receives Σ(x − c_label)² in double per point. For re-quantizing after
/// the centroids are refined. Throws FormatError for bad arguments.
std::vector<int32_t> assignNearest(std::span<const float> points, int dim, std::span<const float> centres,
                                   int threads = 2, std::vector<double>* distances = nullptr);

} // namespace lnscope::core
