// Whole-model conversion pass, staged graphs and the model hash; the .lnsz save/load of a
// ConvertedModel is in converted_model_io.cpp.
// See converted_model.h for the design; this file explains only the non-obvious.

#include "lnscope/core/converted_model.h"

#include "lnscope/core/centroid_refine.h"
#include "lnscope/core/lns_emulator.h"
#include "lnscope/core/lns_format.h"
#include "lnscope/core/tensor_metrics.h"
#include "lnscope/core/error.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <map>
#include <optional>

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

/// Per-channel parameters (by `rule` over each channel's values) and codes, for any output axis.
void quantizePerChannel(const NumberFormat& format, std::span<const float> values, const ChannelMap& map,
                        ParamRule rule, std::vector<QuantParam>& params, std::vector<uint32_t>& codes)
{
    std::vector<std::vector<float>> blocks(static_cast<size_t>(map.channels));
    for (size_t e = 0; e < values.size(); ++e)
        blocks[static_cast<size_t>(map.of(static_cast<int64_t>(e)))].push_back(values[e]);
    params.clear();
    for (const auto& block : blocks)
        params.push_back(format.chooseParam(block, rule));
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

void checkScaleFormat(const NumberFormat& weightFormat, const NumberFormat& scaleFormat)
{
    const auto* w = dynamic_cast<const LnsFormat*>(&weightFormat);
    if (!w)
        return; // decoded scale × decoded centroid: any format multiplies
    const auto* s = dynamic_cast<const LnsFormat*>(&scaleFormat);
    if (!s || s->fractionBits() != w->fractionBits())
        throw UnsupportedError("conversion: scale format '" + scaleFormat.name() + "' does not fit weight format '"
                               + weightFormat.name() + "': with LNS weights the scales must be LNS codes with the same "
                               "fraction bits (F = " + std::to_string(w->fractionBits())
                               + "), so that scale · centroid is an add of log codes");
}

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
        const NumberFormat& scaleFmt =
            NumberFormatRegistry::builtin().get(scaleFormat.empty() ? weightFormat : scaleFormat);
        decoded.scales = decodePerChannel(scaleFmt, scaleCodes, scaleChannelMap(kernels), scaleParams);
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
        // The converted (possibly bias-corrected) linear biases, from the ClusterCompressed stage on.
        const Node* node = nullptr;
        for (const Node& n : graph.nodes)
            if (n.name == l.node)
                node = &n;
        if (!l.bias.empty() && node && node->opType != "MatMul" && node->hasInput(2)) {
            auto b = graph.initializers.find(node->input(2));
            if (b != graph.initializers.end() && b->second.isFloat() && b->second.numel() == static_cast<int64_t>(l.bias.size()))
                b->second = Tensor::fromFloats(b->second.shape(), l.bias);
        }
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

int nodeIndexOf(const Graph& g, const std::string& name)
{
    for (size_t n = 0; n < g.nodes.size(); ++n)
        if (g.nodes[n].name == name)
            return static_cast<int>(n);
    return -1;
}

bool sameAttributes(const Node& a, const Node& b)
{
    if (a.opType != b.opType || a.attrs.size() != b.attrs.size())
        return false;
    for (const auto& [name, x] : a.attrs) {
        const auto it = b.attrs.find(name);
        if (it == b.attrs.end())
            return false;
        const Attribute& y = it->second;
        if (x.kind != y.kind || x.i != y.i || x.f != y.f || x.s != y.s || x.ints != y.ints || x.floats != y.floats
            || x.strings != y.strings || !(x.t == y.t))
            return false;
    }
    return true;
}

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
        // A weight read by several nodes is one layer applied more than once: converted when every
        // reader applies it the same way (same op, attributes and bias), so that they stay tied.
        bool sameUse = true;
        for (int other : g.consumersOf(node.input(1))) {
            const Node& o = g.nodes[static_cast<size_t>(other)];
            sameUse = sameUse && sameAttributes(o, node) && o.inputs.size() == node.inputs.size()
                      && o.inputs[1] == node.inputs[1] && (node.inputs.size() < 3 || o.inputs[2] == node.inputs[2]);
        }
        if (!sameUse) {
            notes.push_back(node.describe() + ": weight shared with a node that uses it differently, kept in float");
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

/// Layers applied more than once: after folding, a network used twice (a stereo model's shared
/// feature extractor on the left and the right image) has bit-identical weights and biases under
/// two names. tiedTo[i] = the first layer with the same op, attributes, weight and bias, else −1.
/// Tied layers are converted once, on the inputs of all of them, and store the same codes: the
/// two branches stay one function, as the accelerator would run them.
std::vector<int> findTiedLayers(const Graph& g, const std::vector<ConvertedLayer>& layers)
{
    std::vector<int> tiedTo(layers.size(), -1);
    auto nodeOf = [&](const ConvertedLayer& l) -> const Node* {
        const int n = nodeIndexOf(g, l.node);
        return n < 0 ? nullptr : &g.nodes[static_cast<size_t>(n)];
    };
    for (size_t j = 0; j < layers.size(); ++j)
        for (size_t i = 0; i < j; ++i) {
            const ConvertedLayer& a = layers[i];
            const ConvertedLayer& b = layers[j];
            if (tiedTo[i] >= 0 || a.op != b.op || a.weightShape != b.weightShape || a.bias != b.bias)
                continue;
            const Node* na = nodeOf(a);
            const Node* nb = nodeOf(b);
            if (!na || !nb || !sameAttributes(*na, *nb) || !(*g.initializer(a.weightName) == *g.initializer(b.weightName)))
                continue;
            tiedTo[j] = static_cast<int>(i);
            break;
        }
    return tiedTo;
}

/// Copies what conversion decided for each primary layer to the layers tied to it (everything but
/// the layer's own node, weight name and, after bias correction, bias).
void copyTied(std::vector<ConvertedLayer>& layers, const std::vector<int>& tiedTo)
{
    for (size_t j = 0; j < layers.size(); ++j) {
        if (tiedTo[j] < 0)
            continue;
        const ConvertedLayer& a = layers[static_cast<size_t>(tiedTo[j])];
        ConvertedLayer& b = layers[j];
        const std::string node = b.node, weightName = b.weightName;
        const std::vector<float> bias = b.bias;
        b = a;
        b.node = node;
        b.weightName = weightName;
        b.bias = bias;
        b.tiedTo = a.node;
        if (b.book == a.node)
            b.book = node; // per-layer book: its own id (the codes are the same)
    }
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
        if (!l.tiedTo.empty())
            continue;
        const bool spatial = isSpatialConv(l);
        const bool pointwise = isPointwiseConv(l) && config.pointwise != PointwisePolicy::Keep;
        if (!spatial && !pointwise)
            continue;
        steps.step("compress " + l.node);
        auto k = config.clustersPerLayer.find(l.node);
        for (const ConvertedLayer& t : layers) // a K given for a layer tied to this one applies to both
            if (k == config.clustersPerLayer.end() && t.tiedTo == l.node)
                k = config.clustersPerLayer.find(t.node);
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
        if (isSpatialConv(l) && l.tiedTo.empty())
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
        if (!isPointwiseConv(l) || config.pointwise == PointwisePolicy::Keep || !l.tiedTo.empty())
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

/// The inputs of several nodes (a layer and the layers tied to it) concatenated along N; empty when
/// any capture is empty or their C, H, W differ.
Tensor captureInputs(const Executor& exec, const std::vector<int>& nodeIndices, const std::vector<TensorMap>& calibration,
                     Progress* progress)
{
    Tensor all;
    for (int index : nodeIndices) {
        Tensor x = captureLayerInput(exec, index, calibration, progress);
        if (x.empty())
            return {};
        if (all.empty()) {
            all = std::move(x);
            continue;
        }
        if (!std::equal(all.shape().begin() + 1, all.shape().end(), x.shape().begin() + 1, x.shape().end()))
            return {};
        Shape shape = all.shape();
        shape[0] += x.dim(0);
        std::vector<float> data = all.toFloats();
        data.insert(data.end(), x.floats().begin(), x.floats().end());
        all = Tensor::fromFloats(shape, std::move(data));
    }
    return all;
}

/// Refines the clustered layers' centroids (and, with reassignment, indices and scales). Returns
/// the centroids to store per node when they were rounded with error feedback (already on the
/// weight format's grid), for quantizeLayers to encode instead of rounding the float solution.
std::map<std::string, std::vector<float>> refineLayers(ConvertedModel& m, const std::vector<TensorMap>& calibration,
                                                       StepCounter& steps)
{
    std::map<std::string, std::vector<float>> stored;
    if (!m.config.refine)
        return stored;
    if (calibration.empty()) {
        m.notes.push_back("refinement skipped: no calibration inputs");
        return stored;
    }
    if (m.config.sharedBook)
        m.notes.push_back("refinement skipped for shared books (a per-layer solve would split the book)");
    const NumberFormat& format = NumberFormatRegistry::builtin().get(m.config.weightFormat);
    const NumberFormat& scaleFormat = NumberFormatRegistry::builtin().get(m.config.scaleFormatName());
    const bool sequential = m.config.reassignRounds > 0;
    // With reassignment, layers are refined in graph order on the inputs that the layers already
    // refined produce (their weights as the format stores them): each layer absorbs the error
    // that reaches it. Without, every layer sees the float model's activations.
    Graph work = m.folded;
    // correctUpstream: the float model's activations, from one executor for every layer.
    std::optional<Executor> floatModel;
    if (sequential && m.config.correctUpstream)
        floatModel.emplace(m.folded, ExecOptions{m.config.threads});
    for (ConvertedLayer& l : m.layers) {
        if (!l.clustered || l.kernels.unit != ClusterUnit::Kernel || l.book != l.node)
            continue;
        steps.step("refine " + l.node);
        const int index = nodeIndexOf(m.folded, l.node);
        // A layer and the layers tied to it are refined on all their inputs together.
        std::vector<int> nodes;
        nodes.reserve(4);
        nodes.push_back(index);
        std::vector<std::string> tiedWeights;
        for (const ConvertedLayer& t : m.layers)
            if (t.tiedTo == l.node) {
                nodes.push_back(nodeIndexOf(m.folded, t.node));
                tiedWeights.push_back(t.weightName);
            }
        const Executor exec(sequential ? work : m.folded, ExecOptions{m.config.threads});
        Tensor x = captureInputs(exec, nodes, calibration, steps.progress);
        if (x.empty() && nodes.size() > 1) {
            m.notes.push_back(l.node + ": refined on its own inputs only (the layers tied to it see other shapes)");
            nodes.erase(nodes.begin() + 1, nodes.end());
            x = captureInputs(exec, nodes, calibration, steps.progress);
        }
        Tensor reference; // the float model's input of the layer (correctUpstream)
        if (floatModel)
            reference = captureInputs(*floatModel, nodes, calibration, steps.progress);
        if (x.empty()) {
            m.notes.push_back(l.node + ": refinement skipped (calibration inputs of different shapes)");
            continue;
        }
        RefineOptions ro;
        ro.maxPositions = m.config.refineMaxPositions;
        ro.threads = m.config.threads;
        ro.reassignRounds = m.config.reassignRounds;
        if (!reference.empty() && reference.shape() == x.shape())
            ro.referenceInput = &reference;
        // The ClusterCompressed stage keeps the float solution; the reported "after" SQNR is for
        // the centroids as the weight format stores them (same rule as quantizeLayers).
        ro.requantize = [&](std::vector<float>& c) {
            format.fakeQuantize(c, format.chooseParam(c, m.config.weightRule), c);
        };
        if (m.config.roundingFeedback)
            ro.roundingFor = [&](const std::vector<float>& c) -> std::function<float(float)> {
                const QuantParam param = format.chooseParam(c, m.config.weightRule);
                return [&format, param](float v) {
                    float out = 0.f;
                    format.fakeQuantize(std::span<const float>(&v, 1), param, std::span<float>(&out, 1));
                    return out;
                };
            };
        // Reassigned scales are rounded as quantizeLayers will store them (per output channel, same
        // rule), so that the centroid solve absorbs the rounding; quantizeLayers then encodes
        // values already on the grid.
        ro.requantizeScales = [&](std::vector<float>& scales) {
            std::vector<QuantParam> params;
            std::vector<uint32_t> codes;
            const ChannelMap map = scaleChannelMap(l.kernels);
            quantizePerChannel(scaleFormat, scales, map, m.config.weightRule, params, codes);
            scales = decodePerChannel(scaleFormat, codes, map, params);
        };
        const Tensor& weight = *m.folded.initializer(l.weightName);
        const RefineResult r = refineCentroids(l.kernels, weight, x,
                                               geometryOf(m.folded.nodes[static_cast<size_t>(index)], l.weightShape, x.shape()), ro);
        l.centroidsBeforeRefine = l.kernels.centroids;
        l.kernels.centroids = r.solvedCentroids;
        l.kernels.indices = r.indices;
        l.kernels.scales = r.scales;
        l.refined = true;
        l.refineSqnrBeforeDb = r.sqnrBeforeDb;
        l.refineSqnrRefinedDb = r.sqnrRefinedDb;
        l.refineSqnrAfterDb = r.sqnrAfterDb;
        if (m.config.roundingFeedback)
            stored[l.node] = r.centroids; // nearest rounding: quantizeLayers encodes the float solution alike
        if (sequential) {
            CompressedKernels rounded = l.kernels;
            rounded.centroids = r.centroids; // as the format stores them
            work.initializers[l.weightName] = rounded.reconstruct();
            for (const std::string& name : tiedWeights)
                work.initializers[name] = work.initializers[l.weightName];
        }
    }
    return stored;
}

/// Per output channel means (axis 1, over every other axis) of the outputs of the converted layers'
/// nodes (all with a bias, or only `only`), over the calibration inputs, as `run` produces them
/// (float executor or emulator).
std::map<std::string, std::vector<double>> layerOutputMeans(const ConvertedModel& m, const std::string& only,
                                                            const std::function<void(const TensorMap&, const TapFn&)>& run,
                                                            const std::vector<TensorMap>& calibration)
{
    std::map<std::string, std::vector<double>> sums;
    std::map<std::string, int64_t> counts;
    std::map<std::string, bool> wanted;
    for (const ConvertedLayer& l : m.layers)
        if (!l.bias.empty() && (only.empty() || l.node == only))
            wanted[l.node] = true;
    for (const TensorMap& inputs : calibration)
        run(inputs, [&](int, const Node& node, const std::vector<Tensor>& outputs) {
            if (!wanted.count(node.name) || outputs.empty() || !outputs[0].isFloat() || outputs[0].rank() < 2)
                return;
            const Tensor& y = outputs[0];
            const int64_t n = y.dim(0), c = y.dim(1), inner = y.numel() / std::max<int64_t>(1, n * c);
            std::vector<double>& sum = sums[node.name];
            sum.resize(static_cast<size_t>(c), 0.0);
            for (int64_t a = 0; a < n; ++a)
                for (int64_t ch = 0; ch < c; ++ch) {
                    const float* p = y.f() + (a * c + ch) * inner;
                    double acc = 0.0;
                    for (int64_t k = 0; k < inner; ++k)
                        acc += double(p[k]);
                    sum[static_cast<size_t>(ch)] += acc;
                }
            counts[node.name] += n * inner;
        });
    for (auto& [node, sum] : sums)
        for (double& v : sum)
            v /= double(std::max<int64_t>(1, counts[node]));
    return sums;
}

/// Empirical bias correction: each converted layer's bias moves by the difference between the
/// float model's mean output per channel and the converted model's (weights in the format,
/// activations emulated when calibrated), over the calibration inputs. Layers are corrected one at
/// a time in graph order, each measured with the corrections before it in place (a correction
/// changes every later layer's input; correcting all at once from one measurement overshoots).
void correctBiases(ConvertedModel& m, const std::vector<TensorMap>& calibration, StepCounter& steps)
{
    if (calibration.empty())
        return;
    const Executor reference(m.folded, ExecOptions{m.config.threads});
    const auto floatMeans = layerOutputMeans(
        m, {}, [&](const TensorMap& in, const TapFn& tap) { reference.run(in, tap, steps.progress); }, calibration);
    for (ConvertedLayer& l : m.layers) {
        if (!l.tiedTo.empty()) { // one function for both branches: the primary's corrected bias
            if (const ConvertedLayer* primary = m.layer(l.tiedTo); primary && primary->bias.size() == l.bias.size())
                l.bias = primary->bias;
            continue;
        }
        const auto f = floatMeans.find(l.node);
        if (l.bias.empty() || f == floatMeans.end() || f->second.size() != l.bias.size())
            continue;
        steps.step("correct bias " + l.node);
        EmulatorOptions eo;
        eo.threads = m.config.threads;
        eo.quantizeActivations = !m.activations.params.empty();
        const LnsEmulator emulator(m, eo);
        const auto converted = layerOutputMeans(
            m, l.node, [&](const TensorMap& in, const TapFn& tap) { emulator.run(in, tap, steps.progress); }, calibration);
        const auto c = converted.find(l.node);
        if (c == converted.end() || c->second.size() != l.bias.size())
            continue;
        for (size_t ch = 0; ch < l.bias.size(); ++ch) {
            const double shift = f->second[ch] - c->second[ch];
            if (std::isfinite(shift))
                l.bias[ch] = static_cast<float>(double(l.bias[ch]) + shift);
        }
    }
}

/// Encodes every layer in the weight format; `refined` holds the centroids refinement rounded
/// (on the format's grid already), by node.
void quantizeLayers(ConvertedModel& m, StepCounter& steps, const std::map<std::string, std::vector<float>>& refined)
{
    const NumberFormat& format = NumberFormatRegistry::builtin().get(m.config.weightFormat);
    const NumberFormat& scaleFormat = NumberFormatRegistry::builtin().get(m.config.scaleFormatName());
    for (ConvertedLayer& l : m.layers) {
        steps.step("quantize " + l.node);
        if (!l.tiedTo.empty())
            continue; // copied from its primary (copyTied)
        l.weightFormat = format.name();
        if (!l.clustered) {
            const Tensor& w = *m.folded.initializer(l.weightName);
            quantizePerChannel(format, w.floats(), ChannelMap(w.shape(), l.outputAxis), m.config.weightRule, l.weightParams,
                               l.weightCodes);
            continue;
        }
        const CompressedKernels& ck = l.kernels;
        const auto r = refined.find(l.node);
        const std::vector<float>& centroids = r != refined.end() ? r->second : ck.centroids;
        l.centroidParams = {format.chooseParam(centroids, m.config.weightRule)};
        l.centroidCodes.resize(centroids.size());
        format.encode(centroids, l.centroidParams[0], l.centroidCodes);
        if (ck.unit == ClusterUnit::Kernel) {
            l.scaleFormat = scaleFormat.name();
            quantizePerChannel(scaleFormat, ck.scales, scaleChannelMap(ck), m.config.weightRule, l.scaleParams,
                               l.scaleCodes);
        }
    }
}

} // namespace

ConvertedModel convertModel(const Graph& model, const ConversionConfig& config,
                            const std::vector<TensorMap>& calibration, Progress* progress)
{
    const NumberFormat& format = NumberFormatRegistry::builtin().get(config.weightFormat); // throws early
    checkScaleFormat(format, NumberFormatRegistry::builtin().get(config.scaleFormatName()));
    if (!config.activationFormat.empty())
        (void)NumberFormatRegistry::builtin().get(config.activationFormat);
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
    const std::vector<int> tiedTo = findTiedLayers(m.folded, m.layers);
    for (size_t j = 0; j < m.layers.size(); ++j)
        if (tiedTo[j] >= 0) {
            m.layers[j].tiedTo = m.layers[static_cast<size_t>(tiedTo[j])].node;
            m.notes.push_back(m.layers[j].node + ": same weights and bias as " + m.layers[j].tiedTo
                              + " (one layer applied twice): converted once, stored once");
        }
    for (const auto& [node, k] : config.clustersPerLayer) {
        const ConvertedLayer* l = m.layer(node);
        const bool compressible = l && l->op == "Conv" && l->weightShape.size() == 4
                                  && (l->weightShape[2] * l->weightShape[3] > 1 || config.pointwise != PointwisePolicy::Keep);
        if (!compressible)
            throw FormatError("conversion: clustersPerLayer names '" + node + "', which is not a cluster-compressed "
                              "Conv of the model" + (l ? " (it is a " + l->op + " kept uncompressed)" : ""));
    }

    StepCounter steps{progress,
                      static_cast<int>(m.layers.size()) * (config.refine ? 3 : 2) + 2 + (config.refine && config.biasCorrection ? static_cast<int>(m.layers.size()) : 0), 0};
    if (config.sharedBook)
        compressShared(m.folded, m.layers, config, steps);
    else
        compressPerLayer(m.folded, m.layers, config, steps);
    if (config.sharedBook && !config.clustersPerLayer.empty())
        m.notes.push_back("clustersPerLayer ignored for shared books");
    const std::map<std::string, std::vector<float>> refined = refineLayers(m, calibration, steps);
    quantizeLayers(m, steps, refined);
    copyTied(m.layers, tiedTo);
    steps.step("calibrate activations");
    if (config.activationFormat.empty())
        m.activations = {};
    else if (calibration.empty())
        m.notes.push_back("activation calibration skipped: no calibration inputs (activations cannot be emulated)");
    else
        m.activations = calibrateActivations(m.graphForStage(Stage::Lns8), calibration,
                                             NumberFormatRegistry::builtin().get(config.activationFormat),
                                             config.activationRule, config.threads, nullptr);
    if (config.biasCorrection && config.refine && !calibration.empty())
        correctBiases(m, calibration, steps);
    if (progress) {
        progress->checkCancelled();
        progress->report(1.0, "done");
    }
    return m;
}

std::vector<LayerSensitivity> layerSensitivity(const ConvertedModel& model, const std::vector<TensorMap>& inputs,
                                               Stage stage, int threads, Progress* progress)
{
    if (inputs.empty())
        throw FormatError("sensitivity: no inputs");
    if (stage != Stage::ClusterCompressed && stage != Stage::Lns8)
        throw FormatError("sensitivity: the stage must be cluster compressed or the weight format");
    const ExecOptions options{threads};
    std::vector<TensorMap> reference;
    const Executor folded(model.folded, options);
    for (const TensorMap& in : inputs)
        reference.push_back(folded.run(in));
    std::vector<LayerSensitivity> out;
    for (size_t i = 0; i < model.layers.size(); ++i) {
        const ConvertedLayer& l = model.layers[i];
        if (progress) {
            progress->checkCancelled();
            progress->report(double(i) / double(model.layers.size()), "sensitivity " + l.node);
        }
        Graph g = model.folded;
        Tensor& w = g.initializers.at(l.weightName);
        w = l.weightForStage(stage, w);
        const Executor exec(std::move(g), options);
        AgreementAccumulator acc;
        for (size_t k = 0; k < inputs.size(); ++k) {
            const TensorMap y = exec.run(inputs[k]);
            for (const auto& [name, t] : reference[k])
                if (t.isFloat())
                    acc.add(t, y.at(name));
        }
        const Agreement a = acc.result();
        out.push_back({l.node, a.sqnrDb, a.cosine});
    }
    if (progress)
        progress->report(1.0, "sensitivity");
    return out;
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

} // namespace lnscope::core
