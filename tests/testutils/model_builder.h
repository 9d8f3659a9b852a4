#pragma once
// Builds ONNX models in memory for tests (valid ones for op/differential tests, malformed ones
// for the bad-input tests). Wraps onnx::ModelProto; every method returns *this or the node.

#include "lnscope/core/graph.h"
#include "lnscope/core/tensor.h"

#include <filesystem>
#include <initializer_list>
#include <onnx/onnx_pb.h>
#include <string>
#include <vector>

namespace lnscope::test {

class ModelBuilder
{
public:
    explicit ModelBuilder(int64_t opset = 13, const std::string& graphName = "test");

    /// Graph input; a dim < 0 becomes a symbolic dim ("N").
    ModelBuilder& input(const std::string& name, const std::vector<int64_t>& shape,
                        int32_t elemType = onnx::TensorProto::FLOAT);
    /// Graph output (no shape).
    ModelBuilder& output(const std::string& name, int32_t elemType = onnx::TensorProto::FLOAT);
    /// Initializer stored as raw_data (float → FLOAT, int64 → INT64).
    ModelBuilder& initializer(const std::string& name, const core::Tensor& value);
    /// Float initializer with seeded uniform values in [lo, hi) (lnscope::test::randomTensor).
    ModelBuilder& randomInitializer(const std::string& name, const core::Shape& shape, uint32_t seed,
                                    float lo = -1.f, float hi = 1.f);

    /// Adds a node and returns it so attributes can be set with the attr() helpers.
    onnx::NodeProto& node(const std::string& opType, const std::vector<std::string>& inputs,
                          const std::vector<std::string>& outputs, const std::string& name = {});

    static void attr(onnx::NodeProto& node, const std::string& name, int64_t value);
    static void attr(onnx::NodeProto& node, const std::string& name, float value);
    static void attr(onnx::NodeProto& node, const std::string& name, const std::string& value);
    static void attr(onnx::NodeProto& node, const std::string& name, const std::vector<int64_t>& values);
    static void attr(onnx::NodeProto& node, const std::string& name, const std::vector<float>& values);
    static void attr(onnx::NodeProto& node, const std::string& name, const core::Tensor& value);

    /// The node / initializer with that name, for tests that break a valid model on purpose.
    /// Throws std::out_of_range when there is none.
    onnx::NodeProto& nodeNamed(const std::string& name);
    onnx::TensorProto& initializerNamed(const std::string& name);
    /// Removes every attribute called `name` from the node.
    static void removeAttr(onnx::NodeProto& node, const std::string& name);

    onnx::ModelProto& proto() { return m_model; }
    onnx::GraphProto& graph() { return *m_model.mutable_graph(); }
    std::string bytes() const;
    void save(const std::filesystem::path& path) const;
    /// Imports the serialized model through lnscope::core::importOnnxBytes.
    core::Graph import() const;

private:
    onnx::ModelProto m_model;
    int m_nodeCount = 0;
};

/// Fills a TensorProto from a Tensor (raw_data).
void toProto(const core::Tensor& value, onnx::TensorProto& proto);

} // namespace lnscope::test
