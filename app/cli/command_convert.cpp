// lnscope-cli convert MODEL --out DIR: the whole conversion pass (BN folding → cluster compression
// → weight format), with the storage budget and the error of each stage on one evaluation input.
// Everything is written into DIR only at the end, so a failed or cancelled run leaves nothing
// that looks complete (DESIGN.md "Bad input").

#include "cli_common.h"
#include "cli_progress.h"
#include "table.h"

#include "lnscope/core/conversion_report.h"
#include "lnscope/core/converted_model.h"
#include "lnscope/core/lns_emulator.h"
#include "lnscope/core/onnx_export.h"
#include "lnscope/core/memory_budget.h"
#include "lnscope/core/number_format.h"
#include "lnscope/core/tensor_io.h"
#include "lnscope/core/tensor_metrics.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>

namespace lnscope::app {

namespace {

namespace fs = std::filesystem;
using core::Stage;

const char* const kUsage = R"(usage: lnscope-cli convert MODEL --out DIR [--format NAME] [--scale-format NAME] [--clusters K]
                         [--clusters-layer NODE=K ...] [--shared-book]
                         [--pointwise keep|scalar|subvector] [--refine] [--reassign N]
                         [--bias-correction] [--rounding nearest|feedback] [--calib FILE_OR_DIR]
                         [--config FILE] [--weight-rule absmax|minmse]
                         [--act-format NAME] [--act-rule absmax|minmse]
                         [--path fast|exact] [--sensitivity] [--budget BYTES]
                         [--input FILE] [--size WxH] [--mean r,g,b --std r,g,b] [--bgr]
                         [--seed N] [--threads N] [--json FILE]

Converts MODEL: folds batch norms, cluster-compresses the convolutions (k-means over the
kernels) and quantizes centroids, scales and the other weights to one number format. Writes
DIR/model.lnsz (the converted model), DIR/model.dequant.onnx (every weight replaced by its
decoded value: runs in any ONNX runtime) and DIR/report.json (the same data as --json), and
prints per layer: weight shape, K, bits per weight, bytes at each stage (float32, BN folded,
cluster compressed, the weight format) and the output SQNR of each stage against float32 on one
evaluation input — the last stage, "+act", also holds every activation in the activation format
(emulated LNS inference); then totals, the compression ratio, the model-output SQNR per stage and
the first layer whose SQNR drops below 30 dB. Ctrl-C cancels and writes nothing.

options:
  --out DIR             output folder (created at the end if it does not exist)
  --format NAME         weight format (default lns8): )"
                        "lns8, lns8_q3.4, lns8_q5.2, lns6, fp8_e4m3, fp8_e5m2, int8, fp16, bf16, float32"
                        R"(
  --scale-format NAME   format of the per-kernel scales (default: the weight format); with LNS
                        weights an LNS format with the same fraction bits, e.g. lns6 (Q2.3,
                        6 bits per kernel instead of 8)
  --clusters K          centroids per book (default 64); a layer uses min(K, its kernels)
  --clusters-layer NODE=K   K for one conv (per-layer books only); repeatable
  --shared-book         one book per kernel size over all compressed convs
  --pointwise P         1x1 convs: keep (default), scalar (scalar sharing), subvector
  --refine              least-squares centroid refinement on the calibration inputs
  --reassign N          with --refine: error-feedback reassignment rounds of every kernel's
                        centroid and scale before each centroid solve (default 2; 0 = plain solve)
  --bias-correction     with --refine: correct each layer's bias, in graph order, by the
                        float-minus-converted mean output per channel (default off)
  --rounding R          with --refine: how the refined centroids are rounded to the weight
                        format: nearest (each entry to its nearest code) or feedback (each
                        entry's rounding error compensated by the entries not yet rounded)
  --calib FILE_OR_DIR   calibration images or .pb tensors (a folder: every file in it); without
                        it, activations are calibrated on the evaluation input
  --config FILE         conversion settings as JSON (keys: format, scaleFormat, clusters, clustersPerLayer,
                        sharedBook, pointwise, refine, reassign, biasCorrection, correctUpstream,
                        roundingFeedback, seed,
                        weightRule, activationFormat, activationRule);
                        options given on the command line override the file
  --weight-rule R       weight parameter rule: absmax (default, spec rule) or minmse (LNS: the
                        bias with the least squared weight error)
  --act-format NAME     activation format (default lns8; "float32" keeps activations float)
  --act-rule R          activation parameter rule: absmax (default) or minmse
  --path P              emulation path of the +act stage: fast (default) or exact
  --sensitivity         also convert one layer at a time and report the output SQNR of each
  --budget BYTES        on-chip weight memory: which layers (with their book) fit, and the model
  --input FILE          evaluation input for the per-stage error (default: the first
                        calibration input, else a seeded random input)
  --size WxH            resize images to W x H (default: images must match the model input)
  --mean r,g,b, --std r,g,b, --bgr   image normalisation, as for `run`
  --seed N              k-means++ seed and random-input seed (default 1)
  --threads N           worker threads (default 2)
  --json FILE           also write the report as JSON (written atomically)
  -h, --help            show this help
)";

constexpr int kDefaultClusters = 64;
constexpr int kMaxClusters = 65536;
constexpr int kDefaultThreads = 2;
constexpr int kMaxThreads = 256;
constexpr double kDivergeDb = 30.0;

// ---- arguments ------------------------------------------------------------------------------

core::PointwisePolicy pointwiseFrom(const ParsedArgs& args)
{
    const std::string p = args.value("--pointwise").value_or("keep");
    if (p == "keep")
        return core::PointwisePolicy::Keep;
    if (p == "scalar")
        return core::PointwisePolicy::ScalarSharing;
    if (p == "subvector")
        return core::PointwisePolicy::SubVector;
    throw UsageError("option '--pointwise' needs keep, scalar or subvector, got '" + p + "'");
}

std::string formatFrom(const ParsedArgs& args, const std::string& option = "--format")
{
    const std::string name = args.value(option).value_or("lns8");
    const auto& registry = core::NumberFormatRegistry::builtin();
    if (registry.find(name))
        return name;
    std::string known;
    for (const std::string& n : registry.names())
        known += (known.empty() ? "" : ", ") + n;
    throw UsageError("unknown format '" + name + "' for option '" + option + "' (known: " + known + ")");
}

/// NODE=K values; K out of range is a usage error like --clusters, a NODE that is not a
/// compressible conv of the model is bad input (exit 1) naming the node.
std::map<std::string, int> clustersPerLayer(const ParsedArgs& args, const core::Graph& graph, const fs::path& model,
                                            core::PointwisePolicy pointwise)
{
    std::map<std::string, int> out;
    const std::vector<core::LayerShape> layers = core::layerShapesFromGraph(graph);
    for (const std::string& v : args.values("--clusters-layer")) {
        const size_t eq = v.rfind('=');
        if (eq == std::string::npos || eq == 0)
            throw UsageError("option '--clusters-layer' needs NODE=K, got '" + v + "'");
        const std::string node = v.substr(0, eq);
        const int k = parseIntArg("--clusters-layer", v.substr(eq + 1), 1, kMaxClusters);
        const auto it = std::find_if(layers.begin(), layers.end(), [&](const auto& l) { return l.name == node; });
        const bool compressible = it != layers.end() && it->op == "Conv"
                                  && (it->kernelSize() > 1 || pointwise != core::PointwisePolicy::Keep);
        if (!compressible)
            throw core::UnsupportedError(model.string() + ": --clusters-layer " + v + ": node '" + node
                                         + (it == layers.end() ? "' is not a Conv with a constant weight"
                                                               : "' is a " + it->op + " that is not cluster compressed")
                                         + " in this model");
        out[node] = k;
    }
    return out;
}

/// Refuses an --out that cannot become a folder (it, or a parent, is a file) before any work.
void checkOutFolder(const fs::path& dir)
{
    std::error_code ec;
    for (fs::path p = fs::absolute(dir, ec); !p.empty(); p = p.parent_path()) {
        if (fs::exists(p, ec)) {
            if (!fs::is_directory(p, ec))
                throw core::IoError(dir.string() + ": cannot create the output folder: " + p.string()
                                    + " is not a folder");
            return;
        }
        if (p == p.parent_path())
            return;
    }
}

// ---- inputs ---------------------------------------------------------------------------------

std::vector<ModelInput> evaluationInputs(const core::Graph& graph, const fs::path& model, const ParsedArgs& args,
                                         const std::vector<ModelInput>& calibration, uint32_t seed,
                                         const ImageArgs& image)
{
    if (auto file = args.value("--input")) {
        if (graph.inputs.size() != 1)
            return loadInputs(graph, model, {*file}, image);
        if (!fs::is_regular_file(*file))
            throw core::IoError(*file + ": no such file");
        return loadInputFolder(graph, model, *file, image, "evaluation");
    }
    if (!calibration.empty())
        return {calibration.front()};
    std::vector<ModelInput> inputs;
    for (size_t i = 0; i < graph.inputs.size(); ++i)
        inputs.push_back(withContext(model.string(),
                                     [&] { return randomInput(graph.inputs[i], seed + static_cast<uint32_t>(i), image); }));
    return inputs;
}

// ---- the report -----------------------------------------------------------------------------

struct ConvertReport
{
    fs::path model;
    core::ConvertedModel converted;
    core::ConversionReport report;
    std::string format;
    int formatBits = 8;
    std::vector<ModelInput> evaluation;
    size_t calibrationCount = 0;
    std::string calibrationSource;
    double convertMs = 0.0;
    core::LnsPath path = core::LnsPath::Fast;
    bool activationsFromEvaluation = false;
    bool sensitivity = false;
};

std::string sqnrCell(const std::optional<core::Agreement>& a)
{
    if (!a || !a->defined)
        return "-";
    return std::isinf(a->sqnrDb) ? "exact" : formatFixed(a->sqnrDb, 1);
}

Json sqnrJson(const std::optional<core::Agreement>& a)
{
    if (!a || !a->defined)
        return Json();
    return Json::object()
        .set("sqnrDb", a->sqnrDb)
        .set("exact", std::isinf(a->sqnrDb))
        .set("relL2", a->relL2)
        .set("cosine", a->cosine)
        .set("maxAbs", a->maxAbs);
}

std::optional<core::Agreement> outputAgreement(const core::StageAgreement& s, const std::string& name)
{
    const auto it = s.outputs.find(name);
    return it == s.outputs.end() ? std::nullopt : std::optional<core::Agreement>(it->second);
}

std::string divergingText(const core::StageAgreement& s)
{
    if (s.firstDiverging < 0)
        return "none";
    const core::LayerAgreement& l = s.layers[static_cast<size_t>(s.firstDiverging)];
    return l.node + " (" + l.op + ", " + formatFixed(l.agreement.sqnrDb, 1) + " dB)";
}

/// text += " label value" (built by appends: GCC 12 warns falsely on `" " + std::string&&`).
void appendItem(std::string& text, const std::string& label, const std::string& value)
{
    text.append(" ").append(label).append(" ").append(value);
}

std::string dbOrExact(double db)
{
    return std::isinf(db) ? "exact" : formatFixed(db, 1);
}

std::string renderText(const ConvertReport& r, const fs::path& out)
{
    const core::ConvertedModel& m = r.converted;
    const core::ConversionReport& rep = r.report;
    std::string text = "Model    " + r.model.string() + " (graph '" + m.original.name + "')\n";
    const std::string scales = m.config.scaleFormatName();
    text += "Format   " + r.format + " (" + std::to_string(r.formatBits) + " bits)"
            + (scales != r.format ? ", scales " + scales + " ("
                                        + std::to_string(core::NumberFormatRegistry::builtin().get(scales).bits()) + " bits)"
                                  : std::string())
            + ", K = "
            + std::to_string(m.config.clusters) + (m.config.sharedBook ? ", shared books" : ", per-layer books")
            + ", pointwise " + core::toString(m.config.pointwise)
            + (m.config.refine ? ", refined (" + std::to_string(m.config.reassignRounds) + " reassignment round(s)"
                                     + (m.config.biasCorrection ? ", bias correction" : "")
                                     + (m.config.roundingFeedback ? ", rounding with error feedback)" : ")")
                               : "")
            + "\n";
    text += "Calib    " + (r.calibrationCount ? std::to_string(r.calibrationCount) + " input(s) from " + r.calibrationSource
                                              : std::string("none")) + "\n";
    for (const ModelInput& in : r.evaluation)
        text += "Eval     " + in.name + " " + core::shapeToString(in.tensor.shape()) + " from " + in.source + "\n";
    text += "Time     " + formatFixed(r.convertMs, 1) + " ms (conversion)\n";

    std::vector<Table::Column> cols = {{"node"}, {"op"}, {"weight shape"}, {"K", Table::Align::Right},
                                       {"bits/w", Table::Align::Right}};
    for (const core::BudgetReport& b : rep.budgets)
        cols.push_back({core::stageLabel(b.stage, r.format) + " B", Table::Align::Right});
    for (const core::StageAgreement& s : rep.stages)
        cols.push_back({"SQNR " + s.label, Table::Align::Right});
    if (r.sensitivity)
        cols.push_back({"sens dB", Table::Align::Right});
    Table table(cols);
    for (const core::LayerReport& l : rep.layers) {
        std::vector<std::string> row = {l.node, l.op, l.weightShape.empty() ? "?" : core::shapeToString(l.weightShape),
                                        l.clusters ? std::to_string(l.clusters) : "-", formatFixed(l.bitsPerWeight, 2)};
        for (int64_t bytes : l.bytes)
            row.push_back(groupThousands(bytes));
        for (const auto& a : l.agreement)
            row.push_back(sqnrCell(a));
        if (r.sensitivity)
            row.push_back(l.sensitivityDb ? dbOrExact(*l.sensitivityDb) : "-");
        table.addRow(row);
    }
    const core::BudgetReport& last = rep.budgets.back();
    std::vector<std::string> total = {"total", "", "", "", formatFixed(32.0 / last.ratio, 2)};
    for (const core::BudgetReport& b : rep.budgets)
        total.push_back(groupThousands(b.total.bytes()));
    total.resize(cols.size());
    table.addRow(total);
    text += "\n" + table.render();

    text += "\nCompression (float32 weights / stored bits):";
    for (const core::BudgetReport& b : rep.budgets)
        appendItem(text, core::stageLabel(b.stage, r.format), formatFixed(b.ratio, 2) + "x");
    text += "\n  counts: " + last.counts + "\n";
    text += "  terms at " + core::stageLabel(last.stage, r.format) + ":";
    for (const auto& [name, bits] : last.total.named())
        if (bits > 0)
            appendItem(text, name, groupThousands((bits + 7) / 8) + " B;");
    text.back() = '\n';
    text += "  SQNR: each stage's layer output against the float32 model on the evaluation input (dB)\n";
    if (!m.activations.params.empty())
        text += "  +act: " + r.format + " weights and " + m.activations.format + " activations (" +
                std::to_string(m.activations.params.size()) + " tensors, emulated, " + core::toString(r.path) +
                " path" + (r.activationsFromEvaluation ? ", calibrated on the evaluation input" : "") + ")\n";
    if (r.sensitivity)
        text += "  sens: model-output SQNR with only that layer at " + r.format + " (dB)\n";
    text += "Peak activations:";
    for (const core::ActivationMemory& a : rep.activationMemory)
        appendItem(text, a.format, groupThousands(a.peak.bytes) + " B (at " + a.peak.nodeName + ");");
    text.back() = '\n';
    if (rep.fit) {
        int fitting = 0;
        for (const core::LayerFit& f : rep.fit->layers)
            fitting += f.fits ? 1 : 0;
        text += "On-chip budget " + groupThousands(rep.fit->budgetBytes) + " B: " + std::to_string(fitting) + " of "
                + std::to_string(rep.fit->layers.size()) + " layers fit alone; the whole model ("
                + groupThousands(rep.fit->totalBytes) + " B) " + (rep.fit->totalFits ? "fits" : "does not fit") + "\n";
    }
    for (const core::ValueInfo& o : m.original.outputs) {
        text += "Model output '" + o.name + "' SQNR:";
        for (const core::StageAgreement& s : rep.stages)
            appendItem(text, s.label, sqnrCell(outputAgreement(s, o.name)) + " dB");
        text += "\n";
    }
    text += "First layer below 30 dB:";
    for (const core::StageAgreement& s : rep.stages)
        appendItem(text, s.label, divergingText(s) + ";");
    text.back() = '\n';
    for (const std::string& note : rep.notes)
        text += "note: " + note + "\n";
    text += "Wrote    " + (out / "model.lnsz").string() + ", " + (out / "model.dequant.onnx").string() + ", "
            + (out / "report.json").string() + "\n";
    return text;
}

Json termsJson(const core::StorageTerms& t)
{
    Json j = Json::object();
    for (const auto& [name, bits] : t.named())
        j.set(name, bits);
    return j;
}

/// The emulated stage (weights at the format plus quantized activations), or null.
Json activationStageJson(const ConvertReport& r)
{
    const core::ConvertedModel& m = r.converted;
    const int index = r.report.stageIndex("+act");
    if (index < 0)
        return Json();
    const core::StageAgreement& s = r.report.stages[static_cast<size_t>(index)];
    Json outs = Json::object();
    for (const core::ValueInfo& o : m.original.outputs)
        outs.set(o.name, sqnrJson(outputAgreement(s, o.name)));
    return Json::object()
        .set("stage", "+act")
        .set("activationFormat", m.activations.format)
        .set("activationTensors", int64_t(m.activations.params.size()))
        .set("calibrationFrames", m.activations.frames)
        .set("calibratedOnEvaluationInput", r.activationsFromEvaluation)
        .set("path", core::toString(r.path))
        .set("outputs", outs)
        .set("firstLayerBelow30Db", s.firstDiverging < 0 ? Json() : Json(s.layers[size_t(s.firstDiverging)].node));
}

Json renderJson(const ConvertReport& r, const fs::path& out)
{
    const core::ConvertedModel& m = r.converted;
    const core::ConversionReport& rep = r.report;
    Json perLayerK = Json::object();
    for (const auto& [node, k] : m.config.clustersPerLayer)
        perLayerK.set(node, k);
    Json config = Json::object()
                      .set("format", r.format)
                      .set("formatBits", r.formatBits)
                      .set("scaleFormat", m.config.scaleFormatName())
                      .set("clusters", m.config.clusters)
                      .set("clustersPerLayer", perLayerK)
                      .set("sharedBook", m.config.sharedBook)
                      .set("pointwise", core::toString(m.config.pointwise))
                      .set("refine", m.config.refine)
                      .set("reassign", m.config.reassignRounds)
                      .set("biasCorrection", m.config.biasCorrection)
                      .set("correctUpstream", m.config.correctUpstream)
                      .set("roundingFeedback", m.config.roundingFeedback)
                      .set("seed", static_cast<int64_t>(m.config.seed))
                      .set("weightRule", m.config.weightRule == core::ParamRule::MinMse ? "minmse" : "absmax")
                      .set("activationFormat", m.config.activationFormat)
                      .set("activationRule", m.config.activationRule == core::ParamRule::MinMse ? "minmse" : "absmax")
                      .set("path", core::toString(r.path))
                      .set("threads", m.config.threads);
    Json eval = Json::array();
    for (const ModelInput& i : r.evaluation)
        eval.push(Json::object().set("name", i.name).set("source", i.source).set("shape", shapeToJson(i.tensor.shape())));
    Json stages = Json::array();
    for (const core::BudgetReport& b : rep.budgets) {
        const std::string label = core::stageLabel(b.stage, r.format);
        Json s = Json::object()
                     .set("stage", label)
                     .set("totalBits", b.total.totalBits())
                     .set("totalBytes", b.total.bytes())
                     .set("ratio", b.ratio)
                     .set("terms", termsJson(b.total));
        if (const int i = rep.stageIndex(label); i >= 0) {
            const core::StageAgreement& a = rep.stages[static_cast<size_t>(i)];
            Json outs = Json::object();
            for (const core::ValueInfo& o : m.original.outputs)
                outs.set(o.name, sqnrJson(outputAgreement(a, o.name)));
            s.set("outputs", outs);
            s.set("firstLayerBelow30Db", a.firstDiverging < 0 ? Json() : Json(a.layers[size_t(a.firstDiverging)].node));
        }
        stages.push(s);
    }
    Json layers = Json::array();
    for (const core::LayerReport& l : rep.layers) {
        Json bytes = Json::object();
        for (size_t i = 0; i < rep.budgets.size(); ++i)
            bytes.set(core::stageLabel(rep.budgets[i].stage, r.format), l.bytes[i]);
        Json sqnr = Json::object();
        for (size_t i = 0; i < rep.stages.size(); ++i)
            sqnr.set(rep.stages[i].label, sqnrJson(l.agreement[i]));
        layers.push(Json::object()
                        .set("node", l.node)
                        .set("op", l.op)
                        .set("tensor", l.tensor)
                        .set("weightShape", l.weightShape.empty() ? Json() : shapeToJson(l.weightShape))
                        .set("clustered", l.clustered)
                        .set("clusters", l.clusters)
                        .set("weights", l.weights)
                        .set("bitsPerWeight", l.bitsPerWeight)
                        .set("bytes", bytes)
                        .set("sqnr", sqnr)
                        .set("sensitivityDb", !l.sensitivityDb ? Json()
                                              : std::isinf(*l.sensitivityDb) ? Json("exact") : Json(*l.sensitivityDb)));
    }
    Json memory = Json::array();
    for (const core::ActivationMemory& a : rep.activationMemory)
        memory.push(Json::object()
                        .set("format", a.format)
                        .set("bytesPerElement", a.bytesPerElement)
                        .set("peakBytes", a.peak.bytes)
                        .set("peakElements", a.peak.elements)
                        .set("atNode", a.peak.nodeName));
    Json fit;
    if (rep.fit) {
        Json perLayer = Json::array();
        for (const core::LayerFit& f : rep.fit->layers)
            perLayer.push(Json::object().set("node", f.name).set("bytes", f.bytes).set("fits", f.fits));
        fit = Json::object()
                  .set("budgetBytes", rep.fit->budgetBytes)
                  .set("totalBytes", rep.fit->totalBytes)
                  .set("totalFits", rep.fit->totalFits)
                  .set("layers", perLayer);
    }
    return Json::object()
        .set("model", r.model.string())
        .set("graph", m.original.name)
        .set("config", config)
        .set("calibration", Json::object().set("source", r.calibrationSource).set("count", int64_t(r.calibrationCount)))
        .set("evaluationInputs", eval)
        .set("convertMs", r.convertMs)
        .set("counts", rep.budgets.back().counts)
        .set("stages", stages)
        .set("layers", layers)
        .set("activationStage", activationStageJson(r))
        .set("activationMemory", memory)
        .set("onChipBudget", fit)
        .set("notes", Json::arrayOf(rep.notes))
        .set("files", Json::object()
                          .set("model", (out / "model.lnsz").string())
                          .set("dequantizedOnnx", (out / "model.dequant.onnx").string())
                          .set("report", (out / "report.json").string()));
}

/// Writes DIR/model.lnsz, DIR/model.dequant.onnx and DIR/report.json (each atomically); DIR is
/// created only now.
void writeOutputs(const fs::path& dir, const ConvertReport& r, const Json& json)
{
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec || !fs::is_directory(dir))
        throw core::IoError(dir.string() + ": cannot create the output folder" + (ec ? ": " + ec.message() : ""));
    core::saveConverted(r.converted, dir / "model.lnsz");
    core::OnnxExportOptions onnx;
    onnx.producerVersion = LNSCOPE_VERSION;
    onnx.docString = "weights dequantized from " + r.format + " by lnscope-cli convert (activations stay float)";
    onnx.metadata["lnscope.weightFormat"] = r.format;
    onnx.metadata["lnscope.clusters"] = std::to_string(r.converted.config.clusters);
    core::writeOnnx(r.converted.graphForStage(Stage::Lns8), dir / "model.dequant.onnx", onnx);
    writeJsonFile(dir / "report.json", json);
}

/// The conversion settings: --config FILE first, then every option given on the command line.
core::ConversionConfig configFrom(const ParsedArgs& args)
{
    core::ConversionConfig config;
    if (auto file = args.value("--config"))
        config = core::readConversionConfig(*file);
    if (args.has("--format"))
        config.weightFormat = formatFrom(args);
    if (args.has("--scale-format"))
        config.scaleFormat = formatFrom(args, "--scale-format");
    try {
        const auto& registry = core::NumberFormatRegistry::builtin();
        core::checkScaleFormat(registry.get(config.weightFormat), registry.get(config.scaleFormatName()));
    } catch (const core::Error& e) {
        throw UsageError(e.what());
    }
    if (args.has("--clusters"))
        config.clusters = args.intValue("--clusters", kDefaultClusters, 1, kMaxClusters);
    if (args.has("--shared-book"))
        config.sharedBook = true;
    if (args.has("--pointwise"))
        config.pointwise = pointwiseFrom(args);
    if (args.has("--refine"))
        config.refine = true;
    if (args.has("--reassign"))
        config.reassignRounds = args.intValue("--reassign", 2, 0, 16);
    if (args.has("--bias-correction"))
        config.biasCorrection = true;
    if (auto rounding = args.value("--rounding")) {
        if (*rounding != "nearest" && *rounding != "feedback")
            throw UsageError("option '--rounding' needs nearest or feedback, got '" + *rounding + "'");
        config.roundingFeedback = *rounding == "feedback";
    }
    if (args.has("--seed"))
        config.seed = static_cast<uint32_t>(args.intValue("--seed", 1, 0, 2147483647));
    if (auto f = args.value("--act-format")) {
        if (*f != "float32" && !core::NumberFormatRegistry::builtin().find(*f))
            throw UsageError("unknown format '" + *f + "' for option '--act-format'");
        config.activationFormat = *f == "float32" ? "" : *f;
    }
    if (auto rule = args.value("--weight-rule")) {
        if (*rule != "absmax" && *rule != "minmse")
            throw UsageError("option '--weight-rule' needs absmax or minmse, got '" + *rule + "'");
        config.weightRule = *rule == "minmse" ? core::ParamRule::MinMse : core::ParamRule::AbsMax;
    }
    if (auto rule = args.value("--act-rule")) {
        if (*rule != "absmax" && *rule != "minmse")
            throw UsageError("option '--act-rule' needs absmax or minmse, got '" + *rule + "'");
        config.activationRule = *rule == "minmse" ? core::ParamRule::MinMse : core::ParamRule::AbsMax;
    }
    config.threads = args.intValue("--threads", kDefaultThreads, 1, kMaxThreads);
    if (config.sharedBook && !config.clustersPerLayer.empty())
        throw UsageError("per-layer K (--clusters-layer or clustersPerLayer) needs per-layer books; drop the shared book");
    return config;
}

core::LnsPath pathFrom(const ParsedArgs& args)
{
    const std::string p = args.value("--path").value_or("fast");
    if (p != "fast" && p != "exact")
        throw UsageError("option '--path' needs fast or exact, got '" + p + "'");
    return p == "exact" ? core::LnsPath::Exact : core::LnsPath::Fast;
}

int runConvert(const std::vector<std::string>& argv)
{
    std::vector<OptionSpec> specs = {
        {"--out", "", true, false},          {"--format", "", true, false},   {"--clusters", "", true, false},
        {"--scale-format", "", true, false},
        {"--clusters-layer", "", true, true}, {"--shared-book", "", false, false}, {"--pointwise", "", true, false},
        {"--refine", "", false, false},      {"--calib", "", true, false},    {"--input", "", true, false},
        {"--reassign", "", true, false},     {"--bias-correction", "", false, false},
        {"--rounding", "", true, false},
        {"--seed", "", true, false},         {"--threads", "", true, false},  {"--json", "", true, false},
        {"--config", "", true, false},       {"--act-format", "", true, false}, {"--weight-rule", "", true, false}, {"--act-rule", "", true, false},
        {"--path", "", true, false},         {"--sensitivity", "", false, false}, {"--budget", "", true, false},
        {"--help", "-h", false, false}};
    for (OptionSpec& s : imageOptionSpecs())
        specs.push_back(s);
    const ParsedArgs args = parseArgs(argv, specs);
    if (!args.has("--out"))
        throw UsageError("missing --out DIR");
    if (args.has("--clusters-layer") && args.has("--shared-book"))
        throw UsageError("--clusters-layer needs per-layer books; drop --shared-book");
    core::ConversionConfig config = configFrom(args);
    const ImageArgs image = imageArgsFrom(args);
    const fs::path model = args.singlePositional("MODEL");
    const fs::path out = *args.value("--out");
    checkOutFolder(out);

    ConvertReport r;
    r.model = model;
    r.path = pathFrom(args);
    r.format = config.weightFormat;
    r.formatBits = core::NumberFormatRegistry::builtin().get(r.format).bits();
    const core::Graph graph = loadModel(model, true);
    for (const auto& [node, k] : clustersPerLayer(args, graph, model, config.pointwise))
        config.clustersPerLayer[node] = k;
    std::vector<ModelInput> calibration;
    if (auto calib = args.value("--calib")) {
        calibration = loadInputFolder(graph, model, *calib, image, "calibration");
        r.calibrationSource = *calib;
    }
    r.calibrationCount = calibration.size();
    r.evaluation = evaluationInputs(graph, model, args, calibration, config.seed, image);
    std::vector<core::TensorMap> calibMaps;
    for (const ModelInput& c : calibration)
        calibMaps.push_back({{c.name, c.tensor}});
    // Without --calib, activations (not refinement) are calibrated on the evaluation input.
    r.activationsFromEvaluation = calibMaps.empty() && !config.activationFormat.empty();

    StderrProgress progress;
    const SigintGuard guard(progress);
    const auto start = std::chrono::steady_clock::now();
    r.converted = withContext(model.string(), [&] {
        if (!r.activationsFromEvaluation)
            return core::convertModel(graph, config, calibMaps, &progress);
        core::ConversionConfig noActs = config;
        noActs.activationFormat.clear();
        core::ConvertedModel m = core::convertModel(graph, noActs, calibMaps, &progress);
        m.config.activationFormat = config.activationFormat;
        m.activations = core::calibrateActivations(m.graphForStage(Stage::Lns8), {toTensorMap(r.evaluation)},
                                                   core::NumberFormatRegistry::builtin().get(config.activationFormat),
                                                   config.activationRule, config.threads, &progress);
        return m;
    });
    r.convertMs = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    core::ConversionReportOptions reportOptions;
    reportOptions.threads = config.threads;
    reportOptions.path = r.path;
    reportOptions.sensitivity = r.sensitivity = args.has("--sensitivity");
    reportOptions.divergeDb = kDivergeDb;
    if (auto budget = args.value("--budget"))
        reportOptions.onChipBudgetBytes = parseIntArg("--budget", *budget, 1, 2147483647);
    r.report = withContext(model.string(), [&] {
        return core::buildConversionReport(r.converted, {toTensorMap(r.evaluation)}, reportOptions, &progress);
    });
    progress.finish();
    progress.checkCancelled();

    const Json json = renderJson(r, out);
    writeOutputs(out, r, json);
    if (auto file = args.value("--json"))
        writeJsonFile(*file, json);
    std::fputs(renderText(r, out).c_str(), stdout);
    return 0;
}

} // namespace

const Command kConvertCommand{"convert", "convert a model (BN folding, clustering, weight format); sizes and SQNR per stage",
                              kUsage, &runConvert};

} // namespace lnscope::app
