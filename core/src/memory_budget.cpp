#include "lnscope/core/memory_budget.h"

#include "lnscope/core/error.h"

#include <algorithm>

namespace lnscope::core {

namespace {

constexpr int kFloatBits = 32;
/// Unfolded BN stores γ, β, μ, σ² per channel (ε is an attribute, not a parameter).
constexpr int kBatchNormParamsPerChannel = 4;

/// ⌈log2 k⌉ for k ≥ 1: the index width that addresses k centroids. ⌈log2 1⌉ = 0.
int64_t ceilLog2(int64_t k)
{
    int64_t bits = 0;
    while ((int64_t(1) << bits) < k)
        ++bits;
    return bits;
}

/// A code width: 2..32 bits (every builtin number format), or also 0 where `zeroAllowed` (no scale).
void checkBits(const char* what, int bits, bool zeroAllowed = false)
{
    if (!(zeroAllowed && bits == 0) && (bits < 2 || bits > 32))
        throw FormatError(std::string("memory budget: ") + what + " = " + std::to_string(bits) + " is not supported");
}

void checkConfig(const StorageConfig& c)
{
    if (c.clusters < 1)
        throw FormatError("memory budget: clusters (K) must be >= 1, got " + std::to_string(c.clusters));
    for (const auto& [name, k] : c.clustersPerLayer)
        if (k < 1)
            throw FormatError("memory budget: clusters (K) for layer '" + name + "' must be >= 1, got "
                              + std::to_string(k));
    checkBits("scaleBits", c.scaleBits, true);
    checkBits("centroidBits", c.centroidBits);
    checkBits("weightBits", c.weightBits);
    checkBits("biasBits", c.biasBits);
}

void checkLayer(const LayerShape& l)
{
    if (l.outChannels < 0 || l.inChannelsPerGroup < 0 || l.kh < 1 || l.kw < 1)
        throw FormatError("memory budget: layer '" + l.name + "' has an invalid shape");
}

bool isCompressed(const LayerShape& l, const StorageConfig& c)
{
    if (!c.clusterCompress || c.keepUncompressed.count(l.name) || l.kernelCount() == 0)
        return false;
    const bool isConv = l.op == "Conv" || l.op == "ConvTranspose";
    if (isConv && l.kernelSize() > 1)
        return true;
    return c.compress1x1; // 1×1 conv, Gemm, MatMul: scalar weight sharing when enabled
}

/// Clustering unit of a compressed layer: a kh×kw kernel (with a scale), or, for 1×1/Gemm
/// scalar sharing, a single weight (d = 1, no scale).
struct Unit
{
    int64_t count = 0; ///< N_l
    int64_t dim = 0;   ///< d
    bool scaled = false;
};

Unit unitOf(const LayerShape& l)
{
    if (l.kernelSize() > 1)
        return {l.kernelCount(), l.kernelSize(), true};
    return {l.weightCount(), 1, false};
}

std::string bookKey(const LayerShape& l, const StorageConfig& c)
{
    if (c.bookScope == BookScope::PerLayer)
        return l.name;
    return std::to_string(l.kh) + "x" + std::to_string(l.kw);
}

std::string countsSentence(const BudgetReport& r)
{
    return "ratio = 32 bits x " + std::to_string(r.floatWeights)
           + " float weights (conv/Gemm/MatMul weight elements only; biases and BN parameters are not in the "
             "numerator) / "
           + std::to_string(r.total.totalBits())
           + " stored bits (indices, per-kernel scales, codebook LUTs, uncompressed weights, biases and unfolded BN "
             "parameters) at stage "
           + stageName(r.stage);
}

} // namespace

const char* stageName(Stage stage)
{
    switch (stage) {
    case Stage::Float32: return "float32";
    case Stage::BatchNormFolded: return "BN folded";
    case Stage::ClusterCompressed: return "cluster compressed";
    case Stage::Lns8: return "LNS8";
    }
    return "?";
}

StorageConfig StorageConfig::forStage(Stage stage) const
{
    StorageConfig c = *this;
    switch (stage) {
    case Stage::Float32:
    case Stage::BatchNormFolded:
        c.clusterCompress = false;
        c.batchNormFolded = stage == Stage::BatchNormFolded;
        c.weightBits = kFloatBits;
        c.biasBits = kFloatBits;
        break;
    case Stage::ClusterCompressed:
        c.clusterCompress = true;
        c.batchNormFolded = true;
        c.centroidBits = kFloatBits;
        c.weightBits = kFloatBits;
        c.biasBits = kFloatBits;
        break;
    case Stage::Lns8:
        c.clusterCompress = true;
        c.batchNormFolded = true;
        c.centroidBits = 8;
        c.weightBits = 8;
        c.scaleBits = scaleBits > 0 ? 8 : 0;
        break;
    }
    return c;
}

int64_t StorageTerms::totalBits() const
{
    return indexBits + scaleBits + lutBits + uncompressedWeightBits + biasBits + batchNormBits;
}

int64_t StorageTerms::bytes() const
{
    return (totalBits() + 7) / 8;
}

StorageTerms& StorageTerms::operator+=(const StorageTerms& o)
{
    indexBits += o.indexBits;
    scaleBits += o.scaleBits;
    lutBits += o.lutBits;
    uncompressedWeightBits += o.uncompressedWeightBits;
    biasBits += o.biasBits;
    batchNormBits += o.batchNormBits;
    return *this;
}

std::vector<std::pair<std::string, int64_t>> StorageTerms::named() const
{
    return {{"kernel indices", indexBits},
            {"per-kernel scales", scaleBits},
            {"codebook LUTs (centroids)", lutBits},
            {"uncompressed weights", uncompressedWeightBits},
            {"biases (own and folded BN)", biasBits},
            {"batch-norm parameters (unfolded)", batchNormBits}};
}

BudgetReport storageBudget(const std::vector<LayerShape>& layers, const StorageConfig& config, Stage stage)
{
    checkConfig(config);
    BudgetReport report;
    report.stage = stage;

    // Pass 1: book sizes. A shared book is sized by the units of all its layers: K = min(K, ΣN).
    struct Book
    {
        int64_t units = 0;
        int64_t dim = 0;
        int64_t k = 0;
        bool lutCharged = false;
    };
    std::map<std::string, Book> books;
    for (const LayerShape& l : layers) {
        checkLayer(l);
        if (!isCompressed(l, config) || !l.sharesWeightsOf.empty())
            continue;
        Book& b = books[bookKey(l, config)];
        b.units += unitOf(l).count;
        b.dim = unitOf(l).dim;
        int64_t k = config.clusters;
        if (config.bookScope == BookScope::PerLayer)
            if (auto it = config.clustersPerLayer.find(l.name); it != config.clustersPerLayer.end())
                k = it->second;
        b.k = k; // per-layer: this layer's K; shared: the global K
    }
    for (auto& [key, b] : books)
        b.k = std::min(b.k, b.units); // K larger than the number of units clamps

    // Pass 2: per-layer terms.
    for (const LayerShape& l : layers) {
        LayerBudget lb;
        lb.shape = l;
        StorageTerms& t = lb.terms;
        if (!l.sharesWeightsOf.empty()) { // stored once, with the layer it shares with
            report.layers.push_back(std::move(lb));
            continue;
        }
        if (isCompressed(l, config)) {
            const Unit u = unitOf(l);
            Book& b = books.at(bookKey(l, config));
            lb.compressed = true;
            lb.book = bookKey(l, config);
            lb.clusters = b.k;
            lb.indexBitsPerUnit = ceilLog2(b.k);
            lb.bookLutBits = b.k * b.dim * config.centroidBits;
            t.indexBits = u.count * lb.indexBitsPerUnit;
            t.scaleBits = u.scaled ? u.count * config.scaleBits : 0;
            if (!b.lutCharged) {
                t.lutBits = lb.bookLutBits;
                b.lutCharged = true;
            }
        } else {
            t.uncompressedWeightBits = l.weightCount() * config.weightBits;
        }
        const bool hasBiasTerm = l.hasBias || (config.batchNormFolded && l.hasBatchNorm);
        if (hasBiasTerm)
            t.biasBits = l.outChannels * config.biasBits;
        if (!config.batchNormFolded && l.hasBatchNorm)
            t.batchNormBits = kBatchNormParamsPerChannel * l.outChannels * kFloatBits;
        report.total += t;
        report.floatWeights += l.weightCount();
        report.layers.push_back(std::move(lb));
    }
    const int64_t bits = report.total.totalBits();
    report.ratio = bits > 0 ? double(kFloatBits) * double(report.floatWeights) / double(bits) : 0.0;
    report.counts = countsSentence(report);
    return report;
}

std::vector<BudgetReport> budgetByStage(const std::vector<LayerShape>& layers, const StorageConfig& config)
{
    std::vector<BudgetReport> reports;
    for (Stage s : {Stage::Float32, Stage::BatchNormFolded, Stage::ClusterCompressed, Stage::Lns8})
        reports.push_back(storageBudget(layers, config.forStage(s), s));
    return reports;
}

std::vector<LayerShape> layerShapesFromGraph(const Graph& graph)
{
    std::vector<LayerShape> shapes;
    std::map<std::string, std::string> firstReader; // weight initializer → first node reading it
    for (size_t n = 0; n < graph.nodes.size(); ++n) {
        const Node& node = graph.nodes[n];
        const bool conv = node.opType == "Conv" || node.opType == "ConvTranspose";
        const bool gemm = node.opType == "Gemm" || node.opType == "MatMul";
        if (!(conv || gemm) || !node.hasInput(1))
            continue;
        const Tensor* w = graph.initializer(node.input(1));
        if (!w)
            continue;
        LayerShape l;
        l.name = node.name;
        if (const auto seen = firstReader.find(node.input(1)); seen != firstReader.end())
            l.sharesWeightsOf = seen->second;
        else
            firstReader[node.input(1)] = node.name;
        l.op = node.opType;
        if (conv) {
            if (w->rank() < 3)
                throw FormatError(node.describe() + ": weight must have rank >= 3, got " + shapeToString(w->shape()));
            const int64_t group = std::max<int64_t>(1, node.attrInt("group", 1));
            if (node.opType == "Conv") {
                l.outChannels = w->dim(0);
                l.inChannelsPerGroup = w->dim(1);
            } else { // ConvTranspose: W[I][O/g][k...]
                l.outChannels = w->dim(1) * group;
                l.inChannelsPerGroup = w->dim(0) / group;
            }
            l.kh = w->dim(2);
            l.kw = 1;
            for (int a = 3; a < w->rank(); ++a)
                l.kw *= w->dim(a);
            l.hasBias = node.hasInput(2);
        } else {
            if (w->rank() != 2)
                continue; // batched MatMul weights are not a layer's weight matrix
            const bool transB = node.opType == "Gemm" && node.attrInt("transB", 0) != 0;
            // Gemm/MatMul compute A·B: B is [in, out], or [out, in] with transB.
            l.outChannels = transB ? w->dim(0) : w->dim(1);
            l.inChannelsPerGroup = transB ? w->dim(1) : w->dim(0);
            l.hasBias = node.opType == "Gemm" && node.hasInput(2);
        }
        if (!node.outputs.empty() && !node.outputs[0].empty()) {
            const std::vector<int> readers = graph.consumersOf(node.outputs[0]);
            l.hasBatchNorm = readers.size() == 1 && graph.nodes[size_t(readers[0])].opType == "BatchNormalization"
                             && graph.nodes[size_t(readers[0])].input(0) == node.outputs[0];
        }
        shapes.push_back(std::move(l));
    }
    return shapes;
}

FitReport fits(const BudgetReport& report, int64_t budgetBytes)
{
    FitReport fit;
    fit.budgetBytes = budgetBytes;
    for (const LayerBudget& lb : report.layers) {
        // The layer needs its whole book on-chip, whichever layer the shared LUT was charged to.
        const int64_t bits = lb.terms.totalBits() - lb.terms.lutBits + lb.bookLutBits;
        LayerFit lf;
        lf.name = lb.shape.name;
        lf.bytes = (bits + 7) / 8;
        lf.fits = lf.bytes <= budgetBytes;
        fit.layers.push_back(lf);
    }
    fit.totalBytes = report.total.bytes();
    fit.totalFits = fit.totalBytes <= budgetBytes;
    return fit;
}

ActivationPeak peakActivationBytes(const Graph& graph, const TensorMap& inputs, int bytesPerElement)
{
    // Replays Executor's freeing rule (executor.cpp): a non-initializer tensor is freed after its
    // last reader unless it is a graph output; an output nobody reads is freed after its producer.
    const size_t nodeCount = graph.nodes.size();
    std::map<std::string, size_t> lastUse;
    for (size_t n = 0; n < nodeCount; ++n)
        for (const std::string& in : graph.nodes[n].inputs)
            if (!in.empty() && !graph.isInitializer(in))
                lastUse[in] = n;
    std::vector<std::vector<std::string>> freeAfter(nodeCount);
    for (const auto& [name, n] : lastUse)
        if (!graph.isGraphOutput(name))
            freeAfter[n].push_back(name);
    for (size_t n = 0; n < nodeCount; ++n)
        for (const std::string& out : graph.nodes[n].outputs)
            if (!out.empty() && !lastUse.count(out) && !graph.isGraphOutput(out))
                freeAfter[n].push_back(out);

    std::map<std::string, int64_t> live; // tensor → elements
    int64_t liveElements = 0;
    for (const ValueInfo& info : graph.inputs)
        if (auto it = inputs.find(info.name); it != inputs.end()) {
            live[info.name] = it->second.numel();
            liveElements += it->second.numel();
        }

    ActivationPeak peak;
    peak.elements = liveElements; // before the first node: the inputs alone
    auto tap = [&](int nodeIndex, const Node& node, const std::vector<Tensor>& outs) {
        for (size_t o = 0; o < node.outputs.size() && o < outs.size(); ++o) {
            if (node.outputs[o].empty())
                continue;
            int64_t& slot = live[node.outputs[o]];
            liveElements += outs[o].numel() - slot; // a re-written name replaces its old value
            slot = outs[o].numel();
        }
        // Node 0 never lowers the count (it frees nothing before this point), so the first node
        // always replaces the inputs-only start; ties keep the earlier node.
        if (peak.nodeIndex < 0 || liveElements > peak.elements) {
            peak.elements = liveElements;
            peak.nodeIndex = nodeIndex;
            peak.nodeName = node.name;
        }
        for (const std::string& dead : freeAfter[size_t(nodeIndex)])
            if (auto it = live.find(dead); it != live.end()) {
                liveElements -= it->second;
                live.erase(it);
            }
    };
    Executor(graph).run(inputs, tap);
    peak.bytes = peak.elements * bytesPerElement;
    return peak;
}

} // namespace lnscope::core
