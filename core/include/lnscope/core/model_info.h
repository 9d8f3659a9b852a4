#pragma once
// A summary of a graph for `lnscope-cli info` and the GUI's layer table.

#include "lnscope/core/fold_batch_norm.h"
#include "lnscope/core/graph.h"

#include <map>
#include <string>
#include <vector>

namespace lnscope::core {

struct LayerInfo
{
    int nodeIndex = -1;
    std::string name;
    std::string opType;
    std::vector<Shape> weightShapes; ///< shapes of the learned float initializers the node reads
    int64_t parameters = 0;          ///< learned float parameters (weights, biases, BN statistics,
                                     ///< PRelu slopes, per-channel affine tensors; not shape constants)
    int64_t float32Bytes = 0;        ///< parameters · 4
};

struct ModelInfo
{
    std::string name;
    std::string producer;
    int64_t opset = 0;
    std::vector<ValueInfo> inputs;
    std::vector<ValueInfo> outputs;
    std::map<std::string, int> opHistogram; ///< op type → node count
    std::vector<LayerInfo> layers;          ///< nodes with parameters, in graph order
    int64_t totalParameters = 0;
    int64_t totalFloat32Bytes = 0;
    std::vector<BnFoldRecord> batchNorms;   ///< which BNs can fold (analysis only)
};

ModelInfo describeModel(const Graph& graph);

} // namespace lnscope::core
