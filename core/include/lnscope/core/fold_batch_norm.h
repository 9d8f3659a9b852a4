#pragma once
// Batch-norm folding pass (spec/numerics.md §1). Does not mutate its input.

#include "lnscope/core/graph.h"

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
    double epsilon = 1e-5;  ///< ε read from the model
};

struct BnFoldResult
{
    Graph graph;                      ///< the folded graph
    std::vector<BnFoldRecord> records; ///< one per BatchNormalization node, in graph order
    int foldedCount() const;
};

/// Folds each inference-mode BatchNormalization into the Conv, ConvTranspose, Gemm or MatMul
/// (with a constant weight) that produces its input, when that producer has no other consumer
/// and is not a graph output. BNs that cannot fold stay as they are (a per-channel affine op)
/// and are reported with the reason. Throws UnsupportedError for training_mode = 1 and
/// FormatError for BN parameters that are not constant or have the wrong length.
BnFoldResult foldBatchNorm(const Graph& graph);

/// Only the analysis: which BNs would fold and why not (same records as foldBatchNorm).
std::vector<BnFoldRecord> analyzeBatchNorm(const Graph& graph);

} // namespace lnscope::core
