// ONNX export (onnx_export.h): Graph → bytes → Graph round trips (equal graphs, bit-identical
// executor outputs, byte-identical re-export), the dequantized Lns8 model against our executor
// and OpenCV DNN, the official onnx checker, the written model fields, and the refusals.

#include "lnscope/core/converted_model.h"
#include "lnscope/core/error.h"
#include "lnscope/core/executor.h"
#include "lnscope/core/onnx_export.h"
#include "lnscope/core/onnx_import.h"
#include "lnscope/core/tensor_io.h"
#include "model_builder.h"
#include "test_utils.h"

#include <QTest>
#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <onnx/checker.h>
#include <opencv2/dnn.hpp>
#include <stdexcept>

using namespace lnscope;
using core::Attribute;
using core::Graph;
using core::Stage;
using core::Tensor;
using core::TensorMap;
using test::ModelBuilder;

namespace fs = std::filesystem;

Q_DECLARE_METATYPE(core::Stage)

namespace {

// ---------------------------------------------------------------------------------------------
// Comparisons: every field of a Graph, floats bit for bit.

bool sameBits(const Tensor& a, const Tensor& b)
{
    if (a.dtype() != b.dtype() || a.shape() != b.shape())
        return false;
    if (a.isFloat())
        return std::memcmp(a.floats().data(), b.floats().data(), a.floats().size_bytes()) == 0;
    return std::memcmp(a.ints().data(), b.ints().data(), a.ints().size_bytes()) == 0;
}

bool sameBits(const std::vector<float>& a, const std::vector<float>& b)
{
    return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

std::string attributeDifference(const Attribute& a, const Attribute& b)
{
    if (a.kind != b.kind)
        return std::string("kind ") + Attribute::kindName(a.kind) + " vs " + Attribute::kindName(b.kind);
    switch (a.kind) {
    case Attribute::Kind::Int: return a.i == b.i ? "" : "int value";
    case Attribute::Kind::Float: return sameBits(std::vector<float>{a.f}, std::vector<float>{b.f}) ? "" : "float value";
    case Attribute::Kind::String: return a.s == b.s ? "" : "string value";
    case Attribute::Kind::Ints: return a.ints == b.ints ? "" : "ints values";
    case Attribute::Kind::Floats: return sameBits(a.floats, b.floats) ? "" : "floats values";
    case Attribute::Kind::Strings: return a.strings == b.strings ? "" : "strings values";
    case Attribute::Kind::TensorValue: return sameBits(a.t, b.t) ? "" : "tensor value";
    }
    return "unknown kind";
}

std::string valueInfoDifference(const core::ValueInfo& a, const core::ValueInfo& b)
{
    if (a.name != b.name)
        return "name '" + a.name + "' vs '" + b.name + "'";
    if (a.dtype != b.dtype)
        return a.name + ": dtype";
    if (a.hasShape != b.hasShape || a.shape.size() != b.shape.size())
        return a.name + ": shape presence or rank";
    for (size_t d = 0; d < a.shape.size(); ++d)
        if (a.shape[d].value != b.shape[d].value || a.shape[d].param != b.shape[d].param)
            return a.name + ": dim " + std::to_string(d);
    return {};
}

std::string nodeDifference(const core::Node& a, const core::Node& b)
{
    if (a.name != b.name || a.opType != b.opType || a.domain != b.domain)
        return a.describe() + " vs " + b.describe() + " (domain '" + a.domain + "' vs '" + b.domain + "')";
    if (a.inputs != b.inputs)
        return a.describe() + ": inputs";
    if (a.outputs != b.outputs)
        return a.describe() + ": outputs";
    if (a.attrs.size() != b.attrs.size())
        return a.describe() + ": attribute count";
    for (const auto& [name, attr] : a.attrs) {
        const Attribute* other = b.attr(name);
        if (!other)
            return a.describe() + ": attribute '" + name + "' missing";
        if (const std::string d = attributeDifference(attr, *other); !d.empty())
            return a.describe() + ": attribute '" + name + "': " + d;
    }
    return {};
}

/// "" when the graphs are equal in everything but Graph::producer, else the first difference.
std::string graphDifference(const Graph& a, const Graph& b)
{
    if (a.name != b.name)
        return "graph name '" + a.name + "' vs '" + b.name + "'";
    if (a.opset != b.opset)
        return "opset " + std::to_string(a.opset) + " vs " + std::to_string(b.opset);
    if (a.inputs.size() != b.inputs.size() || a.outputs.size() != b.outputs.size())
        return "input or output count";
    for (size_t i = 0; i < a.inputs.size(); ++i)
        if (const std::string d = valueInfoDifference(a.inputs[i], b.inputs[i]); !d.empty())
            return "input " + d;
    for (size_t i = 0; i < a.outputs.size(); ++i)
        if (const std::string d = valueInfoDifference(a.outputs[i], b.outputs[i]); !d.empty())
            return "output " + d;
    if (a.initializers.size() != b.initializers.size())
        return "initializer count " + std::to_string(a.initializers.size()) + " vs "
               + std::to_string(b.initializers.size());
    for (const auto& [name, t] : a.initializers) {
        const Tensor* other = b.initializer(name);
        if (!other)
            return "initializer '" + name + "' missing";
        if (!sameBits(t, *other))
            return "initializer '" + name + "' differs";
    }
    if (a.nodes.size() != b.nodes.size())
        return "node count";
    for (size_t n = 0; n < a.nodes.size(); ++n)
        if (const std::string d = nodeDifference(a.nodes[n], b.nodes[n]); !d.empty())
            return "node " + std::to_string(n) + ": " + d;
    return {};
}

/// "" when both maps hold the same names with bit-identical tensors.
std::string outputsDifference(const TensorMap& a, const TensorMap& b)
{
    if (a.size() != b.size())
        return "output count";
    for (const auto& [name, t] : a) {
        auto it = b.find(name);
        if (it == b.end())
            return "output '" + name + "' missing";
        if (!sameBits(t, it->second))
            return "output '" + name + "' differs";
    }
    return {};
}

// ---------------------------------------------------------------------------------------------
// The graphs under test.

const Graph& tinyModel()
{
    static const Graph graph = core::importOnnx(test::datasetsDir() / "models" / "tiny_segnet.onnx");
    return graph;
}

const TensorMap& tinyInputs()
{
    static const TensorMap inputs{{"input", core::readTensorPb(test::datasetsDir() / "samples" / "tiny_input.pb")}};
    return inputs;
}

/// tiny_segnet converted with the default config and no calibration.
const core::ConvertedModel& tinyConverted()
{
    static const core::ConvertedModel model = core::convertModel(tinyModel(), {}, {});
    return model;
}

void stringsAttr(onnx::NodeProto& node, const std::string& name, const std::vector<std::string>& values)
{
    auto* a = node.add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::STRINGS);
    for (const std::string& v : values)
        a->add_strings(v);
}

onnx::TensorShapeProto& shapeOf(onnx::ValueInfoProto& vi)
{
    return *vi.mutable_type()->mutable_tensor_type()->mutable_shape();
}

/// Gives graph output `index` a shape (ModelBuilder::output writes none); a dim < 0 is "N".
void outputShape(ModelBuilder& b, int index, const std::vector<int64_t>& dims)
{
    auto& shape = shapeOf(*b.graph().mutable_output(index));
    for (int64_t d : dims) {
        if (d < 0)
            shape.add_dim()->set_dim_param("N");
        else
            shape.add_dim()->set_dim_value(d);
    }
}

/// Every attribute kind, symbolic dims (named and unnamed), omitted optional inputs and an omitted
/// optional output, int64 initializers; valid for the onnx checker. RNN and ConstantOfShape are not
/// executor ops (imported with requireSupportedOps off).
ModelBuilder everyKindModel()
{
    ModelBuilder b(13, "every_kind");
    b.input("x", {-1, 3, 8, 8}).input("seq", {4, 1, 2});
    shapeOf(*b.graph().mutable_input(0)).mutable_dim(2)->set_dim_param("H");
    shapeOf(*b.graph().mutable_input(0)).mutable_dim(3)->clear_dim_value(); // unknown, unnamed
    b.randomInitializer("w", {4, 3, 3, 3}, 1)
        .initializer("max", Tensor::scalar(6.f))
        .initializer("scales", Tensor::fromFloats({4}, {1.f, 1.f, 2.f, 2.f}))
        .initializer("new_shape", Tensor::fromInts({2}, {0, -1}))
        .randomInitializer("rnn_w", {1, 3, 2}, 2)
        .randomInitializer("rnn_r", {1, 3, 3}, 3)
        .randomInitializer("h0", {1, 1, 3}, 4)
        .initializer("fill_shape", Tensor::fromInts({2}, {2, 3}));
    auto& conv = b.node("Conv", {"x", "w"}, {"c"}, "conv");
    ModelBuilder::attr(conv, "kernel_shape", std::vector<int64_t>{3, 3});
    ModelBuilder::attr(conv, "pads", std::vector<int64_t>{1, 1, 1, 1});
    ModelBuilder::attr(conv, "strides", std::vector<int64_t>{1, 1});
    ModelBuilder::attr(conv, "group", int64_t(1));
    ModelBuilder::attr(conv, "auto_pad", std::string("NOTSET"));
    ModelBuilder::attr(b.node("LeakyRelu", {"c"}, {"l"}, "leaky"), "alpha", 0.1f);
    b.node("Clip", {"l", "", "max"}, {"k"}, "clip_max_only");
    auto& resize = b.node("Resize", {"k", "", "scales"}, {"r"}, "resize_no_roi");
    ModelBuilder::attr(resize, "mode", std::string("nearest"));
    ModelBuilder::attr(resize, "coordinate_transformation_mode", std::string("asymmetric"));
    ModelBuilder::attr(resize, "nearest_mode", std::string("floor"));
    b.node("Reshape", {"r", "new_shape"}, {"y"}, "reshape");
    auto& rnn = b.node("RNN", {"seq", "rnn_w", "rnn_r", "", "", "h0"}, {"", "rnn_h"}, "rnn");
    ModelBuilder::attr(rnn, "hidden_size", int64_t(3));
    ModelBuilder::attr(rnn, "activation_alpha", std::vector<float>{0.5f});
    ModelBuilder::attr(rnn, "activation_beta", std::vector<float>{0.25f});
    ModelBuilder::attr(rnn, "clip", 10.f);
    ModelBuilder::attr(rnn, "direction", std::string("forward"));
    stringsAttr(rnn, "activations", {"Tanh"});
    ModelBuilder::attr(b.node("ConstantOfShape", {"fill_shape"}, {"filled"}, "fill"), "value",
                       Tensor::fromFloats({1}, {0.5f}));
    b.output("y").output("rnn_h").output("filled");
    outputShape(b, 0, {-1});
    shapeOf(*b.graph().mutable_output(0)).add_dim(); // unknown, unnamed
    outputShape(b, 1, {1, 1, 3});
    outputShape(b, 2, {2, 3});
    return b;
}

/// Opset 7: IR 3, where initializers must also be graph inputs; Upsample-7 carries a floats attribute.
ModelBuilder opset7Model()
{
    ModelBuilder b(7, "opset7");
    b.input("x", {1, 2, 4, 4}).output("y");
    b.randomInitializer("w", {3, 2, 3, 3}, 5).randomInitializer("b", {3}, 6);
    auto& conv = b.node("Conv", {"x", "w", "b"}, {"c"}, "conv");
    ModelBuilder::attr(conv, "kernel_shape", std::vector<int64_t>{3, 3});
    ModelBuilder::attr(conv, "pads", std::vector<int64_t>{1, 1, 1, 1});
    auto& up = b.node("Upsample", {"c"}, {"u"}, "upsample");
    ModelBuilder::attr(up, "mode", std::string("nearest"));
    ModelBuilder::attr(up, "scales", std::vector<float>{1.f, 1.f, 2.f, 2.f});
    b.node("Relu", {"u"}, {"y"}, "relu");
    outputShape(b, 0, {1, 3, 8, 8});
    // IR 3 lists initializers among the inputs; the importer drops them again.
    b.proto().set_ir_version(3);
    for (const auto& init : b.graph().initializer()) {
        auto* vi = b.graph().add_input();
        vi->set_name(init.name());
        vi->mutable_type()->mutable_tensor_type()->set_elem_type(init.data_type());
    }
    return b;
}

/// Opset 17 (IR 8) with a symbolic batch.
ModelBuilder opset17Model()
{
    ModelBuilder b(17, "opset17");
    b.input("x", {-1, 3, 8, 8}).output("y");
    b.randomInitializer("w", {4, 3, 3, 3}, 7).randomInitializer("fc_w", {5, 4}, 8).randomInitializer("fc_b", {5}, 9);
    ModelBuilder::attr(b.node("Conv", {"x", "w"}, {"c"}, "conv"), "strides", std::vector<int64_t>{2, 2});
    b.node("Relu", {"c"}, {"r"}, "relu");
    b.node("GlobalAveragePool", {"r"}, {"p"}, "pool");
    ModelBuilder::attr(b.node("Flatten", {"p"}, {"f"}, "flatten"), "axis", int64_t(1));
    auto& gemm = b.node("Gemm", {"f", "fc_w", "fc_b"}, {"y"}, "fc");
    ModelBuilder::attr(gemm, "transB", int64_t(1));
    ModelBuilder::attr(gemm, "alpha", 0.5f);
    outputShape(b, 0, {-1, 5});
    return b;
}

/// A scalar input (a shape of rank 0) and an output without a shape (unknown rank): both are
/// written as they are, so this one does not pass the checker, which wants a shape on every
/// main-graph input and output.
ModelBuilder shapelessOutputModel()
{
    ModelBuilder b(13, "shapeless");
    b.input("x", {1, 4}).input("s", {}).output("y");
    b.initializer("k", Tensor::fromFloats({4}, {1, 2, 3, 4}));
    b.node("Add", {"x", "k"}, {"a"}, "add");
    b.node("Mul", {"a", "s"}, {"m"}, "scale");
    b.node("Relu", {"m"}, {"y"}, "relu");
    return b;
}

struct Case
{
    Graph graph;
    core::ImportOptions importOptions;
    TensorMap inputs;      ///< empty: the graph is not run (ops the executor does not have)
    int64_t irVersion = 0; ///< what the export must write
};

Case makeCase(const QString& name)
{
    Case c;
    if (name == "tiny_segnet") {
        c.graph = tinyModel();
        c.inputs = tinyInputs();
        c.irVersion = 7;
    } else if (name == "tiny_segnet lns8 stage") {
        c.graph = tinyConverted().graphForStage(Stage::Lns8);
        c.inputs = tinyInputs();
        c.irVersion = 7;
    } else if (name == "every attribute kind (opset 13)") {
        c.importOptions.requireSupportedOps = false;
        c.graph = core::importOnnxBytes(everyKindModel().bytes(), "every_kind.onnx", {}, c.importOptions);
        c.irVersion = 7;
    } else if (name == "opset 7 (IR 3)") {
        c.graph = opset7Model().import();
        c.inputs = {{"x", test::randomTensor({1, 2, 4, 4}, 10)}};
        c.irVersion = 3;
    } else if (name == "opset 17 (IR 8)") {
        c.graph = opset17Model().import();
        c.inputs = {{"x", test::randomTensor({2, 3, 8, 8}, 11)}};
        c.irVersion = 8;
    } else if (name == "scalar input, output without a shape") {
        c.graph = shapelessOutputModel().import();
        c.inputs = {{"x", test::randomTensor({1, 4}, 12)}, {"s", Tensor::scalar(-0.5f)}};
        c.irVersion = 7;
    }
    return c;
}

/// The cases; `checkerValid` leaves out the one the onnx checker refuses by design.
void addCaseRows(bool checkerValid)
{
    QTest::addColumn<QString>("name");
    for (const char* name : {"tiny_segnet", "tiny_segnet lns8 stage", "every attribute kind (opset 13)",
                             "opset 7 (IR 3)", "opset 17 (IR 8)"})
        QTest::addRow("%s", name) << QString::fromLatin1(name);
    if (!checkerValid)
        QTest::addRow("scalar input, output without a shape") << QStringLiteral("scalar input, output without a shape");
}

onnx::ModelProto parse(const std::string& bytes)
{
    onnx::ModelProto model;
    if (!model.ParseFromString(bytes))
        throw std::runtime_error("exported bytes do not parse as a ModelProto");
    return model;
}

std::string fileBytes(const fs::path& path)
{
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::vector<std::string> folderEntries(const fs::path& dir)
{
    std::vector<std::string> names;
    for (const auto& entry : fs::recursive_directory_iterator(dir))
        names.push_back(fs::relative(entry.path(), dir).string());
    std::sort(names.begin(), names.end());
    return names;
}

/// "<type>: <message>" of the lnscope error fn throws, or "no exception".
template <typename Fn>
std::string errorOf(Fn fn)
{
    try {
        fn();
    } catch (const core::UnsupportedError& e) {
        return std::string("UnsupportedError: ") + e.what();
    } catch (const core::FormatError& e) {
        return std::string("FormatError: ") + e.what();
    } catch (const core::IoError& e) {
        return std::string("IoError: ") + e.what();
    } catch (const std::exception& e) {
        return std::string("other: ") + e.what();
    }
    return "no exception";
}

Tensor runOpenCv(const fs::path& model, const Tensor& input)
{
    cv::dnn::Net net = cv::dnn::readNetFromONNX(model.string());
    const std::vector<int> sizes(input.shape().begin(), input.shape().end());
    const cv::Mat blob(static_cast<int>(sizes.size()), sizes.data(), CV_32F, const_cast<float*>(input.f()));
    net.setInput(blob);
    const cv::Mat out = net.forward();
    core::Shape shape;
    for (int d = 0; d < out.dims; ++d)
        shape.push_back(out.size[d]);
    const float* data = out.ptr<float>();
    return Tensor::fromFloats(shape, std::vector<float>(data, data + out.total()));
}

} // namespace

class TestOnnxExport : public QObject
{
    Q_OBJECT
private slots:
    void roundTrip_data() { addCaseRows(false); }
    void roundTrip();
    void checkerAccepts_data() { addCaseRows(true); }
    void checkerAccepts();
    void modelFields();
    void dequantizedLns8MatchesDirectRun();
    void openCvMatchesExecutor_data();
    void openCvMatchesExecutor();
    void refusals_data();
    void refusals();
    void tooLarge_data();
    void tooLarge();
    void writeFailsCleanly_data();
    void writeFailsCleanly();
};

// import → serialize → import: equal graphs, bit-identical outputs, and re-exporting the
// re-imported graph gives the same bytes (export is a fixed point of the round trip).
void TestOnnxExport::roundTrip()
{
    QFETCH(QString, name);
    const Case c = makeCase(name);
    const std::string bytes = core::serializeOnnx(c.graph);
    QCOMPARE(parse(bytes).ir_version(), c.irVersion);
    const Graph back = core::importOnnxBytes(bytes, "exported.onnx", {}, c.importOptions);
    QCOMPARE(graphDifference(c.graph, back), std::string());
    QCOMPARE(back.producer, std::string("lnscope"));
    QVERIFY(core::serializeOnnx(back) == bytes);
    if (c.inputs.empty())
        return;
    const TensorMap expected = core::Executor(c.graph).run(c.inputs);
    const TensorMap actual = core::Executor(back).run(c.inputs);
    QCOMPARE(outputsDifference(actual, expected), std::string());
}

// Debian's libonnx exports onnx::checker::check_model: every export must pass it.
void TestOnnxExport::checkerAccepts()
{
    QFETCH(QString, name);
    const onnx::ModelProto model = parse(core::serializeOnnx(makeCase(name).graph));
    try {
        onnx::checker::check_model(model);
    } catch (const std::exception& e) {
        QFAIL(e.what());
    }
}

void TestOnnxExport::modelFields()
{
    core::OnnxExportOptions options;
    options.producerVersion = "0.1.0";
    options.docString = "weights dequantized from lns8 by lnscope";
    options.metadata = {{"lnscope.stage", "Lns8"}, {"lnscope.config", "{\"clusters\":64}"}};
    const onnx::ModelProto m = parse(core::serializeOnnx(makeCase("every attribute kind (opset 13)").graph, options));
    QCOMPARE(m.producer_name(), std::string("lnscope"));
    QCOMPARE(m.producer_version(), std::string("0.1.0"));
    QCOMPARE(m.doc_string(), options.docString);
    QCOMPARE(m.opset_import_size(), 1);
    QCOMPARE(m.opset_import(0).domain(), std::string());
    QCOMPARE(m.opset_import(0).version(), int64_t(13));
    QCOMPARE(m.metadata_props_size(), 2); // in key order
    QCOMPARE(m.metadata_props(0).key(), std::string("lnscope.config"));
    QCOMPARE(m.metadata_props(1).value(), std::string("Lns8"));

    const onnx::GraphProto& g = m.graph();
    QCOMPARE(g.name(), std::string("every_kind"));
    QCOMPARE(g.input_size(), 2); // IR 7: initializers are not inputs
    const auto& x = g.input(0).type().tensor_type();
    QCOMPARE(x.elem_type(), int32_t(onnx::TensorProto::FLOAT));
    QCOMPARE(x.shape().dim_size(), 4);
    QCOMPARE(x.shape().dim(0).dim_param(), std::string("N"));
    QCOMPARE(x.shape().dim(1).dim_value(), int64_t(3));
    QCOMPARE(x.shape().dim(2).dim_param(), std::string("H"));
    QVERIFY(!x.shape().dim(3).has_dim_value() && !x.shape().dim(3).has_dim_param());
    QCOMPARE(g.output(1).type().tensor_type().shape().dim(2).dim_value(), int64_t(3));

    // No shape stays no shape (unknown rank); a scalar keeps its empty shape.
    const onnx::GraphProto s =
        parse(core::serializeOnnx(makeCase("scalar input, output without a shape").graph)).graph();
    QVERIFY(!s.output(0).type().tensor_type().has_shape());
    QVERIFY(s.input(1).type().tensor_type().has_shape());
    QCOMPARE(s.input(1).type().tensor_type().shape().dim_size(), 0);

    for (const auto& init : g.initializer()) {
        QVERIFY2(init.has_raw_data() && init.float_data_size() == 0 && init.int64_data_size() == 0,
                 init.name().c_str());
        if (init.name() == "new_shape") {
            QCOMPARE(init.data_type(), int32_t(onnx::TensorProto::INT64));
            int64_t second = 0;
            std::memcpy(&second, init.raw_data().data() + 8, 8);
            QCOMPARE(second, int64_t(-1));
        }
    }
    for (const auto& node : g.node()) {
        if (node.name() == "clip_max_only") {
            QCOMPARE(node.input_size(), 3);
            QCOMPARE(node.input(1), std::string());
        }
        if (node.name() == "rnn") {
            QCOMPARE(node.output_size(), 2);
            QCOMPARE(node.output(0), std::string());
        }
    }
}

// `lnscope-cli convert`'s dequantized model: the Lns8 stage written to a file and read back
// runs bit-identically to the stage graph itself.
void TestOnnxExport::dequantizedLns8MatchesDirectRun()
{
    const Graph lns8 = tinyConverted().graphForStage(Stage::Lns8);
    const fs::path dir = test::makeTempDir("lnscope-onnxexp");
    const fs::path path = dir / "tiny_segnet.lns8.onnx";
    core::OnnxExportOptions options;
    options.docString = "weights dequantized from lns8 by lnscope";
    core::writeOnnx(lns8, path, options);
    QCOMPARE(folderEntries(dir), std::vector<std::string>{"tiny_segnet.lns8.onnx"}); // no .part left
    const Graph back = core::importOnnx(path);
    fs::remove_all(dir);
    QCOMPARE(graphDifference(lns8, back), std::string());
    const TensorMap direct = core::Executor(lns8).run(tinyInputs());
    QCOMPARE(outputsDifference(core::Executor(back).run(tinyInputs()), direct), std::string());
    // The dequantized weights differ from the float ones: the file is not the original model.
    QVERIFY(outputsDifference(core::Executor(tinyModel()).run(tinyInputs()), direct) != std::string());
}

void TestOnnxExport::openCvMatchesExecutor_data()
{
    QTest::addColumn<Stage>("stage");
    QTest::addRow("Float32") << Stage::Float32;
    QTest::addRow("BatchNormFolded") << Stage::BatchNormFolded;
    QTest::addRow("ClusterCompressed") << Stage::ClusterCompressed;
    QTest::addRow("Lns8") << Stage::Lns8;
}

// OpenCV DNN is an independent reader and float runtime: it must load the exported file and
// agree with our executor within float32 noise.
void TestOnnxExport::openCvMatchesExecutor()
{
    QFETCH(Stage, stage);
    const Graph graph = tinyConverted().graphForStage(stage);
    const fs::path dir = test::makeTempDir("lnscope-onnxexp");
    const fs::path path = dir / "model.onnx";
    core::writeOnnx(graph, path);
    const Tensor& input = tinyInputs().at("input");
    Tensor cvOut;
    try {
        cvOut = runOpenCv(path, input);
    } catch (const cv::Exception& e) {
        fs::remove_all(dir);
        QFAIL(e.what());
    }
    fs::remove_all(dir);
    const TensorMap ours = core::Executor(graph).run(tinyInputs());
    core::Tolerance tol;
    tol.meanAbs = 1e-4;
    tol.maxAbs = 1e-4;
    tol.relTol = 1e-4;
    const core::TensorComparison c = core::compareTensors(cvOut, ours.at("logits"), tol);
    qInfo("%s: OpenCV vs executor max |d| %.3g, mean |d| %.3g", core::stageName(stage), c.maxAbs, c.meanAbs);
    LNSCOPE_COMPARE_TENSORS(cvOut, ours.at("logits"), tol);
}

void TestOnnxExport::refusals_data()
{
    QTest::addColumn<QString>("mutation");
    QTest::addColumn<QString>("expected");
    QTest::addRow("opset 6") << "opset 6"
                             << "UnsupportedError: graph 'g': opset 6 is outside the supported range 7..17";
    QTest::addRow("opset 18") << "opset 18"
                              << "UnsupportedError: graph 'g': opset 18 is outside";
    QTest::addRow("custom domain") << "custom domain"
                                   << "UnsupportedError: graph 'g': Relu 'relu' is in domain 'com.example'";
    QTest::addRow("attribute without a name") << "attribute without a name"
                                              << "FormatError: graph 'g': Relu 'relu' has an attribute without a name";
    QTest::addRow("node without op type") << "node without op type"
                                          << "FormatError: graph 'g': node 'relu' has no op type";
    QTest::addRow("initializer without a name") << "initializer without a name"
                                                << "FormatError: graph 'g': an initializer has an empty name";
    QTest::addRow("output without a name") << "output without a name"
                                           << "FormatError: graph 'g': a graph output has an empty name";
}

void TestOnnxExport::refusals()
{
    QFETCH(QString, mutation);
    QFETCH(QString, expected);
    ModelBuilder b(13, "g");
    b.input("x", {1, 4}).output("y").initializer("k", Tensor::fromFloats({4}, {1, 2, 3, 4}));
    b.node("Add", {"x", "k"}, {"s"}, "add");
    b.node("Relu", {"s"}, {"y"}, "relu");
    Graph g = b.import();
    core::Node& relu = g.nodes.back();
    if (mutation == "opset 6")
        g.opset = 6;
    if (mutation == "opset 18")
        g.opset = 18;
    if (mutation == "custom domain")
        relu.domain = "com.example";
    if (mutation == "attribute without a name")
        relu.attrs[""] = Attribute{};
    if (mutation == "node without op type")
        relu.opType.clear();
    if (mutation == "initializer without a name")
        g.initializers[""] = Tensor::scalar(1.f);
    if (mutation == "output without a name")
        g.outputs[0].name.clear();
    const std::string error = errorOf([&] { core::serializeOnnx(g); });
    QVERIFY2(error.rfind(expected.toStdString(), 0) == 0, error.c_str());
}

void TestOnnxExport::tooLarge_data()
{
    QTest::addColumn<bool>("tensorBytesOnly");
    QTest::addRow("tensor data over the limit") << true;
    QTest::addRow("tensor data under, whole message over") << false;
}

// Protobuf's 2 GiB limit is refused before serializing; a lower maxBytes exercises both checks
// without allocating gigabytes. writeOnnx then leaves an existing file as it was.
void TestOnnxExport::tooLarge()
{
    QFETCH(bool, tensorBytesOnly);
    const Graph& g = tinyModel();
    int64_t tensorBytes = 0;
    for (const auto& [name, t] : g.initializers)
        tensorBytes += t.numel() * (t.isFloat() ? 4 : 8);
    core::OnnxExportOptions options;
    options.maxBytes = tensorBytesOnly ? tensorBytes - 1 : tensorBytes;
    const std::string limit = "more than the limit of " + std::to_string(options.maxBytes);
    const std::string error = errorOf([&] { core::serializeOnnx(g, options); });
    QVERIFY2(error.rfind("FormatError: graph 'torch_jit': the model needs ", 0) == 0, error.c_str());
    QVERIFY2(error.find(limit) != std::string::npos, error.c_str());
    if (tensorBytesOnly) // the first check reports the tensor bytes themselves
        QVERIFY2(error.find("needs " + std::to_string(tensorBytes) + " bytes") != std::string::npos, error.c_str());

    const fs::path dir = test::makeTempDir("lnscope-onnxexp");
    const fs::path path = test::writeText(dir, "keep.onnx", "previous contents");
    const std::string writeError = errorOf([&] { core::writeOnnx(g, path, options); });
    const std::string contents = fileBytes(path);
    const std::vector<std::string> entries = folderEntries(dir);
    fs::remove_all(dir);
    QVERIFY2(writeError.rfind("FormatError: " + path.string() + ": the model needs", 0) == 0, writeError.c_str());
    QCOMPARE(contents, std::string("previous contents"));
    QCOMPARE(entries, std::vector<std::string>{"keep.onnx"});
}

void TestOnnxExport::writeFailsCleanly_data()
{
    QTest::addColumn<QString>("target");
    QTest::addRow("folder that does not exist") << "missing/model.onnx";
    QTest::addRow("path is a folder") << "folder";
}

void TestOnnxExport::writeFailsCleanly()
{
    QFETCH(QString, target);
    const fs::path dir = test::makeTempDir("lnscope-onnxexp");
    fs::create_directory(dir / "folder");
    const fs::path path = dir / target.toStdString();
    const std::string error = errorOf([&] { core::writeOnnx(tinyModel(), path); });
    const std::vector<std::string> entries = folderEntries(dir);
    fs::remove_all(dir);
    QVERIFY2(error.rfind("IoError: " + path.string() + ": ", 0) == 0, error.c_str());
    QCOMPARE(entries, std::vector<std::string>{"folder"}); // no temp file, nothing created
}

QTEST_GUILESS_MAIN(TestOnnxExport)
#include "test_onnx_export.moc"
