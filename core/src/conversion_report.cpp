// The conversion report; see conversion_report.h.

#include "lnscope/core/conversion_report.h"

#include "lnscope/core/error.h"
#include "lnscope/core/number_format.h"

#include <algorithm>
#include <cmath>

namespace lnscope::core {

namespace {

constexpr Stage kStorageStages[] = {Stage::Float32, Stage::BatchNormFolded, Stage::ClusterCompressed, Stage::Lns8};
constexpr Stage kComparedStages[] = {Stage::BatchNormFolded, Stage::ClusterCompressed, Stage::Lns8};

/// The tensor a layer writes in the folded graph (a folded BN's output keeps its name).
std::string layerTensor(const Graph& folded, const std::string& node)
{
    for (const Node& n : folded.nodes)
        if (n.name == node && !n.outputs.empty())
            return n.outputs.front();
    return {};
}

void finishStage(StageAgreement& s, const std::vector<std::string>& outputNames, double divergeDb)
{
    for (const LayerAgreement& l : s.layers)
        for (const std::string& name : outputNames)
            if (l.tensor == name)
                s.outputs[name] = l.agreement;
    s.firstDiverging = firstDivergingLayer(s.layers, divergeDb);
}

} // namespace

std::string stageLabel(Stage stage, const std::string& weightFormat)
{
    switch (stage) {
    case Stage::Float32: return "float32";
    case Stage::BatchNormFolded: return "BNF";
    case Stage::ClusterCompressed: return "CC";
    case Stage::Lns8: return weightFormat == "lns8" ? "LNS8" : weightFormat;
    }
    return "?";
}

std::vector<BudgetReport> conversionBudgets(const ConvertedModel& m)
{
    const int formatBits = NumberFormatRegistry::builtin().get(m.config.weightFormat).bits();
    StorageConfig config;
    config.clusters = m.config.clusters;
    config.clustersPerLayer = m.config.clustersPerLayer;
    config.bookScope = m.config.sharedBook ? BookScope::SharedPerKernelSize : BookScope::PerLayer;
    // Per-kernel scales are stored as scale-format codes (the weight format unless configured).
    const int scaleBits = NumberFormatRegistry::builtin().get(m.config.scaleFormatName()).bits();
    config.scaleBits = scaleBits;
    config.compress1x1 = m.config.pointwise != PointwisePolicy::Keep;
    for (const ConvertedLayer& l : m.layers)
        if (!l.clustered)
            config.keepUncompressed.insert(l.node);
    const std::vector<LayerShape> shapes = layerShapesFromGraph(m.original);
    std::vector<BudgetReport> out;
    // From BN folding on, a layer tied to another (converted once, same codes) is stored once; the
    // float32 model shares what its graph shares (one initializer read twice).
    std::vector<LayerShape> tiedShapes = shapes;
    for (LayerShape& shape : tiedShapes)
        if (const ConvertedLayer* l = m.layer(shape.name))
            shape.sharesWeightsOf = l->tiedTo;
    for (Stage s : kStorageStages) {
        StorageConfig c = config.forStage(s);
        if (s == Stage::Lns8) // the last stage is the chosen weight format, not necessarily 8 bits
            c.centroidBits = c.weightBits = formatBits, c.scaleBits = scaleBits;
        out.push_back(storageBudget(s == Stage::Float32 ? shapes : tiedShapes, c, s));
    }
    return out;
}

int ConversionReport::stageIndex(const std::string& label) const
{
    for (size_t i = 0; i < stages.size(); ++i)
        if (stages[i].label == label)
            return static_cast<int>(i);
    return -1;
}

const LayerReport* ConversionReport::layer(const std::string& node) const
{
    for (const LayerReport& l : layers)
        if (l.node == node)
            return &l;
    return nullptr;
}

ConversionReport buildConversionReport(const ConvertedModel& m, const std::vector<TensorMap>& evaluation,
                                       const ConversionReportOptions& options, Progress* progress)
{
    if (evaluation.empty())
        throw FormatError("conversion report: no evaluation inputs");
    ConversionReport r;
    r.weightFormat = m.config.weightFormat;
    r.weightBits = NumberFormatRegistry::builtin().get(r.weightFormat).bits();
    r.budgets = conversionBudgets(m);
    r.notes = m.notes;
    std::vector<std::string> outputNames;
    for (const ValueInfo& o : m.original.outputs)
        outputNames.push_back(o.name);

    const bool emulate = !m.activations.params.empty();
    const double parts = 3.0 + (emulate ? 1.0 : 0.0) + (options.sensitivity ? 2.0 : 0.0);
    double done = 0.0;
    auto step = [&](const std::string& label) {
        if (progress) {
            progress->checkCancelled();
            progress->report(done / parts, label);
        }
        done += 1.0;
    };

    const ExecOptions exec{options.threads};
    const Executor reference(m.original, exec);
    for (Stage s : kComparedStages) {
        step("compare " + stageLabel(s, r.weightFormat));
        const Executor other(m.graphForStage(s), exec);
        StageAgreement a{stageLabel(s, r.weightFormat), s, false, compareLayers(reference, other, evaluation), {}, -1};
        finishStage(a, outputNames, options.divergeDb);
        r.stages.push_back(std::move(a));
    }
    if (emulate) {
        step("compare +act");
        EmulatorOptions eo;
        eo.path = options.path;
        eo.threads = options.threads;
        const LnsEmulator emulator(m, eo);
        StageAgreement a{"+act", Stage::Lns8, true,
                         compareLayers(
                             m.original, [&](const TensorMap& in, const TapFn& tap) { reference.run(in, tap); },
                             emulator.graph(), [&](const TensorMap& in, const TapFn& tap) { emulator.run(in, tap); },
                             evaluation),
                         {}, -1};
        finishStage(a, outputNames, options.divergeDb);
        r.stages.push_back(std::move(a));
        for (const std::string& note : emulator.notes())
            r.notes.push_back(note);
    }
    std::vector<LayerSensitivity> sensitivity;
    if (options.sensitivity) {
        ScaledProgress sub(progress, done / parts, (done + 2.0) / parts);
        sensitivity = layerSensitivity(m, evaluation, Stage::Lns8, options.threads, &sub);
        done += 2.0;
    }

    // Peak live activations under the executor's schedule, float32 and in the activation format
    // (the folded graph: the accelerator runs without BN nodes).
    step("activation memory");
    r.activationMemory.push_back({"float32", 4, peakActivationBytes(m.original, evaluation.front(), 4)});
    if (!m.activations.format.empty()) {
        const int bytes = std::max(1, (NumberFormatRegistry::builtin().get(m.activations.format).bits() + 7) / 8);
        r.activationMemory.push_back({m.activations.format, bytes, peakActivationBytes(m.folded, evaluation.front(), bytes)});
    }
    if (options.onChipBudgetBytes > 0)
        r.fit = fits(r.budgets.back(), options.onChipBudgetBytes);

    const BudgetReport& last = r.budgets.back();
    for (size_t i = 0; i < last.layers.size(); ++i) {
        const LayerBudget& lb = last.layers[i];
        LayerReport l;
        l.node = lb.shape.name;
        l.op = lb.shape.op;
        l.tensor = layerTensor(m.folded, l.node);
        l.weights = lb.shape.weightCount();
        l.bitsPerWeight = l.weights > 0 ? double(lb.terms.totalBits()) / double(l.weights) : 0.0;
        if (const ConvertedLayer* cl = m.layer(l.node)) {
            l.weightShape = cl->weightShape;
            l.clustered = cl->clustered;
            l.clusters = cl->clustered ? cl->kernels.clusters : 0;
            l.refined = cl->refined;
            l.refineSqnrBeforeDb = cl->refineSqnrBeforeDb;
            l.refineSqnrAfterDb = cl->refineSqnrAfterDb;
        }
        for (const BudgetReport& b : r.budgets)
            l.bytes.push_back(b.layers[i].terms.bytes());
        for (const StageAgreement& s : r.stages) {
            std::optional<Agreement> a;
            for (const LayerAgreement& la : s.layers)
                if (la.tensor == l.tensor)
                    a = la.agreement;
            l.agreement.push_back(a);
        }
        for (const LayerSensitivity& s : sensitivity)
            if (s.node == l.node && !std::isnan(s.outputSqnrDb))
                l.sensitivityDb = s.outputSqnrDb;
        r.layers.push_back(std::move(l));
    }
    if (progress)
        progress->report(1.0, "report");
    return r;
}

} // namespace lnscope::core
