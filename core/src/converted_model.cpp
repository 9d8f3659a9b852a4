// Whole-model conversion pass, staged graphs and the .lnsz save/load of a ConvertedModel.
// See converted_model.h for the design; this file explains only the non-obvious.

#include "lnscope/core/converted_model.h"

#include "lnscope/core/centroid_refine.h"
#include "lnscope/core/error.h"
#include "lnscope/core/json.h"
#include "lnscope/core/lnsz_container.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <sstream>

namespace lnscope::core {

namespace {

bool isWeightOp(const std::string& op)
{
    return op == "Conv" || op == "ConvTranspose" || op == "Gemm" || op == "MatMul";
}

/// Axis of the weight along which output channels run (see the header).
int outputAxisOf(const Node& node, const Tensor& weight)
{
    if (node.opType == "Conv")
        return 0;
    if (node.opType == "Gemm")
        return node.attrInt("transB", 0) != 0 ? 0 : 1;
    if (node.opType == "ConvTranspose")
        return 1;
    return std::max(0, weight.rank() - 1); // MatMul: [.., I, O]
}

/// Channel of every element of a tensor of `shape` along `axis`: (e / inner) % dims[axis].
struct ChannelMap
{
    int64_t inner = 1;
    int64_t channels = 1;
    ChannelMap(const Shape& shape, int axis)
    {
        if (shape.empty())
            return;
        channels = shape[static_cast<size_t>(axis)];
        for (size_t k = static_cast<size_t>(axis) + 1; k < shape.size(); ++k)
            inner *= shape[k];
    }
    int64_t of(int64_t element) const { return (element / inner) % channels; }
};

/// Per-channel parameters (AbsMax over each channel's values) and codes, for any output axis.
void quantizePerChannel(const NumberFormat& format, std::span<const float> values, const ChannelMap& map,
                        std::vector<QuantParam>& params, std::vector<uint32_t>& codes)
{
    std::vector<std::vector<float>> blocks(static_cast<size_t>(map.channels));
    for (size_t e = 0; e < values.size(); ++e)
        blocks[static_cast<size_t>(map.of(static_cast<int64_t>(e)))].push_back(values[e]);
    params.clear();
    for (const auto& block : blocks)
        params.push_back(format.chooseParam(block, ParamRule::AbsMax));
    codes.resize(values.size());
    for (size_t e = 0; e < values.size(); ++e)
        codes[e] = format.encode(values[e], params[static_cast<size_t>(map.of(static_cast<int64_t>(e)))]);
}

std::vector<float> decodePerChannel(const NumberFormat& format, std::span<const uint32_t> codes,
                                    const ChannelMap& map, const std::vector<QuantParam>& params)
{
    std::vector<float> values(codes.size());
    for (size_t e = 0; e < codes.size(); ++e) {
        const auto c = static_cast<size_t>(map.of(static_cast<int64_t>(e)));
        if (c >= params.size())
            throw FormatError("converted layer: quantization parameter missing for channel " + std::to_string(c));
        values[e] = static_cast<float>(format.decode(codes[e], params[c]));
    }
    return values;
}

std::vector<float> decodeBlock(const NumberFormat& format, std::span<const uint32_t> codes, const QuantParam& param)
{
    std::vector<float> values(codes.size());
    format.decode(codes, param, values);
    return values;
}

/// Kernel units: one scale per (o, i) kernel, o-major; the channel of unit u is u / I.
ChannelMap scaleChannelMap(const CompressedKernels& ck)
{
    return ChannelMap(Shape{ck.weightShape.at(0), static_cast<int64_t>(ck.scales.size()) / std::max<int64_t>(1, ck.weightShape.at(0))}, 0);
}

} // namespace

// ---------------------------------------------------------------------------------------------
// Stages

Tensor ConvertedLayer::weightForStage(Stage stage, const Tensor& foldedWeight) const
{
    if (stage == Stage::Float32 || stage == Stage::BatchNormFolded)
        return foldedWeight;
    if (stage == Stage::ClusterCompressed)
        return clustered ? kernels.reconstruct() : foldedWeight;
    const NumberFormat& format = NumberFormatRegistry::builtin().get(weightFormat);
    if (!clustered) {
        if (static_cast<int64_t>(weightCodes.size()) != shapeNumel(weightShape))
            throw FormatError("converted layer '" + node + "': weight code count does not match the shape");
        return Tensor::fromFloats(weightShape, decodePerChannel(format, weightCodes, ChannelMap(weightShape, outputAxis), weightParams));
    }
    // Decode the LUT and the scales, then reuse reconstruct(): W = decoded m · decoded C.
    if (centroidParams.size() != 1)
        throw FormatError("converted layer '" + node + "': expected one centroid parameter per book");
    CompressedKernels decoded = kernels;
    decoded.centroids = decodeBlock(format, centroidCodes, centroidParams[0]);
    if (kernels.unit == ClusterUnit::Kernel) {
        if (scaleCodes.size() != kernels.scales.size())
            throw FormatError("converted layer '" + node + "': scale code count does not match the kernels");
        decoded.scales = decodePerChannel(format, scaleCodes, scaleChannelMap(kernels), scaleParams);
    }
    return decoded.reconstruct();
}

Graph ConvertedModel::graphForStage(Stage stage) const
{
    if (stage == Stage::Float32)
        return original;
    Graph graph = folded;
    if (stage == Stage::BatchNormFolded)
        return graph;
    for (const ConvertedLayer& l : layers) {
        auto it = graph.initializers.find(l.weightName);
        if (it == graph.initializers.end())
            throw FormatError("converted layer '" + l.node + "': weight '" + l.weightName + "' not in the folded graph");
        it->second = l.weightForStage(stage, it->second);
    }
    return graph;
}

const ConvertedLayer* ConvertedModel::layer(const std::string& node) const
{
    for (const ConvertedLayer& l : layers)
        if (l.node == node)
            return &l;
    return nullptr;
}

// ---------------------------------------------------------------------------------------------
// Conversion

namespace {

/// Steps of the pass, for progress fractions.
struct StepCounter
{
    Progress* progress = nullptr;
    int total = 1;
    int done = 0;
    void step(const std::string& label)
    {
        if (!progress)
            return;
        progress->checkCancelled();
        progress->report(static_cast<double>(done++) / total, label);
    }
};

/// Layers of the folded graph with a float weight initializer that no other node reads.
std::vector<ConvertedLayer> findLayers(const Graph& g, std::vector<std::string>& notes)
{
    std::vector<ConvertedLayer> layers;
    for (size_t n = 0; n < g.nodes.size(); ++n) {
        const Node& node = g.nodes[n];
        if (!isWeightOp(node.opType) || !node.hasInput(1))
            continue;
        const Tensor* w = g.initializer(node.input(1));
        if (!w || !w->isFloat())
            continue;
        if (g.consumersOf(node.input(1)).size() != 1) {
            notes.push_back(node.describe() + ": weight shared with another node, kept in float");
            continue;
        }
        ConvertedLayer l;
        l.node = node.name;
        l.op = node.opType;
        l.weightName = node.input(1);
        l.weightShape = w->shape();
        l.outputAxis = outputAxisOf(node, *w);
        if (node.opType != "MatMul" && node.hasInput(2))
            if (const Tensor* b = g.initializer(node.input(2)); b && b->isFloat())
                l.bias = b->toFloats();
        layers.push_back(std::move(l));
    }
    return layers;
}

bool isSpatialConv(const ConvertedLayer& l)
{
    return l.op == "Conv" && l.weightShape.size() == 4 && l.weightShape[2] * l.weightShape[3] > 1;
}

bool isPointwiseConv(const ConvertedLayer& l)
{
    return l.op == "Conv" && l.weightShape.size() == 4 && l.weightShape[2] * l.weightShape[3] == 1;
}

ClusterOptions clusterOptions(const ConversionConfig& config, int clusters, Progress* progress)
{
    ClusterOptions o;
    o.clusters = clusters;
    o.maxIterations = config.maxIterations;
    o.seed = config.seed;
    o.threads = config.threads;
    o.pointwise = config.pointwise;
    o.progress = progress;
    return o;
}

void compressPerLayer(const Graph& g, std::vector<ConvertedLayer>& layers, const ConversionConfig& config,
                      StepCounter& steps)
{
    for (ConvertedLayer& l : layers) {
        const bool spatial = isSpatialConv(l);
        const bool pointwise = isPointwiseConv(l) && config.pointwise != PointwisePolicy::Keep;
        if (!spatial && !pointwise)
            continue;
        steps.step("compress " + l.node);
        auto k = config.clustersPerLayer.find(l.node);
        const ClusterOptions o = clusterOptions(config, k != config.clustersPerLayer.end() ? k->second : config.clusters,
                                                steps.progress);
        const Tensor& w = *g.initializer(l.weightName);
        l.kernels = spatial ? compressConvWeights(w, o) : compressPointwise(w, config.pointwise, o);
        l.clustered = true;
        l.book = l.node;
    }
}

/// One book per kernel size d over the spatial convs; 1×1 convs still get their own books.
void compressShared(const Graph& g, std::vector<ConvertedLayer>& layers, const ConversionConfig& config,
                    StepCounter& steps)
{
    std::map<int64_t, std::vector<ConvertedLayer*>> byD;
    for (ConvertedLayer& l : layers)
        if (isSpatialConv(l))
            byD[l.weightShape[2] * l.weightShape[3]].push_back(&l);
    for (auto& [d, group] : byD) {
        std::string book = std::to_string(d);
        book.insert(book.begin(), 'd'); // not "d" + to_string: GCC 12 false -Wrestrict
        steps.step("compress shared book " + book);
        std::vector<const Tensor*> weights;
        for (const ConvertedLayer* l : group)
            weights.push_back(g.initializer(l->weightName));
        std::vector<CompressedKernels> books =
            compressSharedBook(weights, clusterOptions(config, config.clusters, steps.progress));
        for (size_t k = 0; k < group.size(); ++k) {
            group[k]->kernels = std::move(books[k]);
            group[k]->clustered = true;
            group[k]->book = book;
        }
    }
    for (ConvertedLayer& l : layers) {
        if (!isPointwiseConv(l) || config.pointwise == PointwisePolicy::Keep)
            continue;
        steps.step("compress " + l.node);
        l.kernels = compressPointwise(*g.initializer(l.weightName), config.pointwise,
                                      clusterOptions(config, config.clusters, steps.progress));
        l.clustered = true;
        l.book = l.node;
    }
}

/// ONNX conv attributes → ConvGeometry; auto_pad SAME_* is resolved against the input size.
ConvGeometry geometryOf(const Node& node, const Shape& weightShape, const Shape& inputShape)
{
    ConvGeometry geom;
    const auto strides = node.attrInts("strides", {1, 1});
    const auto dilations = node.attrInts("dilations", {1, 1});
    const auto pads = node.attrInts("pads", {0, 0, 0, 0});
    if (strides.size() != 2 || dilations.size() != 2 || pads.size() != 4)
        throw UnsupportedError(node.describe() + ": refinement needs a 2-D conv");
    geom.strides = {strides[0], strides[1]};
    geom.dilations = {dilations[0], dilations[1]};
    geom.pads = {pads[0], pads[1], pads[2], pads[3]};
    geom.group = node.attrInt("group", 1);
    const std::string autoPad = node.attrString("auto_pad", "NOTSET");
    if (autoPad == "VALID")
        geom.pads = {0, 0, 0, 0};
    if (autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER") {
        for (int a = 0; a < 2; ++a) {
            const int64_t in = inputShape[static_cast<size_t>(2 + a)];
            const int64_t s = geom.strides[a];
            const int64_t k = (weightShape[static_cast<size_t>(2 + a)] - 1) * geom.dilations[a] + 1;
            const int64_t total = std::max<int64_t>(0, ((in + s - 1) / s - 1) * s + k - in);
            const int64_t small = total / 2;
            geom.pads[a] = autoPad == "SAME_UPPER" ? small : total - small;
            geom.pads[a + 2] = total - geom.pads[a];
        }
    }
    return geom;
}

/// The float input activations of node `nodeIndex` over all calibration maps, concatenated along N.
/// One executor run per calibration map; only this one tensor is kept (bounded memory).
/// Returns an empty tensor when the maps give different C, H, W.
Tensor captureLayerInput(const Executor& exec, int nodeIndex, const std::vector<TensorMap>& calibration,
                         Progress* progress)
{
    const std::string& name = exec.graph().nodes[static_cast<size_t>(nodeIndex)].input(0);
    const int producer = exec.graph().producerOf(name);
    std::vector<float> data;
    Shape shape;
    for (const TensorMap& inputs : calibration) {
        Tensor x;
        if (producer < 0) {
            auto it = inputs.find(name);
            if (it == inputs.end())
                throw ShapeError("refinement: calibration inputs lack '" + name + "'");
            x = it->second;
        } else {
            exec.run(inputs, [&](int index, const Node& node, const std::vector<Tensor>& outputs) {
                if (index != producer)
                    return;
                for (size_t k = 0; k < node.outputs.size() && k < outputs.size(); ++k)
                    if (node.outputs[k] == name)
                        x = outputs[k];
            }, progress);
        }
        if (x.rank() != 4 || !x.isFloat())
            return {};
        if (shape.empty())
            shape = x.shape();
        else if (!std::equal(shape.begin() + 1, shape.end(), x.shape().begin() + 1))
            return {};
        else
            shape[0] += x.dim(0);
        data.insert(data.end(), x.floats().begin(), x.floats().end());
    }
    return Tensor::fromFloats(shape, std::move(data));
}

void refineLayers(ConvertedModel& m, const std::vector<TensorMap>& calibration, StepCounter& steps)
{
    if (!m.config.refine)
        return;
    if (calibration.empty()) {
        m.notes.push_back("refinement skipped: no calibration inputs");
        return;
    }
    if (m.config.sharedBook)
        m.notes.push_back("refinement skipped for shared books (a per-layer solve would split the book)");
    const NumberFormat& format = NumberFormatRegistry::builtin().get(m.config.weightFormat);
    const Executor exec(m.folded, ExecOptions{m.config.threads});
    for (ConvertedLayer& l : m.layers) {
        if (!l.clustered || l.kernels.unit != ClusterUnit::Kernel || l.book != l.node)
            continue;
        steps.step("refine " + l.node);
        int index = -1;
        for (size_t n = 0; n < m.folded.nodes.size(); ++n)
            if (m.folded.nodes[n].name == l.node)
                index = static_cast<int>(n);
        const Tensor x = captureLayerInput(exec, index, calibration, steps.progress);
        if (x.empty()) {
            m.notes.push_back(l.node + ": refinement skipped (calibration inputs of different shapes)");
            continue;
        }
        RefineOptions ro;
        ro.maxPositions = m.config.refineMaxPositions;
        ro.threads = m.config.threads;
        std::vector<float> refinedFloat;
        // Keep the float solution for the ClusterCompressed stage; the reported "after" SQNR is
        // for the centroids as the weight format stores them (same AbsMax rule as quantizeLayers).
        ro.requantize = [&](std::vector<float>& c) {
            refinedFloat = c;
            format.fakeQuantize(c, format.chooseParam(c, ParamRule::AbsMax), c);
        };
        const RefineResult r = refineCentroids(l.kernels, *m.folded.initializer(l.weightName), x,
                                               geometryOf(m.folded.nodes[static_cast<size_t>(index)], l.weightShape, x.shape()), ro);
        l.kernels.centroids = refinedFloat.empty() ? r.centroids : refinedFloat;
        l.refined = true;
        l.refineSqnrBeforeDb = r.sqnrBeforeDb;
        l.refineSqnrRefinedDb = r.sqnrRefinedDb;
        l.refineSqnrAfterDb = r.sqnrAfterDb;
    }
}

void quantizeLayers(ConvertedModel& m, StepCounter& steps)
{
    const NumberFormat& format = NumberFormatRegistry::builtin().get(m.config.weightFormat);
    for (ConvertedLayer& l : m.layers) {
        steps.step("quantize " + l.node);
        l.weightFormat = format.name();
        if (!l.clustered) {
            const Tensor& w = *m.folded.initializer(l.weightName);
            quantizePerChannel(format, w.floats(), ChannelMap(w.shape(), l.outputAxis), l.weightParams, l.weightCodes);
            continue;
        }
        const CompressedKernels& ck = l.kernels;
        l.centroidParams = {format.chooseParam(ck.centroids, ParamRule::AbsMax)};
        l.centroidCodes.resize(ck.centroids.size());
        format.encode(ck.centroids, l.centroidParams[0], l.centroidCodes);
        if (ck.unit == ClusterUnit::Kernel)
            quantizePerChannel(format, ck.scales, scaleChannelMap(ck), l.scaleParams, l.scaleCodes);
    }
}

} // namespace

ConvertedModel convertModel(const Graph& model, const ConversionConfig& config,
                            const std::vector<TensorMap>& calibration, Progress* progress)
{
    const NumberFormat& format = NumberFormatRegistry::builtin().get(config.weightFormat); // throws early
    (void)format;
    if (config.clusters < 1)
        throw FormatError("conversion: clusters must be ≥ 1, got " + std::to_string(config.clusters));
    for (const auto& [node, k] : config.clustersPerLayer)
        if (k < 1)
            throw FormatError("conversion: clusters for '" + node + "' must be ≥ 1, got " + std::to_string(k));

    ConvertedModel m;
    m.config = config;
    m.original = model;
    if (progress)
        progress->checkCancelled();
    BnFoldResult folded = foldBatchNorm(model);
    m.folded = std::move(folded.graph);
    m.bnRecords = std::move(folded.records);
    m.layers = findLayers(m.folded, m.notes);

    StepCounter steps{progress, static_cast<int>(m.layers.size()) * (config.refine ? 3 : 2) + 1, 0};
    if (config.sharedBook)
        compressShared(m.folded, m.layers, config, steps);
    else
        compressPerLayer(m.folded, m.layers, config, steps);
    if (config.sharedBook && !config.clustersPerLayer.empty())
        m.notes.push_back("clustersPerLayer ignored for shared books");
    refineLayers(m, calibration, steps);
    quantizeLayers(m, steps);
    if (progress) {
        progress->checkCancelled();
        progress->report(1.0, "done");
    }
    return m;
}

// ---------------------------------------------------------------------------------------------
// Model hash

namespace {

struct Fnv1a
{
    uint64_t h = 1469598103934665603ull;
    void bytes(const void* data, size_t n)
    {
        const auto* p = static_cast<const uint8_t*>(data);
        for (size_t k = 0; k < n; ++k) {
            h ^= p[k];
            h *= 1099511628211ull;
        }
    }
    void str(const std::string& s)
    {
        u64(s.size());
        bytes(s.data(), s.size());
    }
    void u64(uint64_t v) { bytes(&v, sizeof v); }
    void tensor(const Tensor& t)
    {
        u64(static_cast<uint64_t>(t.dtype()));
        u64(t.shape().size());
        for (int64_t d : t.shape())
            u64(static_cast<uint64_t>(d));
        if (t.isFloat())
            bytes(t.floats().data(), t.floats().size_bytes());
        else
            bytes(t.ints().data(), t.ints().size_bytes());
    }
};

} // namespace

std::string modelHash(const Graph& graph)
{
    Fnv1a f;
    for (const ValueInfo& v : graph.inputs)
        f.str(v.name);
    for (const ValueInfo& v : graph.outputs)
        f.str(v.name);
    for (const Node& n : graph.nodes) {
        f.str(n.name);
        f.str(n.domain + "::" + n.opType);
        for (const auto& s : n.inputs)
            f.str(s);
        for (const auto& s : n.outputs)
            f.str(s);
        for (const auto& [key, a] : n.attrs) {
            f.str(key);
            f.u64(static_cast<uint64_t>(a.kind));
            f.u64(static_cast<uint64_t>(a.i));
            f.bytes(&a.f, sizeof a.f);
            f.str(a.s);
            f.bytes(a.ints.data(), a.ints.size() * sizeof(int64_t));
            f.bytes(a.floats.data(), a.floats.size() * sizeof(float));
            for (const auto& s : a.strings)
                f.str(s);
            f.tensor(a.t);
        }
    }
    for (const auto& [name, t] : graph.initializers) {
        f.str(name);
        f.tensor(t);
    }
    char hex[17];
    std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(f.h));
    return hex;
}

// ---------------------------------------------------------------------------------------------
// Save / load. The manifest is composed here piece by piece (layers on their own lines, for
// diffable files) from core/json.h's string and number writers, and read with its parser.
// Non-finite numbers are written as the strings "inf", "-inf", "nan".

namespace {

constexpr const char* kManifestFormat = "lnscope-converted";
constexpr int kManifestVersion = 1;

/// A manifest number: JSON has no inf or nan, so those are written as strings.
std::string jsonNumber(double v)
{
    if (std::isnan(v))
        return "\"nan\"";
    if (std::isinf(v))
        return v > 0 ? "\"inf\"" : "\"-inf\"";
    std::string out;
    appendJsonNumber(out, v);
    return out;
}

std::string jsonParams(const std::vector<QuantParam>& params)
{
    std::string out = "[";
    for (size_t k = 0; k < params.size(); ++k)
        out += (k ? ",[" : "[") + std::to_string(params[k].bias) + "," + jsonNumber(params[k].scale) + "]";
    return out + "]";
}

using Json = JsonValue;
using JsonKind = JsonValue::Kind;

/// Typed access to a parsed manifest; every failure is a FormatError naming the file and field.
struct JsonReader
{
    std::string context;

    [[noreturn]] void fail(const std::string& field, const std::string& why) const
    {
        throw FormatError(context + ": manifest field '" + field + "': " + why);
    }
    const Json& get(const Json& obj, const std::string& key) const
    {
        for (const auto& [k, v] : obj.members)
            if (k == key)
                return v;
        fail(key, "missing");
    }
    double number(const Json& obj, const std::string& key) const
    {
        const Json& v = get(obj, key);
        if (v.kind == JsonKind::String && (v.text == "inf" || v.text == "-inf" || v.text == "nan"))
            return v.text == "nan" ? std::nan("") : v.text == "inf" ? INFINITY : -INFINITY;
        if (v.kind != JsonKind::Number)
            fail(key, "not a number");
        return v.number;
    }
    int64_t integer(const Json& obj, const std::string& key, int64_t lo, int64_t hi) const
    {
        const double d = number(obj, key);
        if (!(d >= double(lo) && d <= double(hi)) || d != std::floor(d))
            fail(key, "not an integer in " + std::to_string(lo) + ".." + std::to_string(hi));
        return static_cast<int64_t>(d);
    }
    std::string string(const Json& obj, const std::string& key) const
    {
        const Json& v = get(obj, key);
        if (v.kind != JsonKind::String)
            fail(key, "not a string");
        return v.text;
    }
    bool boolean(const Json& obj, const std::string& key) const
    {
        const Json& v = get(obj, key);
        if (v.kind != JsonKind::Bool)
            fail(key, "not a boolean");
        return v.boolean;
    }
    const std::vector<Json>& array(const Json& obj, const std::string& key) const
    {
        const Json& v = get(obj, key);
        if (v.kind != JsonKind::Array)
            fail(key, "not an array");
        return v.items;
    }
    std::vector<QuantParam> params(const Json& obj, const std::string& key) const
    {
        std::vector<QuantParam> out;
        for (const Json& p : array(obj, key)) {
            if (p.kind != JsonKind::Array || p.items.size() != 2 || p.items[0].kind != JsonKind::Number
                || p.items[1].kind != JsonKind::Number || p.items[0].number != std::floor(p.items[0].number)
                || std::fabs(p.items[0].number) > 1e6)
                fail(key, "expected [bias, scale] pairs");
            out.push_back(QuantParam{static_cast<int32_t>(p.items[0].number), p.items[1].number});
        }
        return out;
    }
};

std::string configJson(const ConversionConfig& c)
{
    std::ostringstream o;
    o << "{\"weightFormat\":" << jsonQuote(c.weightFormat) << ",\"clusters\":" << c.clusters
      << ",\"clustersPerLayer\":{";
    bool first = true;
    for (const auto& [node, k] : c.clustersPerLayer) {
        o << (first ? "" : ",") << jsonQuote(node) << ":" << k;
        first = false;
    }
    o << "},\"sharedBook\":" << (c.sharedBook ? "true" : "false") << ",\"pointwise\":" << jsonQuote(toString(c.pointwise))
      << ",\"refine\":" << (c.refine ? "true" : "false") << ",\"seed\":" << c.seed
      << ",\"maxIterations\":" << c.maxIterations << ",\"refineMaxPositions\":" << c.refineMaxPositions << "}";
    return o.str();
}

std::string layerJson(const ConvertedLayer& l)
{
    const CompressedKernels& k = l.kernels;
    std::ostringstream o;
    o << "{\"node\":" << jsonQuote(l.node) << ",\"op\":" << jsonQuote(l.op) << ",\"weightName\":" << jsonQuote(l.weightName)
      << ",\"weightShape\":[";
    for (size_t d = 0; d < l.weightShape.size(); ++d)
        o << (d ? "," : "") << l.weightShape[d];
    o << "],\"outputAxis\":" << l.outputAxis << ",\"weightFormat\":" << jsonQuote(l.weightFormat)
      << ",\"clustered\":" << (l.clustered ? "true" : "false") << ",\"book\":" << jsonQuote(l.book)
      << ",\"unit\":" << static_cast<int>(k.unit) << ",\"d\":" << k.d << ",\"clusters\":" << k.clusters
      << ",\"units\":" << k.unitCount() << ",\"indexBits\":" << k.indexBits << ",\"nonZeroUnits\":" << k.nonZeroUnits
      << ",\"inertia\":" << jsonNumber(k.inertia) << ",\"iterations\":" << k.iterations
      << ",\"stop\":" << static_cast<int>(k.stop) << ",\"refined\":" << (l.refined ? "true" : "false")
      << ",\"refineSqnrBeforeDb\":" << jsonNumber(l.refineSqnrBeforeDb)
      << ",\"refineSqnrRefinedDb\":" << jsonNumber(l.refineSqnrRefinedDb)
      << ",\"refineSqnrAfterDb\":" << jsonNumber(l.refineSqnrAfterDb)
      << ",\"centroidParams\":" << jsonParams(l.centroidParams) << ",\"scaleParams\":" << jsonParams(l.scaleParams)
      << ",\"weightParams\":" << jsonParams(l.weightParams) << ",\"biasLength\":" << l.bias.size() << "}";
    return o.str();
}

int codeBytes(const NumberFormat& format) { return (format.bits() + 7) / 8; }

std::vector<uint8_t> packCodes(const std::vector<uint32_t>& codes, int width)
{
    std::vector<uint8_t> out(codes.size() * static_cast<size_t>(width));
    for (size_t k = 0; k < codes.size(); ++k)
        for (int b = 0; b < width; ++b)
            out[k * static_cast<size_t>(width) + static_cast<size_t>(b)] = static_cast<uint8_t>(codes[k] >> (8 * b));
    return out;
}

std::vector<uint32_t> unpackCodes(std::span<const uint8_t> bytes, int width)
{
    std::vector<uint32_t> out(bytes.size() / static_cast<size_t>(width));
    for (size_t k = 0; k < out.size(); ++k)
        for (int b = 0; b < width; ++b)
            out[k] |= uint32_t(bytes[k * static_cast<size_t>(width) + static_cast<size_t>(b)]) << (8 * b);
    return out;
}

std::string sectionName(size_t layer, const char* what)
{
    // Appended piecewise: "L" + std::to_string(...) trips GCC 12's false -Wrestrict.
    std::string name = std::to_string(layer);
    name.insert(name.begin(), 'L');
    name += '.';
    name += what;
    return name;
}

ConversionConfig readConfig(const JsonReader& r, const Json& c)
{
    ConversionConfig cfg;
    cfg.weightFormat = r.string(c, "weightFormat");
    cfg.clusters = static_cast<int>(r.integer(c, "clusters", 1, INT32_MAX));
    const Json& per = r.get(c, "clustersPerLayer");
    for (const auto& [node, v] : per.members) {
        if (v.kind != JsonKind::Number || v.number < 1 || v.number > INT32_MAX)
            r.fail("clustersPerLayer", "bad K for '" + node + "'");
        cfg.clustersPerLayer[node] = static_cast<int>(v.number);
    }
    cfg.sharedBook = r.boolean(c, "sharedBook");
    const std::string pw = r.string(c, "pointwise");
    bool known = false;
    for (PointwisePolicy p : {PointwisePolicy::Keep, PointwisePolicy::ScalarSharing, PointwisePolicy::SubVector})
        if (pw == toString(p))
            cfg.pointwise = p, known = true;
    if (!known)
        r.fail("pointwise", "unknown policy '" + pw + "'");
    cfg.refine = r.boolean(c, "refine");
    cfg.seed = static_cast<uint32_t>(r.integer(c, "seed", 0, UINT32_MAX));
    cfg.maxIterations = static_cast<int>(r.integer(c, "maxIterations", 0, INT32_MAX));
    cfg.refineMaxPositions = r.integer(c, "refineMaxPositions", 1, INT64_MAX / 2);
    return cfg;
}

/// Reads one layer's manifest entry and sections; checks it against the refolded graph.
ConvertedLayer readLayer(const JsonReader& r, const Json& j, const LnszReader& file, size_t index, const Graph& folded)
{
    ConvertedLayer l;
    l.node = r.string(j, "node");
    l.op = r.string(j, "op");
    l.weightName = r.string(j, "weightName");
    for (const Json& d : r.array(j, "weightShape"))
        l.weightShape.push_back(d.kind == JsonKind::Number ? static_cast<int64_t>(d.number) : -1);
    const Tensor* w = folded.initializer(l.weightName);
    if (!w || w->shape() != l.weightShape)
        r.fail("layers[" + std::to_string(index) + "]", "weight '" + l.weightName + "' does not match the folded model");
    l.outputAxis = static_cast<int>(r.integer(j, "outputAxis", 0, std::max(0, w->rank() - 1)));
    l.weightFormat = r.string(j, "weightFormat");
    const NumberFormat& format = NumberFormatRegistry::builtin().get(l.weightFormat);
    const int width = codeBytes(format);
    l.clustered = r.boolean(j, "clustered");
    l.book = r.string(j, "book");
    l.refined = r.boolean(j, "refined");
    l.refineSqnrBeforeDb = r.number(j, "refineSqnrBeforeDb");
    l.refineSqnrRefinedDb = r.number(j, "refineSqnrRefinedDb");
    l.refineSqnrAfterDb = r.number(j, "refineSqnrAfterDb");
    l.centroidParams = r.params(j, "centroidParams");
    l.scaleParams = r.params(j, "scaleParams");
    l.weightParams = r.params(j, "weightParams");
    for (const auto* params : {&l.centroidParams, &l.scaleParams, &l.weightParams})
        for (const QuantParam& p : *params)
            format.checkParam(p);
    if (file.has(sectionName(index, "b")))
        l.bias = file.floats(sectionName(index, "b"));
    if (!l.clustered) {
        l.weightCodes = unpackCodes(file.bytes(sectionName(index, "w")), width);
        if (static_cast<int64_t>(l.weightCodes.size()) != w->numel()
            || static_cast<int64_t>(l.weightParams.size()) != l.weightShape[static_cast<size_t>(l.outputAxis)])
            r.fail("layers[" + std::to_string(index) + "]", "weight codes or parameters do not fit the shape");
        return l;
    }
    CompressedKernels& k = l.kernels;
    k.weightShape = l.weightShape;
    k.unit = static_cast<ClusterUnit>(r.integer(j, "unit", 0, 2));
    k.d = static_cast<int>(r.integer(j, "d", 1, 1 << 20));
    k.clusters = static_cast<int>(r.integer(j, "clusters", 0, INT32_MAX));
    k.indexBits = static_cast<int>(r.integer(j, "indexBits", 1, 32));
    const auto units = static_cast<size_t>(r.integer(j, "units", 0, w->numel()));
    k.nonZeroUnits = r.integer(j, "nonZeroUnits", 0, static_cast<int64_t>(units));
    k.inertia = r.number(j, "inertia");
    k.iterations = static_cast<int>(r.integer(j, "iterations", 0, INT32_MAX));
    k.stop = static_cast<KMeansStop>(r.integer(j, "stop", 0, 3));
    k.indices = unpackBits(file.bytes(sectionName(index, "idx")), k.indexBits, units);
    k.centroids = file.floats(sectionName(index, "cf"));
    k.scales = file.floats(sectionName(index, "sf"));
    l.centroidCodes = unpackCodes(file.bytes(sectionName(index, "lut")), width);
    l.scaleCodes = unpackCodes(file.bytes(sectionName(index, "scl")), width);
    if (l.centroidCodes.size() != k.centroids.size() || l.scaleCodes.size() != k.scales.size()
        || l.centroidParams.size() != 1 || (k.unit == ClusterUnit::Kernel && l.scaleParams.size() != static_cast<size_t>(l.weightShape[0])))
        r.fail("layers[" + std::to_string(index) + "]", "codes or parameters do not fit the kernels");
    try {
        (void)k.reconstruct(); // validates sizes and indices
    } catch (const Error& e) {
        r.fail("layers[" + std::to_string(index) + "]", e.what());
    }
    return l;
}

} // namespace

void saveConverted(const ConvertedModel& model, const std::filesystem::path& path)
{
    std::ostringstream manifest;
    manifest << "{\"format\":" << jsonQuote(kManifestFormat) << ",\"version\":" << kManifestVersion
             << ",\"modelHash\":" << jsonQuote(modelHash(model.original)) << ",\"config\":" << configJson(model.config)
             << ",\"notes\":[";
    for (size_t k = 0; k < model.notes.size(); ++k)
        manifest << (k ? "," : "") << jsonQuote(model.notes[k]);
    manifest << "],\"layers\":[";
    for (size_t k = 0; k < model.layers.size(); ++k)
        manifest << (k ? ",\n" : "\n") << layerJson(model.layers[k]);
    manifest << "]}\n";

    LnszWriter writer;
    writer.addJson("manifest", manifest.str());
    for (size_t k = 0; k < model.layers.size(); ++k) {
        const ConvertedLayer& l = model.layers[k];
        const int width = codeBytes(NumberFormatRegistry::builtin().get(l.weightFormat));
        if (l.clustered) {
            writer.addSection(sectionName(k, "idx"), SectionType::Bytes, l.kernels.packedIndices());
            writer.addSection(sectionName(k, "lut"), SectionType::Bytes, packCodes(l.centroidCodes, width));
            writer.addSection(sectionName(k, "scl"), SectionType::Bytes, packCodes(l.scaleCodes, width));
            writer.addFloats(sectionName(k, "cf"), l.kernels.centroids);
            writer.addFloats(sectionName(k, "sf"), l.kernels.scales);
        } else {
            writer.addSection(sectionName(k, "w"), SectionType::Bytes, packCodes(l.weightCodes, width));
        }
        if (!l.bias.empty())
            writer.addFloats(sectionName(k, "b"), l.bias);
    }
    writer.write(path);
}

ConvertedModel loadConverted(const std::filesystem::path& path, const Graph& originalModel)
{
    const LnszReader file = LnszReader::open(path);
    const std::string context = path.string();
    const std::string text = file.json("manifest");
    Json root;
    try {
        root = parseJson(text);
    } catch (const JsonError& e) {
        throw FormatError(context + ": manifest JSON: " + e.what());
    }
    const JsonReader r{context};
    if (root.kind != JsonKind::Object || r.string(root, "format") != kManifestFormat)
        throw FormatError(context + ": not a converted model (manifest format is not '" + kManifestFormat + "')");
    if (r.integer(root, "version", 0, INT32_MAX) != kManifestVersion)
        throw UnsupportedError(context + ": converted-model manifest version " + jsonNumber(r.number(root, "version"))
                               + " is not supported (this build reads " + std::to_string(kManifestVersion) + ")");
    const std::string savedHash = r.string(root, "modelHash");
    const std::string hash = modelHash(originalModel);
    if (savedHash != hash)
        throw FormatError(context + ": converted from another model (model hash " + savedHash + ", given model "
                          + hash + ")");

    ConvertedModel m;
    m.config = readConfig(r, r.get(root, "config"));
    for (const Json& n : r.array(root, "notes"))
        m.notes.push_back(n.text);
    m.original = originalModel;
    BnFoldResult folded = foldBatchNorm(originalModel);
    m.folded = std::move(folded.graph);
    m.bnRecords = std::move(folded.records);
    const auto& layers = r.array(root, "layers");
    for (size_t k = 0; k < layers.size(); ++k)
        m.layers.push_back(readLayer(r, layers[k], file, k, m.folded));
    return m;
}

} // namespace lnscope::core
