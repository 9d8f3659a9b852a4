// The emulated LNS executor; see lns_emulator.h for the contract.

#include "lnscope/core/lns_emulator.h"

#include "lnscope/core/error.h"
#include "lnscope/core/lns_datapath.h"
#include "lnscope/core/lns_format.h"
#include "lnscope/core/parallel.h"
#include "ops/ops_util.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

namespace lnscope::core {

namespace {

const std::set<std::string> kMacOps = {"Conv", "ConvTranspose", "Gemm", "MatMul"};
const std::set<std::string> kActivationOps = {"Relu",        "LeakyRelu", "PRelu", "Clip", "Sigmoid",
                                              "HardSigmoid", "HardSwish", "Tanh"};

/// A MAC output that only an element-wise activation reads (and that is not a graph output).
bool isFusedIntoActivation(const Graph& g, const Node& node, const std::string& output)
{
    if (!kMacOps.count(node.opType))
        return false;
    for (const ValueInfo& out : g.outputs)
        if (out.name == output)
            return false;
    const auto readers = g.consumersOf(output);
    if (readers.size() != 1)
        return false;
    const Node& reader = g.nodes[static_cast<size_t>(readers.front())];
    return kActivationOps.count(reader.opType) && reader.hasInput(0) && reader.input(0) == output;
}

/// Wide (log, flags) view of one LNS code.
struct LogCode
{
    int log = 0;
    uint8_t flags = 0;
};
LogCode logCode(const LnsFormat& f, uint32_t code)
{
    LogCode c;
    if (code == f.zeroCode())
        c.flags = kLnsWeightZero;
    else if (code == f.nanCode())
        c.flags = kLnsWeightNan;
    else {
        c.log = f.logOf(code);
        c.flags = f.isNegative(code) ? kLnsWeightNegative : 0;
    }
    return c;
}
LogCode product(LogCode a, LogCode b)
{
    LogCode p;
    if ((a.flags | b.flags) & kLnsWeightNan)
        p.flags = kLnsWeightNan;
    else if ((a.flags | b.flags) & kLnsWeightZero)
        p.flags = kLnsWeightZero;
    else {
        p.log = a.log + b.log;
        p.flags = static_cast<uint8_t>((a.flags ^ b.flags) & kLnsWeightNegative);
    }
    return p;
}

/// A converted layer's weights as the Exact path consumes them: rows of K per output channel.
struct ExactLayer
{
    int64_t outputs = 0, rowLength = 0;
    std::vector<int64_t> kernel; ///< Conv: kh, kw
    std::vector<int16_t> log;
    std::vector<uint8_t> flags;
    std::vector<int32_t> biasW;
    std::vector<float> linearBias; ///< empty: none
};

/// Per weight (in the initializer's layout) its log code: decoded from the stored codes exactly as
/// the accelerator combines them (scale · centroid for Kernel units).
std::vector<LogCode> weightLogCodes(const ConvertedLayer& l, const LnsFormat& f, std::vector<int32_t>& biasPerOutput)
{
    const int64_t total = shapeNumel(l.weightShape);
    std::vector<LogCode> codes(static_cast<size_t>(total));
    const int64_t outputs = l.weightShape.at(static_cast<size_t>(l.outputAxis));
    biasPerOutput.assign(static_cast<size_t>(outputs), 0);
    if (!l.clustered) {
        if (static_cast<int64_t>(l.weightCodes.size()) != total || static_cast<int64_t>(l.weightParams.size()) != outputs)
            throw FormatError("converted layer '" + l.node + "': weight codes do not fit the shape");
        for (int64_t i = 0; i < total; ++i)
            codes[static_cast<size_t>(i)] = logCode(f, l.weightCodes[static_cast<size_t>(i)]);
        for (int64_t o = 0; o < outputs; ++o)
            biasPerOutput[static_cast<size_t>(o)] = l.weightParams[static_cast<size_t>(o)].bias;
        return codes;
    }
    const CompressedKernels& k = l.kernels;
    if (l.centroidParams.size() != 1 || l.outputAxis != 0)
        throw FormatError("converted layer '" + l.node + "': unexpected book layout");
    const int32_t bookBias = l.centroidParams[0].bias;
    auto centroid = [&](uint32_t index, int64_t j) {
        const size_t at = static_cast<size_t>(index) * static_cast<size_t>(k.d) + static_cast<size_t>(j);
        if (at >= l.centroidCodes.size())
            throw FormatError("converted layer '" + l.node + "': index outside the LUT");
        return logCode(f, l.centroidCodes[at]);
    };
    if (k.unit == ClusterUnit::Kernel) {
        if (l.scaleCodes.size() != k.unitCount() || static_cast<int64_t>(l.scaleParams.size()) != outputs
            || static_cast<int64_t>(k.unitCount()) * k.d != total)
            throw FormatError("converted layer '" + l.node + "': scale codes do not fit the kernels");
        // Scales may be narrower codes with the same F (ConversionConfig::scaleFormat): their L adds
        // to the centroid's L all the same.
        const NumberFormat& scaleFormat =
            NumberFormatRegistry::builtin().get(l.scaleFormat.empty() ? l.weightFormat : l.scaleFormat);
        checkScaleFormat(f, scaleFormat); // LNS with the weights' F, or UnsupportedError
        const auto* sf = static_cast<const LnsFormat*>(&scaleFormat);
        for (size_t u = 0; u < k.unitCount(); ++u) {
            const LogCode scale = logCode(*sf, l.scaleCodes[u]);
            for (int64_t j = 0; j < k.d; ++j)
                codes[u * static_cast<size_t>(k.d) + static_cast<size_t>(j)] = product(scale, centroid(k.indices[u], j));
        }
        for (int64_t o = 0; o < outputs; ++o)
            biasPerOutput[static_cast<size_t>(o)] = l.scaleParams[static_cast<size_t>(o)].bias + bookBias;
        return codes;
    }
    if (k.unit == ClusterUnit::Scalar) {
        for (int64_t i = 0; i < total; ++i)
            codes[static_cast<size_t>(i)] = centroid(k.indices[static_cast<size_t>(i)], 0);
    } else { // SubVector: pieces of d along each row W[o][:], the last one padded
        const int64_t row = total / outputs;
        const int64_t pieces = (row + k.d - 1) / k.d;
        for (int64_t o = 0; o < outputs; ++o)
            for (int64_t j = 0; j < row; ++j)
                codes[static_cast<size_t>(o * row + j)] =
                    centroid(k.indices[static_cast<size_t>(o * pieces + j / k.d)], j % k.d);
    }
    std::fill(biasPerOutput.begin(), biasPerOutput.end(), bookBias);
    return codes;
}

/// Rows [outputs × K] of a Conv weight [O, I/G, kh, kw] (already row-major) or a Gemm weight
/// ([N, K] with transB = 1, [K, N] otherwise: transposed here).
ExactLayer exactLayer(const ConvertedLayer& l, const LnsFormat& f, const Graph& g, const Node& node)
{
    ExactLayer e;
    const std::vector<LogCode> codes = weightLogCodes(l, f, e.biasW);
    const Shape& ws = l.weightShape;
    e.outputs = static_cast<int64_t>(e.biasW.size());
    e.rowLength = shapeNumel(ws) / std::max<int64_t>(e.outputs, 1);
    if (node.opType == "Conv")
        e.kernel = {ws.at(2), ws.at(3)};
    e.log.resize(codes.size());
    e.flags.resize(codes.size());
    const bool transpose = node.opType == "Gemm" && node.attrInt("transB", 0) == 0;
    for (int64_t o = 0; o < e.outputs; ++o) {
        for (int64_t k = 0; k < e.rowLength; ++k) {
            const size_t src = transpose ? static_cast<size_t>(k * e.outputs + o) : static_cast<size_t>(o * e.rowLength + k);
            const size_t dst = static_cast<size_t>(o * e.rowLength + k);
            e.log[dst] = static_cast<int16_t>(codes[src].log);
            e.flags[dst] = codes[src].flags;
        }
    }
    if (node.hasInput(2)) {
        const Tensor* b = g.initializer(node.input(2));
        if (!b || !b->isFloat() || b->numel() != e.outputs)
            throw UnsupportedError(node.describe() + ": the Exact path needs a constant bias of one value per output");
        e.linearBias = b->toFloats();
    }
    return e;
}

bool exactSupports(const Node& node, const ConvertedLayer& l)
{
    if (node.opType == "Conv")
        return l.weightShape.size() == 4;
    if (node.opType == "Gemm")
        return node.attrInt("transA", 0) == 0 && node.attrFloat("alpha", 1.f) == 1.f
               && node.attrFloat("beta", 1.f) == 1.f && l.weightShape.size() == 2;
    return false;
}

void encodeCodes(const LnsFormat& f, std::span<const float> values, const QuantParam& p, std::vector<uint8_t>& out)
{
    std::vector<uint32_t> codes(values.size());
    f.encode(values, p, codes);
    out.resize(values.size());
    for (size_t i = 0; i < codes.size(); ++i)
        out[i] = static_cast<uint8_t>(codes[i]);
}

} // namespace

const char* toString(LnsPath path)
{
    return path == LnsPath::Exact ? "exact" : "fast";
}

std::vector<std::string> activationTensors(const Graph& graph)
{
    std::vector<std::string> names;
    for (const ValueInfo& in : graph.inputs)
        if (!graph.initializer(in.name))
            names.push_back(in.name);
    for (const Node& node : graph.nodes)
        for (const std::string& out : node.outputs)
            if (!out.empty() && !isFusedIntoActivation(graph, node, out))
                names.push_back(out);
    return names;
}

ActivationQuant calibrateActivations(const Graph& graph, const std::vector<TensorMap>& calibration,
                                     const NumberFormat& format, ParamRule rule, int threads, Progress* progress)
{
    if (calibration.empty())
        throw FormatError("activation calibration: no calibration inputs");
    const std::vector<std::string> names = activationTensors(graph);
    const std::set<std::string> wanted(names.begin(), names.end());
    const Executor exec(graph, ExecOptions{threads});
    const auto* lns = dynamic_cast<const LnsFormat*>(&format);
    const bool search = rule == ParamRule::MinMse && lns != nullptr;
    const double passes = search ? 2.0 : 1.0;

    auto forEachActivation = [&](int pass, const auto& fn) {
        for (size_t i = 0; i < calibration.size(); ++i) {
            if (progress) {
                progress->checkCancelled();
                progress->report((pass + double(i) / double(calibration.size())) / passes, "calibrate activations");
            }
            const TensorMap& inputs = calibration[i];
            for (const ValueInfo& in : graph.inputs) {
                auto it = inputs.find(in.name);
                if (it != inputs.end() && wanted.count(in.name) && it->second.isFloat())
                    fn(in.name, it->second);
            }
            exec.run(inputs, [&](int, const Node& node, const std::vector<Tensor>& outs) {
                for (size_t o = 0; o < outs.size(); ++o)
                    if (wanted.count(node.outputs[o]) && outs[o].isFloat())
                        fn(node.outputs[o], outs[o]);
            });
        }
    };

    std::map<std::string, float> absMax;
    forEachActivation(0, [&](const std::string& name, const Tensor& t) {
        float& m = absMax[name];
        m = std::max(m, finiteAbsMax(t.floats()));
    });
    ActivationQuant q;
    q.format = format.name();
    q.frames = static_cast<int64_t>(calibration.size());
    for (const auto& [name, m] : absMax)
        q.params[name] = format.paramForAbsMax(m);

    if (search) {
        // Squared error of each candidate bias B_absmax − 2^F … B_absmax over every input.
        const int span = 1 << lns->fractionBits();
        std::map<std::string, std::vector<double>> errors;
        std::vector<float> fq;
        forEachActivation(1, [&](const std::string& name, const Tensor& t) {
            if (absMax[name] == 0.f)
                return;
            std::vector<double>& e = errors[name];
            e.resize(static_cast<size_t>(span + 1), 0.0);
            const int32_t top = q.params[name].bias;
            const auto x = t.floats();
            fq.resize(x.size());
            for (int c = 0; c <= span; ++c) {
                format.fakeQuantize(x, QuantParam{top - span + c, 1.0}, fq);
                double sum = 0;
                for (size_t i = 0; i < x.size(); ++i)
                    if (std::isfinite(x[i])) {
                        const double d = double(fq[i]) - double(x[i]);
                        sum += d * d;
                    }
                e[static_cast<size_t>(c)] += sum;
            }
        });
        for (const auto& [name, e] : errors) {
            size_t best = e.size() - 1; // ties keep the larger bias: scan downwards with strict <
            for (size_t c = e.size() - 1; c-- > 0;)
                if (e[c] < e[best])
                    best = c;
            q.params[name].bias = q.params[name].bias - static_cast<int32_t>(e.size() - 1 - best);
        }
    }
    if (progress)
        progress->report(1.0, "calibrate activations");
    return q;
}

// ---------------------------------------------------------------------------------------------

struct LnsEmulator::Private
{
    EmulatorOptions options;
    Graph graph;
    std::unique_ptr<Executor> exec;
    const NumberFormat* actFormat = nullptr;
    const LnsFormat* actLns = nullptr;
    std::map<std::string, QuantParam> actParams;
    std::map<int, ExactLayer> exact; ///< by node index
    LnsGemmParams gemm;
    std::vector<std::string> notes;
    RunHooks hooks;

    std::vector<Tensor> runExact(const Node& node, const ExactLayer& l, OpInputs inputs, const OpContext& ctx) const;
    std::vector<Tensor> runExactConv(const Node& node, const ExactLayer& l, const Tensor& x, const QuantParam& pa,
                                     const OpContext& ctx) const;
    std::vector<Tensor> runExactGemm(const Node& node, const ExactLayer& l, const Tensor& x, const QuantParam& pa,
                                     const OpContext& ctx) const;
};

LnsEmulator::LnsEmulator(const ConvertedModel& model, EmulatorOptions options) : d(std::make_unique<Private>())
{
    d->options = options;
    if (options.weights == Stage::Float32)
        throw UnsupportedError("emulator: weights must be a converted stage (bnf, cc or the weight format), not float32");
    if (options.mitchell && options.path != LnsPath::Exact)
        throw UnsupportedError("emulator: Mitchell's antilog needs the exact path");
    d->graph = model.graphForStage(options.weights);
    if (options.quantizeActivations) {
        if (model.activations.format.empty() || model.activations.params.empty())
            throw FormatError("emulator: the converted model has no activation calibration (convert it with "
                              "calibration inputs to quantize activations)");
        d->actFormat = &NumberFormatRegistry::builtin().get(model.activations.format);
        d->actLns = dynamic_cast<const LnsFormat*>(d->actFormat);
        d->actParams = model.activations.params;
    }
    if (options.path == LnsPath::Exact) {
        const auto* wLns = dynamic_cast<const LnsFormat*>(&NumberFormatRegistry::builtin().get(model.config.weightFormat));
        if (!wLns)
            throw UnsupportedError("emulator: the exact path needs an LNS weight format, the model has '" +
                                   model.config.weightFormat + "'");
        if (options.weights != Stage::Lns8)
            throw UnsupportedError("emulator: the exact path runs on weight codes (weights = the weight format)");
        if (!d->actLns || d->actLns->fractionBits() != wLns->fractionBits() || d->actLns->bits() != wLns->bits())
            throw UnsupportedError("emulator: the exact path needs LNS activations with the weights' code width and "
                                   "fraction bits (weights '" + model.config.weightFormat + "', activations '" +
                                   (d->actFormat ? d->actFormat->name() : std::string("float32")) + "')");
        d->gemm.totalBits = wLns->bits();
        d->gemm.fractionBits = wLns->fractionBits();
        d->gemm.mitchell = options.mitchell;
        for (size_t n = 0; n < d->graph.nodes.size(); ++n) {
            const Node& node = d->graph.nodes[n];
            const ConvertedLayer* l = model.layer(node.name);
            if (!l)
                continue;
            if (!exactSupports(node, *l)) {
                d->notes.push_back(node.describe() + ": exact path not available for this op form, run on decoded weights");
                continue;
            }
            d->exact.emplace(static_cast<int>(n), exactLayer(*l, *wLns, d->graph, node));
        }
    }
    d->exec = std::make_unique<Executor>(d->graph, ExecOptions{options.threads});

    Private* p = d.get();
    if (p->actFormat)
        p->hooks.transform = [p](int, const std::string& name, Tensor& t) {
            auto it = p->actParams.find(name);
            if (it == p->actParams.end() || !t.isFloat())
                return;
            // Element-wise, so splitting it over the workers cannot change a bit; one piece per
            // worker keeps the per-call decode table cheap.
            constexpr int64_t kMinPiece = 32768;
            const std::span<float> x = t.floats();
            const auto n = static_cast<int64_t>(x.size());
            const int64_t pieces = std::clamp<int64_t>(n / kMinPiece, 1, p->options.threads);
            const QuantParam param = it->second;
            parallelFor(pieces, static_cast<int>(pieces), [&](int64_t b, int64_t e) {
                const auto begin = static_cast<size_t>(b * n / pieces);
                const auto end = static_cast<size_t>(e * n / pieces);
                p->actFormat->fakeQuantize(x.subspan(begin, end - begin), param, x.subspan(begin, end - begin));
            });
        };
    if (!p->exact.empty())
        p->hooks.replace = [p](int n, const Node& node, OpInputs inputs, const OpContext& ctx, std::vector<Tensor>& outs) {
            auto it = p->exact.find(n);
            if (it == p->exact.end())
                return false;
            outs = p->runExact(node, it->second, inputs, ctx);
            return true;
        };
}

LnsEmulator::~LnsEmulator() = default;
LnsEmulator::LnsEmulator(LnsEmulator&&) noexcept = default;
LnsEmulator& LnsEmulator::operator=(LnsEmulator&&) noexcept = default;

TensorMap LnsEmulator::run(const TensorMap& inputs, const TapFn& tap, Progress* progress) const
{
    return d->exec->run(inputs, tap, progress, &d->hooks);
}

std::vector<Tensor> LnsEmulator::runNode(int nodeIndex, const std::vector<Tensor>& inputs) const
{
    if (nodeIndex < 0 || static_cast<size_t>(nodeIndex) >= d->graph.nodes.size())
        throw ShapeError("emulator: node index " + std::to_string(nodeIndex) + " is out of range");
    const Node& node = d->graph.nodes[static_cast<size_t>(nodeIndex)];
    std::vector<const Tensor*> args;
    size_t next = 0;
    for (const std::string& in : node.inputs) {
        if (in.empty())
            args.push_back(nullptr);
        else if (const Tensor* init = d->graph.initializer(in))
            args.push_back(init);
        else if (next < inputs.size())
            args.push_back(&inputs[next++]);
        else
            throw ShapeError(node.describe() + ": " + std::to_string(inputs.size()) + " inputs given, more needed");
    }
    if (next != inputs.size())
        throw ShapeError(node.describe() + ": " + std::to_string(inputs.size()) + " inputs given, " +
                         std::to_string(next) + " used");
    OpContext ctx;
    ctx.threads = d->options.threads;
    ctx.opset = d->graph.opset;
    const OpInputs opInputs(args.data(), args.size());
    std::vector<Tensor> outs;
    if (d->hooks.replace && d->hooks.replace(nodeIndex, node, opInputs, ctx, outs))
        return outs;
    const OpDef* def = OpRegistry::builtin().find(node.opType);
    if (!def)
        throw UnsupportedError(node.describe() + ": no kernel");
    return def->run(node, opInputs, ctx);
}

const Graph& LnsEmulator::graph() const { return d->graph; }
const EmulatorOptions& LnsEmulator::options() const { return d->options; }
const std::vector<std::string>& LnsEmulator::notes() const { return d->notes; }

std::vector<Tensor> LnsEmulator::Private::runExact(const Node& node, const ExactLayer& l, OpInputs inputs,
                                                   const OpContext& ctx) const
{
    const Tensor& x = ops::floatInput(inputs, 0, "X");
    auto it = actParams.find(node.input(0));
    if (it == actParams.end())
        throw UnsupportedError("input '" + node.input(0) + "' has no activation parameter (exact path)");
    return node.opType == "Conv" ? runExactConv(node, l, x, it->second, ctx) : runExactGemm(node, l, x, it->second, ctx);
}

std::vector<Tensor> LnsEmulator::Private::runExactConv(const Node& node, const ExactLayer& l, const Tensor& x,
                                                       const QuantParam& pa, const OpContext& ctx) const
{
    if (x.rank() != 4)
        throw UnsupportedError("exact path: Conv input must be 4-D, got " + shapeToString(x.shape()));
    const int64_t group = node.attrInt("group", 1);
    const int64_t N = x.dim(0), C = x.dim(1), H = x.dim(2), W = x.dim(3);
    const int64_t O = l.outputs;
    const ops::Window win = ops::convWindow(node, x.shape(), l.kernel, false);
    const int64_t kh = win.kernel[0], kw = win.kernel[1], kArea = kh * kw;
    if (C % group != 0 || O % group != 0 || (C / group) * kArea != l.rowLength)
        throw ShapeError("exact path: input " + shapeToString(x.shape()) + " does not fit the weight");
    const int64_t OH = win.outSize[0], OW = win.outSize[1], M = OH * OW;
    const int64_t Cg = C / group, Og = O / group, K = Cg * kArea;

    std::vector<uint8_t> codes;
    encodeCodes(*actLns, x.floats(), pa, codes);
    const auto zero = static_cast<uint8_t>(actLns->zeroCode());
    Tensor y(DType::Float32, {N, O, OH, OW});
    std::vector<uint8_t> cols(static_cast<size_t>(M * K));
    std::vector<float> acc(static_cast<size_t>(M * Og));
    for (int64_t n = 0; n < N; ++n) {
        for (int64_t g = 0; g < group; ++g) {
            // im2col over codes: row m = output position, column (c, ky, kx); padding is the zero code.
            for (int64_t oy = 0; oy < OH; ++oy)
                for (int64_t ox = 0; ox < OW; ++ox) {
                    uint8_t* row = cols.data() + (oy * OW + ox) * K;
                    for (int64_t c = 0; c < Cg; ++c) {
                        const uint8_t* plane = codes.data() + ((n * C + g * Cg + c) * H) * W;
                        for (int64_t ky = 0; ky < kh; ++ky) {
                            const int64_t iy = oy * win.strides[0] - win.padBegin[0] + ky * win.dilations[0];
                            for (int64_t kx = 0; kx < kw; ++kx) {
                                const int64_t ix = ox * win.strides[1] - win.padBegin[1] + kx * win.dilations[1];
                                const bool inside = iy >= 0 && iy < H && ix >= 0 && ix < W;
                                row[(c * kh + ky) * kw + kx] = inside ? plane[iy * W + ix] : zero;
                            }
                        }
                    }
                }
            const size_t w0 = static_cast<size_t>(g * Og * K);
            lnsGemmExactWide(cols.data(), pa.bias, l.log.data() + w0, l.flags.data() + w0, l.biasW.data() + g * Og,
                             l.linearBias.empty() ? nullptr : l.linearBias.data() + g * Og, M, Og, K, acc.data(), gemm,
                             ctx.threads);
            float* out = y.f() + (n * O + g * Og) * M;
            for (int64_t m = 0; m < M; ++m)
                for (int64_t o = 0; o < Og; ++o)
                    out[o * M + m] = acc[static_cast<size_t>(m * Og + o)];
        }
    }
    return ops::single(std::move(y));
}

std::vector<Tensor> LnsEmulator::Private::runExactGemm(const Node& node, const ExactLayer& l, const Tensor& x,
                                                       const QuantParam& pa, const OpContext& ctx) const
{
    if (x.rank() != 2 || x.dim(1) != l.rowLength)
        throw ShapeError("exact path: Gemm input " + shapeToString(x.shape()) + " does not fit the weight");
    const int64_t M = x.dim(0);
    std::vector<uint8_t> codes;
    encodeCodes(*actLns, x.floats(), pa, codes);
    Tensor y(DType::Float32, {M, l.outputs});
    lnsGemmExactWide(codes.data(), pa.bias, l.log.data(), l.flags.data(), l.biasW.data(),
                     l.linearBias.empty() ? nullptr : l.linearBias.data(), M, l.outputs, l.rowLength, y.f(), gemm,
                     ctx.threads);
    return ops::single(std::move(y));
}

} // namespace lnscope::core
