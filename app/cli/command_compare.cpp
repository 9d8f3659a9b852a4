// lnscope-cli compare MODEL CONVERTED --input FILE|DIR: the float model against its converted
// form (a .lnsz from `convert`) run on the emulated LNS executor, per layer and per output, over
// every input.

#include "cli_common.h"
#include "cli_progress.h"
#include "table.h"

#include "lnscope/core/converted_model.h"
#include "lnscope/core/lns_emulator.h"
#include "lnscope/core/seg_metrics.h"
#include "lnscope/core/tensor_metrics.h"

#include <cmath>
#include <cstdio>
#include <map>

namespace lnscope::app {

namespace {

namespace fs = std::filesystem;
using core::Stage;

const char* const kUsage = R"(usage: lnscope-cli compare MODEL CONVERTED --input FILE_OR_DIR
                         [--weights bnf|cc|format] [--float-activations] [--path fast|exact]
                         [--size WxH] [--mean r,g,b --std r,g,b] [--bgr] [--threads N] [--json FILE]

Runs MODEL (float32) and CONVERTED (a model.lnsz written by `convert` from MODEL) on every input
and compares them: per layer (every tensor both graphs produce, matched by name) SQNR, relative
L2, cosine and max |difference| accumulated over all inputs; the same for each model output; for
N×C×H×W outputs also the share of pixels whose argmax class agrees and the mIoU of the converted
prediction against the float one. The converted model runs on the emulated LNS executor: weights
at the chosen stage, activations in the model's calibrated activation format.

options:
  --input FILE_OR_DIR   an image or .pb tensor, or a folder of them (every file, sorted)
  --weights W           weight stage: bnf, cc (float centroids) or format (default: the weight format)
  --float-activations   keep activations in float32 (weights-only error)
  --path P              emulation path: fast (default, decode → float GEMM → re-encode) or exact
                        (the accelerator's integer datapath)
  --size WxH, --mean r,g,b, --std r,g,b, --bgr   image normalisation, as for `run`
  --threads N           worker threads (default 2)
  --json FILE           also write the comparison as JSON (written atomically)
  -h, --help            show this help
)";

constexpr double kDivergeDb = 30.0;

Stage weightsFrom(const ParsedArgs& args)
{
    const std::string w = args.value("--weights").value_or("format");
    if (w == "bnf")
        return Stage::BatchNormFolded;
    if (w == "cc")
        return Stage::ClusterCompressed;
    if (w == "format")
        return Stage::Lns8;
    throw UsageError("option '--weights' needs bnf, cc or format, got '" + w + "'");
}

std::string dbCell(const core::Agreement& a)
{
    if (!a.defined)
        return "-";
    return std::isinf(a.sqnrDb) ? "exact" : formatFixed(a.sqnrDb, 1);
}

Json agreementJson(const core::Agreement& a)
{
    if (!a.defined)
        return Json::object().set("defined", false).set("note", a.note).set("maxAbs", a.maxAbs);
    return Json::object()
        .set("defined", true)
        .set("sqnrDb", std::isinf(a.sqnrDb) ? Json("exact") : Json(a.sqnrDb))
        .set("relL2", a.relL2)
        .set("cosine", a.cosine)
        .set("maxAbs", a.maxAbs)
        .set("count", a.count);
}

int runCompare(const std::vector<std::string>& argv)
{
    std::vector<OptionSpec> specs = {{"--input", "", true, false},     {"--weights", "", true, false},
                                     {"--float-activations", "", false, false}, {"--path", "", true, false},
                                     {"--threads", "", true, false},   {"--json", "", true, false},
                                     {"--help", "-h", false, false}};
    for (OptionSpec& s : imageOptionSpecs())
        specs.push_back(s);
    const ParsedArgs args = parseArgs(argv, specs);
    if (args.positionals().size() != 2)
        throw UsageError("expected MODEL and CONVERTED (a .lnsz), got " + std::to_string(args.positionals().size())
                         + " positional argument(s)");
    if (!args.has("--input"))
        throw UsageError("missing --input FILE_OR_DIR");
    const fs::path model = args.positionals()[0];
    const fs::path converted = args.positionals()[1];
    core::EmulatorOptions options;
    options.weights = weightsFrom(args);
    options.quantizeActivations = !args.has("--float-activations");
    const std::string path = args.value("--path").value_or("fast");
    if (path != "fast" && path != "exact")
        throw UsageError("option '--path' needs fast or exact, got '" + path + "'");
    options.path = path == "exact" ? core::LnsPath::Exact : core::LnsPath::Fast;
    options.threads = args.intValue("--threads", 2, 1, 256);
    const ImageArgs image = imageArgsFrom(args);

    const core::Graph graph = loadModel(model, true);
    const core::ConvertedModel m = core::loadConverted(converted, graph);
    const core::LnsEmulator emulator = withContext(converted.string(), [&] { return core::LnsEmulator(m, options); });
    const std::vector<ModelInput> files = loadInputFolder(graph, model, *args.value("--input"), image, "input");
    std::vector<core::TensorMap> inputs;
    for (const ModelInput& f : files)
        inputs.push_back({{f.name, f.tensor}});

    StderrProgress progress;
    const SigintGuard guard(progress);
    const core::Executor reference(graph, core::ExecOptions{options.threads});
    // Layers and outputs in one pass per input: the taps compare layers, the returned maps outputs.
    std::map<std::string, core::AgreementAccumulator> outputs;
    std::map<std::string, core::PixelAgreementAccumulator> pixels;
    std::vector<core::LayerAgreement> layers;
    {
        std::vector<core::TensorMap> refOut(inputs.size()), emuOut(inputs.size());
        size_t refIndex = 0, emuIndex = 0;
        layers = withContext(model.string(), [&] {
            return core::compareLayers(
                graph,
                [&](const core::TensorMap& in, const core::TapFn& tap) {
                    progress.report(double(refIndex) / double(inputs.size()), "input " + files[refIndex].source);
                    refOut[refIndex++] = reference.run(in, tap, &progress);
                },
                emulator.graph(),
                [&](const core::TensorMap& in, const core::TapFn& tap) { emuOut[emuIndex++] = emulator.run(in, tap); },
                inputs);
        });
        for (size_t i = 0; i < inputs.size(); ++i)
            for (const auto& [name, ref] : refOut[i]) {
                const core::Tensor& got = emuOut[i].at(name);
                outputs[name].add(ref, got);
                if (ref.isFloat() && ref.rank() == 4 && ref.dim(1) >= 2 && ref.dim(1) <= 255 && ref.dim(0) == 1) {
                    auto it = pixels.try_emplace(name, static_cast<int>(ref.dim(1))).first;
                    it->second.add(core::segmentationFromLogits(ref), core::segmentationFromLogits(got));
                }
            }
    }
    progress.finish();

    // ---- report
    const int diverging = core::firstDivergingLayer(layers, kDivergeDb);
    std::string text = "Model      " + model.string() + "\nConverted  " + converted.string() + " (" + m.config.weightFormat
                       + " weights, " + (options.quantizeActivations ? m.activations.format + " activations" : "float activations")
                       + ", " + core::toString(options.path) + " path, weights at stage " + core::stageName(options.weights)
                       + ")\nInputs     " + std::to_string(inputs.size()) + " from " + *args.value("--input") + "\n\n";
    Table table({{"node"}, {"op"}, {"tensor"}, {"SQNR dB", Table::Align::Right}, {"rel L2", Table::Align::Right},
                 {"cosine", Table::Align::Right}, {"max |d|", Table::Align::Right}});
    for (const core::LayerAgreement& l : layers) {
        const core::Agreement& a = l.agreement;
        table.addRow({l.node, l.op, l.tensor, dbCell(a), a.defined ? formatFixed(a.relL2, 4) : "-",
                      a.defined ? formatFixed(a.cosine, 5) : "-", formatFixed(a.maxAbs, 4)});
    }
    text += table.render();
    Json outJson = Json::object();
    for (const auto& [name, acc] : outputs) {
        const core::Agreement a = acc.result();
        text += "\nOutput '" + name + "': SQNR " + dbCell(a) + " dB, cosine " + (a.defined ? formatFixed(a.cosine, 5) : "-")
                + ", max |d| " + formatFixed(a.maxAbs, 4);
        Json o = agreementJson(a);
        if (auto it = pixels.find(name); it != pixels.end()) {
            const core::PixelAgreement p = it->second.result();
            text += "\n  argmax agreement " + formatFixed(100.0 * p.agreement, 2) + " % of " + std::to_string(p.validPixels)
                    + " pixels, mIoU converted vs float " + formatFixed(100.0 * p.convertedVsReference.meanIoU, 2) + " %";
            o.set("pixelAgreement", p.agreement).set("pixels", p.validPixels).set("miouVsFloat", p.convertedVsReference.meanIoU);
        }
        outJson.set(name, o);
    }
    text += "\nFirst layer below " + formatFixed(kDivergeDb, 0) + " dB: "
            + (diverging < 0 ? std::string("none")
                             : layers[size_t(diverging)].node + " (" + dbCell(layers[size_t(diverging)].agreement) + " dB)")
            + "\n";
    for (const std::string& note : emulator.notes())
        text += "note: " + note + "\n";

    if (auto file = args.value("--json")) {
        Json layerJson = Json::array();
        for (const core::LayerAgreement& l : layers)
            layerJson.push(Json::object()
                               .set("node", l.node)
                               .set("op", l.op)
                               .set("tensor", l.tensor)
                               .set("agreement", agreementJson(l.agreement)));
        Json inputJson = Json::array();
        for (const ModelInput& f : files)
            inputJson.push(f.source);
        writeJsonFile(*file, Json::object()
                                 .set("model", model.string())
                                 .set("converted", converted.string())
                                 .set("weights", core::stageName(options.weights))
                                 .set("activations", options.quantizeActivations ? m.activations.format : "float32")
                                 .set("path", core::toString(options.path))
                                 .set("inputs", inputJson)
                                 .set("layers", layerJson)
                                 .set("outputs", outJson)
                                 .set("firstLayerBelow30Db", diverging < 0 ? Json() : Json(layers[size_t(diverging)].node))
                                 .set("notes", Json::arrayOf(emulator.notes())));
    }
    std::fputs(text.c_str(), stdout);
    return 0;
}

} // namespace

const Command kCompareCommand{"compare", "float model vs its converted .lnsz on the emulated LNS executor, per layer",
                              kUsage, &runCompare};

} // namespace lnscope::app
