#include "lnscope/core/tensor_metrics.h"

#include "lnscope/core/error.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <set>
#include <span>

namespace lnscope::core {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

struct Sums
{
    double xx = 0.0, yy = 0.0, xy = 0.0, ee = 0.0, maxAbs = 0.0;
};

// Numeric inner loop: one pass, no throwing, both sides converted to double.
template <typename A, typename B>
void accumulate(std::span<const A> x, std::span<const B> y, Sums& s)
{
    for (size_t i = 0; i < x.size(); ++i) {
        const double a = static_cast<double>(x[i]);
        const double b = static_cast<double>(y[i]);
        const double e = a - b;
        s.xx += a * a;
        s.yy += b * b;
        s.xy += a * b;
        s.ee += e * e;
        s.maxAbs = std::max(s.maxAbs, std::fabs(e));
    }
}

template <typename A>
void accumulateWith(std::span<const A> x, const Tensor& approx, Sums& s)
{
    if (approx.isFloat())
        accumulate(x, approx.floats(), s);
    else
        accumulate(x, approx.ints(), s);
}

} // namespace

void AgreementAccumulator::add(const Tensor& ref, const Tensor& approx)
{
    if (ref.shape() != approx.shape())
        throw ShapeError("tensor agreement: reference shape " + shapeToString(ref.shape()) +
                         " differs from compared shape " + shapeToString(approx.shape()));
    Sums s;
    if (ref.isFloat())
        accumulateWith(ref.floats(), approx, s);
    else
        accumulateWith(ref.ints(), approx, s);
    m_count += ref.numel();
    m_sumXX += s.xx;
    m_sumYY += s.yy;
    m_sumXY += s.xy;
    m_sumEE += s.ee;
    m_maxAbs = std::max(m_maxAbs, s.maxAbs);
}

Agreement AgreementAccumulator::result() const
{
    Agreement a;
    a.count = m_count;
    a.maxAbs = m_maxAbs;
    if (m_count == 0 || m_sumXX == 0.0) {
        a.defined = false;
        a.sqnrDb = a.relL2 = a.cosine = kNaN;
        a.note = m_count == 0 ? "no elements compared: SQNR, relative L2 and cosine undefined"
                              : "reference is all zero (‖x‖ = 0): SQNR, relative L2 and cosine undefined";
        return a;
    }
    a.defined = true;
    const double normX = std::sqrt(m_sumXX);
    const double normE = std::sqrt(m_sumEE);
    a.relL2 = normE / normX;
    // x == y exactly: ‖x − y‖ = 0 → +∞ dB by design (documented in the header), no finite cap.
    a.sqnrDb = m_sumEE == 0.0 ? std::numeric_limits<double>::infinity() : 20.0 * std::log10(normX / normE);
    if (m_sumYY == 0.0) {
        a.cosine = kNaN;
        a.note = "compared tensor is all zero (‖y‖ = 0): cosine undefined";
    } else {
        // Clamp rounding excursions just outside [−1, 1].
        a.cosine = std::clamp(m_sumXY / (normX * std::sqrt(m_sumYY)), -1.0, 1.0);
    }
    return a;
}

Agreement computeAgreement(const Tensor& ref, const Tensor& approx)
{
    AgreementAccumulator acc;
    acc.add(ref, approx);
    return acc.result();
}

namespace {

std::set<std::string> nodeOutputs(const Graph& graph)
{
    std::set<std::string> names;
    for (const Node& node : graph.nodes)
        for (const std::string& out : node.outputs)
            if (!out.empty())
                names.insert(out);
    return names;
}

} // namespace

std::vector<LayerAgreement> compareLayers(const Executor& reference, const Executor& other,
                                          const std::vector<TensorMap>& inputs)
{
    return compareLayers(
        reference.graph(), [&](const TensorMap& in, const TapFn& tap) { reference.run(in, tap); }, other.graph(),
        [&](const TensorMap& in, const TapFn& tap) { other.run(in, tap); }, inputs);
}

std::vector<LayerAgreement> compareLayers(const Graph& referenceGraph, const RunWithTap& reference,
                                          const Graph& otherGraph, const RunWithTap& other,
                                          const std::vector<TensorMap>& inputs)
{
    const std::set<std::string> otherOutputs = nodeOutputs(otherGraph);

    // One entry per matched tensor, in reference node order; index by tensor name.
    std::vector<LayerAgreement> layers;
    std::vector<AgreementAccumulator> accs;
    std::map<std::string, size_t> slot;
    const auto& refNodes = referenceGraph.nodes;
    for (size_t n = 0; n < refNodes.size(); ++n) {
        for (const std::string& out : refNodes[n].outputs) {
            if (out.empty() || !otherOutputs.count(out) || slot.count(out))
                continue;
            slot[out] = layers.size();
            layers.push_back({static_cast<int>(n), refNodes[n].name, refNodes[n].opType, out, {}});
        }
    }
    accs.resize(layers.size());

    std::map<std::string, Tensor> pending; // reference taps of the current input only
    for (const TensorMap& input : inputs) {
        pending.clear();
        reference(input, [&](int, const Node& node, const std::vector<Tensor>& outputs) {
            for (size_t i = 0; i < outputs.size() && i < node.outputs.size(); ++i)
                if (slot.count(node.outputs[i]))
                    pending[node.outputs[i]] = outputs[i];
        });
        other(input, [&](int, const Node& node, const std::vector<Tensor>& outputs) {
            for (size_t i = 0; i < outputs.size() && i < node.outputs.size(); ++i) {
                auto it = pending.find(node.outputs[i]);
                if (it == pending.end())
                    continue;
                try {
                    accs[slot.at(it->first)].add(it->second, outputs[i]);
                } catch (const ShapeError& e) {
                    throw ShapeError("compareLayers: tensor '" + it->first + "': " + e.what());
                }
                pending.erase(it);
            }
        });
    }
    for (size_t i = 0; i < layers.size(); ++i)
        layers[i].agreement = accs[i].result();
    return layers;
}

int firstDivergingLayer(const std::vector<LayerAgreement>& layers, double thresholdDb)
{
    for (size_t i = 0; i < layers.size(); ++i) {
        const Agreement& a = layers[i].agreement;
        // NaN compares false, so undefined agreement never counts; +∞ is never below a threshold.
        if (a.defined && a.sqnrDb < thresholdDb)
            return static_cast<int>(i);
    }
    return -1;
}

} // namespace lnscope::core
