#pragma once
// The one graph IR used by import, every pass and execution (DESIGN.md).
// Nodes are kept in a topological order; tensors are named by strings as in ONNX.

#include "lnscope/core/tensor.h"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace lnscope::core {

/// A node attribute. Only the ONNX attribute kinds that CNN ops use.
struct Attribute
{
    enum class Kind { Int, Float, String, Ints, Floats, Strings, TensorValue };
    Kind kind = Kind::Int;
    int64_t i = 0;
    float f = 0.f;
    std::string s;
    std::vector<int64_t> ints;
    std::vector<float> floats;
    std::vector<std::string> strings;
    Tensor t;

    static const char* kindName(Kind kind);
};

struct Node
{
    std::string name;   ///< never empty after import (generated as "<op>_<index>" when missing)
    std::string opType; ///< e.g. "Conv"
    std::string domain; ///< "" for the default ONNX domain
    std::vector<std::string> inputs;  ///< "" marks an omitted optional input
    std::vector<std::string> outputs; ///< "" marks an omitted optional output
    std::map<std::string, Attribute> attrs;

    bool has(const std::string& attr) const { return attrs.count(attr) != 0; }
    /// Typed attribute getters. Missing → the default; wrong kind → FormatError naming the node.
    int64_t attrInt(const std::string& attr, int64_t def) const;
    float attrFloat(const std::string& attr, float def) const;
    std::string attrString(const std::string& attr, const std::string& def) const;
    std::vector<int64_t> attrInts(const std::string& attr, std::vector<int64_t> def = {}) const;
    std::vector<float> attrFloats(const std::string& attr, std::vector<float> def = {}) const;
    const Attribute* attr(const std::string& attr) const;

    /// Input i if present and non-empty, else "".
    const std::string& input(size_t i) const;
    bool hasInput(size_t i) const { return i < inputs.size() && !inputs[i].empty(); }

    /// "Conv 'conv1'" — for messages.
    std::string describe() const;
};

/// A symbolic or fixed dimension of a graph input/output. value < 0 means unknown/symbolic.
struct Dim
{
    int64_t value = -1;
    std::string param;
};

struct ValueInfo
{
    std::string name;
    DType dtype = DType::Float32;
    std::vector<Dim> shape; ///< empty when the model gives no shape
    bool hasShape = false;

    /// Fixed shape with unknown dims replaced by `unknownAs` (e.g. 1 for a batch dim).
    Shape concreteShape(int64_t unknownAs = 1) const;
};

struct Graph
{
    std::string name;
    std::string producer;   ///< producer_name + version, for info
    int64_t opset = 0;      ///< default-domain opset
    std::vector<ValueInfo> inputs;  ///< graph inputs that are not initializers
    std::vector<ValueInfo> outputs;
    std::map<std::string, Tensor> initializers; ///< includes Constant nodes' values
    std::vector<Node> nodes; ///< topologically sorted

    const Tensor* initializer(const std::string& name) const;
    bool isInitializer(const std::string& name) const { return initializers.count(name) != 0; }

    /// Index of the node that writes `tensor`, or -1 (graph input / initializer / unknown).
    int producerOf(const std::string& tensor) const;
    /// Indices of the nodes that read `tensor`.
    std::vector<int> consumersOf(const std::string& tensor) const;
    bool isGraphOutput(const std::string& tensor) const;

    /// Number of float parameters (initializer elements) read by node `index`.
    int64_t parameterCount(int index) const;

    /// Checks the structure: unique output names, every input produced before use, no cycles.
    /// Re-sorts nodes topologically. Throws FormatError naming the offending node/tensor.
    void validateAndSort(const std::string& context);
};

} // namespace lnscope::core
