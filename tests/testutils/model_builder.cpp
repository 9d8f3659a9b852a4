#include "model_builder.h"

#include "lnscope/core/onnx_import.h"
#include "test_utils.h"

#include <fstream>
#include <stdexcept>

namespace lnscope::test {

ModelBuilder::ModelBuilder(int64_t opset, const std::string& graphName)
{
    m_model.set_ir_version(7);
    m_model.set_producer_name("lnscope-test");
    auto* op = m_model.add_opset_import();
    op->set_domain("");
    op->set_version(opset);
    m_model.mutable_graph()->set_name(graphName);
}

ModelBuilder& ModelBuilder::input(const std::string& name, const std::vector<int64_t>& shape, int32_t elemType)
{
    auto* vi = graph().add_input();
    vi->set_name(name);
    auto* tt = vi->mutable_type()->mutable_tensor_type();
    tt->set_elem_type(elemType);
    auto* s = tt->mutable_shape();
    for (int64_t d : shape) {
        auto* dim = s->add_dim();
        if (d < 0)
            dim->set_dim_param("N");
        else
            dim->set_dim_value(d);
    }
    return *this;
}

ModelBuilder& ModelBuilder::output(const std::string& name, int32_t elemType)
{
    auto* vi = graph().add_output();
    vi->set_name(name);
    vi->mutable_type()->mutable_tensor_type()->set_elem_type(elemType);
    return *this;
}

void toProto(const core::Tensor& value, onnx::TensorProto& proto)
{
    for (int64_t d : value.shape())
        proto.add_dims(d);
    if (value.isFloat()) {
        proto.set_data_type(onnx::TensorProto::FLOAT);
        auto v = value.floats();
        proto.set_raw_data(std::string(reinterpret_cast<const char*>(v.data()), v.size() * 4));
    } else {
        proto.set_data_type(onnx::TensorProto::INT64);
        auto v = value.ints();
        proto.set_raw_data(std::string(reinterpret_cast<const char*>(v.data()), v.size() * 8));
    }
}

ModelBuilder& ModelBuilder::initializer(const std::string& name, const core::Tensor& value)
{
    auto* t = graph().add_initializer();
    t->set_name(name);
    toProto(value, *t);
    return *this;
}

ModelBuilder& ModelBuilder::randomInitializer(const std::string& name, const core::Shape& shape, uint32_t seed,
                                              float lo, float hi)
{
    return initializer(name, randomTensor(shape, seed, lo, hi));
}

onnx::NodeProto& ModelBuilder::nodeNamed(const std::string& name)
{
    for (auto& n : *graph().mutable_node())
        if (n.name() == name)
            return n;
    throw std::out_of_range("ModelBuilder: no node '" + name + "'");
}

onnx::TensorProto& ModelBuilder::initializerNamed(const std::string& name)
{
    for (auto& t : *graph().mutable_initializer())
        if (t.name() == name)
            return t;
    throw std::out_of_range("ModelBuilder: no initializer '" + name + "'");
}

void ModelBuilder::removeAttr(onnx::NodeProto& node, const std::string& name)
{
    auto* attrs = node.mutable_attribute();
    for (int i = attrs->size() - 1; i >= 0; --i)
        if (attrs->Get(i).name() == name)
            attrs->DeleteSubrange(i, 1);
}

onnx::NodeProto& ModelBuilder::node(const std::string& opType, const std::vector<std::string>& inputs,
                                    const std::vector<std::string>& outputs, const std::string& name)
{
    auto* n = graph().add_node();
    n->set_op_type(opType);
    n->set_name(name.empty() ? opType + "_" + std::to_string(m_nodeCount) : name);
    ++m_nodeCount;
    for (const auto& i : inputs)
        n->add_input(i);
    for (const auto& o : outputs)
        n->add_output(o);
    return *n;
}

void ModelBuilder::attr(onnx::NodeProto& node, const std::string& name, int64_t value)
{
    auto* a = node.add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::INT);
    a->set_i(value);
}

void ModelBuilder::attr(onnx::NodeProto& node, const std::string& name, float value)
{
    auto* a = node.add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::FLOAT);
    a->set_f(value);
}

void ModelBuilder::attr(onnx::NodeProto& node, const std::string& name, const std::string& value)
{
    auto* a = node.add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::STRING);
    a->set_s(value);
}

void ModelBuilder::attr(onnx::NodeProto& node, const std::string& name, const std::vector<int64_t>& values)
{
    auto* a = node.add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::INTS);
    for (int64_t v : values)
        a->add_ints(v);
}

void ModelBuilder::attr(onnx::NodeProto& node, const std::string& name, const std::vector<float>& values)
{
    auto* a = node.add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::FLOATS);
    for (float v : values)
        a->add_floats(v);
}

void ModelBuilder::attr(onnx::NodeProto& node, const std::string& name, const core::Tensor& value)
{
    auto* a = node.add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::TENSOR);
    toProto(value, *a->mutable_t());
}

std::string ModelBuilder::bytes() const
{
    std::string out;
    m_model.SerializeToString(&out);
    return out;
}

void ModelBuilder::save(const std::filesystem::path& path) const
{
    std::ofstream f(path, std::ios::binary | std::ios::trunc);
    m_model.SerializeToOstream(&f);
}

core::Graph ModelBuilder::import() const
{
    return core::importOnnxBytes(bytes(), m_model.graph().name() + ".onnx");
}

} // namespace lnscope::test
