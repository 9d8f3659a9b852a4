// lnscope-cli bench --kmeans: times our k-means against cv::kmeans on the same seeded data, with
// the same K, the same iteration count and k-means++ seeding (DESIGN.md "Performance targets":
// 1.2 M 9-d kernels into 256 centroids in ≤ 10 s, and faster than cv::kmeans).

#include "bench_kmeans.h"
#include "bench_util.h"

#include "cli_common.h"
#include "table.h"

#include "lnscope/core/kmeans.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <numbers>
#include <opencv2/core.hpp>
#include <random>

namespace lnscope::app {

namespace {

using Clock = std::chrono::steady_clock;

constexpr int kDefaultPoints = 1200000;
constexpr int kDefaultDim = 9;
constexpr int kDefaultClusters = 256;
constexpr int kDefaultIterations = 10;
constexpr int kDefaultRuns = 3;
constexpr int kDefaultThreads = 2;
constexpr int kDefaultSeed = 20240917;

// The DESIGN.md target, for the verdict line.
constexpr int kTargetPoints = 1200000;
constexpr int kTargetClusters = 256;
constexpr double kTargetSeconds = 10.0;

// Above this many points cv::kmeans takes long enough that the user should hear about it first.
constexpr int kSlowWarningPoints = 500000;

// The synthetic data: unit-norm d-vectors drawn from a mixture of kDirections random directions
// (skewed weights, as real kernels favour a few shapes) plus Gaussian noise, with a small share of
// uniformly random directions as background.
constexpr int kDirections = 384;
constexpr double kNoiseSigma = 0.08;
constexpr double kBackgroundShare = 0.05;

struct Settings
{
    int points = kDefaultPoints;
    int dim = kDefaultDim;
    int clusters = kDefaultClusters;
    int iterations = kDefaultIterations;
    int runs = kDefaultRuns;
    int threads = kDefaultThreads;
    uint32_t seed = kDefaultSeed;
};

struct Measured
{
    Timings ours; ///< seconds
    Timings opencv; ///< seconds
    double oursInertia = 0.0;     ///< from the last run's KMeansResult
    int oursIterations = 0;
    double opencvInertia = 0.0;   ///< cv::kmeans' compactness, last run
};

/// Portable uniform doubles from mt19937 (std:: distributions differ between standard libraries).
class Uniform
{
public:
    explicit Uniform(uint32_t seed) : m_rng(seed) {}
    /// In (0, 1): never 0, so log() below is finite.
    double open() { return (static_cast<double>(m_rng()) + 0.5) / 4294967296.0; }
    /// In [0, 1).
    double half() { return static_cast<double>(m_rng()) / 4294967296.0; }
    /// Standard normal by Box–Muller (one of the pair; simple and deterministic).
    double normal()
    {
        const double r = std::sqrt(-2.0 * std::log(open()));
        return r * std::cos(2.0 * std::numbers::pi * half());
    }

private:
    std::mt19937 m_rng;
};

void normalize(double* v, int dim)
{
    double sq = 0.0;
    for (int k = 0; k < dim; ++k)
        sq += v[k] * v[k];
    const double inv = sq > 0.0 ? 1.0 / std::sqrt(sq) : 0.0;
    for (int k = 0; k < dim; ++k)
        v[k] *= inv;
    if (inv == 0.0)
        v[0] = 1.0; // a zero draw (practically impossible): any unit vector will do
}

std::vector<float> kernelLikeData(const Settings& st)
{
    Uniform u(st.seed);
    const int dim = st.dim;
    std::vector<double> directions(static_cast<size_t>(kDirections) * dim);
    for (int j = 0; j < kDirections; ++j) {
        double* d = directions.data() + static_cast<size_t>(j) * dim;
        for (int k = 0; k < dim; ++k)
            d[k] = u.normal();
        normalize(d, dim);
    }
    std::vector<float> points(static_cast<size_t>(st.points) * dim);
    std::vector<double> v(dim);
    for (int i = 0; i < st.points; ++i) {
        if (u.half() < kBackgroundShare) {
            for (int k = 0; k < dim; ++k)
                v[k] = u.normal();
        } else {
            // u² skews the choice towards low indices: a few directions are common, most are rare.
            const double w = u.half();
            const int j = std::min(kDirections - 1, static_cast<int>(w * w * kDirections));
            const double* d = directions.data() + static_cast<size_t>(j) * dim;
            for (int k = 0; k < dim; ++k)
                v[k] = d[k] + kNoiseSigma * u.normal();
        }
        normalize(v.data(), dim);
        float* p = points.data() + static_cast<size_t>(i) * dim;
        for (int k = 0; k < dim; ++k)
            p[k] = static_cast<float>(v[k]);
    }
    return points;
}

template <typename Fn>
double timeSeconds(Fn&& fn)
{
    const auto start = Clock::now();
    fn();
    return std::chrono::duration<double>(Clock::now() - start).count();
}

Measured measure(const Settings& st, const std::vector<float>& points)
{
    core::KMeansOptions options;
    options.clusters = st.clusters;
    options.maxIterations = st.iterations;
    options.seed = st.seed;
    options.threads = st.threads;
    options.stopEarly = false; // exactly st.iterations Lloyd updates, as cv::kmeans does

    // cv::kmeans reads the data in place (CV_32F, one row per point) and does not modify it.
    const cv::Mat data(st.points, st.dim, CV_32F, const_cast<float*>(points.data()));
    cv::setNumThreads(st.threads);

    Measured m;
    auto runOurs = [&] {
        const core::KMeansResult r = core::kmeans(points, st.dim, options);
        m.oursInertia = r.inertia;
        m.oursIterations = r.iterations;
    };
    auto runOpenCv = [&] {
        cv::theRNG() = cv::RNG(st.seed); // the same k-means++ draws every run
        cv::Mat labels;
        cv::Mat centers;
        m.opencvInertia = cv::kmeans(data, st.clusters, labels,
                                     cv::TermCriteria(cv::TermCriteria::MAX_ITER, st.iterations, 0.0), 1,
                                     cv::KMEANS_PP_CENTERS, centers);
    };
    for (int i = 0; i < st.runs; ++i) {
        // Alternate which engine goes first so that neither always runs on a warmer machine.
        if (i % 2 == 0)
            m.ours.values.push_back(timeSeconds(runOurs));
        m.opencv.values.push_back(timeSeconds(runOpenCv));
        if (i % 2 == 1)
            m.ours.values.push_back(timeSeconds(runOurs));
    }
    return m;
}

std::string sizeText(const Settings& st)
{
    return groupThousands(st.points) + " × " + std::to_string(st.clusters);
}

std::string headerText(const Settings& st)
{
    std::string out = "k-means  " + groupThousands(st.points) + " points × " + std::to_string(st.dim)
                      + " dims: unit-norm, mixture of " + std::to_string(kDirections)
                      + " random directions + noise, seed " + std::to_string(st.seed) + "\n";
    out += "         " + std::to_string(st.clusters) + " clusters, " + std::to_string(st.iterations)
           + " iterations (k-means++ seeding, no early stop), " + std::to_string(st.threads) + " threads per engine\n";
    out += "         " + std::to_string(st.runs) + (st.runs == 1 ? " timed run" : " timed runs")
           + " each (interleaved)\n";
    return out;
}

std::string resultText(const Settings& st, const Measured& m)
{
    auto sec = [](double s) { return formatFixed(s, 3); };
    Table table({{"engine"},
                 {"min s", Table::Align::Right},
                 {"median s", Table::Align::Right},
                 {"max s", Table::Align::Right},
                 {"final inertia", Table::Align::Right}});
    table.addRow({"lnscope", sec(m.ours.min()), sec(m.ours.median()), sec(m.ours.max()),
                  formatNumber(m.oursInertia, 7)});
    table.addRow({"cv::kmeans", sec(m.opencv.min()), sec(m.opencv.median()), sec(m.opencv.max()),
                  formatNumber(m.opencvInertia, 7)});
    std::string out(1, '\n'); // (not "\n" + render(): GCC 12 warns falsely, -Wrestrict)
    out += table.render();
    out += '\n';

    const double ratio = m.ours.median() / m.opencv.median();
    out += "Ratio of medians (lnscope / cv::kmeans): " + formatFixed(ratio, 2) + "x\n";
    out += "Inertia ratio (lnscope / cv::kmeans): " + formatFixed(m.oursInertia / m.opencvInertia, 4)
           + " (near 1: both did comparable work)\n";
    // What each engine did for the same I (cv::kmeans, OpenCV 4.x: maxCount clamped to [2, 100];
    // its last round updates the centres but only re-measures, it does not re-assign).
    const int cvRounds = std::max(st.iterations, 2) - 1;
    out += "  work: lnscope k-means++ (1 candidate per centre), " + std::to_string(m.oursIterations) + " updates, "
           + std::to_string(m.oursIterations + 1) + " assignments; cv::kmeans k-means++ (3 candidates per centre), "
           + std::to_string(cvRounds) + " updates, " + std::to_string(cvRounds) + " assignments\n";
    out += "target: ours ≤ 10 s for 1.2 M × 256, and faster than cv::kmeans\n";
    const bool targetSize = st.points == kTargetPoints && st.clusters == kTargetClusters;
    out += "measured: ours " + sec(m.ours.median()) + " s median vs " + formatFixed(kTargetSeconds, 0) + " s limit";
    out += targetSize ? " (at the target size)" : " (this run is " + sizeText(st) + ", the limit is for 1.2 M × 256)";
    out += "; ours / cv::kmeans " + formatFixed(ratio, 2) + "x vs < 1.00x needed\n";
    return out;
}

Json secondsJson(const Timings& t)
{
    return Json::object()
        .set("minS", t.min())
        .set("medianS", t.median())
        .set("maxS", t.max())
        .set("timesS", Json::arrayOf(t.values));
}

Json resultJson(const Settings& st, const Measured& m)
{
    Json ours = secondsJson(m.ours);
    ours.set("inertia", m.oursInertia).set("iterations", m.oursIterations);
    Json opencv = secondsJson(m.opencv);
    opencv.set("inertia", m.opencvInertia);
    return Json::object()
        .set("mode", "kmeans")
        .set("points", st.points)
        .set("dim", st.dim)
        .set("clusters", st.clusters)
        .set("iterations", st.iterations)
        .set("runs", st.runs)
        .set("threads", st.threads)
        .set("seed", st.seed)
        .set("lnscope", ours)
        .set("opencv", opencv)
        .set("ratioOfMedians", m.ours.median() / m.opencv.median())
        .set("inertiaRatio", m.oursInertia / m.opencvInertia)
        .set("target", Json::object()
                           .set("points", kTargetPoints)
                           .set("clusters", kTargetClusters)
                           .set("maxSeconds", kTargetSeconds)
                           .set("maxRatioOfMedians", 1.0));
}

} // namespace

bool wantsKMeansBench(const std::vector<std::string>& argv)
{
    for (const std::string& a : argv) {
        if (a == "--")
            return false;
        if (a == "--kmeans")
            return true;
    }
    return false;
}

int runKMeansBench(const std::vector<std::string>& argv)
{
    const std::vector<OptionSpec> specs = {
        {"--kmeans", "", false, false},    {"--points", "", true, false},  {"--dim", "", true, false},
        {"--clusters", "", true, false},   {"--iterations", "", true, false}, {"--runs", "", true, false},
        {"--threads", "", true, false},    {"--seed", "", true, false},    {"--json", "", true, false},
        {"--help", "-h", false, false}};
    const ParsedArgs args = parseArgs(argv, specs);
    if (!args.positionals().empty())
        throw UsageError("bench --kmeans takes no MODEL (got '" + args.positionals().front() + "')");
    Settings st;
    st.points = args.intValue("--points", kDefaultPoints, 1, 50000000);
    st.dim = args.intValue("--dim", kDefaultDim, 1, 1024);
    st.clusters = args.intValue("--clusters", kDefaultClusters, 1, 1000000);
    // cv::kmeans clamps its iteration count to 100: more would compare unequal work.
    st.iterations = args.intValue("--iterations", kDefaultIterations, 1, 100);
    st.runs = args.intValue("--runs", kDefaultRuns, 1, 1000);
    st.threads = args.intValue("--threads", kDefaultThreads, 1, 256);
    st.seed = static_cast<uint32_t>(args.intValue("--seed", kDefaultSeed, 0, 2147483647));
    if (st.clusters > st.points)
        throw UsageError("'--clusters' (" + std::to_string(st.clusters) + ") must not exceed '--points' ("
                         + std::to_string(st.points) + ")");
    if (static_cast<int64_t>(st.points) * st.dim > 400000000)
        throw UsageError("'--points' × '--dim' must not exceed 400,000,000 values (1.6 GB of data)");

    if (st.points >= kSlowWarningPoints)
        std::fprintf(stderr,
                     "lnscope-cli bench: note: cv::kmeans on %s points is slow (tens of seconds to minutes per run); "
                     "use e.g. --points 300000 for a quick run\n",
                     groupThousands(st.points).c_str());
    std::fputs(headerText(st).c_str(), stdout);
    std::fflush(stdout); // the runs take a while: show what is being measured first

    const std::vector<float> points = kernelLikeData(st);
    const Measured m = measure(st, points);
    if (auto json = args.value("--json"))
        writeJsonFile(*json, resultJson(st, m));
    std::fputs(resultText(st, m).c_str(), stdout);
    return 0;
}

} // namespace lnscope::app
