// lnscope-cli info MODEL: what a model is made of, as a human table and (--json) as data.

#include "cli_common.h"
#include "table.h"

#include "lnscope/core/model_info.h"
#include "lnscope/core/op_registry.h"

#include <algorithm>
#include <cstdio>

namespace lnscope::app {

namespace {

namespace fs = std::filesystem;
using core::ModelInfo;

const char* const kUsage = R"(usage: lnscope-cli info MODEL [--json FILE]

Describes an ONNX model: name, producer, opset, inputs and outputs (symbolic dims by name),
op histogram (and which ops the executor supports), the layers that hold parameters with their
weight shapes, parameter counts and float32 bytes, totals, and which BatchNormalization nodes
can fold into the layer before them (or why not).

options:
  --json FILE   also write the same data as JSON (written atomically)
  -h, --help    show this help
)";

struct OpCount
{
    std::string op;
    int count = 0;
    bool supported = false;
};

/// Most frequent first; the histogram map is alphabetical, so ties stay alphabetical.
std::vector<OpCount> sortedHistogram(const ModelInfo& info)
{
    const core::OpRegistry& registry = core::OpRegistry::builtin();
    std::vector<OpCount> ops;
    for (const auto& [op, count] : info.opHistogram) {
        const core::OpDef* def = registry.find(op);
        ops.push_back({op, count, def && def->sinceOpset <= info.opset});
    }
    std::stable_sort(ops.begin(), ops.end(), [](const OpCount& a, const OpCount& b) { return a.count > b.count; });
    return ops;
}

std::string weightShapes(const core::LayerInfo& layer)
{
    std::string out;
    for (const core::Shape& s : layer.weightShapes) {
        if (!out.empty())
            out += ' ';
        out += core::shapeToString(s);
    }
    return out;
}

std::string valueTable(const std::vector<core::ValueInfo>& values)
{
    Table table({{"name"}, {"type"}, {"shape"}});
    for (const core::ValueInfo& v : values)
        table.addRow({v.name, core::dtypeName(v.dtype), dimsToString(v)});
    return table.render();
}

std::string renderText(const fs::path& file, const ModelInfo& info, size_t nodeCount, const std::vector<OpCount>& ops)
{
    std::string out;
    out += "Model     " + file.string() + "\n";
    out += "Graph     " + info.name + "\n";
    out += "Producer  " + (info.producer.empty() ? std::string("(not given)") : info.producer) + "\n";
    out += "Opset     " + std::to_string(info.opset) + "\n";
    out += "Nodes     " + std::to_string(nodeCount) + "\n";
    out += "\nInputs\n" + valueTable(info.inputs);
    out += "\nOutputs\n" + valueTable(info.outputs);

    Table histogram({{"op"}, {"count", Table::Align::Right}, {"supported"}});
    for (const OpCount& op : ops)
        histogram.addRow({op.op, std::to_string(op.count), op.supported ? "yes" : "NO"});
    out += "\nOp histogram\n" + histogram.render();

    Table layers({{"#", Table::Align::Right},
                  {"node"},
                  {"op"},
                  {"weight shapes"},
                  {"parameters", Table::Align::Right},
                  {"float32 bytes", Table::Align::Right}});
    for (const core::LayerInfo& layer : info.layers)
        layers.addRow({std::to_string(layer.nodeIndex), layer.name, layer.opType, weightShapes(layer),
                       groupThousands(layer.parameters), groupThousands(layer.float32Bytes)});
    layers.addRow({"", "total", "", "", groupThousands(info.totalParameters), groupThousands(info.totalFloat32Bytes)});
    out += "\nLayers with parameters\n" + layers.render();
    out += "\nTotal: " + groupThousands(info.totalParameters) + " parameters, " + groupThousands(info.totalFloat32Bytes)
           + " bytes as float32 (" + humanBytes(info.totalFloat32Bytes) + ")\n";

    out += "\nBatch-norm folding\n";
    if (info.batchNorms.empty()) {
        out += "  no BatchNormalization nodes\n";
        return out;
    }
    Table bns({{"batch norm"}, {"folds into"}, {"epsilon", Table::Align::Right}, {"reason kept"}});
    int folds = 0;
    for (const core::BnFoldRecord& r : info.batchNorms) {
        folds += r.folded;
        bns.addRow({r.bnNode, r.folded ? r.intoNode : "(kept)", formatNumber(r.epsilon, 3), r.reason});
    }
    out += bns.render();
    out += "  " + std::to_string(folds) + " of " + std::to_string(info.batchNorms.size())
           + " BatchNormalization nodes can fold\n";
    return out;
}

Json valuesJson(const std::vector<core::ValueInfo>& values)
{
    Json arr = Json::array();
    for (const core::ValueInfo& v : values)
        arr.push(Json::object().set("name", v.name).set("dtype", core::dtypeName(v.dtype)).set("shape", dimsToJson(v)));
    return arr;
}

Json renderJson(const fs::path& file, const ModelInfo& info, size_t nodeCount, const std::vector<OpCount>& ops)
{
    Json histogram = Json::object();
    Json unsupported = Json::array();
    for (const OpCount& op : ops) {
        histogram.set(op.op, op.count);
        if (!op.supported)
            unsupported.push(op.op);
    }
    Json layers = Json::array();
    for (const core::LayerInfo& layer : info.layers) {
        Json shapes = Json::array();
        for (const core::Shape& s : layer.weightShapes)
            shapes.push(shapeToJson(s));
        layers.push(Json::object()
                        .set("index", layer.nodeIndex)
                        .set("name", layer.name)
                        .set("op", layer.opType)
                        .set("weightShapes", shapes)
                        .set("parameters", layer.parameters)
                        .set("float32Bytes", layer.float32Bytes));
    }
    Json bns = Json::array();
    for (const core::BnFoldRecord& r : info.batchNorms)
        bns.push(Json::object()
                     .set("node", r.bnNode)
                     .set("folds", r.folded)
                     .set("into", r.folded ? Json(r.intoNode) : Json())
                     .set("reason", r.reason)
                     .set("epsilon", r.epsilon));
    return Json::object()
        .set("file", file.string())
        .set("name", info.name)
        .set("producer", info.producer)
        .set("opset", info.opset)
        .set("nodeCount", nodeCount)
        .set("inputs", valuesJson(info.inputs))
        .set("outputs", valuesJson(info.outputs))
        .set("opHistogram", histogram)
        .set("unsupportedOps", unsupported)
        .set("layers", layers)
        .set("totals",
             Json::object().set("parameters", info.totalParameters).set("float32Bytes", info.totalFloat32Bytes))
        .set("batchNorms", bns);
}

int runInfo(const std::vector<std::string>& argv)
{
    const ParsedArgs args = parseArgs(argv, {{"--json", "", true, false}, {"--help", "-h", false, false}});
    const fs::path file = args.singlePositional("MODEL");
    // Describe models we cannot run too: the histogram says which ops are missing.
    const core::Graph graph = loadModel(file, false);
    // The BN analysis can reject a model (e.g. training-mode BN); say which file.
    const ModelInfo info = withContext(file.string(), [&] { return core::describeModel(graph); });
    const std::vector<OpCount> ops = sortedHistogram(info);
    if (auto json = args.value("--json"))
        writeJsonFile(*json, renderJson(file, info, graph.nodes.size(), ops));
    std::fputs(renderText(file, info, graph.nodes.size(), ops).c_str(), stdout);
    return 0;
}

} // namespace

const Command kInfoCommand{"info", "describe a model: inputs, op histogram, layers, parameters, BN folding", kUsage,
                           &runInfo};

} // namespace lnscope::app
