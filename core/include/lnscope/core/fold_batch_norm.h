#pragma once
// Batch-norm folding pass (spec/numerics.md §1). Does not mutate its input.

#include "lnscope/core/graph.h"

#include <cstdint>
#include <string>
#include <vector>

namespace lnscope::core {

/// What happened to one BatchNormalization node.
struct BnFoldRecord
{
    std::string bnNode;     ///< name of the BatchNormalization node
    std::string intoNode;   ///< name of the Conv/ConvTranspose/Gemm/MatMul it was folded into ("" if kept)
    bool folded = false;
    std::string reason;     ///< why it was kept (empty when folded)
    double epsilon = 1e-5;  ///< ε read from the model (the float attribute widened to double)
    int64_t channels = 0;   ///< length of the BN parameters (0 when they are not constant)
    /// max_o |γ_o| / sqrt(σ²_o + ε): how much folding amplifies the most scaled output channel
    /// (tiny σ² gives up to γ/√ε; the reason weight formats are per output channel). 0 when the
    /// parameters are not constant.
    double maxAbsScale = 0.0;
};

struct BnFoldResult
{
    Graph graph;                      ///< the folded graph
    std::vector<BnFoldRecord> records; ///< one per BatchNormalization node, in graph order
    int foldedCount() const;
};

/// Folds each inference-mode BatchNormalization into the Conv, ConvTranspose, Gemm or MatMul
/// (with a constant weight) that produces its input, when that producer has no other consumer
/// and is not a graph output. Foldability is judged on the input graph: a BN fed by another BN
/// is kept even when the first one folds.
///
/// Effects on the returned graph, per folded BN:
/// - the BN node is removed; the layer now writes the BN's output tensor (same name, so taps
///   and graph outputs keep their names);
/// - the layer's weight and bias are rescaled (computed in double, stored as float32); a bias
///   is added when the layer had none; an initializer that other nodes also read is left as is
///   and the layer gets a new one (suffix "_bnfold");
/// - Gemm gets beta = 1 (its C is rescaled); a MatMul becomes a Gemm (transB = 0) with C;
/// - initializers that nothing reads any more are dropped.
/// BNs that cannot fold stay as they are (a per-channel affine op) and are reported with the
/// reason (wrong producer, shared producer output, non-constant weight or BN parameters,
/// parameter length ≠ channels, ...).
/// Throws UnsupportedError (naming the node) for training_mode = 1, and FormatError for an
/// attribute of the wrong kind.
BnFoldResult foldBatchNorm(const Graph& graph);

/// Only the analysis: which BNs would fold and why not (same records as foldBatchNorm, same
/// exceptions), without copying or rescaling any weight.
std::vector<BnFoldRecord> analyzeBatchNorm(const Graph& graph);

} // namespace lnscope::core
