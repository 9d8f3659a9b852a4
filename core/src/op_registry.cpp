#include "lnscope/core/op_registry.h"

#include "lnscope/core/error.h"

#include <algorithm>

namespace lnscope::core {

const OpRegistry& OpRegistry::builtin()
{
    static const OpRegistry registry = [] {
        OpRegistry r;
        registerBuiltinOps(r);
        return r;
    }();
    return registry;
}

void OpRegistry::add(OpDef def)
{
    const std::string key = def.opType;
    m_ops[key] = std::move(def);
}

const OpDef* OpRegistry::find(const std::string& opType) const
{
    auto it = m_ops.find(opType);
    return it == m_ops.end() ? nullptr : &it->second;
}

std::vector<std::string> OpRegistry::opTypes() const
{
    std::vector<std::string> names;
    for (const auto& [name, def] : m_ops)
        names.push_back(name);
    return names;
}

void registerBuiltinOps(OpRegistry& registry)
{
    registerConvOps(registry);
    registerGemmOps(registry);
    registerPoolOps(registry);
    registerNormOps(registry);
    registerActivationOps(registry);
    registerElementwiseOps(registry);
    registerResizeOps(registry);
    registerShapeOps(registry);
    registerMovementOps(registry);
}

namespace opcheck {

void inputCount(const Node& node, size_t min, size_t max)
{
    size_t n = node.inputs.size();
    while (n > 0 && node.inputs[n - 1].empty())
        --n; // trailing omitted optional inputs
    if (n < min || node.inputs.size() > max)
        throw FormatError(node.describe() + ": expects " + std::to_string(min)
                          + (min == max ? "" : " to " + std::to_string(max)) + " inputs, has "
                          + std::to_string(node.inputs.size()));
    for (size_t i = 0; i < min; ++i)
        if (node.inputs[i].empty())
            throw FormatError(node.describe() + ": required input " + std::to_string(i) + " is empty");
}

void outputCount(const Node& node, size_t min, size_t max)
{
    if (node.outputs.size() < min || node.outputs.size() > max)
        throw FormatError(node.describe() + ": expects " + std::to_string(min)
                          + (min == max ? "" : " to " + std::to_string(max)) + " outputs, has "
                          + std::to_string(node.outputs.size()));
}

void positiveInts(const Node& node, const std::string& attr)
{
    for (int64_t v : node.attrInts(attr))
        if (v <= 0)
            throw FormatError(node.describe() + ": attribute '" + attr + "' must be positive, got " + std::to_string(v));
}

void nonNegativeInts(const Node& node, const std::string& attr)
{
    for (int64_t v : node.attrInts(attr))
        if (v < 0)
            throw FormatError(node.describe() + ": attribute '" + attr + "' must not be negative, got " + std::to_string(v));
}

void oneOf(const Node& node, const std::string& attr, const std::string& def, std::initializer_list<const char*> allowed)
{
    const std::string v = node.attrString(attr, def);
    if (std::none_of(allowed.begin(), allowed.end(), [&](const char* a) { return v == a; }))
        throw FormatError(node.describe() + ": attribute '" + attr + "' has unsupported value '" + v + "'");
}

} // namespace opcheck
} // namespace lnscope::core
