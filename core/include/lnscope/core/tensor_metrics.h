#pragma once
// Tensor agreement metrics (numerics.md §4 "Tensor agreement") and a per-layer comparison of two
// executors driven by their taps. x is the reference (usually float32), y the approximation.
//
//   SQNR      = 20·log10(‖x‖ / ‖x − y‖)     dB
//   relL2     = ‖x − y‖ / ‖x‖                (dimensionless)
//   cosine    = ⟨x, y⟩ / (‖x‖·‖y‖)           (dimensionless, in [−1, 1])
//   maxAbs    = max |x − y|                  (units of the tensor's values)
//
// Everything is accumulated in double over all elements (of one tensor, or of a whole batch via
// AgreementAccumulator), so a dataset-level figure is over all elements, never a mean of
// per-sample figures. float32 and int64 tensors are compared as values (int64 converted to
// double); the two sides may differ in dtype.

#include "lnscope/core/executor.h"
#include "lnscope/core/tensor.h"

#include <cstdint>
#include <string>
#include <functional>
#include <vector>

namespace lnscope::core {

struct Agreement
{
    int64_t count = 0;   ///< number of element pairs compared
    double sqnrDb = 0.0; ///< dB. +∞ when x == y exactly and ‖x‖ > 0 (no finite cap); NaN when !defined
    double relL2 = 0.0;  ///< ‖x − y‖/‖x‖; 0 when x == y; NaN when !defined
    double cosine = 0.0; ///< NaN when !defined, and also when ‖y‖ = 0 (see note)
    double maxAbs = 0.0; ///< max |x − y|, always defined (0 for an empty comparison)
    /// False when ‖x‖ = 0 (all-zero or empty reference): SQNR, relL2 and cosine are then NaN —
    /// never ∞ — and `note` says why. maxAbs and count stay meaningful.
    bool defined = false;
    std::string note; ///< "" normally; the reason when something is undefined
};

/// Running sums for Agreement over many (ref, approx) pairs; result() covers all elements added.
/// Inner loops do not throw; add() throws ShapeError before touching the sums if shapes differ.
/// Not thread-safe; copyable.
class AgreementAccumulator
{
public:
    /// Adds every element pair of `ref` (x) and `approx` (y). Throws ShapeError when the shapes
    /// differ (the message names both shapes). Empty tensors add nothing.
    void add(const Tensor& ref, const Tensor& approx);
    /// Agreement over everything added so far (count 0 → undefined, note "no elements").
    Agreement result() const;
    int64_t count() const { return m_count; }

private:
    int64_t m_count = 0;
    double m_sumXX = 0.0; ///< Σ x²
    double m_sumYY = 0.0; ///< Σ y²
    double m_sumXY = 0.0; ///< Σ x·y
    double m_sumEE = 0.0; ///< Σ (x − y)², from the differences directly (exact 0 when x == y)
    double m_maxAbs = 0.0;
};

/// Agreement of one tensor pair. Throws ShapeError when the shapes differ.
Agreement computeAgreement(const Tensor& ref, const Tensor& approx);

struct LayerAgreement
{
    int nodeIndex = -1;  ///< index of the producing node in the reference graph
    std::string node;    ///< node name (reference graph)
    std::string op;      ///< op type (reference graph)
    std::string tensor;  ///< output tensor name, shared by both graphs
    Agreement agreement; ///< over all inputs
};

/// Runs `reference` and `other` on every input map and compares each node output that both
/// graphs produce (matched by tensor name; tensors produced by only one graph are skipped).
/// Agreement is accumulated over all inputs. Result order: reference graph node order, then the
/// node's output order.
/// Memory: per input, only the reference taps of matched tensors are kept (copies), and each is
/// dropped as soon as the other run's tap has compared it — never all inputs' taps at once.
/// Throws whatever Executor::run throws, and ShapeError when a matched tensor has different
/// shapes in the two graphs (the message names the tensor).
std::vector<LayerAgreement> compareLayers(const Executor& reference, const Executor& other,
                                          const std::vector<TensorMap>& inputs);

/// Runs a model on one input map, calling `tap` after each node (an Executor, an LnsEmulator).
using RunWithTap = std::function<void(const TensorMap& inputs, const TapFn& tap)>;

/// compareLayers() for any two runners over the given graphs (tensors matched by name, as above).
std::vector<LayerAgreement> compareLayers(const Graph& referenceGraph, const RunWithTap& reference,
                                          const Graph& otherGraph, const RunWithTap& other,
                                          const std::vector<TensorMap>& inputs);

/// Index into `layers` of the first entry whose SQNR < thresholdDb (dB), or -1 if none.
/// Undefined agreement (NaN SQNR, all-zero reference) does not count as divergence; +∞ never does.
int firstDivergingLayer(const std::vector<LayerAgreement>& layers, double thresholdDb);

} // namespace lnscope::core
