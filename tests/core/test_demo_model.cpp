// The bundled tiny demo model (datasets/models/tiny_segnet.onnx) end to end: import, run the
// float executor on the bundled input, compare with PyTorch's output. This is the smallest test
// that touches every op of the demo path (Conv, BatchNormalization, Relu, Concat, Resize).
// The data and its provenance: datasets/README.md.

#include "test_utils.h"

#include "lnscope/core/compare.h"
#include "lnscope/core/error.h"
#include "lnscope/core/executor.h"
#include "lnscope/core/onnx_import.h"
#include "lnscope/core/tensor_io.h"

#include <QTest>
#include <algorithm>

using namespace lnscope;

namespace {

std::filesystem::path modelPath()
{
    return test::datasetsDir() / "models" / "tiny_segnet.onnx";
}

core::Tensor readSample(const char* relative)
{
    return core::readTensorPb(test::datasetsDir() / relative);
}

} // namespace

// core::Error escaping a slot aborts the QtTest runner; turn it into a readable failure (e.g.
// the unsupported-op list) instead.
#define LNSCOPE_FAIL_ON_ERROR(...)       \
    do {                                 \
        try {                            \
            __VA_ARGS__;                 \
        } catch (const core::Error& e) { \
            QFAIL(e.what());             \
        }                                \
    } while (false)

class TestDemoModel : public QObject
{
    Q_OBJECT
private slots:
    void keepsBatchNormAsNodes()
    {
        // Structure only, so this does not depend on which ops are registered.
        core::ImportOptions options;
        options.requireSupportedOps = false;
        core::Graph graph;
        LNSCOPE_FAIL_ON_ERROR(graph = core::importOnnx(modelPath(), options));
        QCOMPARE(graph.opset, int64_t(13));
        QCOMPARE(graph.inputs.size(), size_t(1));
        QCOMPARE(graph.outputs.size(), size_t(1));
        const auto count = [&](const char* op) {
            return static_cast<int>(std::count_if(graph.nodes.begin(), graph.nodes.end(),
                                                  [&](const core::Node& n) { return n.opType == op; }));
        };
        // Exported with TrainingMode.PRESERVE, so the exporter did not fold BN itself: batch-norm
        // folding needs these nodes to have something to do.
        QCOMPARE(count("BatchNormalization"), 4);
        QCOMPARE(count("Conv"), 5);
        QCOMPARE(count("Resize"), 1);
    }

    void matchesPyTorchReference()
    {
        core::TensorMap outputs;
        core::Tensor expected;
        LNSCOPE_FAIL_ON_ERROR({
            const core::Graph graph = core::importOnnx(modelPath());
            const core::Tensor input = readSample("samples/tiny_input.pb");
            expected = readSample("models/tiny_segnet_reference_output.pb");
            QCOMPARE(input.shape(), (core::Shape{1, 3, 64, 96}));
            const core::Executor executor(graph);
            outputs = executor.run({{graph.inputs.front().name, input}});
        });
        QCOMPARE(expected.shape(), (core::Shape{1, 4, 64, 96}));
        QCOMPARE(outputs.size(), size_t(1));

        // The float32 defaults, no relTol: the logits are O(1) (|x| < 3), and the reference's own
        // float32 rounding noise (measured against a float64 run when the data was made) is
        // 1.3e-6 max, 1.5e-7 mean — two orders below the tolerance, so a different summation
        // order in our kernels cannot make this test flaky.
        const core::TensorComparison c = core::compareTensors(outputs.begin()->second, expected);
        qInfo("executor vs PyTorch: mean |d| %.3g, max |d| %.3g over %lld values", c.meanAbs, c.maxAbs,
              static_cast<long long>(c.count));
        LNSCOPE_COMPARE_TENSORS(outputs.begin()->second, expected, core::Tolerance{});
    }

    void pngGivesTheBundledInput()
    {
        // The PNG through the image reader must give the tensor in tiny_input.pb (which the
        // script computed from the same pixels with the mean/std of tiny_segnet.json): this is
        // the path `lnscope-cli run --input tiny_input.png` takes.
        core::ImageToTensorOptions options;
        options.mean = {0.485f, 0.456f, 0.406f};
        options.std = {0.229f, 0.224f, 0.225f};
        core::Tensor fromPng;
        core::Tensor fromPb;
        LNSCOPE_FAIL_ON_ERROR({
            fromPng = core::readImageTensor(test::datasetsDir() / "samples" / "tiny_input.png", options);
            fromPb = readSample("samples/tiny_input.pb");
        });
        LNSCOPE_COMPARE_TENSORS(fromPng, fromPb, (core::Tolerance{1e-6, 1e-5, 0.0}));
    }
};

QTEST_GUILESS_MAIN(TestDemoModel)
#include "test_demo_model.moc"
