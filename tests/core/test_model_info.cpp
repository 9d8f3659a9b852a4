#include "lnscope/core/model_info.h"
#include "model_builder.h"
#include "test_utils.h"

#include <QTest>

using namespace lnscope::core;
using lnscope::test::ModelBuilder;
using lnscope::test::randomTensor;

class TestModelInfo : public QObject
{
    Q_OBJECT
private slots:
    void countsLearnedParametersOnly()
    {
        // Conv (W + bias) → Add of a per-channel tensor (a parameter) → Add of a scalar (not a
        // per-channel parameter) → Resize with a scales constant (a shape constant, not a weight).
        ModelBuilder b;
        b.input("x", {1, 3, 8, 8}).output("y");
        b.initializer("w", randomTensor({4, 3, 3, 3}, 1)).initializer("b", randomTensor({4}, 2));
        b.initializer("shift", randomTensor({1, 4, 1, 1}, 3)).initializer("one", Tensor::scalar(1.f));
        b.initializer("scales", Tensor::fromFloats({4}, {1, 1, 2, 2}));
        b.node("Conv", {"x", "w", "b"}, {"c"}, "conv");
        b.node("Add", {"c", "shift"}, {"a"}, "affine");
        b.node("Add", {"a", "one"}, {"s"}, "plus_one");
        b.node("Resize", {"s", "", "scales"}, {"y"}, "up");
        const ModelInfo info = describeModel(b.import());
        QCOMPARE(info.layers.size(), size_t(2));
        QCOMPARE(info.layers[0].name, std::string("conv"));
        QCOMPARE(info.layers[0].parameters, int64_t(4 * 3 * 3 * 3 + 4));
        QCOMPARE(info.layers[1].name, std::string("affine"));
        QCOMPARE(info.layers[1].parameters, int64_t(4));
        QCOMPARE(info.totalParameters, int64_t(112 + 4));
        QCOMPARE(info.totalFloat32Bytes, info.totalParameters * 4);
        QCOMPARE(info.opHistogram.at("Add"), 2);
        QCOMPARE(info.opHistogram.at("Resize"), 1);
    }
};

QTEST_GUILESS_MAIN(TestModelInfo)
#include "test_model_info.moc"
