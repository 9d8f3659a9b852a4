// lnscope-cli bench MODEL --emulated: converts MODEL (default settings, activations calibrated on
// the bench input) and times the emulated LNS executor against our float executor on the same
// input, interleaved. The DESIGN.md target: emulated (fast path) ≤ 1.5× float.

#include "bench_emulated.h"

#include "bench_util.h"
#include "cli_common.h"
#include "table.h"

#include "lnscope/core/converted_model.h"
#include "lnscope/core/lns_emulator.h"
#include "lnscope/core/tensor_metrics.h"

#include <cmath>
#include <cstdio>

namespace lnscope::app {

namespace {

namespace fs = std::filesystem;

constexpr double kTargetRatio = 1.5;
constexpr uint32_t kSeed = 20240917; // the same input as the float bench

struct Measured
{
    Timings floatMs, emulatedMs;
    core::Agreement output; ///< emulated vs float, over every output
    double convertMs = 0.0;
    std::vector<std::string> notes;
};

Measured measure(const core::Graph& graph, const core::TensorMap& feed, const core::ConversionConfig& config,
                 core::LnsPath path, int warmup, int runs)
{
    Measured m;
    core::ConvertedModel converted;
    m.convertMs = timeMs([&] { converted = core::convertModel(graph, config, {feed}); });
    core::EmulatorOptions options;
    options.path = path;
    options.threads = config.threads;
    const core::LnsEmulator emulator(converted, options);
    const core::Executor executor(graph, core::ExecOptions{config.threads});
    m.notes = emulator.notes();

    const core::TensorMap reference = executor.run(feed);
    const core::TensorMap emulated = emulator.run(feed);
    core::AgreementAccumulator acc;
    for (const auto& [name, t] : reference)
        if (t.isFloat())
            acc.add(t, emulated.at(name));
    m.output = acc.result();

    auto runFloat = [&] { (void)executor.run(feed); };
    auto runEmulated = [&] { (void)emulator.run(feed); };
    for (int i = 0; i < warmup; ++i) {
        runFloat();
        runEmulated();
    }
    for (int i = 0; i < runs; ++i) {
        // Alternate which engine goes first so that neither always runs on a warmer cache.
        if (i % 2 == 0)
            m.floatMs.values.push_back(timeMs(runFloat));
        m.emulatedMs.values.push_back(timeMs(runEmulated));
        if (i % 2 == 1)
            m.floatMs.values.push_back(timeMs(runFloat));
    }
    return m;
}

Json timingsJson(const Timings& t)
{
    return Json::object()
        .set("minMs", t.min())
        .set("medianMs", t.median())
        .set("maxMs", t.max())
        .set("timesMs", Json::arrayOf(t.values));
}

} // namespace

bool wantsEmulatedBench(const std::vector<std::string>& argv)
{
    for (const std::string& a : argv) {
        if (a == "--")
            return false;
        if (a == "--emulated")
            return true;
    }
    return false;
}

int runEmulatedBench(const std::vector<std::string>& argv)
{
    std::vector<OptionSpec> specs = {{"--emulated", "", false, false}, {"--runs", "", true, false},
                                     {"--warmup", "", true, false},    {"--threads", "", true, false},
                                     {"--input", "", true, true},      {"--clusters", "", true, false},
                                     {"--format", "", true, false},    {"--path", "", true, false},
                                     {"--json", "", true, false},      {"--help", "-h", false, false}};
    for (OptionSpec& s : imageOptionSpecs())
        specs.push_back(s);
    const ParsedArgs args = parseArgs(argv, specs);
    const int runs = args.intValue("--runs", 10, 1, 100000);
    const int warmup = args.intValue("--warmup", 2, 0, 100000);
    core::ConversionConfig config;
    config.threads = args.intValue("--threads", 2, 1, 256);
    config.clusters = args.intValue("--clusters", 64, 1, 65536);
    config.weightFormat = args.value("--format").value_or("lns8");
    if (!core::NumberFormatRegistry::builtin().find(config.weightFormat))
        throw UsageError("unknown format '" + config.weightFormat + "' for option '--format'");
    config.activationFormat = config.weightFormat;
    const std::string pathName = args.value("--path").value_or("fast");
    if (pathName != "fast" && pathName != "exact")
        throw UsageError("option '--path' needs fast or exact, got '" + pathName + "'");
    const core::LnsPath path = pathName == "exact" ? core::LnsPath::Exact : core::LnsPath::Fast;
    const ImageArgs image = imageArgsFrom(args);
    const fs::path model = args.singlePositional("MODEL");

    const core::Graph graph = loadModel(model, true);
    std::vector<ModelInput> inputs;
    if (args.has("--input"))
        inputs = loadInputs(graph, model, args.values("--input"), image);
    else
        for (size_t i = 0; i < graph.inputs.size(); ++i)
            inputs.push_back(withContext(
                model.string(), [&] { return randomInput(graph.inputs[i], kSeed + static_cast<uint32_t>(i), image); }));
    const Measured m = withContext(model.string(), [&] { return measure(graph, toTensorMap(inputs), config, path, warmup, runs); });
    const double ratio = m.emulatedMs.median() / m.floatMs.median();

    std::string out = "Model    " + model.string() + " (graph '" + graph.name + "')\n";
    for (const ModelInput& in : inputs)
        out += "Input    " + in.name + " " + core::shapeToString(in.tensor.shape()) + " from " + in.source + "\n";
    out += "Convert  " + config.weightFormat + " weights and activations, K = " + std::to_string(config.clusters)
           + ", calibrated on the input (" + formatFixed(m.convertMs, 1) + " ms)\n";
    out += "Threads  " + std::to_string(config.threads) + ", " + std::to_string(warmup) + " warm-up + "
           + std::to_string(runs) + " timed runs each (interleaved)\n\n";
    Table table({{"engine"}, {"min ms", Table::Align::Right}, {"median ms", Table::Align::Right}, {"max ms", Table::Align::Right}});
    table.addRow({"float executor", formatFixed(m.floatMs.min(), 3), formatFixed(m.floatMs.median(), 3),
                  formatFixed(m.floatMs.max(), 3)});
    table.addRow({"emulated LNS (" + pathName + ")", formatFixed(m.emulatedMs.min(), 3),
                  formatFixed(m.emulatedMs.median(), 3), formatFixed(m.emulatedMs.max(), 3)});
    out += table.render() + "\n";
    out += "Ratio of medians (emulated / float): " + formatFixed(ratio, 2) + "x (target <= "
           + formatFixed(kTargetRatio, 1) + "x for the fast path: " + (ratio <= kTargetRatio ? "met" : "not met") + ")\n";
    out += "Output SQNR emulated vs float: "
           + (m.output.defined ? (std::isinf(m.output.sqnrDb) ? std::string("exact") : formatFixed(m.output.sqnrDb, 1) + " dB")
                               : std::string("undefined"))
           + "\n";
    for (const std::string& note : m.notes)
        out += "note: " + note + "\n";

    if (auto json = args.value("--json"))
        writeJsonFile(*json, Json::object()
                                 .set("model", model.string())
                                 .set("mode", "emulated")
                                 .set("path", pathName)
                                 .set("format", config.weightFormat)
                                 .set("clusters", config.clusters)
                                 .set("threads", config.threads)
                                 .set("runs", runs)
                                 .set("float", timingsJson(m.floatMs))
                                 .set("emulated", timingsJson(m.emulatedMs))
                                 .set("ratioOfMedians", ratio)
                                 .set("targetRatio", kTargetRatio)
                                 .set("outputSqnrDb", m.output.defined && !std::isinf(m.output.sqnrDb) ? Json(m.output.sqnrDb) : Json())
                                 .set("convertMs", m.convertMs));
    std::fputs(out.c_str(), stdout);
    return 0;
}

} // namespace lnscope::app
