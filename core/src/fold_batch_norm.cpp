#include "lnscope/core/fold_batch_norm.h"

#include "lnscope/core/error.h"

#include <algorithm>
#include <cmath>
#include <optional>
#include <set>
#include <span>

namespace lnscope::core {

namespace {

constexpr float kDefaultEpsilon = 1e-5f; // ONNX default when the attribute is absent
constexpr const char* kFoldableOps = "Conv, ConvTranspose, Gemm or MatMul";
constexpr const char* kNewNameSuffix = "_bnfold";
constexpr int kMaxRankWalk = 64; // bounds the walk that proves a MatMul input is 2-D

enum class LayerKind { Conv, ConvTranspose, Gemm, MatMul };

/// BN parameters widened to double: the fold is computed in double and stored as float32.
struct BnParams
{
    std::vector<double> gamma, beta, mean, var;
    double epsilon = kDefaultEpsilon;

    int64_t channels() const { return static_cast<int64_t>(gamma.size()); }
    double scale(int64_t o) const
    {
        const auto i = static_cast<size_t>(o);
        return gamma[i] / std::sqrt(var[i] + epsilon);
    }
};

struct FoldPlan
{
    BnFoldRecord record;
    int bnIndex = -1;
    int layerIndex = -1; ///< the producing layer, valid when record.folded
    LayerKind kind = LayerKind::Conv;
};

std::string quoted(const std::string& s)
{
    return "'" + s + "'";
}

bool isDefaultDomain(const Node& node)
{
    return node.domain.empty() || node.domain == "ai.onnx";
}

bool isBatchNorm(const Node& node)
{
    return isDefaultDomain(node) && node.opType == "BatchNormalization";
}

std::optional<LayerKind> layerKindOf(const Node& node)
{
    if (!isDefaultDomain(node))
        return std::nullopt;
    if (node.opType == "Conv")
        return LayerKind::Conv;
    if (node.opType == "ConvTranspose")
        return LayerKind::ConvTranspose;
    if (node.opType == "Gemm")
        return LayerKind::Gemm;
    if (node.opType == "MatMul")
        return LayerKind::MatMul;
    return std::nullopt;
}

/// Training mode normalizes with the batch's own statistics, which no weight change reproduces.
void refuseTrainingMode(const Node& bn)
{
    if (bn.attrInt("training_mode", 0) != 0)
        throw UnsupportedError(bn.describe()
                               + ": training_mode = 1 is not supported (batch statistics cannot be folded)");
}

int64_t readerCount(const Graph& g, const std::string& tensor)
{
    int64_t count = 0;
    for (const Node& node : g.nodes)
        count += std::count(node.inputs.begin(), node.inputs.end(), tensor);
    return count + (g.isGraphOutput(tensor) ? 1 : 0);
}

// ---- analysis ---------------------------------------------------------------------------------
// Every *Reason function returns "" when the check passes, else the reason the BN is kept.

std::string bnStructureReason(const Node& bn)
{
    if (bn.inputs.size() < 5 || !bn.hasInput(0))
        return "it does not have the five inputs X, scale, B, mean, var";
    for (size_t i = 1; i < bn.outputs.size(); ++i)
        if (!bn.outputs[i].empty())
            return "it writes training statistics (output " + quoted(bn.outputs[i]) + ")";
    if (bn.attrInt("spatial", 1) == 0) // opset < 9 only
        return "spatial = 0 (per-activation statistics) is not folded";
    return {};
}

std::string readParam(const Graph& g, const Node& bn, size_t input, const char* what, std::vector<double>& out)
{
    const std::string& name = bn.input(input);
    const Tensor* t = g.initializer(name);
    if (!t)
        return std::string("its ") + what + " " + quoted(name) + " is not a constant";
    if (!t->isFloat())
        return std::string("its ") + what + " " + quoted(name) + " is not float";
    if (t->rank() > 1)
        return std::string("its ") + what + " " + quoted(name) + " has shape " + shapeToString(t->shape())
               + ", expected [C]";
    out.resize(static_cast<size_t>(t->numel()));
    for (int64_t i = 0; i < t->numel(); ++i)
        out[static_cast<size_t>(i)] = t->valueAsDouble(i);
    return {};
}

std::string readParams(const Graph& g, const Node& bn, BnParams& p)
{
    static constexpr const char* kWhat[] = {"scale", "B", "input_mean", "input_var"};
    std::vector<double>* dst[] = {&p.gamma, &p.beta, &p.mean, &p.var};
    for (size_t i = 0; i < 4; ++i)
        if (std::string why = readParam(g, bn, i + 1, kWhat[i], *dst[i]); !why.empty())
            return why;
    if (p.beta.size() != p.gamma.size() || p.mean.size() != p.gamma.size() || p.var.size() != p.gamma.size())
        return "its scale, B, input_mean and input_var have different lengths";
    if (p.gamma.empty())
        return "its parameters are empty";
    p.epsilon = static_cast<double>(bn.attrFloat("epsilon", kDefaultEpsilon));
    for (size_t o = 0; o < p.var.size(); ++o)
        if (!(p.var[o] + p.epsilon > 0.0)) // also catches NaN
            return "input_var + epsilon is not positive for channel " + std::to_string(o);
    return {};
}

/// Rank of `tensor` when it can be proven from the graph (inputs with shapes, initializers and a
/// few rank-fixing or rank-preserving ops), else -1.
int knownRank(const Graph& g, const std::string& tensor, int depth = 0)
{
    if (depth > kMaxRankWalk)
        return -1;
    if (const Tensor* t = g.initializer(tensor))
        return t->rank();
    for (const ValueInfo& in : g.inputs)
        if (in.name == tensor)
            return in.hasShape ? static_cast<int>(in.shape.size()) : -1;
    const int p = g.producerOf(tensor);
    if (p < 0 || !isDefaultDomain(g.nodes[static_cast<size_t>(p)]))
        return -1;
    const Node& n = g.nodes[static_cast<size_t>(p)];
    static const std::set<std::string> kSameRank = {"Relu", "LeakyRelu", "PRelu", "Sigmoid", "Tanh", "Clip",
                                                    "HardSigmoid", "HardSwish", "Identity", "Dropout",
                                                    "Cast", "BatchNormalization", "Softmax"};
    static const std::set<std::string> kBroadcast = {"Add", "Sub", "Mul", "Div", "MatMul"};
    if (n.opType == "Flatten" || n.opType == "Gemm")
        return 2;
    if (kSameRank.count(n.opType))
        return knownRank(g, n.input(0), depth + 1);
    if (n.opType == "Reshape") {
        const Tensor* shape = g.initializer(n.input(1));
        return shape ? static_cast<int>(shape->numel()) : -1;
    }
    if (kBroadcast.count(n.opType)) {
        const int a = knownRank(g, n.input(0), depth + 1);
        const int b = knownRank(g, n.input(1), depth + 1);
        const int minRank = n.opType == "MatMul" ? 2 : 0; // a 1-D MatMul operand drops a dim
        return (a >= minRank && b >= minRank) ? std::max(a, b) : -1;
    }
    return -1;
}

std::string producerReason(const Graph& g, const Node& bn, FoldPlan& plan)
{
    const std::string& x = bn.input(0);
    const int p = g.producerOf(x);
    if (p < 0)
        return "its input " + quoted(x) + " is a graph input or a constant, not the output of a layer";
    const Node& layer = g.nodes[static_cast<size_t>(p)];
    const std::optional<LayerKind> kind = layerKindOf(layer);
    if (!kind)
        return "its input " + quoted(x) + " comes from " + layer.describe() + ", not from a " + kFoldableOps;
    for (int c : g.consumersOf(x))
        if (c != plan.bnIndex)
            return "the output " + quoted(x) + " of " + layer.describe() + " also feeds "
                   + g.nodes[static_cast<size_t>(c)].describe();
    if (g.isGraphOutput(x))
        return "the output " + quoted(x) + " of " + layer.describe() + " is also a graph output";
    plan.layerIndex = p;
    plan.kind = *kind;
    return {};
}

/// The layer's own bias (Conv/ConvTranspose input 2) must be a constant [C] when present.
std::string convBiasReason(const Graph& g, const Node& layer, int64_t channels)
{
    if (!layer.hasInput(2))
        return {};
    const Tensor* b = g.initializer(layer.input(2));
    if (!b)
        return "the bias " + quoted(layer.input(2)) + " of " + layer.describe() + " is not a constant";
    if (!b->isFloat() || b->rank() != 1 || b->numel() != channels)
        return "the bias " + quoted(layer.input(2)) + " of " + layer.describe() + " has shape "
               + shapeToString(b->shape()) + ", expected [" + std::to_string(channels) + "]";
    return {};
}

std::string convReason(const Graph& g, const Node& layer, const Tensor& w, int64_t& channels)
{
    if (w.rank() < 3 || w.dim(0) == 0)
        return "the weight of " + layer.describe() + " has shape " + shapeToString(w.shape());
    channels = w.dim(0); // grouped and depthwise alike: dim 0 is the output channel
    return convBiasReason(g, layer, channels);
}

std::string convTransposeReason(const Graph& g, const Node& layer, const Tensor& w, int64_t& channels)
{
    const int64_t group = layer.attrInt("group", 1);
    if (w.rank() < 3 || w.dim(1) == 0 || group < 1 || w.dim(0) % group != 0)
        return "the weight of " + layer.describe() + " has shape " + shapeToString(w.shape()) + " for group "
               + std::to_string(group);
    channels = w.dim(1) * group; // W[I][O/g][k...]
    return convBiasReason(g, layer, channels);
}

/// Gemm's C must be a constant that broadcasts to [rows, channels].
std::string gemmReason(const Graph& g, const Node& layer, const Tensor& w, int64_t& channels)
{
    if (w.rank() != 2)
        return "the weight of " + layer.describe() + " has shape " + shapeToString(w.shape());
    channels = layer.attrInt("transB", 0) ? w.dim(0) : w.dim(1);
    if (!layer.hasInput(2))
        return {};
    const Tensor* c = g.initializer(layer.input(2));
    if (!c)
        return "the bias C " + quoted(layer.input(2)) + " of " + layer.describe() + " is not a constant";
    const int64_t lastDim = c->rank() == 0 ? 1 : c->shape().back();
    if (!c->isFloat() || c->rank() > 2 || (lastDim != 1 && lastDim != channels))
        return "the bias C " + quoted(layer.input(2)) + " of " + layer.describe() + " has shape "
               + shapeToString(c->shape()) + ", which does not broadcast to " + std::to_string(channels)
               + " channels";
    return {};
}

/// BN normalizes along axis 1, which is the MatMul's output-feature axis only for a 2-D input.
std::string matMulReason(const Graph& g, const Node& layer, const Tensor& w, int64_t& channels)
{
    if (w.rank() != 2)
        return "the weight of " + layer.describe() + " has shape " + shapeToString(w.shape()) + ", expected 2-D";
    if (knownRank(g, layer.input(0)) != 2)
        return "the input of " + layer.describe()
               + " is not known to be 2-D (BN's channel axis 1 must be the MatMul's output features)";
    channels = w.dim(1);
    return {};
}

std::string layerReason(const Graph& g, const Node& layer, LayerKind kind, int64_t& channels)
{
    const Tensor* w = layer.hasInput(1) ? g.initializer(layer.input(1)) : nullptr;
    if (!w)
        return "the weight of " + layer.describe() + " is not a constant";
    if (!w->isFloat())
        return "the weight of " + layer.describe() + " is not float";
    switch (kind) {
    case LayerKind::Conv: return convReason(g, layer, *w, channels);
    case LayerKind::ConvTranspose: return convTransposeReason(g, layer, *w, channels);
    case LayerKind::Gemm: return gemmReason(g, layer, *w, channels);
    case LayerKind::MatMul: return matMulReason(g, layer, *w, channels);
    }
    return "unknown layer kind";
}

double maxAbsScale(const BnParams& p)
{
    double m = 0.0;
    for (int64_t o = 0; o < p.channels(); ++o)
        m = std::max(m, std::abs(p.scale(o)));
    return m;
}

std::string foldReason(const Graph& g, const Node& bn, FoldPlan& plan)
{
    if (std::string why = bnStructureReason(bn); !why.empty())
        return why;
    BnParams p;
    if (std::string why = readParams(g, bn, p); !why.empty())
        return why;
    plan.record.channels = p.channels();
    plan.record.maxAbsScale = maxAbsScale(p);
    if (std::string why = producerReason(g, bn, plan); !why.empty())
        return why;
    const Node& layer = g.nodes[static_cast<size_t>(plan.layerIndex)];
    int64_t channels = 0;
    if (std::string why = layerReason(g, layer, plan.kind, channels); !why.empty())
        return why;
    if (channels != p.channels())
        return "its parameters have length " + std::to_string(p.channels()) + " but " + layer.describe() + " has "
               + std::to_string(channels) + " output channels";
    return {};
}

FoldPlan analyzeOne(const Graph& g, int bnIndex)
{
    const Node& bn = g.nodes[static_cast<size_t>(bnIndex)];
    refuseTrainingMode(bn);
    FoldPlan plan;
    plan.bnIndex = bnIndex;
    plan.record.bnNode = bn.name;
    plan.record.epsilon = static_cast<double>(bn.attrFloat("epsilon", kDefaultEpsilon));
    plan.record.reason = foldReason(g, bn, plan);
    plan.record.folded = plan.record.reason.empty();
    if (plan.record.folded)
        plan.record.intoNode = g.nodes[static_cast<size_t>(plan.layerIndex)].name;
    else
        plan.layerIndex = -1;
    return plan;
}

/// Judged on the input graph only, so each BN's outcome does not depend on the others'.
std::vector<FoldPlan> analyze(const Graph& g)
{
    std::vector<FoldPlan> plans;
    for (size_t n = 0; n < g.nodes.size(); ++n)
        if (isBatchNorm(g.nodes[n]))
            plans.push_back(analyzeOne(g, static_cast<int>(n)));
    return plans;
}

// ---- folding ----------------------------------------------------------------------------------

/// Every tensor name in the graph, to make new initializer names unique.
class NameSet
{
public:
    explicit NameSet(const Graph& g)
    {
        for (const auto& [name, t] : g.initializers)
            m_names.insert(name);
        for (const ValueInfo& v : g.inputs)
            m_names.insert(v.name);
        for (const ValueInfo& v : g.outputs)
            m_names.insert(v.name);
        for (const Node& n : g.nodes) {
            m_names.insert(n.inputs.begin(), n.inputs.end());
            m_names.insert(n.outputs.begin(), n.outputs.end());
        }
    }

    std::string fresh(const std::string& base)
    {
        std::string name = base;
        for (int i = 1; m_names.count(name); ++i)
            name = base + "_" + std::to_string(i);
        m_names.insert(name);
        return name;
    }

private:
    std::set<std::string> m_names;
};

/// W' = s_o · W element by element, o = channelOf(flat index); double product, float32 store.
template <class ChannelOf>
Tensor scaledWeight(const Tensor& w, const std::vector<double>& s, ChannelOf channelOf)
{
    Tensor out = w;
    const std::span<const float> src = w.floats();
    const std::span<float> dst = out.floats();
    for (int64_t i = 0; i < w.numel(); ++i) {
        const auto k = static_cast<size_t>(i);
        dst[k] = static_cast<float>(s[static_cast<size_t>(channelOf(i))] * static_cast<double>(src[k]));
    }
    return out;
}

Tensor foldedWeight(const Node& layer, LayerKind kind, const Tensor& w, const std::vector<double>& s)
{
    switch (kind) {
    case LayerKind::Conv: {
        const int64_t perChannel = w.numel() / w.dim(0); // W[O][I/g][k...]
        return scaledWeight(w, s, [=](int64_t i) { return i / perChannel; });
    }
    case LayerKind::ConvTranspose: {
        // W[I][O/g][k...]: output channel g·(O/g) + j lives at W[g·(I/g) + i][j].
        const int64_t inPerGroup = w.dim(0) / layer.attrInt("group", 1);
        const int64_t outPerGroup = w.dim(1);
        const int64_t taps = w.numel() / (w.dim(0) * w.dim(1));
        return scaledWeight(w, s, [=](int64_t i) {
            const int64_t inChannel = i / (outPerGroup * taps);
            const int64_t j = (i / taps) % outPerGroup;
            return (inChannel / inPerGroup) * outPerGroup + j;
        });
    }
    case LayerKind::Gemm:
        if (layer.attrInt("transB", 0)) { // W[o][i]
            const int64_t cols = w.dim(1);
            return scaledWeight(w, s, [=](int64_t i) { return i / cols; });
        }
        [[fallthrough]];
    case LayerKind::MatMul: { // W[i][o]
        const int64_t cols = w.dim(1);
        return scaledWeight(w, s, [=](int64_t i) { return i % cols; });
    }
    }
    return w;
}

/// b'_o = s_o·(b_o − μ_o) + β_o, with b = 0 when the layer has no bias.
Tensor foldedBias(const Tensor* bias, const BnParams& p)
{
    std::vector<float> out(static_cast<size_t>(p.channels()));
    for (int64_t o = 0; o < p.channels(); ++o) {
        const auto k = static_cast<size_t>(o);
        const double b = bias ? bias->valueAsDouble(o) : 0.0;
        out[k] = static_cast<float>(p.scale(o) * (b - p.mean[k]) + p.beta[k]);
    }
    return Tensor::fromFloats({p.channels()}, std::move(out));
}

/// Gemm: z = s·(α·A·B + β_g·C − μ) + β, so C' = s·(β_g·C − μ) + β and β_g becomes 1. C' keeps
/// C's rows (a 2-D C may vary per row) and has one column per channel.
Tensor foldedGemmC(const Tensor* c, double betaGemm, const BnParams& p)
{
    const int64_t n = p.channels();
    const bool twoD = c && c->rank() == 2;
    const int64_t rows = twoD ? c->dim(0) : 1;
    const int64_t cols = (c && c->rank() > 0) ? c->shape().back() : 1;
    Tensor out(DType::Float32, twoD ? Shape{rows, n} : Shape{n});
    const std::span<float> dst = out.floats();
    for (int64_t r = 0; r < rows; ++r)
        for (int64_t o = 0; o < n; ++o) {
            const auto k = static_cast<size_t>(o);
            const double cv = c ? c->valueAsDouble(r * cols + (cols == 1 ? 0 : o)) : 0.0;
            dst[static_cast<size_t>(r * n + o)] = static_cast<float>(p.scale(o) * (betaGemm * cv - p.mean[k]) + p.beta[k]);
        }
    return out;
}

/// Puts `value` on input `slot` of `layer`. An initializer nobody else reads is replaced under its
/// own name; a shared one stays intact for its other readers and the layer gets a new name.
void setLayerInput(Graph& g, Node& layer, size_t slot, Tensor value, const std::string& baseName, NameSet& names)
{
    if (layer.inputs.size() <= slot)
        layer.inputs.resize(slot + 1);
    const std::string current = layer.inputs[slot];
    if (!current.empty() && g.isInitializer(current) && readerCount(g, current) == 1) {
        g.initializers[current] = std::move(value);
        return;
    }
    const std::string name = names.fresh(current.empty() ? baseName : current + kNewNameSuffix);
    g.initializers[name] = std::move(value);
    layer.inputs[slot] = name;
}

void applyFold(Graph& g, const FoldPlan& plan, NameSet& names)
{
    const Node bn = g.nodes[static_cast<size_t>(plan.bnIndex)]; // a copy: g changes below
    Node& layer = g.nodes[static_cast<size_t>(plan.layerIndex)];
    BnParams p;
    readParams(g, bn, p); // checked by the analysis
    std::vector<double> s(static_cast<size_t>(p.channels()));
    for (int64_t o = 0; o < p.channels(); ++o)
        s[static_cast<size_t>(o)] = p.scale(o);

    const Tensor* bias = layer.hasInput(2) ? g.initializer(layer.input(2)) : nullptr;
    Tensor newWeight = foldedWeight(layer, plan.kind, *g.initializer(layer.input(1)), s);
    Tensor newBias;
    switch (plan.kind) {
    case LayerKind::Conv:
    case LayerKind::ConvTranspose: newBias = foldedBias(bias, p); break;
    case LayerKind::Gemm:
        newBias = foldedGemmC(bias, static_cast<double>(layer.attrFloat("beta", 1.f)), p);
        if (layer.has("beta"))
            layer.attrs["beta"].f = 1.f;
        break;
    case LayerKind::MatMul:
        // A Gemm rather than MatMul + Add: one layer that owns its bias, as for Conv, so later
        // passes see weight and bias together; the input is proven 2-D, which Gemm requires.
        newBias = foldedGemmC(nullptr, 1.0, p);
        layer.opType = "Gemm";
        layer.attrs.clear();
        break;
    }
    setLayerInput(g, layer, 1, std::move(newWeight), {}, names);
    setLayerInput(g, layer, 2, std::move(newBias), layer.name + "_bias", names);
    // The layer writes the BN's output name, so its readers, graph outputs and taps keep it.
    layer.outputs[0] = bn.outputs[0];
}

void dropUnread(Graph& g, const std::set<std::string>& candidates)
{
    std::set<std::string> read;
    for (const Node& n : g.nodes)
        read.insert(n.inputs.begin(), n.inputs.end());
    for (const ValueInfo& v : g.outputs)
        read.insert(v.name);
    for (const std::string& name : candidates)
        if (!read.count(name))
            g.initializers.erase(name);
}

} // namespace

int BnFoldResult::foldedCount() const
{
    int n = 0;
    for (const auto& r : records)
        n += r.folded;
    return n;
}

std::vector<BnFoldRecord> analyzeBatchNorm(const Graph& graph)
{
    std::vector<BnFoldRecord> records;
    for (FoldPlan& plan : analyze(graph))
        records.push_back(std::move(plan.record));
    return records;
}

BnFoldResult foldBatchNorm(const Graph& graph)
{
    const std::vector<FoldPlan> plans = analyze(graph);
    BnFoldResult result{graph, {}};
    Graph& g = result.graph;
    NameSet names(g);
    std::set<std::string> released; // initializers a fold may have stopped reading
    std::vector<bool> removed(g.nodes.size(), false);
    for (const FoldPlan& plan : plans) {
        result.records.push_back(plan.record);
        if (!plan.record.folded)
            continue;
        const Node& bn = g.nodes[static_cast<size_t>(plan.bnIndex)];
        const Node& layer = g.nodes[static_cast<size_t>(plan.layerIndex)];
        released.insert(bn.inputs.begin() + 1, bn.inputs.end());
        released.insert(layer.inputs.begin() + 1, layer.inputs.end());
        applyFold(g, plan, names);
        removed[static_cast<size_t>(plan.bnIndex)] = true;
    }
    std::vector<Node> kept;
    kept.reserve(g.nodes.size());
    for (size_t n = 0; n < g.nodes.size(); ++n)
        if (!removed[n])
            kept.push_back(std::move(g.nodes[n]));
    g.nodes = std::move(kept);
    dropUnread(g, released);
    return result;
}

} // namespace lnscope::core
