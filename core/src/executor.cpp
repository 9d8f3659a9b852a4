#include "lnscope/core/executor.h"

#include "lnscope/core/error.h"
#include "lnscope/core/parallel.h"

#include <new>
#include <set>

namespace lnscope::core {

Executor::Executor(Graph graph, ExecOptions options)
    : m_graph(std::move(graph)), m_options(options)
{
    if (m_options.threads < 1)
        m_options.threads = 1;
    const OpRegistry& registry = OpRegistry::builtin();
    std::string unsupported;
    for (const Node& node : m_graph.nodes) {
        const OpDef* def = (node.domain.empty() || node.domain == "ai.onnx") ? registry.find(node.opType) : nullptr;
        if (!def)
            unsupported += "\n  " + node.name + ": " + (node.domain.empty() ? "" : node.domain + ".") + node.opType
                           + " (opset " + std::to_string(m_graph.opset) + ")";
        m_kernels.push_back(def);
    }
    if (!unsupported.empty())
        throw UnsupportedError("graph '" + m_graph.name + "' has unsupported nodes:" + unsupported);

    // Free every intermediate after its last reader (graph outputs are kept).
    std::map<std::string, size_t> lastUse;
    for (size_t n = 0; n < m_graph.nodes.size(); ++n)
        for (const std::string& in : m_graph.nodes[n].inputs)
            if (!in.empty() && !m_graph.isInitializer(in))
                lastUse[in] = n;
    m_freeAfter.resize(m_graph.nodes.size());
    for (const auto& [name, n] : lastUse)
        if (!m_graph.isGraphOutput(name))
            m_freeAfter[n].push_back(name);
    // Outputs nobody reads (a second output of Split, a dead branch) go right after the tap sees them.
    for (size_t n = 0; n < m_graph.nodes.size(); ++n)
        for (const std::string& out : m_graph.nodes[n].outputs)
            if (!out.empty() && !lastUse.count(out) && !m_graph.isGraphOutput(out))
                m_freeAfter[n].push_back(out);
}

namespace {
/// "[1, 3, 8, 8], [4, 3, 3, 3]" — the shapes a node was given, for messages.
std::string describeShapes(const std::vector<const Tensor*>& args)
{
    std::string s;
    for (const Tensor* t : args)
        s += (s.empty() ? "" : ", ") + (t ? shapeToString(t->shape()) : std::string("(none)"));
    return s;
}

void checkInput(const ValueInfo& info, const Tensor& t)
{
    if (t.dtype() != info.dtype)
        throw ShapeError("input '" + info.name + "' must be " + dtypeName(info.dtype) + ", got " + dtypeName(t.dtype()));
    if (!info.hasShape)
        return;
    if (static_cast<size_t>(t.rank()) != info.shape.size())
        throw ShapeError("input '" + info.name + "' must have rank " + std::to_string(info.shape.size()) + ", got shape "
                         + shapeToString(t.shape()));
    for (size_t i = 0; i < info.shape.size(); ++i)
        if (info.shape[i].value >= 0 && info.shape[i].value != t.shape()[i])
            throw ShapeError("input '" + info.name + "' dimension " + std::to_string(i) + " must be "
                             + std::to_string(info.shape[i].value) + ", got shape " + shapeToString(t.shape()));
}
} // namespace

TensorMap Executor::run(const TensorMap& inputs, const TapFn& tap, Progress* progress, const RunHooks* hooks) const
{
    std::map<std::string, Tensor> values;
    for (const ValueInfo& info : m_graph.inputs) {
        auto it = inputs.find(info.name);
        if (it == inputs.end())
            throw ShapeError("missing input '" + info.name + "'");
        checkInput(info, it->second);
        Tensor& stored = values[info.name] = it->second;
        if (hooks && hooks->transform)
            hooks->transform(-1, info.name, stored);
    }
    OpContext ctx;
    ctx.threads = m_options.threads;
    ctx.opset = m_graph.opset;
    setGemmThreads(ctx.threads);

    std::vector<const Tensor*> args;
    for (size_t n = 0; n < m_graph.nodes.size(); ++n) {
        if (progress) {
            progress->checkCancelled();
            progress->report(double(n) / double(m_graph.nodes.size()), m_graph.nodes[n].name);
        }
        const Node& node = m_graph.nodes[n];
        args.clear();
        for (const std::string& in : node.inputs) {
            if (in.empty()) {
                args.push_back(nullptr);
                continue;
            }
            if (const Tensor* init = m_graph.initializer(in)) {
                args.push_back(init);
                continue;
            }
            auto it = values.find(in);
            if (it == values.end())
                throw ShapeError(node.describe() + ": input '" + in + "' is not available");
            args.push_back(&it->second);
        }
        std::vector<Tensor> outs;
        try {
            const OpInputs opInputs(args.data(), args.size());
            if (!(hooks && hooks->replace && hooks->replace(static_cast<int>(n), node, opInputs, ctx, outs)))
                outs = m_kernels[n]->run(node, opInputs, ctx);
        } catch (const Cancelled&) {
            throw;
        } catch (const ShapeError& e) {
            throw ShapeError(node.describe() + ": " + e.what());
        } catch (const UnsupportedError& e) {
            throw UnsupportedError(node.describe() + ": " + e.what());
        } catch (const FormatError& e) {
            throw FormatError(node.describe() + ": " + e.what());
        } catch (const std::bad_alloc&) {
            // Attribute values that pass validation (pads of 2^20) can still ask for terabytes;
            // that is bad input, not an internal error, so name the node like any shape problem.
            throw ShapeError(node.describe() + ": output too large to allocate (out of memory) for inputs "
                             + describeShapes(args));
        }
        if (outs.size() < node.outputs.size())
            throw Error(node.describe() + ": kernel produced " + std::to_string(outs.size()) + " outputs, expected "
                        + std::to_string(node.outputs.size()));
        outs.resize(node.outputs.size());
        if (hooks && hooks->transform)
            for (size_t o = 0; o < node.outputs.size(); ++o)
                if (!node.outputs[o].empty())
                    hooks->transform(static_cast<int>(n), node.outputs[o], outs[o]);
        if (tap)
            tap(static_cast<int>(n), node, outs);
        for (size_t o = 0; o < node.outputs.size(); ++o)
            if (!node.outputs[o].empty())
                values[node.outputs[o]] = std::move(outs[o]);
        for (const std::string& dead : m_freeAfter[n])
            values.erase(dead);
    }
    if (progress)
        progress->report(1.0, "done");

    TensorMap result;
    for (const ValueInfo& out : m_graph.outputs) {
        if (const Tensor* init = m_graph.initializer(out.name))
            result[out.name] = *init;
        else
            result[out.name] = values.at(out.name);
    }
    return result;
}

} // namespace lnscope::core
