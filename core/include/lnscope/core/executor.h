#pragma once
// Float32 executor: runs a Graph node by node through the op registry.
// Intermediate tensors are freed after their last use unless a tap asks for them.

#include "lnscope/core/graph.h"
#include "lnscope/core/op_registry.h"
#include "lnscope/core/progress.h"

#include <functional>
#include <map>
#include <string>

namespace lnscope::core {

using TensorMap = std::map<std::string, Tensor>;

struct ExecOptions
{
    int threads = 2; ///< results are deterministic for a given thread count
};

/// Called after each node with the node and its outputs (in node.outputs order). Runs on the
/// calling thread. Copy what you keep: the tensors are freed after their last use.
using TapFn = std::function<void(int nodeIndex, const Node& node, const std::vector<Tensor>& outputs)>;

/// Ways for a caller to change how a run computes (the emulated LNS executor uses them). Both
/// are optional and run on the calling thread.
struct RunHooks
{
    /// Replaces a node's kernel: return true after filling `outputs` (one per node output), false
    /// to let the registered kernel run. Exceptions are reported like a kernel's.
    std::function<bool(int nodeIndex, const Node& node, OpInputs inputs, const OpContext& ctx,
                       std::vector<Tensor>& outputs)>
        replace;
    /// Called on every graph input (nodeIndex −1) and every node output before it is stored (and
    /// before the tap sees it); may change the tensor in place but not its shape.
    std::function<void(int nodeIndex, const std::string& name, Tensor& value)> transform;
};

class Executor
{
public:
    /// Binds every node to its kernel; throws UnsupportedError listing all unsupported nodes.
    /// The graph is copied (executors are independent of the graph's lifetime).
    explicit Executor(Graph graph, ExecOptions options = {});

    const Graph& graph() const { return m_graph; }
    const ExecOptions& options() const { return m_options; }

    /// Runs the graph. `inputs` must hold every graph input by name (dynamic dims are taken from
    /// the actual tensors; fixed dims must match: ShapeError). Returns the graph outputs.
    /// Throws ShapeError/UnsupportedError naming the node on failure; Cancelled when cancelled.
    TensorMap run(const TensorMap& inputs, const TapFn& tap = {}, Progress* progress = nullptr,
                  const RunHooks* hooks = nullptr) const;

private:
    Graph m_graph;
    ExecOptions m_options;
    std::vector<const OpDef*> m_kernels;
    std::vector<std::vector<std::string>> m_freeAfter; // tensors whose last reader is node i
};

} // namespace lnscope::core
