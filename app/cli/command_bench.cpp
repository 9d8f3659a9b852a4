// lnscope-cli bench MODEL: times our float executor against OpenCV DNN on the same model and
// input (DESIGN.md performance targets are ratios measured by this command). `bench --kmeans`
// (bench_kmeans.cpp) times our k-means against cv::kmeans instead.

#include "bench_emulated.h"
#include "bench_kmeans.h"
#include "bench_util.h"
#include "cli_common.h"
#include "opencv_reference.h"
#include "table.h"

#include <algorithm>
#include <chrono>
#include <cstdio>

namespace lnscope::app {

namespace {

namespace fs = std::filesystem;

const char* const kUsage = R"(usage: lnscope-cli bench MODEL [--runs N] [--warmup N] [--threads N]
                         [--input [NAME=]FILE ...] [--size WxH] [--mean r,g,b --std r,g,b] [--bgr]
                         [--json FILE]
       lnscope-cli bench MODEL --emulated [--path fast|exact] [--format NAME] [--clusters K]
                         [--runs N] [--warmup N] [--threads N] [--input FILE] [--json FILE]
       lnscope-cli bench --kmeans [--points N] [--dim D] [--clusters K] [--iterations I]
                         [--runs R] [--threads T] [--seed S] [--json FILE]

Times the float executor and OpenCV DNN (backend OPENCV, target CPU) on the same model and the
same input: a seeded random tensor in [0, 1), or the given files (as for `run`). Warm-up runs
come first, then the timed runs alternate between the two engines so that drift hits both.
Prints min/median/max milliseconds per engine, the ratio of the medians (ours / OpenCV) and the
max |difference| between the two engines' outputs. When OpenCV cannot load or run the model,
says why and still reports our timings.

options:
  --runs N        timed runs per engine (default 10)
  --warmup N      untimed warm-up runs per engine (default 2)
  --threads N     threads for both engines (default 2)
  --input FILE    input tensor (.pb) or image instead of random data (see `run --help`)
  --size WxH      image size, or the spatial size of a random input with symbolic H, W
  --mean, --std, --bgr   image normalisation, as for `run`
  --json FILE     also write the timings as JSON (written atomically)
  -h, --help      show this help

--emulated: converts MODEL (BN folding, K centroids per layer, weights and activations in the
format, activations calibrated on the bench input) and times the emulated LNS executor against the
float executor on the same input, interleaved; prints the ratio of the medians (target <= 1.5x for
the fast path) and the output SQNR of the emulated model against float.

--kmeans: times our k-means (k-means++ seeding + exactly I Lloyd iterations) against
cv::kmeans (KMEANS_PP_CENTERS, attempts 1, MAX_ITER I) on the same seeded data shaped like
normalized 3x3 kernels: unit-norm D-vectors from a mixture of a few hundred random directions plus
noise. No MODEL. Runs alternate between the two; prints min/median/max seconds, the ratio of the
medians, both final inertias (ours, and OpenCV's compactness) and the DESIGN.md target
(ours <= 10 s for 1.2 M x 256, and faster than cv::kmeans). cv::kmeans on 1.2 M points takes tens
of seconds to minutes per run: use a smaller --points for a quick run.
  --points N      data points (default 1200000)
  --dim D         dimension of each point (default 9)
  --clusters K    clusters, K <= N (default 256)
  --iterations I  Lloyd iterations for both, at most 100 as cv::kmeans allows (default 10)
  --runs R        timed runs per engine (default 3)
  --threads T     threads for both (default 2)
  --seed S        seed of the data and of both k-means++ seedings (default 20240917)
  --json FILE     also write the timings and inertias as JSON (written atomically)
)";

constexpr int kDefaultRuns = 10;
constexpr int kDefaultWarmup = 2;
constexpr int kDefaultThreads = 2;
constexpr uint32_t kSeed = 20240917; // fixed: every bench of a model sees the same input

struct BenchResult
{
    Timings ours;
    Timings opencv;
    bool opencvOk = false;
    std::string opencvReason;
    OutputDifference diff;
};

std::vector<ModelInput> benchInputs(const core::Graph& graph, const fs::path& model, const ParsedArgs& args,
                                    const ImageArgs& image)
{
    if (args.has("--input"))
        return loadInputs(graph, model, args.values("--input"), image);
    std::vector<ModelInput> inputs;
    for (size_t i = 0; i < graph.inputs.size(); ++i)
        inputs.push_back(withContext(
            model.string(), [&] { return randomInput(graph.inputs[i], kSeed + static_cast<uint32_t>(i), image); }));
    return inputs;
}

BenchResult measure(const fs::path& model, const core::Graph& graph, const std::vector<ModelInput>& inputs, int threads,
                    int warmup, int runs)
{
    const core::Executor executor = withContext(model.string(), [&] { return core::Executor(graph, {threads}); });
    const core::TensorMap feed = toTensorMap(inputs);
    std::vector<std::string> outputNames;
    for (const core::ValueInfo& out : graph.outputs)
        outputNames.push_back(out.name);

    // A first, untimed run of each engine gives the outputs to compare (and fails early).
    const core::TensorMap ours = withContext(model.string(), [&] { return executor.run(feed); });
    OpenCvReference opencv(model, inputs, outputNames, threads);
    BenchResult result;
    if (opencv.forward()) {
        std::vector<core::Tensor> oursList;
        for (const std::string& name : outputNames)
            oursList.push_back(ours.at(name));
        result.diff = compareOutputs(outputNames, oursList, opencv.outputs());
    }
    auto runOurs = [&] { (void)executor.run(feed); };
    for (int i = 0; i < warmup; ++i) {
        runOurs();
        opencv.forward();
    }
    for (int i = 0; i < runs; ++i) {
        // Alternate which engine goes first so that neither always runs on a warmer cache.
        if (i % 2 == 0)
            result.ours.values.push_back(timeMs(runOurs));
        if (opencv.available())
            result.opencv.values.push_back(timeMs([&] { opencv.forward(); }));
        if (i % 2 == 1)
            result.ours.values.push_back(timeMs(runOurs));
    }
    // forward() clears available() when OpenCV throws midway: its timings are then meaningless.
    result.opencvOk = opencv.available() && !result.opencv.values.empty();
    result.opencvReason = opencv.reason();
    return result;
}

std::string msCell(double ms)
{
    return formatFixed(ms, 3);
}

std::string renderText(const fs::path& model, const core::Graph& graph, const std::vector<ModelInput>& inputs,
                       int threads, int warmup, int runs, const BenchResult& r)
{
    std::string out = "Model    " + model.string() + " (graph '" + graph.name + "', "
                      + std::to_string(graph.nodes.size()) + " nodes)\n";
    for (const ModelInput& in : inputs)
        out += "Input    " + in.name + " " + core::shapeToString(in.tensor.shape()) + " from " + in.source + "\n";
    out += "Threads  " + std::to_string(threads) + " per engine, " + std::to_string(warmup) + " warm-up + "
           + std::to_string(runs) + " timed runs each (interleaved)\n\n";

    Table table({{"engine"},
                 {"min ms", Table::Align::Right},
                 {"median ms", Table::Align::Right},
                 {"max ms", Table::Align::Right}});
    table.addRow({"lnscope", msCell(r.ours.min()), msCell(r.ours.median()), msCell(r.ours.max())});
    if (r.opencvOk)
        table.addRow({"OpenCV DNN", msCell(r.opencv.min()), msCell(r.opencv.median()), msCell(r.opencv.max())});
    else
        table.addRow({"OpenCV DNN", "-", "unavailable", "-"});
    out += table.render() + "\n";

    if (!r.opencvOk) {
        out += "OpenCV DNN unavailable: " + r.opencvReason + "\n";
        out += "Ratio of medians (lnscope / OpenCV DNN): unavailable\n";
        return out;
    }
    out += "Ratio of medians (lnscope / OpenCV DNN): " + formatFixed(r.ours.median() / r.opencv.median(), 2) + "x\n";
    out += "Max |diff| lnscope vs OpenCV DNN: " + formatNumber(r.diff.maxAbs, 3) + " over "
           + std::to_string(r.diff.elements) + " output elements\n";
    if (!r.diff.note.empty())
        out += "  note: " + r.diff.note + "\n";
    return out;
}

Json timingsJson(const Timings& t)
{
    return Json::object()
        .set("minMs", t.min())
        .set("medianMs", t.median())
        .set("maxMs", t.max())
        .set("timesMs", Json::arrayOf(t.values));
}

Json renderJson(const fs::path& model, const core::Graph& graph, const std::vector<ModelInput>& inputs, int threads,
                int warmup, int runs, const BenchResult& r)
{
    Json in = Json::array();
    for (const ModelInput& i : inputs)
        in.push(Json::object().set("name", i.name).set("source", i.source).set("shape", shapeToJson(i.tensor.shape())));
    Json opencv = Json::object().set("available", r.opencvOk);
    if (r.opencvOk) {
        const Json t = timingsJson(r.opencv);
        opencv = t;
        opencv.set("available", true);
    } else {
        opencv.set("reason", r.opencvReason);
    }
    return Json::object()
        .set("model", model.string())
        .set("graph", graph.name)
        .set("threads", threads)
        .set("warmup", warmup)
        .set("runs", runs)
        .set("inputs", in)
        .set("lnscope", timingsJson(r.ours))
        .set("opencv", opencv)
        .set("ratioOfMedians", r.opencvOk ? Json(r.ours.median() / r.opencv.median()) : Json())
        .set("maxAbsDiff", r.opencvOk ? Json(r.diff.maxAbs) : Json())
        .set("comparedElements", r.opencvOk ? Json(r.diff.elements) : Json())
        .set("diffNote", r.diff.note);
}

int runBench(const std::vector<std::string>& argv)
{
    if (wantsKMeansBench(argv))
        return runKMeansBench(argv);
    if (wantsEmulatedBench(argv))
        return runEmulatedBench(argv);
    std::vector<OptionSpec> specs = {{"--runs", "", true, false},    {"--warmup", "", true, false},
                                     {"--threads", "", true, false}, {"--input", "", true, true},
                                     {"--json", "", true, false},    {"--help", "-h", false, false}};
    for (OptionSpec& s : imageOptionSpecs())
        specs.push_back(s);
    const ParsedArgs args = parseArgs(argv, specs);
    const int runs = args.intValue("--runs", kDefaultRuns, 1, 100000);
    const int warmup = args.intValue("--warmup", kDefaultWarmup, 0, 100000);
    const int threads = args.intValue("--threads", kDefaultThreads, 1, 256);
    const ImageArgs image = imageArgsFrom(args);
    const fs::path model = args.singlePositional("MODEL");

    const core::Graph graph = loadModel(model, true);
    const std::vector<ModelInput> inputs = benchInputs(graph, model, args, image);
    const BenchResult result = measure(model, graph, inputs, threads, warmup, runs);
    if (auto json = args.value("--json"))
        writeJsonFile(*json, renderJson(model, graph, inputs, threads, warmup, runs, result));
    std::fputs(renderText(model, graph, inputs, threads, warmup, runs, result).c_str(), stdout);
    return 0;
}

} // namespace

const Command kBenchCommand{"bench",
                            "time the float executor against OpenCV DNN (or, with --kmeans, k-means against "
                            "cv::kmeans)",
                            kUsage,
                            &runBench};

} // namespace lnscope::app
