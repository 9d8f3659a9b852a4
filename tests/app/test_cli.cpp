// Behaviour of lnscope-cli (DESIGN.md "Executables", "Bad input"): the built executable is run
// with QProcess on small models written by ModelBuilder, and its tables, JSON files, written
// tensors and exit codes are checked against what core computes directly.

#include "lnscope/core/executor.h"
#include "lnscope/core/onnx_import.h"
#include "lnscope/core/tensor_io.h"
#include "model_builder.h"
#include "cli_runner.h"
#include "test_utils.h"

#include <QFile>
#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QTest>
#include <algorithm>
#include <filesystem>
#include <fstream>

namespace fs = std::filesystem;
using lnscope::test::CliResult;
using namespace lnscope::core;
using lnscope::test::ModelBuilder;
using lnscope::test::randomTensor;

namespace {


/// Gives graph output `index` a shape (ModelBuilder leaves outputs unshaped); a dim < 0 is "N".
void shapeOutput(ModelBuilder& b, int index, const std::vector<int64_t>& dims)
{
    auto* shape = b.graph().mutable_output(index)->mutable_type()->mutable_tensor_type()->mutable_shape();
    for (int64_t d : dims) {
        if (d < 0)
            shape->add_dim()->set_dim_param("N");
        else
            shape->add_dim()->set_dim_value(d);
    }
}

/// x[N,3,16,16] → Conv 3×3 (4 out, pad 1) → BatchNormalization → Relu → GlobalAveragePool → y.
/// Parameters: conv 4·3·3·3 + 4 = 112, BN 4·4 = 16; total 128 (512 float32 bytes).
/// With `reluAsOutput` the Relu result "r" is a second graph output. OpenCV 4.6 refuses graph
/// outputs without a shape, so `shapedOutputs` = false gives a model that only we can run.
ModelBuilder convBnModel(bool reluAsOutput, bool shapedOutputs = true)
{
    ModelBuilder b(13, "tiny");
    b.input("x", {-1, 3, 16, 16});
    b.initializer("w", randomTensor({4, 3, 3, 3}, 11, -0.5f, 0.5f));
    b.initializer("b", randomTensor({4}, 12, -0.1f, 0.1f));
    b.initializer("scale", randomTensor({4}, 13, 0.5f, 1.5f));
    b.initializer("shift", randomTensor({4}, 14, -0.2f, 0.2f));
    b.initializer("mean", randomTensor({4}, 15, -0.1f, 0.1f));
    b.initializer("var", randomTensor({4}, 16, 0.5f, 1.5f));
    auto& conv = b.node("Conv", {"x", "w", "b"}, {"c"}, "conv1");
    ModelBuilder::attr(conv, "kernel_shape", std::vector<int64_t>{3, 3});
    ModelBuilder::attr(conv, "pads", std::vector<int64_t>{1, 1, 1, 1});
    b.node("BatchNormalization", {"c", "scale", "shift", "mean", "var"}, {"n"}, "bn1");
    b.node("Relu", {"n"}, {"r"}, "relu1");
    b.node("GlobalAveragePool", {"r"}, {"y"}, "pool1");
    b.output("y");
    if (reluAsOutput)
        b.output("r");
    if (shapedOutputs) {
        shapeOutput(b, 0, {-1, 4, 1, 1});
        if (reluAsOutput)
            shapeOutput(b, 1, {-1, 4, 16, 16});
    }
    return b;
}

void writeBytes(const fs::path& path, const std::string& bytes)
{
    std::ofstream f(path, std::ios::binary | std::ios::trunc);
    f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

QStringList split(const QString& args)
{
    return args.split(' ', Qt::SkipEmptyParts);
}

} // namespace

class TestCli : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();

    void helpAndVersion_data();
    void helpAndVersion();
    void usageErrors_data();
    void usageErrors();
    void badInput_data();
    void badInput();

    void infoTable();
    void infoJson();
    void infoDescribesUnsupportedModels();
    void runPbMatchesExecutor();
    void runOutputDirWritesEveryOutput();
    void runImage_data();
    void runImage();
    void runJson();
    void failedRunWritesNothing();
    void bench();
    void benchWithoutOpenCv();

private:
    CliResult cli(const QStringList& args) const;
    QString path(const std::string& name) const { return QString::fromStdString((m_dir / name).string()); }
    /// Runs `model` on `input` through core directly: the reference for the CLI's outputs.
    TensorMap runDirect(const std::string& model, const Tensor& input) const;

    fs::path m_dir;
    Tensor m_input; ///< [1, 3, 16, 16], written as in.pb
};

CliResult TestCli::cli(const QStringList& args) const
{
    return lnscope::test::runCli(args, m_dir);
}

TensorMap TestCli::runDirect(const std::string& model, const Tensor& input) const
{
    const Executor executor(importOnnx(m_dir / model));
    return executor.run({{"x", input}});
}

void TestCli::initTestCase()
{
    m_dir = lnscope::test::makeTempDir("lnscope-test-cli");
    convBnModel(false).save(m_dir / "tiny.onnx");
    convBnModel(true).save(m_dir / "two.onnx");
    convBnModel(false, false).save(m_dir / "unshaped.onnx");

    ModelBuilder unsupported(13, "odd");
    unsupported.input("x", {1, 3, 16, 16});
    unsupported.node("FrobnicateOp", {"x"}, {"y"}, "frob1");
    unsupported.output("y");
    unsupported.save(m_dir / "unsupported.onnx");

    m_input = randomTensor({1, 3, 16, 16}, 21, 0.f, 1.f);
    writeTensorPb(m_input, m_dir / "in.pb", "x");
    writeTensorPb(randomTensor({1, 3, 8, 8}, 22), m_dir / "wrong_size.pb");
    writeTensorPb(randomTensor({3, 16, 16}, 23), m_dir / "wrong_rank.pb");
    writeTensorPb(Tensor(DType::Int64, {1, 3, 16, 16}), m_dir / "int64.pb");
    writeBytes(m_dir / "garbage.onnx", "this is not an ONNX model, just some text\x01\x02\xff");
    writeBytes(m_dir / "garbage.pb", "\xff\xfe\x00 not a tensor");
    writeBytes(m_dir / "garbage.png", "\x89PNG but then nothing that decodes");

    // 20×12 so that the default sizing (the model's fixed 16×16) really resizes.
    QImage image(20, 12, QImage::Format_RGB888);
    for (int y = 0; y < image.height(); ++y)
        for (int x = 0; x < image.width(); ++x)
            image.setPixelColor(x, y, QColor(x * 12, y * 20, (x * y * 7) % 256));
    QVERIFY(image.save(path("image.png")));
}

void TestCli::cleanupTestCase()
{
    if (qEnvironmentVariableIsSet("LNSCOPE_KEEP_TEST_FILES")) { // to look at what the CLI wrote
        qInfo("kept %s", m_dir.c_str());
        return;
    }
    std::error_code ignored;
    fs::remove_all(m_dir, ignored);
}

void TestCli::helpAndVersion_data()
{
    QTest::addColumn<QString>("args");
    QTest::addColumn<QStringList>("expected");
    QTest::addRow("top-level --help") << "--help" << QStringList{"info", "run", "convert", "bench", "exit codes"};
    QTest::addRow("help run") << "help run" << QStringList{"usage: lnscope-cli run"};
    QTest::addRow("info --help") << "info --help" << QStringList{"usage: lnscope-cli info", "--json"};
    QTest::addRow("run -h") << "run tiny.onnx -h" << QStringList{"usage: lnscope-cli run", "--output-dir"};
    QTest::addRow("bench --help") << "bench --help" << QStringList{"usage: lnscope-cli bench", "--warmup"};
    QTest::addRow("--version") << "--version" << QStringList{"lnscope-cli 0."};
}

void TestCli::helpAndVersion()
{
    QFETCH(QString, args);
    QFETCH(QStringList, expected);
    const CliResult r = cli(split(args));
    QCOMPARE(r.exitCode, 0);
    for (const QString& e : expected)
        QVERIFY2(r.out.contains(e), qPrintable("missing '" + e + "' in:\n" + r.out));
}

void TestCli::usageErrors_data()
{
    QTest::addColumn<QString>("args");
    QTest::addColumn<QString>("expected");
    QTest::addRow("no arguments") << ""
                                  << "usage: lnscope-cli";
    QTest::addRow("unknown command") << "frobnicate tiny.onnx"
                                     << "unknown command 'frobnicate'";
    QTest::addRow("compare without the converted model") << "compare tiny.onnx --input x.pb"
                                                         << "expected MODEL and CONVERTED";
    QTest::addRow("convert without --out") << "convert tiny.onnx"
                                           << "missing --out DIR";
    QTest::addRow("unknown top-level flag") << "--bogus"
                                            << "unknown option '--bogus'";
    QTest::addRow("info without model") << "info"
                                        << "missing MODEL";
    QTest::addRow("info two models") << "info tiny.onnx two.onnx"
                                     << "expected one MODEL";
    QTest::addRow("info unknown flag") << "info tiny.onnx --bogus"
                                       << "unknown option '--bogus'";
    QTest::addRow("info --json without file") << "info tiny.onnx --json"
                                              << "'--json' needs a value";
    QTest::addRow("run without input") << "run tiny.onnx"
                                       << "missing --input";
    QTest::addRow("run --output and --output-dir") << "run tiny.onnx --input in.pb --output o.pb --output-dir d"
                                                   << "not both";
    QTest::addRow("run --output, two outputs") << "run two.onnx --input in.pb --output o.pb"
                                               << "--output-dir";
    QTest::addRow("run bad --size") << "run tiny.onnx --input image.png --size 16"
                                    << "'--size'";
    QTest::addRow("run bad --mean") << "run tiny.onnx --input image.png --mean 0.5,0.5"
                                    << "'--mean'";
    QTest::addRow("run zero --std") << "run tiny.onnx --input image.png --std 1,0,1"
                                    << "'--std'";
    QTest::addRow("run --threads 0") << "run tiny.onnx --input in.pb --threads 0"
                                     << "'--threads'";
    QTest::addRow("run two inputs for one") << "run tiny.onnx --input in.pb --input in.pb"
                                            << "no model input left";
    QTest::addRow("run repeated --output") << "run tiny.onnx --input in.pb --output a.pb --output b.pb"
                                           << "more than once";
    QTest::addRow("bench --runs abc") << "bench tiny.onnx --runs abc"
                                      << "'--runs'";
    QTest::addRow("bench --warmup -1") << "bench tiny.onnx --warmup -1"
                                       << "'--warmup'";
}

void TestCli::usageErrors()
{
    QFETCH(QString, args);
    QFETCH(QString, expected);
    const CliResult r = cli(split(args));
    QCOMPARE(r.exitCode, 2);
    QVERIFY2(r.err.contains(expected), qPrintable(r.err));
    QVERIFY2(r.err.contains("usage:"), qPrintable(r.err));
    QVERIFY(r.out.isEmpty());
}

void TestCli::badInput_data()
{
    QTest::addColumn<QString>("args");
    QTest::addColumn<QStringList>("expected"); // parts of the message that matter
    QTest::addRow("missing model") << "info nowhere.onnx" << QStringList{"nowhere.onnx", "no such file"};
    QTest::addRow("model is a folder") << "info ." << QStringList{"folder"};
    QTest::addRow("garbage model, info") << "info garbage.onnx" << QStringList{"garbage.onnx"};
    QTest::addRow("garbage model, run") << "run garbage.onnx --input in.pb" << QStringList{"garbage.onnx"};
    QTest::addRow("garbage model, bench") << "bench garbage.onnx" << QStringList{"garbage.onnx"};
    QTest::addRow("missing input file") << "run tiny.onnx --input nothere.pb"
                                        << QStringList{"nothere.pb", "no such file"};
    QTest::addRow("NAME=FILE with unknown name")
        << "run tiny.onnx --input q=in.pb" << QStringList{"q=in.pb", "'q' is not a model input"};
    QTest::addRow("pb of the wrong size")
        << "run tiny.onnx --input wrong_size.pb"
        << QStringList{"wrong_size.pb", "input 'x'", "dimension 2 is 8 instead of 16"};
    QTest::addRow("pb of the wrong rank")
        << "run tiny.onnx --input x=wrong_rank.pb" << QStringList{"wrong_rank.pb", "input 'x'", "rank 3"};
    QTest::addRow("pb of the wrong type")
        << "run tiny.onnx --input int64.pb" << QStringList{"int64.pb", "element type"};
    QTest::addRow("garbage pb") << "run tiny.onnx --input garbage.pb" << QStringList{"garbage.pb", "TensorProto"};
    QTest::addRow("unreadable image") << "run tiny.onnx --input garbage.png" << QStringList{"garbage.png", "image"};
    QTest::addRow("image of the wrong size")
        << "run tiny.onnx --input image.png --size 20x12" << QStringList{"image.png", "input 'x'", "dimension 2 is 12"};
    QTest::addRow("bench input of the wrong size")
        << "bench tiny.onnx --input wrong_size.pb" << QStringList{"wrong_size.pb", "input 'x'"};
    QTest::addRow("unsupported op, run") << "run unsupported.onnx --input in.pb"
                                         << QStringList{"unsupported.onnx", "frob1", "FrobnicateOp"};
    QTest::addRow("unwritable output") << "run tiny.onnx --input in.pb --output no/such/dir/out.pb"
                                       << QStringList{"no/such/dir/out.pb"};
    QTest::addRow("output folder is a file") << "run tiny.onnx --input in.pb --output-dir in.pb"
                                             << QStringList{"in.pb", "cannot create the output folder"};
}

void TestCli::badInput()
{
    QFETCH(QString, args);
    QFETCH(QStringList, expected);
    const CliResult r = cli(split(args));
    QCOMPARE(r.exitCode, 1);
    for (const QString& e : expected)
        QVERIFY2(r.err.contains(e), qPrintable("missing '" + e + "' in:\n" + r.err));
    QVERIFY2(r.err.startsWith("lnscope-cli: "), qPrintable(r.err));
    // One message (the unsupported-op list is one message spread over lines).
    QCOMPARE(r.err.count("lnscope-cli"), 1);
    QVERIFY2(!r.err.contains("usage:"), qPrintable(r.err));
}

void TestCli::infoTable()
{
    const CliResult r = cli({"info", "tiny.onnx"});
    QCOMPARE(r.exitCode, 0);
    QVERIFY2(r.err.isEmpty(), qPrintable(r.err));
    const QStringList patterns = {
        R"(Graph\s+tiny)",
        R"(Opset\s+13)",
        R"(x\s+float\s+\[N, 3, 16, 16\])", // symbolic dims by name
        R"(Conv\s+1\s+)",
        R"(BatchNormalization\s+1\s+)",
        R"(Relu\s+1\s+)",
        R"(GlobalAveragePool\s+1\s+)",
        R"(conv1\s+Conv\s+\[4, 3, 3, 3\] \[4\]\s+112\s+448)",
        R"(bn1\s+BatchNormalization\s+\[4\] \[4\] \[4\] \[4\]\s+16\s+64)",
        R"(total\s+128\s+512)",
        R"(bn1\s+conv1)", // the BN folds into the conv
    };
    for (const QString& p : patterns)
        QVERIFY2(QRegularExpression(p).match(r.out).hasMatch(), qPrintable("no match for " + p + " in:\n" + r.out));
}

void TestCli::infoJson()
{
    const CliResult r = cli({"info", "tiny.onnx", "--json", "info.json"});
    QCOMPARE(r.exitCode, 0);
    QVERIFY(!fs::exists(m_dir / "info.json.part"));
    const QJsonObject j = lnscope::test::readJsonObject(m_dir / "info.json");
    QCOMPARE(j["name"].toString(), "tiny");
    QCOMPARE(j["opset"].toInt(), 13);
    QCOMPARE(j["inputs"][0]["shape"].toArray(), (QJsonArray{"N", 3, 16, 16}));
    const QJsonObject hist = j["opHistogram"].toObject();
    QCOMPARE(hist.size(), 4);
    for (const char* op : {"Conv", "BatchNormalization", "Relu", "GlobalAveragePool"})
        QCOMPARE(hist[op].toInt(), 1);
    QCOMPARE(j["totals"]["parameters"].toInt(), 128);
    QCOMPARE(j["totals"]["float32Bytes"].toInt(), 512);
    const QJsonArray layers = j["layers"].toArray();
    QCOMPARE(layers.size(), 2);
    QCOMPARE(layers[0]["name"].toString(), "conv1");
    QCOMPARE(layers[0]["parameters"].toInt(), 112);
    QCOMPARE(layers[0]["weightShapes"].toArray(), (QJsonArray{QJsonArray{4, 3, 3, 3}, QJsonArray{4}}));
    QCOMPARE(layers[1]["parameters"].toInt(), 16);
    const QJsonArray bns = j["batchNorms"].toArray();
    QCOMPARE(bns.size(), 1);
    QCOMPARE(bns[0]["node"].toString(), "bn1");
    QCOMPARE(bns[0]["folds"].toBool(), true);
    QCOMPARE(bns[0]["into"].toString(), "conv1");
}

void TestCli::infoDescribesUnsupportedModels()
{
    // info describes what it cannot run, and says which ops are missing.
    const CliResult r = cli({"info", "unsupported.onnx", "--json", "odd.json"});
    QCOMPARE(r.exitCode, 0);
    QVERIFY2(QRegularExpression(R"(FrobnicateOp\s+1\s+NO)").match(r.out).hasMatch(), qPrintable(r.out));
    QCOMPARE(lnscope::test::readJsonObject(m_dir / "odd.json")["unsupportedOps"].toArray(), QJsonArray{"FrobnicateOp"});
}

void TestCli::runPbMatchesExecutor()
{
    const CliResult r = cli({"run", "tiny.onnx", "--input", "in.pb", "--output", "out.pb"});
    QCOMPARE(r.exitCode, 0);
    QVERIFY2(r.err.isEmpty(), qPrintable(r.err));
    const Tensor written = readTensorPb(m_dir / "out.pb");
    QCOMPARE(written.shape(), (Shape{1, 4, 1, 1}));
    const Tensor expected = runDirect("tiny.onnx", m_input).at("y");
    LNSCOPE_COMPARE_TENSORS(written, expected, (Tolerance{0.0, 0.0, 0.0})); // same executor, same threads
    QVERIFY2(QRegularExpression(R"(y\s+float\s+\[1, 4, 1, 1\])").match(r.out).hasMatch(), qPrintable(r.out));
    QVERIFY2(r.out.contains("Argmax classes of 'y'"), qPrintable(r.out));
}

void TestCli::runOutputDirWritesEveryOutput()
{
    const CliResult r = cli({"run", "two.onnx", "--input", "x=in.pb", "--output-dir", "outs/nested"});
    QCOMPARE(r.exitCode, 0);
    const TensorMap expected = runDirect("two.onnx", m_input);
    for (const std::string name : {"y", "r"}) {
        const fs::path file = m_dir / "outs/nested" / (name + ".pb");
        QVERIFY2(fs::exists(file), file.c_str());
        LNSCOPE_COMPARE_TENSORS(readTensorPb(file), expected.at(name), (Tolerance{0.0, 0.0, 0.0}));
    }
    // r is N×C×H×W: the histogram counts 16·16 positions.
    QVERIFY2(r.out.contains("Argmax classes of 'r' over C=4 (256 positions"), qPrintable(r.out));
}

void TestCli::runImage_data()
{
    QTest::addColumn<QString>("flags");
    QTest::addColumn<int>("width");
    QTest::addColumn<bool>("rgb");
    QTest::addColumn<QList<float>>("mean");
    QTest::addColumn<QList<float>>("std");
    // No --size: the model's fixed 16×16 is used.
    QTest::addRow("defaults") << "" << 16 << true << QList<float>{0, 0, 0} << QList<float>{1, 1, 1};
    QTest::addRow("normalized BGR") << "--mean 0.5,0.4,0.3 --std 0.2,0.25,0.5 --bgr --size 16x16" << 16 << false
                                    << QList<float>{0.5f, 0.4f, 0.3f} << QList<float>{0.2f, 0.25f, 0.5f};
}

void TestCli::runImage()
{
    QFETCH(QString, flags);
    QFETCH(int, width);
    QFETCH(bool, rgb);
    QFETCH(QList<float>, mean);
    QFETCH(QList<float>, std);
    const CliResult r =
        cli(QStringList{"run", "tiny.onnx", "--input", "image.png", "--output", "img_out.pb"} + split(flags));
    QCOMPARE(r.exitCode, 0);
    ImageToTensorOptions options;
    options.width = options.height = width;
    options.rgb = rgb;
    for (int c = 0; c < 3; ++c) {
        options.mean[c] = mean[c];
        options.std[c] = std[c];
    }
    const Tensor expected = runDirect("tiny.onnx", readImageTensor(m_dir / "image.png", options)).at("y");
    LNSCOPE_COMPARE_TENSORS(readTensorPb(m_dir / "img_out.pb"), expected, (Tolerance{0.0, 0.0, 0.0}));
    QVERIFY2(r.out.contains("image.png"), qPrintable(r.out));
}

void TestCli::runJson()
{
    const CliResult r = cli({"run", "tiny.onnx", "--input", "in.pb", "--json", "run.json", "--threads", "1"});
    QCOMPARE(r.exitCode, 0);
    const Tensor expected = runDirect("tiny.onnx", m_input).at("y");
    const auto values = expected.floats();
    const QJsonObject out = lnscope::test::readJsonObject(m_dir / "run.json")["outputs"][0].toObject();
    QCOMPARE(out["name"].toString(), "y");
    QCOMPARE(out["shape"].toArray(), (QJsonArray{1, 4, 1, 1}));
    // Thread count changes summation order only within float rounding.
    QVERIFY(qAbs(out["min"].toDouble() - *std::min_element(values.begin(), values.end())) < 1e-5);
    QVERIFY(qAbs(out["max"].toDouble() - *std::max_element(values.begin(), values.end())) < 1e-5);
    QCOMPARE(out["argmaxClasses"].toArray().size(), 1);
    QVERIFY(out["file"].isNull()); // nothing written
}

void TestCli::failedRunWritesNothing()
{
    const CliResult r = cli(
        {"run", "tiny.onnx", "--input", "wrong_size.pb", "--output-dir", "never", "--json", "never.json"});
    QCOMPARE(r.exitCode, 1);
    QVERIFY(!fs::exists(m_dir / "never"));
    QVERIFY(!fs::exists(m_dir / "never.json"));
}

void TestCli::bench()
{
    const CliResult r = cli({"bench", "tiny.onnx", "--runs", "3", "--warmup", "1", "--json", "bench.json"});
    QCOMPARE(r.exitCode, 0);
    QVERIFY2(QRegularExpression(R"(lnscope\s+[0-9.]+\s+[0-9.]+\s+[0-9.]+)").match(r.out).hasMatch(), qPrintable(r.out));
    QVERIFY2(QRegularExpression(R"(OpenCV DNN\s+[0-9.]+\s+[0-9.]+\s+[0-9.]+)").match(r.out).hasMatch(),
             qPrintable(r.out));
    QVERIFY2(QRegularExpression(R"(Ratio of medians \(lnscope / OpenCV DNN\): [0-9.]+x)").match(r.out).hasMatch(),
             qPrintable(r.out));
    QVERIFY2(r.out.contains("Max |diff|"), qPrintable(r.out));
    const QJsonObject j = lnscope::test::readJsonObject(m_dir / "bench.json");
    QCOMPARE(j["runs"].toInt(), 3);
    QCOMPARE(j["lnscope"]["timesMs"].toArray().size(), 3);
    QVERIFY(j["lnscope"]["medianMs"].toDouble() > 0.0);
    QVERIFY(j["opencv"]["available"].toBool());
    QVERIFY(j["ratioOfMedians"].toDouble() > 0.0);
    QCOMPARE(j["comparedElements"].toInt(), 4);
    QVERIFY2(j["maxAbsDiff"].toDouble() < 1e-4, qPrintable(QString::number(j["maxAbsDiff"].toDouble())));
}

void TestCli::benchWithoutOpenCv()
{
    // OpenCV cannot load this model: bench still reports our timings, says why, and exits 0.
    const CliResult r = cli({"bench", "unshaped.onnx", "--runs", "2", "--warmup", "0", "--json", "bench_no_cv.json"});
    QCOMPARE(r.exitCode, 0);
    QVERIFY2(QRegularExpression(R"(lnscope\s+[0-9.]+\s+[0-9.]+\s+[0-9.]+)").match(r.out).hasMatch(), qPrintable(r.out));
    QVERIFY2(r.out.contains("OpenCV DNN unavailable: cannot load the model"), qPrintable(r.out));
    QVERIFY2(r.out.contains("Ratio of medians (lnscope / OpenCV DNN): unavailable"), qPrintable(r.out));
    QVERIFY2(r.err.isEmpty(), qPrintable(r.err)); // OpenCV's own log stays quiet
    const QJsonObject j = lnscope::test::readJsonObject(m_dir / "bench_no_cv.json");
    QCOMPARE(j["opencv"]["available"].toBool(), false);
    QVERIFY(!j["opencv"]["reason"].toString().isEmpty());
    QVERIFY(j["ratioOfMedians"].isNull());
    QCOMPARE(j["lnscope"]["timesMs"].toArray().size(), 2);
}

QTEST_GUILESS_MAIN(TestCli)
#include "test_cli.moc"
