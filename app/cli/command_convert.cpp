// lnscope-cli convert MODEL --out DIR: the whole conversion pass (BN folding → cluster compression
// → weight format), with the storage budget and the error of each stage on one evaluation input.
// Everything is written into DIR only at the end, so a failed or cancelled run leaves nothing
// that looks complete (DESIGN.md "Bad input").

#include "cli_common.h"
#include "cli_progress.h"
#include "table.h"

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

const char* const kUsage = R"(usage: lnscope-cli convert MODEL --out DIR [--format NAME] [--clusters K]
                         [--clusters-layer NODE=K ...] [--shared-book]
                         [--pointwise keep|scalar|subvector] [--refine] [--calib FILE_OR_DIR]
                         [--config FILE] [--weight-rule absmax|minmse]
                         [--act-format NAME] [--act-rule absmax|minmse]
                         [--path fast|exact] [--sensitivity]
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
                        "lns8, lns8_q3.4, lns8_q5.2, fp8_e4m3, fp8_e5m2, int8, fp16, bf16, float32"
                        R"(
  --clusters K          centroids per book (default 64); a layer uses min(K, its kernels)
  --clusters-layer NODE=K   K for one conv (per-layer books only); repeatable
  --shared-book         one book per kernel size over all compressed convs
  --pointwise P         1x1 convs: keep (default), scalar (scalar sharing), subvector
  --refine              least-squares centroid refinement on the calibration inputs
  --calib FILE_OR_DIR   calibration images or .pb tensors (a folder: every file in it); without
                        it, activations are calibrated on the evaluation input
  --config FILE         conversion settings as JSON (keys: format, clusters, clustersPerLayer,
                        sharedBook, pointwise, refine, seed, weightRule, activationFormat,
                        activationRule);
                        options given on the command line override the file
  --weight-rule R       weight parameter rule: absmax (default, spec rule) or minmse (LNS: the
                        bias with the least squared weight error)
  --act-format NAME     activation format (default lns8; "float32" keeps activations float)
  --act-rule R          activation parameter rule: absmax (default) or minmse
  --path P              emulation path of the +act stage: fast (default) or exact
  --sensitivity         also convert one layer at a time and report the output SQNR of each
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
constexpr Stage kStages[] = {Stage::Float32, Stage::BatchNormFolded, Stage::ClusterCompressed, Stage::Lns8};
constexpr Stage kComparedStages[] = {Stage::BatchNormFolded, Stage::ClusterCompressed, Stage::Lns8};

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

std::string formatFrom(const ParsedArgs& args)
{
    const std::string name = args.value("--format").value_or("lns8");
    const auto& registry = core::NumberFormatRegistry::builtin();
    if (registry.find(name))
        return name;
    std::string known;
    for (const std::string& n : registry.names())
        known += (known.empty() ? "" : ", ") + n;
    throw UsageError("unknown format '" + name + "' for option '--format' (known: " + known + ")");
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

struct StageError
{
    Stage stage;
    bool activations = false; ///< the emulated stage: weights at `stage` plus quantized activations
    std::map<std::string, core::Agreement> byTensor; ///< per output tensor (shared names)
    std::vector<core::LayerAgreement> layers;
    int firstDiverging = -1;
};

struct ConvertReport
{
    fs::path model;
    core::ConvertedModel converted;
    std::string format;
    int formatBits = 8;
    std::vector<core::BudgetReport> budgets; ///< kStages order; the last one at the weight format
    std::vector<StageError> errors;          ///< kComparedStages order, then the emulated stage
    std::vector<core::LayerSensitivity> sensitivity; ///< empty unless --sensitivity
    core::LnsPath path = core::LnsPath::Fast;
    bool activationsFromEvaluation = false;
    std::vector<ModelInput> evaluation;
    size_t calibrationCount = 0;
    std::string calibrationSource;
    double convertMs = 0.0;
};

std::vector<core::BudgetReport> budgets(const core::ConvertedModel& m, int formatBits)
{
    core::StorageConfig config;
    config.clusters = m.config.clusters;
    config.clustersPerLayer = m.config.clustersPerLayer;
    config.bookScope = m.config.sharedBook ? core::BookScope::SharedPerKernelSize : core::BookScope::PerLayer;
    config.scaleBits = formatBits; // per-kernel scales are stored as weight-format codes
    config.compress1x1 = m.config.pointwise != core::PointwisePolicy::Keep;
    for (const core::ConvertedLayer& l : m.layers)
        if (!l.clustered)
            config.keepUncompressed.insert(l.node);
    const std::vector<core::LayerShape> shapes = core::layerShapesFromGraph(m.original);
    std::vector<core::BudgetReport> out;
    for (Stage s : kStages) {
        core::StorageConfig c = config.forStage(s);
        if (s == Stage::Lns8) // the last stage is the chosen weight format, not necessarily 8 bits
            c.centroidBits = c.weightBits = c.scaleBits = formatBits;
        out.push_back(core::storageBudget(shapes, c, s));
    }
    return out;
}

std::vector<StageError> stageErrors(const core::ConvertedModel& m, const std::vector<ModelInput>& evaluation,
                                    int threads, core::LnsPath path, const core::CancelFlag& cancel)
{
    const core::ExecOptions options{threads};
    const core::Executor reference(m.original, options);
    const std::vector<core::TensorMap> inputs{toTensorMap(evaluation)};
    std::vector<StageError> out;
    for (Stage s : kComparedStages) {
        cancel.checkCancelled();
        const core::Executor other(m.graphForStage(s), options);
        StageError e{s, false, {}, core::compareLayers(reference, other, inputs), -1};
        for (const core::LayerAgreement& l : e.layers)
            e.byTensor[l.tensor] = l.agreement;
        e.firstDiverging = core::firstDivergingLayer(e.layers, kDivergeDb);
        out.push_back(std::move(e));
    }
    if (m.activations.params.empty())
        return out;
    cancel.checkCancelled();
    core::EmulatorOptions emuOptions;
    emuOptions.path = path;
    emuOptions.threads = threads;
    const core::LnsEmulator emulator(m, emuOptions);
    StageError e{Stage::Lns8, true,
                 {},
                 core::compareLayers(
                     reference.graph(), [&](const core::TensorMap& in, const core::TapFn& tap) { reference.run(in, tap); },
                     emulator.graph(), [&](const core::TensorMap& in, const core::TapFn& tap) { emulator.run(in, tap); },
                     inputs),
                 -1};
    for (const core::LayerAgreement& l : e.layers)
        e.byTensor[l.tensor] = l.agreement;
    e.firstDiverging = core::firstDivergingLayer(e.layers, kDivergeDb);
    out.push_back(std::move(e));
    return out;
}

std::string stageLabel(Stage s, const std::string& format)
{
    switch (s) {
    case Stage::Float32: return "float32";
    case Stage::BatchNormFolded: return "BNF";
    case Stage::ClusterCompressed: return "CC";
    case Stage::Lns8: return format == "lns8" ? "LNS8" : format;
    }
    return "?";
}

/// The tensor a layer writes in the folded graph (a folded BN's output keeps its name).
std::string layerTensor(const core::ConvertedModel& m, const std::string& node)
{
    for (const core::Node& n : m.folded.nodes)
        if (n.name == node && !n.outputs.empty())
            return n.outputs.front();
    return {};
}

std::string errorLabel(const StageError& e, const std::string& format)
{
    return e.activations ? "+act" : stageLabel(e.stage, format);
}

const core::Agreement* agreementOf(const StageError& e, const std::string& tensor)
{
    const auto it = e.byTensor.find(tensor);
    return it == e.byTensor.end() ? nullptr : &it->second;
}

std::string sqnrCell(const core::Agreement* a)
{
    if (!a || !a->defined)
        return "-";
    return std::isinf(a->sqnrDb) ? "exact" : formatFixed(a->sqnrDb, 1);
}

Json sqnrJson(const core::Agreement* a)
{
    if (!a || !a->defined)
        return Json();
    return Json::object()
        .set("sqnrDb", a->sqnrDb)
        .set("exact", std::isinf(a->sqnrDb))
        .set("relL2", a->relL2)
        .set("maxAbs", a->maxAbs);
}

int64_t layerClusters(const core::ConvertedModel& m, const std::string& node)
{
    const core::ConvertedLayer* l = m.layer(node);
    return l && l->clustered ? l->kernels.clusters : 0;
}

double bitsPerWeight(const core::LayerBudget& l)
{
    const int64_t n = l.shape.weightCount();
    return n > 0 ? static_cast<double>(l.terms.totalBits()) / static_cast<double>(n) : 0.0;
}

std::string divergingText(const StageError& e)
{
    if (e.firstDiverging < 0)
        return "none";
    const core::LayerAgreement& l = e.layers[static_cast<size_t>(e.firstDiverging)];
    return l.node + " (" + l.op + ", " + formatFixed(l.agreement.sqnrDb, 1) + " dB)";
}

/// text += " label value" (built by appends: GCC 12 warns falsely on `" " + std::string&&`).
void appendItem(std::string& text, const std::string& label, const std::string& value)
{
    text.append(" ").append(label).append(" ").append(value);
}

std::string sensitivityCell(const ConvertReport& r, const std::string& node)
{
    for (const core::LayerSensitivity& s : r.sensitivity)
        if (s.node == node)
            return std::isinf(s.outputSqnrDb) ? "exact" : std::isnan(s.outputSqnrDb) ? "-" : formatFixed(s.outputSqnrDb, 1);
    return "-";
}

std::string renderText(const ConvertReport& r, const fs::path& out)
{
    const core::ConvertedModel& m = r.converted;
    std::string text = "Model    " + r.model.string() + " (graph '" + m.original.name + "')\n";
    text += "Format   " + r.format + " (" + std::to_string(r.formatBits) + " bits), K = "
            + std::to_string(m.config.clusters) + (m.config.sharedBook ? ", shared books" : ", per-layer books")
            + ", pointwise " + core::toString(m.config.pointwise) + (m.config.refine ? ", refined" : "") + "\n";
    text += "Calib    " + (r.calibrationCount ? std::to_string(r.calibrationCount) + " input(s) from " + r.calibrationSource
                                              : std::string("none")) + "\n";
    for (const ModelInput& in : r.evaluation)
        text += "Eval     " + in.name + " " + core::shapeToString(in.tensor.shape()) + " from " + in.source + "\n";
    text += "Time     " + formatFixed(r.convertMs, 1) + " ms (conversion)\n";

    std::vector<Table::Column> cols = {{"node"}, {"op"}, {"weight shape"}, {"K", Table::Align::Right},
                                       {"bits/w", Table::Align::Right}};
    for (Stage s : kStages)
        cols.push_back({stageLabel(s, r.format) + " B", Table::Align::Right});
    for (const StageError& e : r.errors)
        cols.push_back({"SQNR " + errorLabel(e, r.format), Table::Align::Right});
    if (!r.sensitivity.empty())
        cols.push_back({"sens dB", Table::Align::Right});
    Table table(cols);
    const core::BudgetReport& last = r.budgets.back();
    for (size_t i = 0; i < last.layers.size(); ++i) {
        const core::LayerBudget& l = last.layers[i];
        const core::ConvertedLayer* cl = m.layer(l.shape.name);
        const int64_t k = layerClusters(m, l.shape.name);
        std::vector<std::string> row = {l.shape.name, l.shape.op, cl ? core::shapeToString(cl->weightShape) : "?",
                                        k ? std::to_string(k) : "-", formatFixed(bitsPerWeight(l), 2)};
        for (const core::BudgetReport& b : r.budgets)
            row.push_back(groupThousands(b.layers[i].terms.bytes()));
        const std::string tensor = layerTensor(m, l.shape.name);
        for (const StageError& e : r.errors)
            row.push_back(sqnrCell(agreementOf(e, tensor)));
        if (!r.sensitivity.empty())
            row.push_back(sensitivityCell(r, l.shape.name));
        table.addRow(row);
    }
    std::vector<std::string> total = {"total", "", "", "", formatFixed(32.0 / last.ratio, 2)};
    for (const core::BudgetReport& b : r.budgets)
        total.push_back(groupThousands(b.total.bytes()));
    total.resize(cols.size());
    table.addRow(total);
    text += "\n" + table.render();

    text += "\nCompression (float32 weights / stored bits):";
    for (const core::BudgetReport& b : r.budgets)
        appendItem(text, stageLabel(b.stage, r.format), formatFixed(b.ratio, 2) + "x");
    text += "\n  counts: " + last.counts + "\n";
    text += "  SQNR: each stage's layer output against the float32 model on the evaluation input (dB)\n";
    if (!m.activations.params.empty())
        text += "  +act: " + r.format + " weights and " + m.activations.format + " activations (" +
                std::to_string(m.activations.params.size()) + " tensors, emulated, " + core::toString(r.path) +
                " path" + (r.activationsFromEvaluation ? ", calibrated on the evaluation input" : "") + ")\n";
    if (!r.sensitivity.empty())
        text += "  sens: model-output SQNR with only that layer at " + r.format + " (dB)\n";
    for (const core::ValueInfo& o : m.original.outputs) {
        text += "Model output '" + o.name + "' SQNR:";
        for (const StageError& e : r.errors)
            appendItem(text, errorLabel(e, r.format), sqnrCell(agreementOf(e, o.name)) + " dB");
        text += "\n";
    }
    text += "First layer below " + formatFixed(kDivergeDb, 0) + " dB:";
    for (const StageError& e : r.errors)
        appendItem(text, errorLabel(e, r.format), divergingText(e) + ";");
    text.back() = '\n';
    for (const std::string& note : m.notes)
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

Json sensitivityJson(const ConvertReport& r, const std::string& node)
{
    for (const core::LayerSensitivity& s : r.sensitivity)
        if (s.node == node && !std::isnan(s.outputSqnrDb))
            return std::isinf(s.outputSqnrDb) ? Json("exact") : Json(s.outputSqnrDb);
    return Json();
}

/// The emulated stage (weights at the format plus quantized activations), or null.
Json activationStageJson(const ConvertReport& r)
{
    const core::ConvertedModel& m = r.converted;
    for (const StageError& e : r.errors) {
        if (!e.activations)
            continue;
        Json outs = Json::object();
        for (const core::ValueInfo& o : m.original.outputs)
            outs.set(o.name, sqnrJson(agreementOf(e, o.name)));
        return Json::object()
            .set("stage", "+act")
            .set("activationFormat", m.activations.format)
            .set("activationTensors", int64_t(m.activations.params.size()))
            .set("calibrationFrames", m.activations.frames)
            .set("calibratedOnEvaluationInput", r.activationsFromEvaluation)
            .set("path", core::toString(r.path))
            .set("outputs", outs)
            .set("firstLayerBelow30Db", e.firstDiverging < 0 ? Json() : Json(e.layers[size_t(e.firstDiverging)].node));
    }
    return Json();
}

Json renderJson(const ConvertReport& r, const fs::path& out)
{
    const core::ConvertedModel& m = r.converted;
    Json perLayerK = Json::object();
    for (const auto& [node, k] : m.config.clustersPerLayer)
        perLayerK.set(node, k);
    Json config = Json::object()
                      .set("format", r.format)
                      .set("formatBits", r.formatBits)
                      .set("clusters", m.config.clusters)
                      .set("clustersPerLayer", perLayerK)
                      .set("sharedBook", m.config.sharedBook)
                      .set("pointwise", core::toString(m.config.pointwise))
                      .set("refine", m.config.refine)
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
    for (const core::BudgetReport& b : r.budgets) {
        Json s = Json::object()
                     .set("stage", stageLabel(b.stage, r.format))
                     .set("totalBits", b.total.totalBits())
                     .set("totalBytes", b.total.bytes())
                     .set("ratio", b.ratio)
                     .set("terms", termsJson(b.total));
        for (const StageError& e : r.errors) {
            if (e.stage != b.stage || e.activations)
                continue;
            Json outs = Json::object();
            for (const core::ValueInfo& o : m.original.outputs)
                outs.set(o.name, sqnrJson(agreementOf(e, o.name)));
            s.set("outputs", outs);
            s.set("firstLayerBelow30Db", e.firstDiverging < 0 ? Json() : Json(e.layers[size_t(e.firstDiverging)].node));
        }
        stages.push(s);
    }
    Json layers = Json::array();
    const core::BudgetReport& last = r.budgets.back();
    for (size_t i = 0; i < last.layers.size(); ++i) {
        const core::LayerBudget& l = last.layers[i];
        const core::ConvertedLayer* cl = m.layer(l.shape.name);
        Json bytes = Json::object();
        for (const core::BudgetReport& b : r.budgets)
            bytes.set(stageLabel(b.stage, r.format), b.layers[i].terms.bytes());
        Json sqnr = Json::object();
        const std::string tensor = layerTensor(m, l.shape.name);
        for (const StageError& e : r.errors)
            sqnr.set(errorLabel(e, r.format), sqnrJson(agreementOf(e, tensor)));
        layers.push(Json::object()
                        .set("node", l.shape.name)
                        .set("op", l.shape.op)
                        .set("tensor", tensor)
                        .set("weightShape", cl ? shapeToJson(cl->weightShape) : Json())
                        .set("clustered", cl && cl->clustered)
                        .set("clusters", layerClusters(m, l.shape.name))
                        .set("weights", l.shape.weightCount())
                        .set("bitsPerWeight", bitsPerWeight(l))
                        .set("bytes", bytes)
                        .set("sqnr", sqnr)
                        .set("sensitivityDb", sensitivityJson(r, l.shape.name)));
    }
    return Json::object()
        .set("model", r.model.string())
        .set("graph", m.original.name)
        .set("config", config)
        .set("calibration", Json::object().set("source", r.calibrationSource).set("count", int64_t(r.calibrationCount)))
        .set("evaluationInputs", eval)
        .set("convertMs", r.convertMs)
        .set("counts", last.counts)
        .set("stages", stages)
        .set("layers", layers)
        .set("activationStage", activationStageJson(r))
        .set("notes", Json::arrayOf(m.notes))
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
    if (args.has("--clusters"))
        config.clusters = args.intValue("--clusters", kDefaultClusters, 1, kMaxClusters);
    if (args.has("--shared-book"))
        config.sharedBook = true;
    if (args.has("--pointwise"))
        config.pointwise = pointwiseFrom(args);
    if (args.has("--refine"))
        config.refine = true;
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
        {"--clusters-layer", "", true, true}, {"--shared-book", "", false, false}, {"--pointwise", "", true, false},
        {"--refine", "", false, false},      {"--calib", "", true, false},    {"--input", "", true, false},
        {"--seed", "", true, false},         {"--threads", "", true, false},  {"--json", "", true, false},
        {"--config", "", true, false},       {"--act-format", "", true, false}, {"--weight-rule", "", true, false}, {"--act-rule", "", true, false},
        {"--path", "", true, false},         {"--sensitivity", "", false, false},
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
    progress.report(1.0, "measuring the error of each stage");
    r.errors = withContext(model.string(), [&] { return stageErrors(r.converted, r.evaluation, config.threads, r.path, progress); });
    if (args.has("--sensitivity"))
        r.sensitivity = withContext(model.string(), [&] {
            return core::layerSensitivity(r.converted, {toTensorMap(r.evaluation)}, Stage::Lns8, config.threads, &progress);
        });
    r.budgets = budgets(r.converted, r.formatBits);
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
