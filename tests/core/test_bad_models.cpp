// Bad-input tests for the ONNX importer (DESIGN.md "Bad input"): every malformed model must end
// in one typed error (IoError / FormatError / UnsupportedError, or ShapeError when the problem is
// only visible at run time) whose message names the file or node and the reason — no crash, no
// hang, bounded memory. The suite is meant to run under the `asan` preset as well.
//
// Most cases start from one valid model (Conv → Relu) and break exactly one thing, so the error
// can only come from that change; importAcceptsControls checks the unbroken variants import.

#include "lnscope/core/error.h"
#include "lnscope/core/executor.h"
#include "lnscope/core/onnx_import.h"
#include "lnscope/core/tensor_io.h"
#include "model_builder.h"
#include "test_utils.h"

#include <QTest>
#include <filesystem>
#include <fstream>
#include <functional>
#include <random>
#include <string>
#include <sys/stat.h>

namespace fs = std::filesystem;
using namespace lnscope::core;
using lnscope::test::ModelBuilder;
using lnscope::test::randomTensor;

namespace {

/// One case: given a fresh temp folder, does whatever import (or run) the case needs and throws.
/// The model normally goes to <root>/m/model.onnx, so <root> is "outside the model's folder".
using Action = std::function<void(const fs::path& root)>;

const char* kModelName = "model.onnx";

fs::path modelDir(const fs::path& root)
{
    fs::create_directories(root / "m");
    return root / "m";
}

void writeFile(const fs::path& path, const std::string& bytes)
{
    std::ofstream f(path, std::ios::binary | std::ios::trunc);
    f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

std::string randomBytes(uint32_t seed, size_t n)
{
    std::mt19937 rng(seed);
    std::string bytes(n, '\0');
    for (char& c : bytes)
        c = static_cast<char>(rng() & 0xFF);
    return bytes;
}

/// The valid model every structural case breaks: x[1,4,8,8] → Conv 3×3 pad 1 → Relu → y.
ModelBuilder baseModel(int64_t opset = 13)
{
    ModelBuilder b(opset, "base");
    b.input("x", {1, 4, 8, 8});
    b.randomInitializer("w", {4, 4, 3, 3}, 11);
    b.randomInitializer("b", {4}, 12);
    auto& conv = b.node("Conv", {"x", "w", "b"}, {"c"}, "conv");
    ModelBuilder::attr(conv, "pads", std::vector<int64_t>{1, 1, 1, 1});
    ModelBuilder::attr(conv, "kernel_shape", std::vector<int64_t>{3, 3});
    b.node("Relu", {"c"}, {"y"}, "relu");
    b.output("y");
    return b;
}

/// Many small structural parts and tiny weights, so random byte changes mostly hit structure
/// (tags, names, dims, attributes) rather than weight bytes: x[1,2,6,6] → Conv → Relu → MaxPool
/// → Flatten → Gemm → Softmax → y.
ModelBuilder fuzzModel()
{
    ModelBuilder b(13, "fuzz");
    b.input("x", {1, 2, 6, 6});
    b.randomInitializer("w", {3, 2, 1, 1}, 31);
    auto& conv = b.node("Conv", {"x", "w"}, {"c"}, "conv");
    ModelBuilder::attr(conv, "strides", std::vector<int64_t>{1, 1});
    ModelBuilder::attr(conv, "pads", std::vector<int64_t>{0, 0, 0, 0});
    b.node("Relu", {"c"}, {"r"}, "relu");
    auto& pool = b.node("MaxPool", {"r"}, {"p"}, "pool");
    ModelBuilder::attr(pool, "kernel_shape", std::vector<int64_t>{2, 2});
    ModelBuilder::attr(pool, "strides", std::vector<int64_t>{2, 2});
    ModelBuilder::attr(b.node("Flatten", {"p"}, {"f"}, "flatten"), "axis", int64_t(1));
    b.randomInitializer("fc", {27, 2}, 32);
    b.node("Gemm", {"f", "fc"}, {"g"}, "gemm");
    ModelBuilder::attr(b.node("Softmax", {"g"}, {"y"}, "softmax"), "axis", int64_t(1));
    b.output("y");
    return b;
}

/// Saves the base model after `mutate` to <root>/m/model.onnx and imports that file.
Action mutated(std::function<void(ModelBuilder&)> mutate, ImportOptions options = {})
{
    return [mutate, options](const fs::path& root) {
        ModelBuilder b = baseModel();
        mutate(b);
        const fs::path path = modelDir(root) / kModelName;
        b.save(path);
        importOnnx(path, options);
    };
}

/// Writes raw bytes as <root>/m/model.onnx and imports them.
Action fileWith(std::function<std::string()> bytes)
{
    return [bytes](const fs::path& root) {
        const fs::path path = modelDir(root) / kModelName;
        writeFile(path, bytes());
        importOnnx(path);
    };
}

/// Replaces a node attribute with one of another value/type.
template <typename T>
std::function<void(ModelBuilder&)> setConvAttr(const std::string& name, T value)
{
    return [name, value](ModelBuilder& b) {
        auto& conv = b.nodeNamed("conv");
        ModelBuilder::removeAttr(conv, name);
        ModelBuilder::attr(conv, name, value);
    };
}

/// Turns initializer "w" (4·4·3·3 floats = 576 bytes) into external data with the given fields;
/// `prepare` creates whatever files the case needs around the model folder first.
Action externalData(std::vector<std::pair<std::string, std::string>> fields,
                    std::function<void(const fs::path& root, const fs::path& dir)> prepare = {})
{
    return [fields, prepare](const fs::path& root) {
        const fs::path dir = modelDir(root);
        if (prepare)
            prepare(root, dir);
        ModelBuilder b = baseModel();
        auto& w = b.initializerNamed("w");
        w.clear_raw_data();
        w.set_data_location(onnx::TensorProto::EXTERNAL);
        for (const auto& [key, value] : fields) {
            auto* kv = w.add_external_data();
            kv->set_key(key);
            kv->set_value(value);
        }
        b.save(dir / kModelName);
        importOnnx(dir / kModelName);
    };
}

constexpr int64_t kWeightBytes = 4 * 4 * 3 * 3 * 4;

/// Imports the model from bytes, then runs it on a seeded input of `inputShape`: for problems
/// that only the actual shapes reveal (ShapeError from the executor).
Action runWith(std::function<ModelBuilder()> build, Shape inputShape)
{
    return [build, inputShape](const fs::path&) {
        const Graph g = build().import();
        Executor(g).run({{"x", randomTensor(inputShape, 5)}});
    };
}

/// Conv-only model with its own weight shape and attributes, for run-time shape errors.
ModelBuilder convModel(const Shape& weightShape, int64_t group)
{
    ModelBuilder b(13, "convrt");
    b.input("x", {1, -1, -1, -1});
    b.randomInitializer("w", weightShape, 21);
    auto& conv = b.node("Conv", {"x", "w"}, {"y"}, "conv");
    ModelBuilder::attr(conv, "group", group);
    b.output("y");
    return b;
}

/// A minimal PNG: signature, an IHDR chunk, then seeded junk — what a user gets by renaming an
/// image to .onnx.
std::string pngBytes()
{
    std::string png("\x89PNG\r\n\x1a\n", 8);
    png += std::string("\x00\x00\x00\x0dIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x02\x00\x00\x00", 21);
    png += std::string("\x90\x91\x68\x36", 4); // CRC (value irrelevant to the importer)
    png += std::string("\x00\x00\x01\x00IDAT", 8) + randomBytes(7, 256);
    png += std::string("\x00\x00\x00\x00IEND\xae\x42\x60\x82", 12);
    return png;
}

/// A model whose node carries a GRAPH attribute nested `depth` levels deep: protobuf's recursion
/// limit (100) must turn this into a parse failure instead of a stack overflow.
std::string deeplyNestedModel(int depth)
{
    ModelBuilder b = baseModel();
    onnx::GraphProto* g = nullptr;
    onnx::NodeProto* node = &b.nodeNamed("relu");
    for (int i = 0; i < depth; ++i) {
        auto* a = node->add_attribute();
        a->set_name("body");
        a->set_type(onnx::AttributeProto::GRAPH);
        g = a->mutable_g();
        node = g->add_node();
        node->set_op_type("Relu");
    }
    return b.bytes();
}

std::string errorKind(const std::exception& e)
{
    if (dynamic_cast<const IoError*>(&e))
        return "IoError";
    if (dynamic_cast<const FormatError*>(&e))
        return "FormatError";
    if (dynamic_cast<const UnsupportedError*>(&e))
        return "UnsupportedError";
    if (dynamic_cast<const ShapeError*>(&e))
        return "ShapeError";
    if (dynamic_cast<const Error*>(&e))
        return "Error";
    return "std::exception";
}

} // namespace

Q_DECLARE_METATYPE(Action)

class TestBadModels : public QObject
{
    Q_OBJECT

private slots:
    void importAcceptsControls_data();
    void importAcceptsControls();
    void rejects_data();
    void rejects();
    void hugeOutputIsAShapeError();
    void mutatedBytesNeverCrash_data();
    void mutatedBytesNeverCrash();
};

void TestBadModels::importAcceptsControls_data()
{
    // The unbroken variants of what rejects() breaks. Structure only (ops are checked by rejects'
    // attribute cases and the op tests), so they hold while op families are still being written.
    QTest::addColumn<Action>("action");
    ImportOptions structural;
    structural.requireSupportedOps = false;
    QTest::addRow("base model") << mutated([](ModelBuilder&) {}, structural);
    QTest::addRow("external data inside the folder") << Action([](const fs::path& root) {
        const fs::path dir = modelDir(root);
        const Tensor w = randomTensor({4, 4, 3, 3}, 11);
        std::string bytes = "padding!" + std::string(reinterpret_cast<const char*>(w.f()), kWeightBytes);
        writeFile(dir / "weights.bin", bytes);
        ModelBuilder b = baseModel();
        auto& proto = b.initializerNamed("w");
        proto.clear_raw_data();
        proto.set_data_location(onnx::TensorProto::EXTERNAL);
        for (auto [k, v] : {std::pair<const char*, std::string>{"location", "weights.bin"}, {"offset", "8"},
                            {"length", std::to_string(kWeightBytes)}}) {
            auto* kv = proto.add_external_data();
            kv->set_key(k);
            kv->set_value(v);
        }
        b.save(dir / kModelName);
        ImportOptions options;
        options.requireSupportedOps = false;
        const Graph g = importOnnx(dir / kModelName, options);
        if (!(*g.initializer("w") == w))
            throw std::runtime_error("external weights differ from the ones written");
    });
}

void TestBadModels::importAcceptsControls()
{
    QFETCH(Action, action);
    const fs::path root = lnscope::test::makeTempDir("lnscope-badmodels");
    try {
        action(root);
    } catch (const std::exception& e) {
        fs::remove_all(root);
        QFAIL((errorKind(e) + ": " + e.what()).c_str());
    }
    fs::remove_all(root);
}

void TestBadModels::rejects_data()
{
    QTest::addColumn<Action>("action");
    QTest::addColumn<QString>("kind");     // expected error class
    QTest::addColumn<QString>("fragment"); // the reason, as it must appear in the message
    QTest::addColumn<QString>("where");    // the file or node the message must name

    const QString model = kModelName;

    // --- Not a model at all -----------------------------------------------------------------
    QTest::addRow("empty file") << fileWith([] { return std::string(); }) << "FormatError" << "the file is empty" << model;
    QTest::addRow("truncated model (half)") << fileWith([] {
        const std::string full = baseModel().bytes();
        return full.substr(0, full.size() / 2);
    }) << "FormatError" << "protobuf parsing failed" << model;
    QTest::addRow("truncated model (one byte)") << fileWith([] { return baseModel().bytes().substr(0, 1); })
                                                << "FormatError" << "protobuf parsing failed" << model;
    for (uint32_t seed : {1u, 2u, 3u})
        QTest::addRow("random bytes, seed %u", seed)
            << fileWith([seed] { return randomBytes(seed, 4096); }) << "FormatError" << "protobuf parsing failed" << model;
    QTest::addRow("PNG image renamed .onnx") << fileWith(pngBytes) << "FormatError" << "protobuf parsing failed" << model;
    QTest::addRow("text file") << fileWith([] { return std::string("ir_version: 7\ngraph { }\n"); }) << "FormatError" << "protobuf parsing failed"
                               << model;
    QTest::addRow("attribute graphs nested 60 deep") << fileWith([] { return deeplyNestedModel(60); }) << "FormatError"
                                                     << "protobuf parsing failed" << model;

    // Paths that are not model files: refused before any byte is read.
    QTest::addRow("missing model path") << Action([](const fs::path& root) { importOnnx(root / "missing.onnx"); })
                                        << "IoError" << "missing.onnx: no such file" << "missing.onnx";
    QTest::addRow("directory path") << Action([](const fs::path& root) { importOnnx(modelDir(root)); }) << "IoError"
                                    << "is a directory, not a model file" << "/m";
    // A FIFO would block open() forever if the importer did not check the file type first.
    QTest::addRow("FIFO named .onnx (no hang)") << Action([](const fs::path& root) {
        ::mkfifo((root / "pipe.onnx").c_str(), 0600);
        importOnnx(root / "pipe.onnx");
    }) << "IoError" << "is not a regular file" << "pipe.onnx";
    // A sparse file costs no disk: the size alone must refuse it, without reading 2 GiB into
    // memory (protobuf could not parse it anyway).
    QTest::addRow("file of 2 GiB") << Action([](const fs::path& root) {
        const fs::path huge = root / "huge.onnx";
        writeFile(huge, "");
        fs::resize_file(huge, (uintmax_t(1) << 31) + 16);
        importOnnx(huge);
    }) << "FormatError" << "an ONNX protobuf must be smaller than 2 GiB" << "huge.onnx";

    // Input tensors (.pb) come from users too and share the tensor decoder.
    QTest::addRow("tensor .pb that is a FIFO (no hang)") << Action([](const fs::path& root) {
        ::mkfifo((root / "input_0.pb").c_str(), 0600);
        readTensorPb(root / "input_0.pb");
    }) << "IoError" << "is not a regular file" << "input_0.pb";
    QTest::addRow("tensor .pb missing") << Action([](const fs::path& root) { readTensorPb(root / "input_0.pb"); })
                                        << "IoError" << "no such file" << "input_0.pb";
    QTest::addRow("tensor .pb of random bytes") << Action([](const fs::path& root) {
        writeFile(root / "input_0.pb", randomBytes(9, 512));
        readTensorPb(root / "input_0.pb");
    }) << "FormatError" << "not a serialized ONNX TensorProto" << "input_0.pb";
    QTest::addRow("tensor .pb with short raw_data") << Action([](const fs::path& root) {
        onnx::TensorProto t;
        lnscope::test::toProto(randomTensor({2, 3}, 1), t);
        t.mutable_raw_data()->resize(7);
        writeFile(root / "input_0.pb", t.SerializeAsString());
        readTensorPb(root / "input_0.pb");
    }) << "FormatError" << "raw_data has 7 bytes but shape [2, 3] of FLOAT needs 24" << "input_0.pb";

    // --- Model header ---------------------------------------------------------------------
    QTest::addRow("opset 999") << mutated([](ModelBuilder& b) { b.proto().mutable_opset_import(0)->set_version(999); })
                               << "UnsupportedError" << "opset 999 is newer than the newest supported" << model;
    QTest::addRow("opset 3") << mutated([](ModelBuilder& b) { b.proto().mutable_opset_import(0)->set_version(3); })
                             << "UnsupportedError" << "opset 3 is older than the oldest supported" << model;
    QTest::addRow("only a custom-domain opset") << mutated([](ModelBuilder& b) {
        b.proto().mutable_opset_import(0)->set_domain("com.example");
    }) << "FormatError" << "imports no default-domain opset" << model;
    QTest::addRow("IR version 0") << mutated([](ModelBuilder& b) { b.proto().set_ir_version(0); }) << "FormatError"
                                  << "IR version 0 is outside the supported range" << model;
    QTest::addRow("IR version 99") << mutated([](ModelBuilder& b) { b.proto().set_ir_version(99); }) << "FormatError"
                                   << "IR version 99 is outside the supported range" << model;
    QTest::addRow("no graph") << mutated([](ModelBuilder& b) { b.proto().clear_graph(); }) << "FormatError"
                              << "no graph" << model;
    QTest::addRow("no nodes") << mutated([](ModelBuilder& b) { b.graph().clear_node(); }) << "FormatError"
                              << "the graph has no nodes" << model;
    QTest::addRow("no graph outputs") << mutated([](ModelBuilder& b) { b.graph().clear_output(); }) << "FormatError"
                                      << "the graph has no outputs" << model;

    // --- Tensor data ----------------------------------------------------------------------
    QTest::addRow("negative dim in initializer") << mutated([](ModelBuilder& b) {
        b.initializerNamed("b").set_dims(0, -4);
    }) << "FormatError" << "initializer 'b': negative dimension -4" << model;
    QTest::addRow("negative dim in graph input") << mutated([](ModelBuilder& b) {
        b.graph().mutable_input(0)->mutable_type()->mutable_tensor_type()->mutable_shape()->mutable_dim(1)->set_dim_value(-2);
    }) << "FormatError" << "input 'x' has negative dimension -2" << model;
    QTest::addRow("element count overflows int64") << mutated([](ModelBuilder& b) {
        auto& t = b.initializerNamed("b");
        t.clear_dims();
        for (int i = 0; i < 4; ++i)
            t.add_dims(int64_t(1) << 20);
    }) << "FormatError" << "element count of shape [1048576, 1048576, 1048576, 1048576] overflows" << model;
    QTest::addRow("shape larger than the byte limit") << mutated([](ModelBuilder& b) {
        auto& t = b.initializerNamed("b");
        t.clear_dims();
        t.add_dims(int64_t(1) << 40);
    }) << "FormatError" << "more than the limit" << model;
    // 2 GiB claimed, nothing stored: must fail on the count before allocating anything.
    QTest::addRow("2 GiB shape with empty float_data") << mutated([](ModelBuilder& b) {
        auto& t = b.initializerNamed("b");
        t.clear_raw_data();
        t.clear_dims();
        t.add_dims(int64_t(1) << 29);
    }) << "FormatError" << "float_data holds 0 values but shape [536870912] needs 536870912" << model;
    QTest::addRow("short raw_data") << mutated([](ModelBuilder& b) { b.initializerNamed("b").mutable_raw_data()->resize(10); })
                                    << "FormatError" << "raw_data has 10 bytes but shape [4] of FLOAT needs 16" << model;
    QTest::addRow("float_data count mismatch") << mutated([](ModelBuilder& b) {
        auto& t = b.initializerNamed("b");
        t.clear_raw_data();
        for (float v : {1.f, 2.f, 3.f})
            t.add_float_data(v);
    }) << "FormatError" << "float_data holds 3 values but shape [4] needs 4" << model;
    QTest::addRow("int64_data count mismatch") << mutated([](ModelBuilder& b) {
        b.initializer("shape", Tensor::fromInts({2}, {1, -1}));
        auto& t = b.initializerNamed("shape");
        t.clear_raw_data();
        t.add_int64_data(1);
    }) << "FormatError" << "int64_data holds 1 values but shape [2] needs 2" << model;
    QTest::addRow("float16 int32_data count mismatch") << mutated([](ModelBuilder& b) {
        auto& t = b.initializerNamed("b");
        t.clear_raw_data();
        t.set_data_type(onnx::TensorProto::FLOAT16);
        t.add_int32_data(0x3C00);
    }) << "FormatError" << "int32_data holds 1 values but shape [4] needs 4" << model;
    QTest::addRow("string initializer") << mutated([](ModelBuilder& b) {
        auto& t = b.initializerNamed("b");
        t.clear_raw_data();
        t.set_data_type(onnx::TensorProto::STRING);
    }) << "UnsupportedError" << "initializer 'b': element type 8 (STRING) is not supported" << model;
    QTest::addRow("undefined element type") << mutated([](ModelBuilder& b) {
        b.initializerNamed("b").set_data_type(onnx::TensorProto::UNDEFINED);
    }) << "FormatError" << "initializer 'b': element type is undefined" << model;
    QTest::addRow("segmented tensor") << mutated([](ModelBuilder& b) {
        b.initializerNamed("b").mutable_segment()->set_begin(0);
    }) << "UnsupportedError" << "segmented tensors are not supported" << model;
    QTest::addRow("sparse initializer") << mutated([](ModelBuilder& b) {
        b.graph().add_sparse_initializer()->mutable_values()->set_name("s");
    }) << "UnsupportedError" << "sparse initializers are not supported" << model;
    QTest::addRow("duplicate initializer names") << mutated([](ModelBuilder& b) { b.initializer("b", randomTensor({4}, 3)); })
                                                 << "FormatError" << "initializer 'b' is defined twice" << model;
    QTest::addRow("initializer without a name") << mutated([](ModelBuilder& b) { b.initializer("", randomTensor({4}, 3)); })
                                                << "FormatError" << "an initializer has an empty name" << model;
    {
        // Both limits matter: the file stores int8 (100 bytes) but memory holds int64 (800 bytes).
        ImportOptions small;
        small.maxTensorBytes = 700;
        QTest::addRow("int8 tensor widened past the byte limit") << mutated([](ModelBuilder& b) {
            auto* t = b.graph().add_initializer();
            t->set_name("q");
            t->set_data_type(onnx::TensorProto::INT8);
            t->add_dims(100);
            t->set_raw_data(std::string(100, '\x01'));
        }, small) << "FormatError" << "initializer 'q': shape [100] needs 800 bytes, more than the limit" << model;
        ImportOptions tiny;
        tiny.maxTensorBytes = 500;
        QTest::addRow("total tensor bytes past the limit") << mutated([](ModelBuilder&) {}, tiny) << "FormatError"
                                                           << "more than the limit" << model;
    }

    // --- External data --------------------------------------------------------------------
    const std::string len = std::to_string(kWeightBytes);
    auto writeOutside = [](const fs::path& root, const fs::path&) { writeFile(root / "x.bin", std::string(kWeightBytes, '\0')); };
    QTest::addRow("external data ../x.bin") << externalData({{"location", "../x.bin"}}, writeOutside) << "FormatError"
                                            << "external data path '../x.bin' leaves the model's folder" << model;
    QTest::addRow("external data absolute path") << Action([writeOutside](const fs::path& root) {
        writeOutside(root, {});
        externalData({{"location", (root / "x.bin").string()}})(root);
    }) << "FormatError" << "is absolute; it must be inside the model's folder" << model;
    QTest::addRow("external data symlink out of the folder") << externalData({{"location", "link.bin"}},
                                                                              [writeOutside](const fs::path& root, const fs::path& dir) {
        writeOutside(root, dir);
        fs::create_symlink(root / "x.bin", dir / "link.bin");
    }) << "FormatError" << "external data path 'link.bin' resolves outside the model's folder" << model;
    QTest::addRow("external data symlinked folder out") << externalData({{"location", "sub/x.bin"}},
                                                                         [writeOutside](const fs::path& root, const fs::path& dir) {
        writeOutside(root, dir);
        fs::create_directory_symlink(root, dir / "sub");
    }) << "FormatError" << "resolves outside the model's folder" << model;
    QTest::addRow("external data past the end of its file") << externalData({{"location", "w.bin"}, {"offset", "100"}},
                                                                             [](const fs::path&, const fs::path& dir) {
        writeFile(dir / "w.bin", std::string(kWeightBytes, '\0'));
    }) << "FormatError" << "external data 'w.bin' reads past the end of the file (offset 100 + 576 bytes > 576)" << model;
    QTest::addRow("external data offset beyond the file") << externalData({{"location", "w.bin"}, {"offset", "999999999999"}},
                                                                           [](const fs::path&, const fs::path& dir) {
        writeFile(dir / "w.bin", std::string(kWeightBytes, '\0'));
    }) << "FormatError" << "reads past the end of the file" << model;
    QTest::addRow("external data negative offset") << externalData({{"location", "w.bin"}, {"offset", "-8"}},
                                                                    [](const fs::path&, const fs::path& dir) {
        writeFile(dir / "w.bin", std::string(kWeightBytes, '\0'));
    }) << "FormatError" << "external data offset -8 is negative" << model;
    QTest::addRow("external data offset not a number") << externalData({{"location", "w.bin"}, {"offset", "12abc"}})
                                                       << "FormatError" << "external data field 'offset' is not a number: '12abc'"
                                                       << model;
    QTest::addRow("external data length mismatch") << externalData({{"location", "w.bin"}, {"length", "4"}},
                                                                    [](const fs::path&, const fs::path& dir) {
        writeFile(dir / "w.bin", std::string(kWeightBytes, '\0'));
    }) << "FormatError" << "external data length 4 does not match the 576 bytes the shape needs" << model;
    QTest::addRow("external data with a missing file") << externalData({{"location", "gone.bin"}}) << "IoError"
                                                       << "external data file 'gone.bin' does not exist" << model;
    QTest::addRow("external data is a directory") << externalData({{"location", "sub"}}, [](const fs::path&, const fs::path& dir) {
        fs::create_directory(dir / "sub");
    }) << "IoError" << "external data file 'sub' does not exist or is not a regular file" << model;
    QTest::addRow("external data is a FIFO (no hang)") << externalData({{"location", "pipe"}}, [](const fs::path&, const fs::path& dir) {
        ::mkfifo((dir / "pipe").c_str(), 0600);
    }) << "IoError" << "is not a regular file" << model;
    QTest::addRow("external data without location") << externalData({{"offset", "0"}}) << "FormatError"
                                                    << "external data has no location" << model;
    QTest::addRow("external data from bytes (no folder)") << Action([](const fs::path&) {
        ModelBuilder b = baseModel();
        auto& w = b.initializerNamed("w");
        w.clear_raw_data();
        w.set_data_location(onnx::TensorProto::EXTERNAL);
        auto* kv = w.add_external_data();
        kv->set_key("location");
        kv->set_value("w.bin");
        importOnnxBytes(b.bytes(), kModelName);
    }) << "FormatError" << "external data 'w.bin' cannot be resolved" << model;

    // --- Graph structure ------------------------------------------------------------------
    QTest::addRow("node reads a missing tensor") << mutated([](ModelBuilder& b) { b.nodeNamed("relu").set_input(0, "ghost"); })
                                                 << "FormatError"
                                                 << "Relu 'relu' reads tensor 'ghost', which no node, input or initializer provides"
                                                 << model;
    QTest::addRow("two nodes write one tensor") << mutated([](ModelBuilder& b) { b.node("Relu", {"x"}, {"c"}, "relu2"); })
                                                << "FormatError" << "writes tensor 'c', which is already written by" << model;
    QTest::addRow("node overwrites a graph input") << mutated([](ModelBuilder& b) { b.node("Relu", {"c"}, {"x"}, "relu2"); })
                                                   << "FormatError" << "writes tensor 'x', which is already a graph input or initializer"
                                                   << model;
    QTest::addRow("cycle of two nodes") << mutated([](ModelBuilder& b) {
        b.nodeNamed("conv").set_input(0, "y"); // conv reads relu's output, relu reads conv's
    }) << "FormatError" << "the graph has a cycle through Conv 'conv'" << model;
    QTest::addRow("node reads its own output") << mutated([](ModelBuilder& b) { b.nodeNamed("relu").set_input(0, "y"); })
                                               << "FormatError" << "the graph has a cycle through Relu 'relu'" << model;
    QTest::addRow("graph output nobody writes") << mutated([](ModelBuilder& b) { b.output("z"); }) << "FormatError"
                                                << "graph output 'z' is not produced by any node" << model;
    QTest::addRow("graph input declared twice") << mutated([](ModelBuilder& b) { b.input("x", {1, 4, 8, 8}); })
                                                << "FormatError" << "graph input 'x' is declared twice" << model;
    QTest::addRow("graph input of sequence type") << mutated([](ModelBuilder& b) {
        auto* vi = b.graph().add_input();
        vi->set_name("seq");
        vi->mutable_type()->mutable_sequence_type();
    }) << "UnsupportedError" << "input 'seq' is not a tensor" << model;
    QTest::addRow("node without op type") << mutated([](ModelBuilder& b) { b.nodeNamed("relu").clear_op_type(); })
                                          << "FormatError" << "node 1 has no op type" << model;
    QTest::addRow("node without outputs") << mutated([](ModelBuilder& b) { b.nodeNamed("relu").clear_output(); })
                                          << "FormatError" << "Relu 'relu' has no outputs" << model;

    // --- Attributes -----------------------------------------------------------------------
    QTest::addRow("Conv group=0") << mutated(setConvAttr("group", int64_t(0))) << "FormatError"
                                  << "attribute 'group' must be ≥ 1, got 0" << model;
    QTest::addRow("Conv strides 0") << mutated(setConvAttr("strides", std::vector<int64_t>{0, 1})) << "FormatError"
                                    << "attribute 'strides' must be positive, got 0" << model;
    QTest::addRow("Conv pads negative") << mutated(setConvAttr("pads", std::vector<int64_t>{1, -1, 1, 1})) << "FormatError"
                                        << "attribute 'pads' must not be negative, got -1" << model;
    QTest::addRow("Conv dilations 0") << mutated(setConvAttr("dilations", std::vector<int64_t>{1, 0})) << "FormatError"
                                      << "attribute 'dilations' must be positive, got 0" << model;
    QTest::addRow("Conv strides as float") << mutated(setConvAttr("strides", 1.0f)) << "FormatError"
                                           << "attribute 'strides' must be ints, got float" << model;
    QTest::addRow("Conv auto_pad unknown") << mutated(setConvAttr("auto_pad", std::string("MIRROR"))) << "FormatError"
                                           << "attribute 'auto_pad' has unsupported value 'MIRROR'" << model;
    QTest::addRow("attribute without a name") << mutated(setConvAttr("", int64_t(1))) << "FormatError"
                                              << "Conv 'conv' has an attribute without a name" << model;
    QTest::addRow("attribute given twice") << mutated([](ModelBuilder& b) {
        ModelBuilder::attr(b.nodeNamed("conv"), "pads", std::vector<int64_t>{0, 0, 0, 0});
    }) << "FormatError" << "Conv 'conv' has attribute 'pads' twice" << model;
    QTest::addRow("attribute without type or value") << mutated([](ModelBuilder& b) {
        b.nodeNamed("conv").add_attribute()->set_name("mystery");
    }) << "FormatError" << "attribute 'mystery' has no type and no value" << model;
    QTest::addRow("attribute of type GRAPH") << mutated([](ModelBuilder& b) {
        auto* a = b.nodeNamed("conv").add_attribute();
        a->set_name("body");
        a->set_type(onnx::AttributeProto::GRAPH);
        a->mutable_g();
    }) << "UnsupportedError" << "attribute 'body' has unsupported type GRAPH" << model;

    // --- Constant nodes -------------------------------------------------------------------
    auto constant = [](std::function<void(onnx::NodeProto&)> fill) {
        return mutated([fill](ModelBuilder& b) { fill(b.node("Constant", {}, {"k"}, "const")); });
    };
    QTest::addRow("Constant with value_string") << constant([](onnx::NodeProto& n) {
        ModelBuilder::attr(n, "value_string", std::string("hello"));
    }) << "UnsupportedError" << "Constant attribute 'value_string' is not supported" << model;
    QTest::addRow("Constant with sparse_value") << constant([](onnx::NodeProto& n) {
        auto* a = n.add_attribute();
        a->set_name("sparse_value");
        a->set_type(onnx::AttributeProto::SPARSE_TENSOR);
    }) << "UnsupportedError" << "attribute 'sparse_value' has unsupported type SPARSE_TENSOR" << model;
    QTest::addRow("Constant with value_float as ints") << constant([](onnx::NodeProto& n) {
        ModelBuilder::attr(n, "value_float", std::vector<int64_t>{1});
    }) << "UnsupportedError" << "Constant attribute 'value_float' is not supported" << model;
    QTest::addRow("Constant without value") << constant([](onnx::NodeProto&) {}) << "FormatError"
                                            << "must have exactly one value attribute" << model;
    QTest::addRow("Constant with two values") << constant([](onnx::NodeProto& n) {
        ModelBuilder::attr(n, "value_float", 1.f);
        ModelBuilder::attr(n, "value_int", int64_t(1));
    }) << "FormatError" << "must have exactly one value attribute" << model;
    QTest::addRow("Constant shadows an initializer") << mutated([](ModelBuilder& b) {
        ModelBuilder::attr(b.node("Constant", {}, {"w"}, "const"), "value_float", 1.f);
    }) << "FormatError" << "writes tensor 'w', which is already an initializer" << model;
    QTest::addRow("Constant with a broken tensor") << constant([](onnx::NodeProto& n) {
        ModelBuilder::attr(n, "value", randomTensor({4}, 1));
        n.mutable_attribute(0)->mutable_t()->mutable_raw_data()->resize(3);
    }) << "FormatError" << "attribute 'value': raw_data has 3 bytes" << model;

    // --- Ops ------------------------------------------------------------------------------
    QTest::addRow("unsupported ops listed at once") << mutated([](ModelBuilder& b) {
        b.node("FancyOp", {"y"}, {"f1"}, "fancy1");
        b.node("OtherOp", {"f1"}, {"f2"}, "fancy2");
        b.graph().mutable_output(0)->set_name("f2");
    }) << "UnsupportedError" << "2 unsupported nodes:\n  fancy1: FancyOp (opset 13)\n  fancy2: OtherOp (opset 13)" << model;
    QTest::addRow("custom-domain op") << mutated([](ModelBuilder& b) {
        auto& n = b.node("Relu", {"y"}, {"z"}, "custom");
        n.set_domain("com.example");
        b.graph().mutable_output(0)->set_name("z");
    }) << "UnsupportedError" << "custom: com.example.Relu" << model;

    // --- Only visible at run time (ShapeError from the executor, naming the node) ---------
    QTest::addRow("Conv group 3 does not divide 4 channels")
        << runWith([] { return convModel({3, 1, 3, 3}, 3); }, {1, 4, 8, 8}) << "ShapeError" << "group" << "Conv 'conv'";
    QTest::addRow("Conv weight channels differ from input")
        << runWith([] { return convModel({4, 3, 3, 3}, 1); }, {1, 4, 8, 8}) << "ShapeError" << "expects 3 input channels" << "Conv 'conv'";
    QTest::addRow("Conv kernel larger than input")
        << runWith([] { return convModel({4, 4, 3, 3}, 1); }, {1, 4, 2, 2}) << "ShapeError" << "kernel extent 3 exceeds padded input size 2"
        << "Conv 'conv'";
    QTest::addRow("Conv on a rank-2 input")
        << runWith([] {
               ModelBuilder b(13, "rank2");
               b.input("x", {-1, -1});
               b.randomInitializer("w", {4, 4, 3, 3}, 21);
               b.node("Conv", {"x", "w"}, {"y"}, "conv");
               b.output("y");
               return b;
           }, {4, 8}) << "ShapeError" << "rank" << "Conv 'conv'";
    QTest::addRow("Add of shapes that do not broadcast")
        << runWith([] {
               ModelBuilder b(13, "add");
               b.input("x", {-1, -1});
               b.randomInitializer("k", {3}, 21);
               b.node("Add", {"x", "k"}, {"y"}, "add");
               b.output("y");
               return b;
           }, {2, 4}) << "ShapeError" << "shapes [2, 4] and [3] do not broadcast" << "Add 'add'";
}

void TestBadModels::rejects()
{
    QFETCH(Action, action);
    QFETCH(QString, kind);
    QFETCH(QString, fragment);
    QFETCH(QString, where);

    const fs::path root = lnscope::test::makeTempDir("lnscope-badmodels");
    std::string gotKind = "nothing thrown";
    std::string message;
    try {
        action(root);
    } catch (const std::exception& e) {
        gotKind = errorKind(e);
        message = e.what();
    }
    fs::remove_all(root);

    const QByteArray context = ("message: " + message).c_str();
    QVERIFY2(gotKind == kind.toStdString(), (gotKind + " instead of " + kind.toStdString() + "; " + context.toStdString()).c_str());
    QVERIFY2(QString::fromStdString(message).contains(fragment), context.constData());
    QVERIFY2(QString::fromStdString(message).contains(where), context.constData());
}

void TestBadModels::hugeOutputIsAShapeError()
{
    // Pads of 2^20 pass validation (they are not negative) but ask Conv for a 70 TB output.
    // Tensor refuses anything above kMaxTensorElements before allocating, so this is a
    // ShapeError naming the node and the shape, under sanitizers too (no allocation happens).
    ModelBuilder b = convModel({4, 4, 3, 3}, 1);
    ModelBuilder::attr(b.nodeNamed("conv"), "pads", std::vector<int64_t>(4, int64_t(1) << 20));
    const Executor exec(b.import());
    try {
        exec.run({{"x", randomTensor({1, 4, 8, 8}, 5)}});
        QFAIL("nothing thrown");
    } catch (const ShapeError& e) {
        const std::string m = e.what();
        QVERIFY2(m.find("Conv 'conv': tensor of shape [1, 4, 2097158, 2097158]") != std::string::npos, m.c_str());
        QVERIFY2(m.find("more than the limit") != std::string::npos, m.c_str());
    } catch (const std::exception& e) {
        QFAIL((errorKind(e) + " instead of ShapeError: " + e.what()).c_str());
    }
}

void TestBadModels::mutatedBytesNeverCrash_data()
{
    QTest::addColumn<uint32_t>("seed");
    QTest::addColumn<int>("flips");
    for (uint32_t seed : {101u, 202u, 303u, 404u})
        for (int flips : {1, 4, 16})
            QTest::addRow("seed %u, %d byte(s) changed", seed, flips) << seed << flips;
}

void TestBadModels::mutatedBytesNeverCrash()
{
    // A small fuzz: overwrite random bytes of a valid model (wire-format tags, lengths, dims,
    // attribute values, weights). Whatever parses must either import and run, or end in a
    // core::Error — never another exception, a crash or a hang. 100 mutants per row.
    QFETCH(uint32_t, seed);
    QFETCH(int, flips);
    std::mt19937 rng(seed);
    const std::string valid = fuzzModel().bytes();
    const Tensor x = randomTensor({1, 2, 6, 6}, 5);
    int ran = 0, rejected = 0;
    for (int mutant = 0; mutant < 100; ++mutant) {
        std::string bytes = valid;
        for (int f = 0; f < flips; ++f)
            bytes[static_cast<size_t>(lnscope::test::uniformInt(rng, 0, int64_t(bytes.size()) - 1))] = static_cast<char>(rng() & 0xFF);
        try {
            const Graph g = importOnnxBytes(bytes, "mutant.onnx");
            Executor(g).run({{"x", x}});
            ++ran;
        } catch (const Error&) {
            ++rejected;
        } catch (const std::exception& e) {
            QFAIL(("mutant " + std::to_string(mutant) + ": " + errorKind(e) + " escaped: " + e.what()).c_str());
        }
    }
    qDebug("%d ran, %d rejected by a typed error", ran, rejected);
}

QTEST_GUILESS_MAIN(TestBadModels)
#include "test_bad_models.moc"
