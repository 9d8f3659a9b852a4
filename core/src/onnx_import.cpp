#include "lnscope/core/onnx_import.h"

#include "lnscope/core/error.h"
#include "lnscope/core/op_registry.h"
#include "lnscope/core/file_io.h"
#include "onnx_proto.h"

#include <set>
#include <sstream>

namespace lnscope::core {

namespace fs = std::filesystem;

namespace {

// IR versions ONNX 1.12 knows (3 = first with opset imports, 8 = ONNX 1.10+).
constexpr int64_t kMinIrVersion = 3;
constexpr int64_t kMaxIrVersion = 8;
// Protobuf's hard limit on a serialized message (INT_MAX bytes).
constexpr uintmax_t kMaxProtoBytes = uintmax_t(1) << 31;

class Importer
{
public:
    Importer(std::string name, fs::path baseDir, const ImportOptions& options)
        : m_name(std::move(name)), m_baseDir(std::move(baseDir)), m_options(options)
    {
    }

    Graph run(const onnx::ModelProto& model)
    {
        checkModel(model);
        Graph g;
        const onnx::GraphProto& gp = model.graph();
        g.name = gp.name().empty() ? fs::path(m_name).stem().string() : gp.name();
        g.producer = model.producer_name() + (model.producer_version().empty() ? "" : " " + model.producer_version());
        g.opset = m_opset;
        readInitializers(gp, g);
        readInputsOutputs(gp, g);
        readNodes(gp, g);
        g.validateAndSort(m_name);
        if (m_options.requireSupportedOps)
            checkOps(g);
        return g;
    }

private:
    std::string ctx(const std::string& what) const { return m_name + ": " + what; }

    void checkModel(const onnx::ModelProto& model)
    {
        if (!model.has_graph())
            throw FormatError(ctx("not an ONNX model (no graph)"));
        if (model.ir_version() < kMinIrVersion || model.ir_version() > kMaxIrVersion)
            throw FormatError(ctx("IR version " + std::to_string(model.ir_version()) + " is outside the supported range "
                                  + std::to_string(kMinIrVersion) + ".." + std::to_string(kMaxIrVersion)));
        bool found = false;
        for (const auto& op : model.opset_import()) {
            if (op.domain().empty() || op.domain() == "ai.onnx") {
                found = true;
                m_opset = op.version();
            }
        }
        if (!found)
            throw FormatError(ctx("the model imports no default-domain opset"));
        if (m_opset > kMaxOpset)
            throw UnsupportedError(ctx("opset " + std::to_string(m_opset) + " is newer than the newest supported, "
                                       + std::to_string(kMaxOpset)));
        if (m_opset < kMinOpset)
            throw UnsupportedError(ctx("opset " + std::to_string(m_opset) + " is older than the oldest supported, "
                                       + std::to_string(kMinOpset)));
        if (model.graph().node_size() == 0)
            throw FormatError(ctx("the graph has no nodes"));
    }

    Tensor tensor(const onnx::TensorProto& proto, const std::string& what)
    {
        Tensor t = detail::tensorFromProto(proto, ctx(what), m_baseDir, m_options.maxTensorBytes - m_totalBytes);
        m_totalBytes += t.numel() * (t.isFloat() ? 4 : 8);
        return t;
    }

    void readInitializers(const onnx::GraphProto& gp, Graph& g)
    {
        if (gp.sparse_initializer_size() > 0)
            throw UnsupportedError(ctx("sparse initializers are not supported"));
        for (const auto& init : gp.initializer()) {
            if (init.name().empty())
                throw FormatError(ctx("an initializer has an empty name"));
            if (g.initializers.count(init.name()))
                throw FormatError(ctx("initializer '" + init.name() + "' is defined twice"));
            g.initializers[init.name()] = tensor(init, "initializer '" + init.name() + "'");
        }
    }

    ValueInfo valueInfo(const onnx::ValueInfoProto& vi, const char* role)
    {
        ValueInfo info;
        info.name = vi.name();
        const std::string what = std::string(role) + " '" + vi.name() + "'";
        if (info.name.empty())
            throw FormatError(ctx(std::string("a graph ") + role + " has an empty name"));
        if (!vi.has_type())
            return info;
        if (!vi.type().has_tensor_type())
            throw UnsupportedError(ctx(what + " is not a tensor (sequences and maps are not supported)"));
        const auto& tt = vi.type().tensor_type();
        info.dtype = detail::dtypeFromOnnx(tt.elem_type(), ctx(what));
        if (tt.has_shape()) {
            info.hasShape = true;
            for (const auto& d : tt.shape().dim()) {
                Dim dim;
                if (d.has_dim_value()) {
                    if (d.dim_value() < 0)
                        throw FormatError(ctx(what + " has negative dimension " + std::to_string(d.dim_value())));
                    dim.value = d.dim_value();
                } else {
                    dim.param = d.dim_param();
                }
                info.shape.push_back(dim);
            }
        }
        return info;
    }

    void readInputsOutputs(const onnx::GraphProto& gp, Graph& g)
    {
        for (const auto& in : gp.input()) {
            ValueInfo info = valueInfo(in, "input");
            if (!g.isInitializer(info.name)) // IR < 4 lists initializers among inputs
                g.inputs.push_back(std::move(info));
        }
        if (gp.output_size() == 0)
            throw FormatError(ctx("the graph has no outputs"));
        for (const auto& out : gp.output())
            g.outputs.push_back(valueInfo(out, "output"));
    }

    Attribute attribute(const onnx::AttributeProto& ap, const std::string& nodeWhat)
    {
        using AP = onnx::AttributeProto;
        Attribute a;
        AP::AttributeType type = ap.type();
        if (type == AP::UNDEFINED) { // IR < 3 files may omit the type: infer it from the filled field
            if (ap.has_i()) type = AP::INT;
            else if (ap.has_f()) type = AP::FLOAT;
            else if (ap.has_s()) type = AP::STRING;
            else if (ap.has_t()) type = AP::TENSOR;
            else if (ap.ints_size()) type = AP::INTS;
            else if (ap.floats_size()) type = AP::FLOATS;
            else if (ap.strings_size()) type = AP::STRINGS;
        }
        switch (type) {
        case AP::UNDEFINED:
            throw FormatError(ctx(nodeWhat + ": attribute '" + ap.name() + "' has no type and no value"));
        case AP::INT: a.kind = Attribute::Kind::Int; a.i = ap.i(); break;
        case AP::FLOAT: a.kind = Attribute::Kind::Float; a.f = ap.f(); break;
        case AP::STRING: a.kind = Attribute::Kind::String; a.s = ap.s(); break;
        case AP::INTS: a.kind = Attribute::Kind::Ints; a.ints.assign(ap.ints().begin(), ap.ints().end()); break;
        case AP::FLOATS: a.kind = Attribute::Kind::Floats; a.floats.assign(ap.floats().begin(), ap.floats().end()); break;
        case AP::STRINGS: a.kind = Attribute::Kind::Strings; a.strings.assign(ap.strings().begin(), ap.strings().end()); break;
        case AP::TENSOR:
            a.kind = Attribute::Kind::TensorValue;
            a.t = tensor(ap.t(), nodeWhat + " attribute '" + ap.name() + "'");
            break;
        default:
            throw UnsupportedError(ctx(nodeWhat + ": attribute '" + ap.name() + "' has unsupported type "
                                       + AP::AttributeType_Name(type)));
        }
        return a;
    }

    /// A Constant node becomes an initializer; returns false if the node is not a Constant.
    bool constantToInitializer(const Node& node, Graph& g)
    {
        if (node.opType != "Constant" || !node.domain.empty())
            return false;
        if (node.outputs.size() != 1 || node.outputs[0].empty())
            throw FormatError(ctx(node.describe() + " must have exactly one output"));
        if (node.attrs.size() != 1)
            throw FormatError(ctx(node.describe() + " must have exactly one value attribute"));
        const auto& [key, a] = *node.attrs.begin();
        Tensor value;
        if (key == "value" && a.kind == Attribute::Kind::TensorValue)
            value = a.t;
        else if (key == "value_float" && a.kind == Attribute::Kind::Float)
            value = Tensor::scalar(a.f);
        else if (key == "value_floats" && a.kind == Attribute::Kind::Floats)
            value = Tensor::fromFloats({int64_t(a.floats.size())}, a.floats);
        else if (key == "value_int" && a.kind == Attribute::Kind::Int)
            value = Tensor::scalarInt(a.i);
        else if (key == "value_ints" && a.kind == Attribute::Kind::Ints)
            value = Tensor::fromInts({int64_t(a.ints.size())}, a.ints);
        else
            throw UnsupportedError(ctx(node.describe() + ": Constant attribute '" + key + "' is not supported"));
        const std::string& out = node.outputs[0];
        if (g.initializers.count(out))
            throw FormatError(ctx(node.describe() + " writes tensor '" + out + "', which is already an initializer"));
        g.initializers[out] = std::move(value);
        return true;
    }

    void readNodes(const onnx::GraphProto& gp, Graph& g)
    {
        std::set<std::string> names;
        std::set<std::string> explicitNames; // names given in the file, which generated names avoid
        for (const auto& np : gp.node())
            if (!np.name().empty())
                explicitNames.insert(np.name());
        int index = 0;
        for (const auto& np : gp.node()) {
            Node node;
            node.opType = np.op_type();
            node.domain = np.domain() == "ai.onnx" ? "" : np.domain();
            node.name = np.name();
            if (node.opType.empty())
                throw FormatError(ctx("node " + std::to_string(index) + " has no op type"));
            // Node names are keys for taps and reports: make them unique. A generated name may
            // itself be taken by a later explicit one ("Relu_1"), so keep counting until free.
            if (node.name.empty() || names.count(node.name)) {
                const std::string stem = node.name.empty() ? node.opType : node.name;
                int suffix = index;
                do
                    node.name = stem + "_" + std::to_string(suffix++);
                while (names.count(node.name) || explicitNames.count(node.name));
            }
            names.insert(node.name);
            ++index;
            node.inputs.assign(np.input().begin(), np.input().end());
            node.outputs.assign(np.output().begin(), np.output().end());
            if (node.outputs.empty())
                throw FormatError(ctx(node.describe() + " has no outputs"));
            for (const auto& ap : np.attribute()) {
                if (ap.name().empty())
                    throw FormatError(ctx(node.describe() + " has an attribute without a name"));
                if (node.attrs.count(ap.name()))
                    throw FormatError(ctx(node.describe() + " has attribute '" + ap.name() + "' twice"));
                node.attrs[ap.name()] = attribute(ap, node.describe());
            }
            if (!constantToInitializer(node, g))
                g.nodes.push_back(std::move(node));
        }
    }

    void checkOps(const Graph& g)
    {
        const OpRegistry& registry = OpRegistry::builtin();
        std::ostringstream unsupported;
        int count = 0;
        for (const Node& node : g.nodes) {
            const OpDef* def = node.domain.empty() ? registry.find(node.opType) : nullptr;
            if (!def || def->sinceOpset > g.opset) {
                ++count;
                unsupported << "\n  " << node.name << ": " << (node.domain.empty() ? "" : node.domain + ".")
                            << node.opType << " (opset " << g.opset << ")";
            }
        }
        if (count)
            throw UnsupportedError(ctx(std::to_string(count) + " unsupported node" + (count > 1 ? "s" : "") + ":"
                                       + unsupported.str()));
        for (const Node& node : g.nodes) {
            const OpDef* def = registry.find(node.opType);
            if (def->validate) {
                try {
                    def->validate(node, g.opset);
                } catch (const UnsupportedError& e) {
                    throw UnsupportedError(ctx(e.what()));
                } catch (const Error& e) {
                    throw FormatError(ctx(e.what()));
                }
            }
        }
    }

    std::string m_name;
    fs::path m_baseDir;
    ImportOptions m_options;
    int64_t m_opset = 0;
    int64_t m_totalBytes = 0;
};

} // namespace

Graph importOnnxBytes(const std::string& bytes, const std::string& name, const fs::path& baseDir, const ImportOptions& options)
{
    if (bytes.empty())
        throw FormatError(name + ": the file is empty");
    onnx::ModelProto model;
    if (!model.ParseFromString(bytes))
        throw FormatError(name + ": not a valid ONNX model (protobuf parsing failed; truncated or not an ONNX file)");
    return Importer(name, baseDir, options).run(model);
}

Graph importOnnx(const fs::path& path, const ImportOptions& options)
{
    // Named here because a folder is a common wrong pick for a model; the rest of the checks
    // (missing, FIFO, device, size) are the shared reader's.
    std::error_code ec;
    if (fs::is_directory(path, ec))
        throw IoError(path.string() + ": is a directory, not a model file");
    // Protobuf cannot parse a message of 2 GiB or more; refused on the size, before reading.
    const std::string bytes = readWholeFile(path, kMaxProtoBytes - 1,
                                                    "an ONNX model; an ONNX protobuf must be smaller than 2 GiB "
                                                    "(larger weights belong in external data files)");
    fs::path base = path.parent_path();
    if (base.empty())
        base = ".";
    return importOnnxBytes(bytes, path.string(), base, options);
}

} // namespace lnscope::core
