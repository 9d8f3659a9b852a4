// lnscope-cli evaluate / merge: float and converted on every frame of a dataset in one pass, with
// shards whose outputs are additive counts that `merge` combines into the final metrics
// (core/include/lnscope/core/evaluation.h).

#include "cli_common.h"
#include "cli_progress.h"
#include "table.h"

#include "lnscope/core/conversion_report.h"
#include "lnscope/core/converted_model.h"
#include "lnscope/core/evaluation.h"
#include "lnscope/core/evaluation_text.h"
#include "lnscope/core/json.h"

#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>

namespace lnscope::app {

namespace {

namespace fs = std::filesystem;

const char* const kEvaluateUsage = R"(usage: lnscope-cli evaluate --model MODEL --data DIR [--adapter FILE]
                         [--convert CONFIG|default | --converted MODEL.lnsz] [--calib-frames N]
                         [--calib-data DIR] [--float-outputs NAME[,NAME...]]
                         [--path fast|exact] [--shard I/N] [--threads N] [--json FILE]

Runs MODEL (float32) and, with --convert or --converted, its converted form on the emulated LNS
executor on every frame of the dataset DIR (KITTI layout: image_2/ [image_3/ label_2/ calib/
semantic/], or a folder of images), in one pass, and reports the task metrics of both: for a
segmentation adapter mIoU and per-class IoU against the labels, pixel agreement and mIoU of
converted vs float; for a stereo3d adapter KITTI AP|R40 (BEV and 3-D, Car/Pedestrian/Cyclist,
Easy/Moderate/Hard) and the float-vs-converted box matching; for every model the SQNR of the
outputs. The JSON holds additive counts, so shards (--shard I/N: frames of block I of N, I from 0)
can run as separate jobs and `lnscope-cli merge` combines them into the metrics of one pass.

options:
  --model MODEL          the float ONNX model
  --data DIR             the dataset
  --adapter FILE         task adapter JSON (default: dense, every output compared element-wise)
  --convert CONFIG       convert MODEL first: a conversion config JSON (see `convert --help`), or
                         "default" (BN folding + per-layer K = 64 + LNS8 Q4.3 + refinement);
                         calibrated on the first --calib-frames frames of the whole dataset, so
                         every shard converts identically
  --converted FILE       a model.lnsz written by `convert` from MODEL instead
  --calib-frames N       calibration frames for --convert (default 8)
  --calib-data DIR       take the calibration frames from DIR (same layout) instead of the
                         evaluated dataset: held-out calibration, e.g. a split made by `synth`
  --float-outputs NAMES  diagnosis: the converted run takes these model outputs (comma-separated)
                         from the float run, so the converted metrics show what the other outputs'
                         conversion costs (e.g. a stereo model's depth heads alone)
  --path P               emulation path: fast (default) or exact
  --shard I/N            evaluate only block I (0..N-1) of N contiguous blocks of frames
  --threads N            worker threads (default 2)
  --json FILE            write the counts and metrics as JSON (written atomically)
  -h, --help             show this help
)";

const char* const kMergeUsage = R"(usage: lnscope-cli merge SHARD.json... [--json FILE]

Combines the JSON files of `lnscope-cli evaluate --shard I/N` runs (same model, adapter, dataset
and conversion) into the metrics of one pass over all their frames: the shards' counts
(intersections and unions per class, per-threshold true/false positives with scores, box-matching
sums) are added, then the metrics are computed once. Refuses shards of different runs, shards that
share a frame, and files that are not evaluate outputs.

options:
  --json FILE     write the merged counts and metrics as JSON (written atomically)
  -h, --help      show this help
)";

Json metricsJson(const core::EvaluationMetrics& m)
{
    auto num = [](double v) { return std::isnan(v) ? Json() : Json(v); };
    Json classes = Json::array();
    for (size_t i = 0; i < m.classNames.size(); ++i)
        classes.push(Json::object()
                         .set("name", m.classNames[i])
                         .set("floatIou", i < m.floatClassIou.size() ? num(m.floatClassIou[i]) : Json())
                         .set("convertedIou", i < m.convertedClassIou.size() ? num(m.convertedClassIou[i]) : Json()));
    auto apCells = [&](const std::vector<core::DetApResult>& cells) {
        Json a = Json::array();
        for (const core::DetApResult& r : cells)
            a.push(Json::object()
                       .set("class", r.className)
                       .set("difficulty", core::difficultyName(r.difficulty))
                       .set("metric", core::detMetricName(r.metric))
                       .set("iou", r.iouThreshold)
                       .set("groundTruth", r.groundTruth)
                       .set("detections", r.detections)
                       .set("truePositives", r.truePositives)
                       .set("apR40", num(r.apR40))
                       .set("apR11", num(r.apR11)));
        return a;
    };
    const double pairs = double(std::max<int64_t>(m.boxes.pairs, 1));
    return Json::object()
        .set("frames", m.frames)
        .set("floatMiou", num(m.floatMiou))
        .set("convertedMiou", num(m.convertedMiou))
        .set("classes", classes)
        .set("pixelAgreement", num(m.pixelAgreement))
        .set("miouConvertedVsFloat", num(m.miouConvertedVsFloat))
        .set("floatCarBevApR40Iou50", num(m.floatCarBevAp50))
        .set("convertedCarBevApR40Iou50", num(m.convertedCarBevAp50))
        .set("floatCarBevApR40Iou70", num(m.floatCarBevAp70))
        .set("convertedCarBevApR40Iou70", num(m.convertedCarBevAp70))
        .set("floatCar3dApR40Iou50", num(m.floatCar3dAp50))
        .set("convertedCar3dApR40Iou50", num(m.convertedCar3dAp50))
        .set("floatAp", apCells(m.floatAp))
        .set("convertedAp", apCells(m.convertedAp))
        .set("boxMatching", Json::object()
                                .set("pairs", m.boxes.pairs)
                                .set("onlyFloat", m.boxes.onlyFloat)
                                .set("onlyConverted", m.boxes.onlyConverted)
                                .set("meanCentreDistance", m.boxes.pairs ? Json(m.boxes.centre / pairs) : Json())
                                .set("meanAbsHeading", m.boxes.pairs ? Json(m.boxes.absHeading / pairs) : Json()))
        .set("outputSqnrDb", std::isinf(m.outputSqnrDb) ? Json("exact") : num(m.outputSqnrDb))
        .set("worstFrame", m.worstFrame);
}

std::string renderMetrics(const core::EvaluationCounts& c, const core::EvaluationMetrics& m)
{
    std::string out = "Frames   " + std::to_string(m.frames) + " (" + c.task + (c.hasConverted ? ", float vs converted" : ", float only") + ")\n\n";
    // The rows and notes are core's (evaluation_text.h): the report prints the same words.
    const std::vector<core::MetricRow> rows = core::metricRows(c, m);
    if (!rows.empty()) {
        Table table({{"metric"}, {"float", Table::Align::Right}, {"converted", Table::Align::Right}, {"delta", Table::Align::Right}});
        for (const core::MetricRow& r : rows)
            table.addRow({r.name, r.floatText, r.convertedText, r.deltaText});
        out += table.render();
    }
    for (const std::string& note : core::metricNotes(c, m))
        out += "\n" + note;
    return out + "\n";
}

std::array<int, 2> parseShard(const std::string& text)
{
    const size_t slash = text.find('/');
    if (slash == std::string::npos)
        throw UsageError("option '--shard' needs I/N, got '" + text + "'");
    const int count = parseIntArg("--shard", text.substr(slash + 1), 1, 1000000);
    const int index = parseIntArg("--shard", text.substr(0, slash), 0, count - 1);
    return {index, count};
}

int runEvaluate(const std::vector<std::string>& argv)
{
    const ParsedArgs args = parseArgs(argv, {{"--model", "", true, false},       {"--data", "", true, false},
                                             {"--adapter", "", true, false},     {"--convert", "", true, false},
                                             {"--converted", "", true, false},   {"--calib-frames", "", true, false},
                                             {"--calib-data", "", true, false},  {"--float-outputs", "", true, false},
                                             {"--path", "", true, false},        {"--shard", "", true, false},
                                             {"--threads", "", true, false},     {"--json", "", true, false},
                                             {"--help", "-h", false, false}});
    if (!args.positionals().empty())
        throw UsageError("unexpected argument '" + args.positionals().front() + "' (use --model and --data)");
    if (!args.has("--model") || !args.has("--data"))
        throw UsageError("evaluate needs --model MODEL and --data DIR");
    if (args.has("--convert") && args.has("--converted"))
        throw UsageError("give --convert or --converted, not both");
    const int threads = args.intValue("--threads", 2, 1, 256);
    const int calibFrames = args.intValue("--calib-frames", 8, 1, 100000);
    const std::string pathName = args.value("--path").value_or("fast");
    if (pathName != "fast" && pathName != "exact")
        throw UsageError("option '--path' needs fast or exact, got '" + pathName + "'");
    std::array<int, 2> shard{0, 1};
    if (auto s = args.value("--shard"))
        shard = parseShard(*s);
    const fs::path modelPath = *args.value("--model");
    const fs::path dataPath = *args.value("--data");

    const core::Graph model = loadModel(modelPath, true);
    core::AdapterConfig adapter = args.has("--adapter") ? core::readAdapterConfig(*args.value("--adapter"))
                                                        : core::defaultAdapterFor(model);
    adapter = withContext(modelPath.string(), [&] { return core::bindAdapter(adapter, model); });
    const core::Dataset dataset = core::openDataset(dataPath);
    const core::TaskAdapter& task = core::adapterFor(adapter);

    std::vector<std::string> floatOutputs;
    if (auto names = args.value("--float-outputs")) {
        if (!args.has("--convert") && !args.has("--converted"))
            throw UsageError("--float-outputs needs --convert or --converted");
        for (size_t begin = 0; begin <= names->size();) {
            const size_t comma = std::min(names->find(',', begin), names->size());
            const std::string name = names->substr(begin, comma - begin);
            begin = comma + 1;
            if (name.empty())
                throw UsageError("option '--float-outputs' needs output names separated by commas, got '" + *names + "'");
            if (std::none_of(model.outputs.begin(), model.outputs.end(), [&](const core::ValueInfo& o) { return o.name == name; }))
                throw core::FormatError(modelPath.string() + ": '" + name + "' (--float-outputs) is not an output of the model");
            floatOutputs.push_back(name);
        }
    }
    StderrProgress progress;
    const SigintGuard guard(progress);
    std::optional<core::ConvertedModel> converted;
    Json conversion;
    if (auto file = args.value("--converted")) {
        converted = core::loadConverted(*file, model);
        conversion = Json::object().set("converted", *file);
    } else if (auto config = args.value("--convert")) {
        core::ConversionConfig cfg;
        if (*config == "default")
            cfg.refine = true;
        else
            cfg = core::readConversionConfig(*config);
        cfg.threads = threads;
        std::optional<core::Dataset> calibData;
        if (auto dir = args.value("--calib-data"))
            calibData = core::openDataset(*dir);
        const core::Dataset& calibSource = calibData ? *calibData : dataset;
        std::vector<core::TensorMap> calibration;
        for (size_t i = 0; i < calibSource.frames.size() && int(i) < calibFrames; ++i)
            calibration.push_back(task.makeInputs(adapter, calibSource.frames[i]));
        progress.report(0.0, "converting");
        converted = withContext(modelPath.string(), [&] { return core::convertModel(model, cfg, calibration, &progress); });
        conversion = Json::object()
                         .set("config", *config)
                         .set("calibrationFrames", int64_t(calibration.size()))
                         .set("calibrationData", calibData ? Json(*args.value("--calib-data")) : Json());
    }
    if (!floatOutputs.empty()) {
        Json list = Json::array();
        for (const std::string& n : floatOutputs)
            list.push(n);
        conversion.set("floatOutputs", list);
    }
    if (converted) {
        const std::vector<core::BudgetReport> budgets = core::conversionBudgets(*converted);
        conversion.set("weightFormat", converted->config.weightFormat)
            .set("activationFormat", converted->activations.format)
            .set("clusters", converted->config.clusters)
            .set("refine", converted->config.refine)
            .set("compressionRatio", budgets.back().ratio)
            .set("storedBytes", budgets.back().total.bytes())
            .set("float32Bytes", budgets.front().total.bytes())
            .set("counts", budgets.back().counts);
    }
    std::optional<core::LnsEmulator> emulator;
    if (converted) {
        core::EmulatorOptions eo;
        eo.threads = threads;
        eo.path = pathName == "exact" ? core::LnsPath::Exact : core::LnsPath::Fast;
        // Activations kept float32 (activationFormat "float32"): emulate the converted weights only.
        eo.quantizeActivations = !converted->activations.format.empty();
        emulator.emplace(*converted, eo);
    }
    const std::vector<size_t> frames = core::shardIndices(dataset.frames.size(), shard[0], shard[1]);
    const core::EvaluationCounts counts = withContext(dataPath.string(), [&] {
        return core::evaluateDataset(model, adapter, emulator ? &*emulator : nullptr, dataset, frames, threads, &progress,
                                     floatOutputs);
    });
    progress.finish();
    const std::vector<core::ClassInfo> classes = adapter.task == "segmentation" ? adapter.segmentation.classes : dataset.classes;
    const core::EvaluationMetrics metrics = core::summarize(counts, classes);

    std::string out = "Model    " + modelPath.string() + "\nAdapter  " + adapter.task
                      + (args.has("--adapter") ? " (" + *args.value("--adapter") + ")" : std::string(" (default)"))
                      + "\nData     " + dataPath.string() + " (" + std::to_string(dataset.frames.size()) + " frames; shard "
                      + std::to_string(shard[0]) + "/" + std::to_string(shard[1]) + ": " + std::to_string(frames.size()) + ")\n";
    if (converted)
        out += "Converted " + converted->config.weightFormat + " weights, " + converted->activations.format
               + " activations, compression " + formatFixed(core::conversionBudgets(*converted).back().ratio, 2) + "x\n";
    if (!floatOutputs.empty()) {
        out += "Float    outputs taken from the float run:";
        for (const std::string& n : floatOutputs)
            out += " " + n;
        out += "\n";
    }
    out += renderMetrics(counts, metrics);
    if (auto json = args.value("--json")) {
        Json classNames = Json::array();
        for (const core::ClassInfo& c : classes)
            classNames.push(c.name);
        writeJsonFile(*json, Json::object()
                                 .set("kind", "lnscope_evaluation")
                                 .set("version", 1)
                                 .set("model", modelPath.string())
                                 .set("adapter", args.value("--adapter").value_or(""))
                                 .set("data", dataPath.string())
                                 .set("datasetFrames", int64_t(dataset.frames.size()))
                                 .set("shard", Json::object().set("index", shard[0]).set("count", shard[1]))
                                 .set("conversion", conversion)
                                 .set("classNames", classNames)
                                 .set("counts", Json::fromCore(counts.toJson()))
                                 .set("metrics", metricsJson(metrics)));
    }
    std::fputs(out.c_str(), stdout);
    return 0;
}

struct ShardFile
{
    fs::path path;
    core::JsonValue root;
};

const core::JsonValue& requireMember(const ShardFile& f, const char* key)
{
    const core::JsonValue* v = f.root.find(key);
    if (!v)
        throw core::FormatError(f.path.string() + ": not an evaluate output (no '" + key + "')");
    return *v;
}

int runMerge(const std::vector<std::string>& argv)
{
    const ParsedArgs args = parseArgs(argv, {{"--json", "", true, false}, {"--help", "-h", false, false}});
    if (args.positionals().empty())
        throw UsageError("merge needs the JSON files of evaluate --shard runs");
    std::vector<ShardFile> shards;
    for (const std::string& p : args.positionals()) {
        std::ifstream in(p, std::ios::binary);
        if (!in)
            throw core::IoError(p + ": cannot open for reading");
        std::stringstream text;
        text << in.rdbuf();
        ShardFile f{p, {}};
        try {
            f.root = core::parseJson(text.str());
        } catch (const core::JsonError& e) {
            throw core::FormatError(p + ": " + e.what());
        }
        const core::JsonValue& kind = requireMember(f, "kind");
        if (kind.text != "lnscope_evaluation")
            throw core::FormatError(p + ": not an evaluate output (kind '" + kind.text + "')");
        shards.push_back(std::move(f));
    }
    // The shards must come from the same run: model, adapter, data and conversion identical.
    for (const char* key : {"model", "adapter", "data", "conversion", "datasetFrames"})
        for (const ShardFile& s : shards)
            if (core::writeJson(requireMember(s, key)) != core::writeJson(requireMember(shards.front(), key)))
                throw core::FormatError(s.path.string() + ": '" + key + "' differs from " + shards.front().path.string()
                                        + " (shards of different runs)");
    core::EvaluationCounts merged;
    for (size_t i = 0; i < shards.size(); ++i) {
        core::EvaluationCounts c;
        try {
            c = core::EvaluationCounts::fromJson(requireMember(shards[i], "counts"));
            if (i == 0)
                merged = std::move(c);
            else
                merged.merge(c);
        } catch (const core::FormatError& e) {
            throw core::FormatError(shards[i].path.string() + ": " + e.what());
        }
    }
    std::vector<core::ClassInfo> classes;
    for (const core::JsonValue& n : requireMember(shards.front(), "classNames").items)
        classes.push_back({static_cast<int>(classes.size()), n.text, {0, 0, 0}});
    const core::EvaluationMetrics metrics = core::summarize(merged, classes);
    const int64_t total = static_cast<int64_t>(requireMember(shards.front(), "datasetFrames").number);
    std::string out = "Merged   " + std::to_string(shards.size()) + " shard(s), " + std::to_string(merged.frames) + " of "
                      + std::to_string(total) + " frames\n" + renderMetrics(merged, metrics);
    if (auto json = args.value("--json")) {
        const ShardFile& first = shards.front();
        writeJsonFile(*json, Json::object()
                                 .set("kind", "lnscope_evaluation")
                                 .set("version", 1)
                                 .set("model", Json::fromCore(requireMember(first, "model")))
                                 .set("adapter", Json::fromCore(requireMember(first, "adapter")))
                                 .set("data", Json::fromCore(requireMember(first, "data")))
                                 .set("datasetFrames", total)
                                 .set("shard", Json())
                                 .set("mergedShards", int64_t(shards.size()))
                                 .set("conversion", Json::fromCore(requireMember(first, "conversion")))
                                 .set("classNames", Json::fromCore(requireMember(first, "classNames")))
                                 .set("counts", Json::fromCore(merged.toJson()))
                                 .set("metrics", metricsJson(metrics)));
    }
    std::fputs(out.c_str(), stdout);
    return 0;
}

} // namespace

const Command kEvaluateCommand{"evaluate", "float vs converted task metrics over a dataset (shardable)", kEvaluateUsage,
                               &runEvaluate};
const Command kMergeCommand{"merge", "combine evaluate --shard outputs into the metrics of one pass", kMergeUsage, &runMerge};

} // namespace lnscope::app
