// lnscope-cli run MODEL --input FILE ...: runs the float executor on images or tensors, prints a
// summary of each output and writes the outputs as ONNX TensorProto files.

#include "cli_common.h"
#include "table.h"

#include "lnscope/core/tensor_io.h"

#include <chrono>
#include <cstdio>
#include <set>

namespace lnscope::app {

namespace {

namespace fs = std::filesystem;
using core::Tensor;

const char* const kUsage = R"(usage: lnscope-cli run MODEL --input [NAME=]FILE [--input NAME=FILE ...]
                       [--output FILE.pb | --output-dir DIR] [--size WxH]
                       [--mean r,g,b --std r,g,b] [--bgr] [--threads N] [--json FILE]

Runs the float executor on MODEL and prints, per output: name, shape, min/max/mean and, for
N×C×H×W (and N×C) outputs, the histogram of argmax classes over C.

An input FILE ending in .pb is read as an ONNX TensorProto; anything else is read as an image
(png, jpg, bmp, ...) and becomes a 1×3×H×W float tensor scaled to [0, 1], then (x - mean) / std.
Files without NAME= feed the model inputs in order.

options:
  --input [NAME=]FILE   input tensor (.pb) or image; repeat for models with several inputs
  --output FILE.pb      write the output (single-output models)
  --output-dir DIR      write every output as DIR/<output name>.pb (DIR is created)
  --size WxH            resize images to W×H (default: the model input's fixed H and W)
  --mean r,g,b          per-channel mean in [0, 1] units (default 0,0,0)
  --std r,g,b           per-channel std in [0, 1] units (default 1,1,1)
  --bgr                 feed images in BGR channel order (default RGB)
  --threads N           executor threads (default 2)
  --json FILE           also write the summary as JSON (written atomically)
  -h, --help            show this help
)";

constexpr int kDefaultThreads = 2;
constexpr int kMaxThreads = 256;
constexpr size_t kTopClasses = 10;

struct OutputSummary
{
    std::string name;
    Tensor tensor;
    TensorStats stats;
    std::vector<ClassCount> classes;
    std::string file; ///< where it was written, "" if not
};

void createFolder(const fs::path& dir)
{
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec || !fs::is_directory(dir))
        throw core::IoError(dir.string() + ": cannot create the output folder" + (ec ? ": " + ec.message() : ""));
}

/// Decides the file of each output: one --output file, or DIR/<safe name>.pb with a
/// suffix when two names map to the same file.
std::vector<std::string> outputFiles(const core::Graph& graph, const ParsedArgs& args)
{
    std::vector<std::string> files(graph.outputs.size());
    if (auto out = args.value("--output")) {
        if (graph.outputs.size() != 1)
            throw UsageError("--output names one file but the model has " + std::to_string(graph.outputs.size())
                             + " outputs; use --output-dir DIR");
        files[0] = *out;
    } else if (auto dir = args.value("--output-dir")) {
        std::set<std::string> used;
        for (size_t i = 0; i < graph.outputs.size(); ++i) {
            std::string stem = safeFileStem(graph.outputs[i].name);
            for (int k = 2; used.count(stem); ++k)
                stem = safeFileStem(graph.outputs[i].name) + "_" + std::to_string(k);
            used.insert(stem);
            files[i] = (fs::path(*dir) / (stem + ".pb")).string();
        }
    }
    return files;
}

std::string plural(int64_t n, const std::string& noun)
{
    return std::to_string(n) + " " + noun + (n == 1 ? "" : noun.back() == 's' ? "es" : "s");
}

std::string statCell(double v)
{
    return formatNumber(v, 6);
}

std::string renderText(const fs::path& model, const core::Graph& graph, int threads, double ms,
                       const std::vector<ModelInput>& inputs, const std::vector<OutputSummary>& outputs)
{
    std::string out = "Model    " + model.string() + " (graph '" + graph.name + "')\n";
    out += "Threads  " + std::to_string(threads) + "\n";
    out += "Time     " + formatFixed(ms, 2) + " ms\n";
    Table in({{"input"}, {"shape"}, {"from"}});
    for (const ModelInput& i : inputs)
        in.addRow({i.name, core::shapeToString(i.tensor.shape()), i.source});
    out += "\n" + in.render();
    Table table({{"output"},
                 {"type"},
                 {"shape"},
                 {"min", Table::Align::Right},
                 {"max", Table::Align::Right},
                 {"mean", Table::Align::Right},
                 {"written to"}});
    for (const OutputSummary& o : outputs)
        table.addRow({o.name, core::dtypeName(o.tensor.dtype()), core::shapeToString(o.tensor.shape()),
                      statCell(o.stats.min), statCell(o.stats.max), statCell(o.stats.mean),
                      o.file.empty() ? "-" : o.file});
    out += "\n" + table.render();
    for (const OutputSummary& o : outputs) {
        if (o.stats.nonFinite)
            out += "  warning: '" + o.name + "' has " + std::to_string(o.stats.nonFinite) + " NaN/Inf elements\n";
        if (o.classes.empty())
            continue;
        int64_t positions = 0;
        for (const ClassCount& c : o.classes)
            positions += c.count;
        out += "\nArgmax classes of '" + o.name + "' over C=" + std::to_string(o.tensor.dim(1)) + " ("
               + plural(positions, "position") + ", " + plural(static_cast<int64_t>(o.classes.size()), "class")
               + " present)\n";
        Table classes(
            {{"class", Table::Align::Right}, {"positions", Table::Align::Right}, {"share", Table::Align::Right}});
        for (size_t k = 0; k < o.classes.size() && k < kTopClasses; ++k)
            classes.addRow({std::to_string(o.classes[k].classIndex), std::to_string(o.classes[k].count),
                            formatFixed(100.0 * double(o.classes[k].count) / double(positions), 1) + "%"});
        out += classes.render();
        if (o.classes.size() > kTopClasses)
            out += "  ... " + std::to_string(o.classes.size() - kTopClasses) + " more classes\n";
    }
    return out;
}

/// min and max are elements: float32 outputs print them as float32 ("0.1", not "0.100000001").
Json elementJson(const Tensor& t, double value)
{
    return t.isFloat() ? Json(static_cast<float>(value)) : Json(value);
}

Json renderJson(const fs::path& model, const core::Graph& graph, int threads, double ms,
                const std::vector<ModelInput>& inputs, const std::vector<OutputSummary>& outputs)
{
    Json in = Json::array();
    for (const ModelInput& i : inputs)
        in.push(Json::object().set("name", i.name).set("source", i.source).set("shape", shapeToJson(i.tensor.shape())));
    Json outs = Json::array();
    for (const OutputSummary& o : outputs) {
        Json classes = Json::array();
        for (const ClassCount& c : o.classes)
            classes.push(Json::object().set("class", c.classIndex).set("count", c.count));
        outs.push(Json::object()
                      .set("name", o.name)
                      .set("dtype", core::dtypeName(o.tensor.dtype()))
                      .set("shape", shapeToJson(o.tensor.shape()))
                      .set("min", elementJson(o.tensor, o.stats.min))
                      .set("max", elementJson(o.tensor, o.stats.max))
                      .set("mean", o.stats.mean)
                      .set("nonFinite", o.stats.nonFinite)
                      .set("argmaxClasses", classes)
                      .set("file", o.file.empty() ? Json() : Json(o.file)));
    }
    return Json::object()
        .set("model", model.string())
        .set("graph", graph.name)
        .set("threads", threads)
        .set("timeMs", ms)
        .set("inputs", in)
        .set("outputs", outs);
}

int runRun(const std::vector<std::string>& argv)
{
    std::vector<OptionSpec> specs = {{"--input", "", true, true},       {"--output", "", true, false},
                                     {"--output-dir", "", true, false}, {"--threads", "", true, false},
                                     {"--json", "", true, false},       {"--help", "-h", false, false}};
    for (OptionSpec& s : imageOptionSpecs())
        specs.push_back(s);
    const ParsedArgs args = parseArgs(argv, specs);
    if (!args.has("--input"))
        throw UsageError("missing --input FILE");
    if (args.has("--output") && args.has("--output-dir"))
        throw UsageError("give either --output or --output-dir, not both");
    const int threads = args.intValue("--threads", kDefaultThreads, 1, kMaxThreads);
    const ImageArgs image = imageArgsFrom(args);
    const fs::path model = args.singlePositional("MODEL", " (use --input for input files)");

    const core::Graph graph = loadModel(model, true);
    const std::vector<std::string> files = outputFiles(graph, args);
    const std::vector<ModelInput> inputs = loadInputs(graph, model, args.values("--input"), image);

    const core::Executor executor = withContext(model.string(), [&] { return core::Executor(graph, {threads}); });
    const auto start = std::chrono::steady_clock::now();
    const core::TensorMap results = withContext(model.string(), [&] { return executor.run(toTensorMap(inputs)); });
    const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();

    // The folder is made only now, so that a failed run leaves nothing behind.
    if (auto dir = args.value("--output-dir"))
        createFolder(*dir);
    std::vector<OutputSummary> outputs;
    for (size_t i = 0; i < graph.outputs.size(); ++i) {
        const std::string& name = graph.outputs[i].name;
        const Tensor& t = results.at(name);
        if (!files[i].empty())
            core::writeTensorPb(t, files[i], name);
        outputs.push_back({name, t, tensorStats(t), argmaxHistogram(t), files[i]});
    }
    if (auto json = args.value("--json"))
        writeJsonFile(*json, renderJson(model, graph, threads, ms, inputs, outputs));
    std::fputs(renderText(model, graph, threads, ms, inputs, outputs).c_str(), stdout);
    return 0;
}

} // namespace

const Command kRunCommand{"run", "run a model on images or .pb tensors; print output statistics, write outputs", kUsage,
                          &runRun};

} // namespace lnscope::app
