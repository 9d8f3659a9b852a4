#include "lnscope/core/model_info.h"

#include <set>

namespace lnscope::core {

namespace {

/// Whether initializer input `slot` of `node` is a learned parameter. Constants that steer shape
/// computations (Resize scales, Reshape shapes, Slice bounds, Concat of shape pieces) are not.
bool isParameterSlot(const Node& node, size_t slot, const Tensor& t)
{
    static const std::set<std::string> kWeightOps = {"Conv", "ConvTranspose", "Gemm", "MatMul", "BatchNormalization", "PRelu"};
    static const std::set<std::string> kAffineOps = {"Add", "Sub", "Mul", "Div"};
    if (kWeightOps.count(node.opType))
        return true;
    // A per-channel bias or scale applied element-wise (e.g. an unfolded affine layer).
    return kAffineOps.count(node.opType) && slot < 2 && t.numel() > 1;
}

} // namespace

ModelInfo describeModel(const Graph& graph)
{
    ModelInfo info;
    info.name = graph.name;
    info.producer = graph.producer;
    info.opset = graph.opset;
    info.inputs = graph.inputs;
    info.outputs = graph.outputs;
    for (size_t n = 0; n < graph.nodes.size(); ++n) {
        const Node& node = graph.nodes[n];
        ++info.opHistogram[node.opType];
        LayerInfo layer;
        layer.nodeIndex = static_cast<int>(n);
        layer.name = node.name;
        layer.opType = node.opType;
        for (size_t slot = 0; slot < node.inputs.size(); ++slot) {
            const Tensor* t = graph.initializer(node.inputs[slot]);
            if (t && t->isFloat() && t->numel() > 0 && isParameterSlot(node, slot, *t)) {
                layer.weightShapes.push_back(t->shape());
                layer.parameters += t->numel();
            }
        }
        if (layer.parameters == 0)
            continue;
        layer.float32Bytes = layer.parameters * 4;
        info.totalParameters += layer.parameters;
        info.totalFloat32Bytes += layer.float32Bytes;
        info.layers.push_back(std::move(layer));
    }
    info.batchNorms = analyzeBatchNorm(graph);
    return info;
}

} // namespace lnscope::core
