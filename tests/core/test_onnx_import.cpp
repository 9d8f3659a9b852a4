#include "lnscope/core/error.h"
#include "lnscope/core/onnx_import.h"
#include "model_builder.h"
#include "test_utils.h"

#include <QTest>

using namespace lnscope::core;
using lnscope::test::ModelBuilder;

class TestOnnxImport : public QObject
{
    Q_OBJECT
private slots:
    void constantsBecomeInitializers()
    {
        ModelBuilder b;
        b.input("x", {1, 4}).output("y");
        auto& c = b.node("Constant", {}, {"k"});
        ModelBuilder::attr(c, "value", Tensor::fromFloats({1, 4}, {1, 2, 3, 4}));
        b.node("Add", {"x", "k"}, {"y"});
        Graph g = b.import();
        QCOMPARE(g.nodes.size(), size_t(1));
        QVERIFY(g.isInitializer("k"));
        QCOMPARE(g.initializer("k")->floats()[3], 4.f);
        QCOMPARE(g.opset, int64_t(13));
    }
    void nodesAreSortedTopologically()
    {
        ModelBuilder b;
        b.input("x", {1, 4}).output("z");
        b.node("Relu", {"y"}, {"z"}, "second");
        b.node("Relu", {"x"}, {"y"}, "first");
        Graph g = b.import();
        QCOMPARE(g.nodes[0].name, std::string("first"));
        QCOMPARE(g.nodes[1].name, std::string("second"));
    }
    void dynamicDimsStaySymbolic()
    {
        ModelBuilder b;
        b.input("x", {-1, 3}).output("y");
        b.node("Relu", {"x"}, {"y"});
        Graph g = b.import();
        QCOMPARE(g.inputs.size(), size_t(1));
        QCOMPARE(g.inputs[0].shape[0].value, int64_t(-1));
        QCOMPARE(g.inputs[0].shape[1].value, int64_t(3));
    }
    void unsupportedOpsAreListedAllAtOnce()
    {
        ModelBuilder b;
        b.input("x", {1, 4}).output("z");
        b.node("Celu", {"x"}, {"y"}, "bad_one");
        b.node("Erf", {"y"}, {"z"}, "bad_two");
        try {
            b.import();
            QFAIL("expected UnsupportedError");
        } catch (const UnsupportedError& e) {
            const std::string msg = e.what();
            QVERIFY2(msg.find("bad_one: Celu (opset 13)") != std::string::npos, msg.c_str());
            QVERIFY2(msg.find("bad_two: Erf (opset 13)") != std::string::npos, msg.c_str());
            QVERIFY2(msg.find("2 unsupported nodes") != std::string::npos, msg.c_str());
        }
    }
};

QTEST_GUILESS_MAIN(TestOnnxImport)
#include "test_onnx_import.moc"
