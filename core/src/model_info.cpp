#include "lnscope/core/model_info.h"

namespace lnscope::core {

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
        for (const std::string& in : node.inputs) {
            const Tensor* t = graph.initializer(in);
            if (t && t->isFloat() && t->numel() > 0) {
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
