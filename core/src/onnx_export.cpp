#include "lnscope/core/onnx_export.h"

#include "lnscope/core/error.h"
#include "lnscope/core/onnx_import.h"

#include "lnscope/core/file_io.h"
#include "onnx_proto.h"

#include <algorithm>

namespace lnscope::core {

namespace fs = std::filesystem;

namespace {

/// The lowest IR version whose ONNX release introduced `opset` (onnx/docs/Versioning.md).
int64_t irVersionForOpset(int64_t opset)
{
    if (opset <= 8)
        return 3;
    if (opset <= 11)
        return opset - 5; // 9 → 4, 10 → 5, 11 → 6
    if (opset <= 14)
        return 7;
    return 8;
}

int32_t onnxElemType(DType dtype)
{
    return dtype == DType::Float32 ? onnx::TensorProto::FLOAT : onnx::TensorProto::INT64;
}

int64_t tensorBytes(const Tensor& t)
{
    return t.numel() * (t.isFloat() ? 4 : 8);
}

class Exporter
{
public:
    Exporter(const Graph& graph, std::string context, const OnnxExportOptions& options)
        : m_graph(graph)
        , m_ctx(std::move(context))
        , m_options(options)
        , m_maxBytes(std::min(options.maxBytes, kMaxOnnxBytes))
    {
    }

    std::string run()
    {
        checkGraph();
        checkTensorBytes(); // before any tensor is copied into the proto
        onnx::ModelProto model;
        model.set_ir_version(irVersionForOpset(m_graph.opset));
        model.set_producer_name("lnscope");
        if (!m_options.producerVersion.empty())
            model.set_producer_version(m_options.producerVersion);
        if (!m_options.docString.empty())
            model.set_doc_string(m_options.docString);
        auto* opset = model.add_opset_import();
        opset->set_domain("");
        opset->set_version(m_graph.opset);
        for (const auto& [key, value] : m_options.metadata) {
            auto* prop = model.add_metadata_props();
            prop->set_key(key);
            prop->set_value(value);
        }
        writeGraph(*model.mutable_graph(), model.ir_version());
        const auto size = model.ByteSizeLong();
        if (size > static_cast<size_t>(m_maxBytes))
            throw tooLarge(static_cast<int64_t>(size));
        std::string bytes;
        if (!model.SerializeToString(&bytes))
            throw FormatError(ctx("protobuf could not serialize the model"));
        return bytes;
    }

private:
    std::string ctx(const std::string& what) const { return m_ctx + ": " + what; }

    FormatError tooLarge(int64_t bytes) const
    {
        return FormatError(ctx(
            "the model needs " + std::to_string(bytes) + " bytes, more than the limit of " + std::to_string(m_maxBytes)
            + (m_maxBytes == kMaxOnnxBytes ? " (an ONNX protobuf must be smaller than 2 GiB)" : "")));
    }

    /// Refuses what ONNX cannot hold, before anything is built.
    void checkGraph() const
    {
        if (m_graph.opset < kMinOpset || m_graph.opset > kMaxOpset)
            throw UnsupportedError(ctx("opset " + std::to_string(m_graph.opset) + " is outside the supported range "
                                       + std::to_string(kMinOpset) + ".." + std::to_string(kMaxOpset)));
        for (const Node& node : m_graph.nodes) {
            if (node.opType.empty())
                throw FormatError(ctx("node '" + node.name + "' has no op type"));
            if (!node.domain.empty() && node.domain != "ai.onnx")
                throw UnsupportedError(ctx(node.describe() + " is in domain '" + node.domain
                                           + "', whose opset version the graph does not keep"));
            for (const auto& [name, attr] : node.attrs)
                if (name.empty())
                    throw FormatError(ctx(node.describe() + " has an attribute without a name"));
        }
        for (const auto& [name, tensor] : m_graph.initializers)
            if (name.empty())
                throw FormatError(ctx("an initializer has an empty name"));
        for (const ValueInfo& vi : m_graph.inputs)
            if (vi.name.empty())
                throw FormatError(ctx("a graph input has an empty name"));
        for (const ValueInfo& vi : m_graph.outputs)
            if (vi.name.empty())
                throw FormatError(ctx("a graph output has an empty name"));
    }

    /// Tensor data dominates a model's size: a graph over the limit is refused on this sum
    /// without first copying gigabytes into a message that protobuf could not serialize.
    void checkTensorBytes() const
    {
        int64_t total = 0;
        for (const auto& [name, tensor] : m_graph.initializers)
            total += tensorBytes(tensor);
        for (const Node& node : m_graph.nodes)
            for (const auto& [name, attr] : node.attrs)
                if (attr.kind == Attribute::Kind::TensorValue)
                    total += tensorBytes(attr.t);
        if (total > m_maxBytes)
            throw tooLarge(total);
    }

    static void writeValueInfo(const ValueInfo& vi, onnx::ValueInfoProto& proto)
    {
        proto.set_name(vi.name);
        auto* tt = proto.mutable_type()->mutable_tensor_type();
        tt->set_elem_type(onnxElemType(vi.dtype));
        if (!vi.hasShape)
            return;
        auto* shape = tt->mutable_shape(); // present even when empty: a scalar
        for (const Dim& d : vi.shape) {
            auto* dim = shape->add_dim();
            if (d.value >= 0)
                dim->set_dim_value(d.value);
            else if (!d.param.empty())
                dim->set_dim_param(d.param);
        }
    }

    /// An initializer listed as a graph input (required under IR 3).
    static void writeInitializerInput(const std::string& name, const Tensor& t, onnx::ValueInfoProto& proto)
    {
        ValueInfo vi;
        vi.name = name;
        vi.dtype = t.dtype();
        vi.hasShape = true;
        for (int64_t d : t.shape())
            vi.shape.push_back(Dim{d, {}});
        writeValueInfo(vi, proto);
    }

    static void writeAttribute(const std::string& name, const Attribute& a, onnx::AttributeProto& proto)
    {
        using AP = onnx::AttributeProto;
        proto.set_name(name);
        switch (a.kind) {
        case Attribute::Kind::Int:
            proto.set_type(AP::INT);
            proto.set_i(a.i);
            break;
        case Attribute::Kind::Float:
            proto.set_type(AP::FLOAT);
            proto.set_f(a.f);
            break;
        case Attribute::Kind::String:
            proto.set_type(AP::STRING);
            proto.set_s(a.s);
            break;
        case Attribute::Kind::Ints:
            proto.set_type(AP::INTS);
            proto.mutable_ints()->Add(a.ints.begin(), a.ints.end());
            break;
        case Attribute::Kind::Floats:
            proto.set_type(AP::FLOATS);
            proto.mutable_floats()->Add(a.floats.begin(), a.floats.end());
            break;
        case Attribute::Kind::Strings:
            proto.set_type(AP::STRINGS);
            for (const std::string& s : a.strings)
                proto.add_strings(s);
            break;
        case Attribute::Kind::TensorValue:
            proto.set_type(AP::TENSOR);
            detail::tensorToProto(a.t, *proto.mutable_t());
            break;
        }
    }

    static void writeNode(const Node& node, onnx::NodeProto& proto)
    {
        proto.set_name(node.name);
        proto.set_op_type(node.opType);
        for (const std::string& in : node.inputs)
            proto.add_input(in);
        for (const std::string& out : node.outputs)
            proto.add_output(out);
        for (const auto& [name, attr] : node.attrs) // std::map: written in name order
            writeAttribute(name, attr, *proto.add_attribute());
    }

    void writeGraph(onnx::GraphProto& gp, int64_t irVersion) const
    {
        gp.set_name(m_graph.name.empty() ? "lnscope" : m_graph.name);
        for (const Node& node : m_graph.nodes)
            writeNode(node, *gp.add_node());
        for (const auto& [name, tensor] : m_graph.initializers) {
            auto* proto = gp.add_initializer();
            detail::tensorToProto(tensor, *proto);
            proto->set_name(name);
        }
        for (const ValueInfo& vi : m_graph.inputs)
            writeValueInfo(vi, *gp.add_input());
        if (irVersion < 4) // IR 3: every initializer must also be a graph input
            for (const auto& [name, tensor] : m_graph.initializers)
                writeInitializerInput(name, tensor, *gp.add_input());
        for (const ValueInfo& vi : m_graph.outputs)
            writeValueInfo(vi, *gp.add_output());
    }

    const Graph& m_graph;
    std::string m_ctx;
    const OnnxExportOptions& m_options;
    int64_t m_maxBytes;
};

} // namespace

std::string serializeOnnx(const Graph& graph, const OnnxExportOptions& options)
{
    return Exporter(graph, "graph '" + graph.name + "'", options).run();
}

void writeOnnx(const Graph& graph, const fs::path& path, const OnnxExportOptions& options)
{
    const std::string bytes = Exporter(graph, path.string(), options).run();
    writeFileAtomically(path, bytes);
}

} // namespace lnscope::core
