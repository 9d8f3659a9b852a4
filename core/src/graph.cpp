#include "lnscope/core/graph.h"

#include "lnscope/core/error.h"

#include <algorithm>
#include <queue>
#include <set>

namespace lnscope::core {

const char* Attribute::kindName(Kind kind)
{
    switch (kind) {
    case Kind::Int: return "int";
    case Kind::Float: return "float";
    case Kind::String: return "string";
    case Kind::Ints: return "ints";
    case Kind::Floats: return "floats";
    case Kind::Strings: return "strings";
    case Kind::TensorValue: return "tensor";
    }
    return "?";
}

namespace {
const Attribute* typed(const Node& node, const std::string& name, Attribute::Kind kind)
{
    const Attribute* a = node.attr(name);
    if (a && a->kind != kind)
        throw FormatError(node.describe() + ": attribute '" + name + "' must be " + Attribute::kindName(kind)
                          + ", got " + Attribute::kindName(a->kind));
    return a;
}
} // namespace

const Attribute* Node::attr(const std::string& name) const
{
    auto it = attrs.find(name);
    return it == attrs.end() ? nullptr : &it->second;
}

int64_t Node::attrInt(const std::string& name, int64_t def) const
{
    const Attribute* a = typed(*this, name, Attribute::Kind::Int);
    return a ? a->i : def;
}

float Node::attrFloat(const std::string& name, float def) const
{
    const Attribute* a = typed(*this, name, Attribute::Kind::Float);
    return a ? a->f : def;
}

std::string Node::attrString(const std::string& name, const std::string& def) const
{
    const Attribute* a = typed(*this, name, Attribute::Kind::String);
    return a ? a->s : def;
}

std::vector<int64_t> Node::attrInts(const std::string& name, std::vector<int64_t> def) const
{
    const Attribute* a = typed(*this, name, Attribute::Kind::Ints);
    return a ? a->ints : def;
}

std::vector<float> Node::attrFloats(const std::string& name, std::vector<float> def) const
{
    const Attribute* a = typed(*this, name, Attribute::Kind::Floats);
    return a ? a->floats : def;
}

const std::string& Node::input(size_t i) const
{
    static const std::string empty;
    return i < inputs.size() ? inputs[i] : empty;
}

std::string Node::describe() const
{
    return opType + " '" + name + "'";
}

Shape ValueInfo::concreteShape(int64_t unknownAs) const
{
    Shape s;
    for (const Dim& d : shape)
        s.push_back(d.value >= 0 ? d.value : unknownAs);
    return s;
}

const Tensor* Graph::initializer(const std::string& tensorName) const
{
    auto it = initializers.find(tensorName);
    return it == initializers.end() ? nullptr : &it->second;
}

int Graph::producerOf(const std::string& tensor) const
{
    for (size_t n = 0; n < nodes.size(); ++n)
        for (const std::string& out : nodes[n].outputs)
            if (out == tensor)
                return static_cast<int>(n);
    return -1;
}

std::vector<int> Graph::consumersOf(const std::string& tensor) const
{
    std::vector<int> result;
    for (size_t n = 0; n < nodes.size(); ++n)
        if (std::find(nodes[n].inputs.begin(), nodes[n].inputs.end(), tensor) != nodes[n].inputs.end())
            result.push_back(static_cast<int>(n));
    return result;
}

bool Graph::isGraphOutput(const std::string& tensor) const
{
    return std::any_of(outputs.begin(), outputs.end(), [&](const ValueInfo& v) { return v.name == tensor; });
}

int64_t Graph::parameterCount(int index) const
{
    int64_t count = 0;
    for (const std::string& in : nodes.at(static_cast<size_t>(index)).inputs)
        if (const Tensor* t = initializer(in); t && t->isFloat())
            count += t->numel();
    return count;
}

void Graph::validateAndSort(const std::string& context)
{
    const std::string where = context.empty() ? std::string() : context + ": ";
    std::map<std::string, int> producer; // tensor → node index, -1 for graph input / initializer
    for (const auto& [tensorName, tensor] : initializers)
        producer[tensorName] = -1;
    for (const ValueInfo& in : inputs) {
        if (in.name.empty())
            throw FormatError(where + "a graph input has an empty name");
        if (producer.count(in.name) && !isInitializer(in.name))
            throw FormatError(where + "graph input '" + in.name + "' is declared twice");
        producer[in.name] = -1;
    }
    for (size_t n = 0; n < nodes.size(); ++n) {
        for (const std::string& out : nodes[n].outputs) {
            if (out.empty())
                continue;
            if (producer.count(out))
                throw FormatError(where + nodes[n].describe() + " writes tensor '" + out
                                  + "', which is already " + (producer[out] < 0 ? "a graph input or initializer"
                                                                                 : "written by " + nodes[static_cast<size_t>(producer[out])].describe()));
            producer[out] = static_cast<int>(n);
        }
    }
    // Kahn's algorithm over node dependencies; stable (keeps file order among ready nodes).
    std::vector<std::vector<int>> readers(nodes.size());
    std::vector<int> pending(nodes.size(), 0);
    for (size_t n = 0; n < nodes.size(); ++n) {
        std::set<int> deps;
        for (const std::string& in : nodes[n].inputs) {
            if (in.empty())
                continue;
            auto it = producer.find(in);
            if (it == producer.end())
                throw FormatError(where + nodes[n].describe() + " reads tensor '" + in
                                  + "', which no node, input or initializer provides");
            if (it->second >= 0)
                deps.insert(it->second);
        }
        pending[n] = static_cast<int>(deps.size());
        for (int d : deps)
            readers[static_cast<size_t>(d)].push_back(static_cast<int>(n));
    }
    std::priority_queue<int, std::vector<int>, std::greater<>> ready;
    for (size_t n = 0; n < nodes.size(); ++n)
        if (pending[n] == 0)
            ready.push(static_cast<int>(n));
    std::vector<Node> sorted;
    sorted.reserve(nodes.size());
    std::vector<bool> done(nodes.size(), false);
    while (!ready.empty()) {
        int n = ready.top();
        ready.pop();
        done[static_cast<size_t>(n)] = true;
        sorted.push_back(nodes[static_cast<size_t>(n)]);
        for (int r : readers[static_cast<size_t>(n)])
            if (--pending[static_cast<size_t>(r)] == 0)
                ready.push(r);
    }
    if (sorted.size() != nodes.size()) {
        for (size_t n = 0; n < nodes.size(); ++n)
            if (!done[n])
                throw FormatError(where + "the graph has a cycle through " + nodes[n].describe());
    }
    nodes = std::move(sorted);
    for (const ValueInfo& out : outputs)
        if (!producer.count(out.name))
            throw FormatError(where + "graph output '" + out.name + "' is not produced by any node, input or initializer");
}

} // namespace lnscope::core
