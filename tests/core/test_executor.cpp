// Executor behaviour that is independent of any single op: input binding (dynamic and fixed
// dims), taps, freeing of intermediates, determinism, initializers as outputs, cancellation and
// the all-at-once unsupported-op report. Models are built in memory with ModelBuilder.

#include "lnscope/core/error.h"
#include "lnscope/core/executor.h"
#include "lnscope/core/onnx_import.h"
#include "model_builder.h"
#include "test_utils.h"

#include <QTest>
#include <cstring>
#include <set>
#include <string>
#include <vector>

using namespace lnscope::core;
using lnscope::test::ModelBuilder;
using lnscope::test::randomTensor;

namespace {

/// x[N,3,8,8] (N symbolic) → Conv 3×3 pad 1 → Relu → GlobalAveragePool → Flatten → y[N,4].
ModelBuilder batchModel()
{
    ModelBuilder b(13, "batch");
    b.input("x", {-1, 3, 8, 8});
    b.randomInitializer("w", {4, 3, 3, 3}, 1);
    b.randomInitializer("b", {4}, 2);
    ModelBuilder::attr(b.node("Conv", {"x", "w", "b"}, {"c"}, "conv"), "pads", std::vector<int64_t>{1, 1, 1, 1});
    b.node("Relu", {"c"}, {"r"}, "relu");
    b.node("GlobalAveragePool", {"r"}, {"g"}, "gap");
    b.node("Flatten", {"g"}, {"y"}, "flatten");
    b.output("y");
    return b;
}

/// x[1,2,4,4] → Conv → Relu → Split (2 outputs, the second read by nobody) → MaxPool → y.
ModelBuilder tapModel()
{
    ModelBuilder b(13, "taps");
    b.input("x", {1, 2, 4, 4});
    b.randomInitializer("w", {4, 2, 3, 3}, 3);
    ModelBuilder::attr(b.node("Conv", {"x", "w"}, {"c"}, "conv"), "pads", std::vector<int64_t>{1, 1, 1, 1});
    b.node("Relu", {"c"}, {"r"}, "relu");
    ModelBuilder::attr(b.node("Split", {"r"}, {"s0", "s1"}, "split"), "axis", int64_t(1));
    auto& pool = b.node("MaxPool", {"s0"}, {"y"}, "pool");
    ModelBuilder::attr(pool, "kernel_shape", std::vector<int64_t>{2, 2});
    ModelBuilder::attr(pool, "strides", std::vector<int64_t>{2, 2});
    b.output("y");
    return b;
}

/// Slice [n, n+1) of the batch axis.
Tensor batchItem(const Tensor& t, int64_t n)
{
    Shape shape = t.shape();
    shape[0] = 1;
    const int64_t per = t.numel() / t.dim(0);
    auto all = t.floats();
    return Tensor::fromFloats(shape, std::vector<float>(all.begin() + n * per, all.begin() + (n + 1) * per));
}

/// Catches whatever `fn` throws and returns "<kind>: <message>", or "" when nothing was thrown.
template <typename Fn>
std::string thrown(Fn&& fn)
{
    try {
        fn();
    } catch (const Cancelled& e) {
        return std::string("Cancelled: ") + e.what();
    } catch (const ShapeError& e) {
        return std::string("ShapeError: ") + e.what();
    } catch (const UnsupportedError& e) {
        return std::string("UnsupportedError: ") + e.what();
    } catch (const std::exception& e) {
        return std::string("other: ") + e.what();
    }
    return {};
}

/// Records every report() and cancels itself once `cancelAtNode` reports have arrived.
class RecordingProgress : public CancelFlag
{
public:
    explicit RecordingProgress(int cancelAfter = -1) : m_cancelAfter(cancelAfter) {}
    void report(double fraction, const std::string& stage) override
    {
        fractions.push_back(fraction);
        stages.push_back(stage);
        if (m_cancelAfter >= 0 && static_cast<int>(stages.size()) >= m_cancelAfter)
            cancel();
    }
    std::vector<double> fractions;
    std::vector<std::string> stages;

private:
    int m_cancelAfter;
};

} // namespace

class TestExecutor : public QObject
{
    Q_OBJECT

private slots:
    void dynamicBatch_data();
    void dynamicBatch();
    void inputMismatch_data();
    void inputMismatch();
    void tapsReportEveryNodeInOrder();
    void intermediatesStayOutOfTheResult();
    void deterministic_data();
    void deterministic();
    void initializerOrInputAsOutput();
    void outputAlsoReadByALaterNode();
    void cancelledBeforeRun();
    void cancelledBetweenNodes();
    void progressReportsEveryNode();
    void unsupportedOpsListedAtOnce();
    void generatedNodeNamesAreUnique();
};

void TestExecutor::dynamicBatch_data()
{
    QTest::addColumn<int>("batch");
    QTest::addRow("N=1") << 1;
    QTest::addRow("N=3") << 3;
}

void TestExecutor::dynamicBatch()
{
    // The symbolic batch dim takes the actual input's size, and every batch item is computed as
    // if it ran alone (no cross-talk between items through a shape fixed at bind time).
    QFETCH(int, batch);
    const Executor exec(batchModel().import());
    const Tensor x = randomTensor({batch, 3, 8, 8}, 10);
    const TensorMap out = exec.run({{"x", x}});
    QCOMPARE(out.size(), size_t(1));
    const Tensor& y = out.at("y");
    QCOMPARE(y.shape(), (Shape{batch, 4}));
    for (int n = 0; n < batch; ++n) {
        const Tensor alone = exec.run({{"x", batchItem(x, n)}}).at("y");
        LNSCOPE_COMPARE_TENSORS(batchItem(y, n), alone, Tolerance{});
    }
}

void TestExecutor::inputMismatch_data()
{
    QTest::addColumn<QString>("inputName");
    QTest::addColumn<QVariant>("shape"); // QList<qlonglong>; empty name: no input at all
    QTest::addColumn<bool>("asInt");
    QTest::addColumn<QString>("fragment");
    auto shape = [](std::initializer_list<qlonglong> s) { return QVariant::fromValue(QList<qlonglong>(s)); };
    QTest::addRow("fixed dim differs") << "x" << shape({1, 2, 4, 5}) << false << "input 'x' dimension 3 must be 4, got shape [1, 2, 4, 5]";
    QTest::addRow("fixed batch differs") << "x" << shape({2, 2, 4, 4}) << false << "input 'x' dimension 0 must be 1";
    QTest::addRow("rank differs") << "x" << shape({2, 4, 4}) << false << "input 'x' must have rank 4, got shape [2, 4, 4]";
    QTest::addRow("int64 instead of float") << "x" << shape({1, 2, 4, 4}) << true << "input 'x' must be float, got int64";
    QTest::addRow("missing input") << "" << shape({}) << false << "missing input 'x'";
    QTest::addRow("input under another name") << "z" << shape({1, 2, 4, 4}) << false << "missing input 'x'";
}

void TestExecutor::inputMismatch()
{
    QFETCH(QString, inputName);
    QFETCH(QVariant, shape);
    QFETCH(bool, asInt);
    QFETCH(QString, fragment);
    Shape s;
    for (qlonglong d : shape.value<QList<qlonglong>>())
        s.push_back(d);
    TensorMap inputs;
    if (!inputName.isEmpty())
        inputs[inputName.toStdString()] = asInt ? Tensor(DType::Int64, s) : randomTensor(s, 1);
    const Executor exec(tapModel().import());
    const std::string error = thrown([&] { exec.run(inputs); });
    QVERIFY2(error.rfind("ShapeError: ", 0) == 0, error.c_str());
    QVERIFY2(QString::fromStdString(error).contains(fragment), error.c_str());
}

void TestExecutor::tapsReportEveryNodeInOrder()
{
    struct Seen
    {
        int index;
        std::string name;
        std::vector<std::string> outputs;
        std::vector<Shape> shapes;
    };
    std::vector<Seen> seen;
    std::vector<Tensor> relu, split;
    const Executor exec(tapModel().import());
    const TensorMap out = exec.run({{"x", randomTensor({1, 2, 4, 4}, 4)}}, [&](int index, const Node& node, const std::vector<Tensor>& outs) {
        Seen s{index, node.name, node.outputs, {}};
        for (const Tensor& t : outs)
            s.shapes.push_back(t.shape());
        seen.push_back(s);
        if (node.name == "relu")
            relu = outs;
        if (node.name == "split")
            split = outs; // copies: the unread s1 is freed right after this call
    });

    const std::vector<Seen> expected = {
        {0, "conv", {"c"}, {{1, 4, 4, 4}}},
        {1, "relu", {"r"}, {{1, 4, 4, 4}}},
        {2, "split", {"s0", "s1"}, {{1, 2, 4, 4}, {1, 2, 4, 4}}},
        {3, "pool", {"y"}, {{1, 2, 2, 2}}},
    };
    QCOMPARE(seen.size(), expected.size());
    for (size_t i = 0; i < expected.size(); ++i) {
        QCOMPARE(seen[i].index, expected[i].index);
        QCOMPARE(seen[i].name, expected[i].name);
        QCOMPARE(seen[i].outputs, expected[i].outputs);
        QCOMPARE(seen[i].shapes, expected[i].shapes);
    }
    // The tapped tensors are the real ones: Split's halves are Relu's channels 0-1 and 2-3.
    QCOMPARE(split.size(), size_t(2));
    auto r = relu.at(0).floats();
    for (int half = 0; half < 2; ++half) {
        auto s = split[half].floats();
        QVERIFY(std::equal(s.begin(), s.end(), r.begin() + half * 32));
    }
}

void TestExecutor::intermediatesStayOutOfTheResult()
{
    // Intermediates are visible to the tap but the result holds the graph outputs only.
    const Executor exec(tapModel().import());
    std::set<std::string> tapped;
    Tensor lastTapped;
    const TensorMap out = exec.run({{"x", randomTensor({1, 2, 4, 4}, 5)}}, [&](int, const Node& node, const std::vector<Tensor>& outs) {
        for (size_t o = 0; o < outs.size(); ++o) {
            QVERIFY(!outs[o].empty());
            tapped.insert(node.outputs[o]);
        }
        lastTapped = outs.back();
    });
    QCOMPARE(tapped, (std::set<std::string>{"c", "r", "s0", "s1", "y"}));
    QCOMPARE(out.size(), size_t(1));
    QVERIFY(out.count("y"));
    QVERIFY(out.at("y") == lastTapped);
}

void TestExecutor::deterministic_data()
{
    QTest::addColumn<int>("threads");
    QTest::addRow("1 thread") << 1;
    QTest::addRow("2 threads") << 2;
    QTest::addRow("4 threads") << 4;
}

void TestExecutor::deterministic()
{
    // Same thread count → the same bits, run after run (DESIGN: results are reproducible).
    QFETCH(int, threads);
    ModelBuilder b(13, "det");
    b.input("x", {2, 8, 16, 16});
    b.randomInitializer("w1", {16, 8, 3, 3}, 6);
    b.randomInitializer("w2", {8, 16, 3, 3}, 7);
    b.randomInitializer("fc", {8 * 4 * 4, 10}, 8);
    ModelBuilder::attr(b.node("Conv", {"x", "w1"}, {"c1"}, "c1"), "pads", std::vector<int64_t>{1, 1, 1, 1});
    b.node("Relu", {"c1"}, {"r1"}, "r1");
    auto& c2 = b.node("Conv", {"r1", "w2"}, {"c2"}, "c2");
    ModelBuilder::attr(c2, "strides", std::vector<int64_t>{2, 2});
    ModelBuilder::attr(c2, "pads", std::vector<int64_t>{1, 1, 1, 1});
    auto& pool = b.node("AveragePool", {"c2"}, {"p"}, "pool");
    ModelBuilder::attr(pool, "kernel_shape", std::vector<int64_t>{2, 2});
    ModelBuilder::attr(pool, "strides", std::vector<int64_t>{2, 2});
    b.node("Flatten", {"p"}, {"f"}, "flatten");
    b.node("Gemm", {"f", "fc"}, {"y"}, "gemm");
    b.output("y");
    ExecOptions options;
    options.threads = threads;
    const Executor exec(b.import(), options);
    const Tensor x = randomTensor({2, 8, 16, 16}, 9);
    const Tensor first = exec.run({{"x", x}}).at("y");
    QCOMPARE(first.shape(), (Shape{2, 10}));
    for (int run = 0; run < 3; ++run) {
        const Tensor again = exec.run({{"x", x}}).at("y");
        QVERIFY2(std::memcmp(first.f(), again.f(), static_cast<size_t>(first.numel()) * sizeof(float)) == 0,
                 ("run " + std::to_string(run + 2) + " differs bitwise from run 1").c_str());
    }
}

void TestExecutor::initializerOrInputAsOutput()
{
    // Graph outputs that no node writes: an initializer and a graph input, passed through as is.
    ModelBuilder b(13, "passthrough");
    b.input("x", {1, 3});
    const Tensor w = randomTensor({2, 2}, 12);
    b.initializer("w", w);
    b.node("Relu", {"x"}, {"y"}, "relu");
    b.output("y");
    b.output("w");
    b.output("x");
    const Executor exec(b.import());
    const Tensor x = Tensor::fromFloats({1, 3}, {-1.f, 0.5f, 2.f});
    const TensorMap out = exec.run({{"x", x}});
    QCOMPARE(out.size(), size_t(3));
    QVERIFY(out.at("w") == w);
    QVERIFY(out.at("x") == x);
    QVERIFY(out.at("y") == Tensor::fromFloats({1, 3}, {0.f, 0.5f, 2.f}));
}

void TestExecutor::outputAlsoReadByALaterNode()
{
    // "r" is both a graph output and the input of a later node: it must not be freed after that
    // node reads it.
    ModelBuilder b(13, "tee");
    b.input("x", {1, 4});
    b.node("Relu", {"x"}, {"r"}, "relu");
    b.node("Add", {"r", "r"}, {"y"}, "add");
    b.output("y");
    b.output("r");
    const Tensor x = Tensor::fromFloats({1, 4}, {-2.f, -0.5f, 1.f, 3.f});
    const TensorMap out = Executor(b.import()).run({{"x", x}});
    QVERIFY(out.at("r") == Tensor::fromFloats({1, 4}, {0.f, 0.f, 1.f, 3.f}));
    QVERIFY(out.at("y") == Tensor::fromFloats({1, 4}, {0.f, 0.f, 2.f, 6.f}));
}

void TestExecutor::cancelledBeforeRun()
{
    const Executor exec(tapModel().import());
    CancelFlag flag;
    flag.cancel();
    int taps = 0;
    const std::string error = thrown([&] {
        exec.run({{"x", randomTensor({1, 2, 4, 4}, 1)}}, [&](int, const Node&, const std::vector<Tensor>&) { ++taps; }, &flag);
    });
    QCOMPARE(error, std::string("Cancelled: cancelled"));
    QCOMPARE(taps, 0);
}

void TestExecutor::cancelledBetweenNodes()
{
    // Cancelling from another thread is modelled by cancelling inside the tap of node 0: the
    // executor must stop before node 1 runs.
    const Executor exec(tapModel().import());
    CancelFlag flag;
    std::vector<std::string> ran;
    const std::string error = thrown([&] {
        exec.run({{"x", randomTensor({1, 2, 4, 4}, 1)}}, [&](int, const Node& node, const std::vector<Tensor>&) {
            ran.push_back(node.name);
            flag.cancel();
        }, &flag);
    });
    QCOMPARE(error, std::string("Cancelled: cancelled"));
    QCOMPARE(ran, std::vector<std::string>{"conv"});
}

void TestExecutor::progressReportsEveryNode()
{
    const Executor exec(tapModel().import());
    RecordingProgress progress;
    exec.run({{"x", randomTensor({1, 2, 4, 4}, 1)}}, {}, &progress);
    QCOMPARE(progress.stages, (std::vector<std::string>{"conv", "relu", "split", "pool", "done"}));
    QCOMPARE(progress.fractions.front(), 0.0);
    QCOMPARE(progress.fractions.back(), 1.0);
    QVERIFY(std::is_sorted(progress.fractions.begin(), progress.fractions.end()));

    // Cancelled from report() (as a GUI's cancel button would, mid-run): stops at the next node.
    RecordingProgress cancelling(2);
    const std::string error = thrown([&] { exec.run({{"x", randomTensor({1, 2, 4, 4}, 1)}}, {}, &cancelling); });
    QCOMPARE(error, std::string("Cancelled: cancelled"));
    QCOMPARE(cancelling.stages, (std::vector<std::string>{"conv", "relu"}));
}

void TestExecutor::unsupportedOpsListedAtOnce()
{
    // The importer can skip the op check (model info on any model); the executor then reports
    // every node it cannot bind in one message, not just the first.
    ModelBuilder b(13, "unknown");
    b.input("x", {1, 4});
    b.node("Relu", {"x"}, {"a"}, "relu");
    b.node("Frobnicate", {"a"}, {"b"}, "frob");
    b.node("Relu", {"b"}, {"c"}, "relu2");
    b.node("Defrobnicate", {"c"}, {"d"}, "defrob");
    b.node("Relu", {"d"}, {"e"}, "vendor").set_domain("com.vendor");
    b.output("e");
    ImportOptions options;
    options.requireSupportedOps = false;
    const Graph g = importOnnxBytes(b.bytes(), "unknown.onnx", {}, options);
    const std::string error = thrown([&] { Executor exec(g); });
    QVERIFY2(error.rfind("UnsupportedError: ", 0) == 0, error.c_str());
    for (const char* part : {"frob: Frobnicate (opset 13)", "defrob: Defrobnicate (opset 13)", "vendor: com.vendor.Relu (opset 13)"})
        QVERIFY2(error.find(part) != std::string::npos, (std::string("missing '") + part + "' in: " + error).c_str());
    QVERIFY2(error.find("relu:") == std::string::npos && error.find("relu2:") == std::string::npos, error.c_str());
}

void TestExecutor::generatedNodeNamesAreUnique()
{
    // Taps and reports key on node names: unnamed or duplicate-named nodes get generated names
    // that must not collide with a name given explicitly elsewhere in the file.
    ModelBuilder b(13, "names");
    b.input("x", {1, 4});
    b.node("Relu", {"x"}, {"a"}, "Relu_1");
    b.node("Relu", {"a"}, {"b"}).set_name("");       // would be generated as "Relu_1"
    b.node("Relu", {"b"}, {"c"}, "Relu_1");           // duplicate explicit name
    b.node("Relu", {"c"}, {"d"}).set_name("Relu_1_2"); // taken before the duplicate is renamed
    b.output("d");
    const Graph g = b.import();
    std::set<std::string> names;
    for (const Node& n : g.nodes)
        names.insert(n.name);
    QCOMPARE(names.size(), g.nodes.size());
    QCOMPARE(g.nodes[0].name, std::string("Relu_1"));
    QCOMPARE(g.nodes[3].name, std::string("Relu_1_2"));
}

QTEST_GUILESS_MAIN(TestExecutor)
#include "test_executor.moc"
