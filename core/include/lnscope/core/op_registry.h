#pragma once
// Registry of op kernels by ONNX op type (STYLE.md 6: registries over if-chains).
// Each op family lives in core/src/ops/<family>.cpp and registers itself from
// registerBuiltinOps(); the importer asks the registry what is supported and lets each op
// validate its attributes once, at import time.

#include "lnscope/core/graph.h"
#include "lnscope/core/tensor.h"

#include <functional>
#include <map>
#include <span>
#include <string>
#include <vector>

namespace lnscope::core {

/// Per-run settings handed to every kernel.
struct OpContext
{
    int threads = 2;    ///< worker threads a kernel may use (deterministic for a given count)
    int64_t opset = 13; ///< the model's default-domain opset
};

/// Inputs of a node in order; nullptr for an omitted optional input.
using OpInputs = std::span<const Tensor* const>;

struct OpDef
{
    std::string opType;
    int64_t sinceOpset = 1; ///< lowest opset this implementation follows
    /// Checks attributes (types and ranges) and the input/output counts; throws FormatError
    /// naming the node. Runs once per node at import. May be empty.
    std::function<void(const Node& node, int64_t opset)> validate;
    /// Computes the node's outputs (one Tensor per declared output, omitted ones may be empty).
    /// Throws ShapeError / UnsupportedError on inputs it cannot handle.
    std::function<std::vector<Tensor>(const Node& node, OpInputs inputs, const OpContext& ctx)> run;
};

class OpRegistry
{
public:
    /// The process-wide registry holding every built-in op. Thread-safe after first use.
    static const OpRegistry& builtin();

    void add(OpDef def);
    const OpDef* find(const std::string& opType) const;
    std::vector<std::string> opTypes() const;

private:
    std::map<std::string, OpDef> m_ops;
};

/// Registers every built-in op family (defined in core/src/ops/*.cpp).
void registerBuiltinOps(OpRegistry& registry);

// Op families: one function per file in core/src/ops.
void registerConvOps(OpRegistry& registry);        // Conv, ConvTranspose
void registerGemmOps(OpRegistry& registry);        // Gemm, MatMul
void registerPoolOps(OpRegistry& registry);        // MaxPool, AveragePool, Global*Pool
void registerNormOps(OpRegistry& registry);        // BatchNormalization, Softmax, ReduceMean, ArgMax
void registerActivationOps(OpRegistry& registry);  // Relu, LeakyRelu, PRelu, Clip, Sigmoid, HardSigmoid, HardSwish, Tanh
void registerElementwiseOps(OpRegistry& registry); // Add, Sub, Mul, Div, Pow
void registerResizeOps(OpRegistry& registry);      // Resize, Upsample
void registerShapeOps(OpRegistry& registry);       // Reshape, Flatten, Squeeze, Unsqueeze, Shape, Cast, Identity
void registerMovementOps(OpRegistry& registry);    // Transpose, Concat, Split, Slice, Gather, Pad

// Shared validation helpers for op validate() functions; all throw FormatError naming the node.
namespace opcheck {
void inputCount(const Node& node, size_t min, size_t max);
void outputCount(const Node& node, size_t min, size_t max);
void positiveInts(const Node& node, const std::string& attr);
void nonNegativeInts(const Node& node, const std::string& attr);
void oneOf(const Node& node, const std::string& attr, const std::string& def,
           std::initializer_list<const char*> allowed);
} // namespace opcheck

} // namespace lnscope::core
