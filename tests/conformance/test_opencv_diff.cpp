// Differential test against an outside judge: OpenCV DNN 4.6 (DESIGN.md). Each row builds a small
// model with seeded random weights, runs it through our Executor and through
// cv::dnn::readNetFromONNX on the same seeded input, and compares the outputs.
//
// Tolerance: per element |ours − OpenCV| ≤ 1e-4 + 1e-4·|OpenCV|, and mean |Δ| ≤ 1e-5. Weights are
// scaled by 1/sqrt(fan-in) so activations stay O(1) through the stacks and the tolerance keeps
// its meaning; the two implementations sum in different orders, nothing more.
//
// Only variants OpenCV 4.6 gets right are here. Left out on purpose (OpenCV is wrong or refuses;
// the ONNX backend suite covers them against the ONNX reference outputs instead):
//  - Clip with min/max as inputs (OpenCV 4.6 refuses the node),
//  - ConvTranspose with asymmetric pads, output_shape, auto_pad or dilations (see those rows),
//  - Resize nearest_mode ceil/round_prefer_ceil and .5 ties (see the Resize rows),
//  - AveragePool count_include_pad = 1 (see the pooling rows).

#include "lnscope/core/executor.h"
#include "lnscope/core/onnx_import.h"
#include "model_builder.h"
#include "test_utils.h"

#include <QTest>
#include <cmath>
#include <functional>
#include <opencv2/core.hpp>
#include <opencv2/dnn.hpp>
#include <string>
#include <vector>

using namespace lnscope::core;
using lnscope::test::ModelBuilder;
using lnscope::test::randomTensor;

namespace {

using Build = std::function<ModelBuilder()>;

struct ConvSpec
{
    int64_t cin = 0, cout = 0;
    std::vector<int64_t> kernel{3, 3};
    std::vector<int64_t> strides{1, 1};
    std::vector<int64_t> pads{1, 1, 1, 1};
    std::vector<int64_t> dilations{1, 1};
    int64_t group = 1;
    bool bias = true;
};

/// Weights uniform in ±sqrt(3 / fan-in) (unit variance per output), seeded per layer.
float weightBound(int64_t fanIn)
{
    return std::sqrt(3.f / static_cast<float>(fanIn));
}

void conv(ModelBuilder& b, const std::string& in, const std::string& out, const ConvSpec& s, uint32_t seed)
{
    const int64_t fanIn = s.cin / s.group * s.kernel[0] * s.kernel[1];
    const float bound = weightBound(fanIn);
    b.randomInitializer(out + "_w", {s.cout, s.cin / s.group, s.kernel[0], s.kernel[1]}, seed, -bound, bound);
    std::vector<std::string> inputs{in, out + "_w"};
    if (s.bias) {
        b.randomInitializer(out + "_b", {s.cout}, seed + 1000, -0.5f, 0.5f);
        inputs.push_back(out + "_b");
    }
    auto& n = b.node("Conv", inputs, {out}, out);
    ModelBuilder::attr(n, "kernel_shape", s.kernel);
    ModelBuilder::attr(n, "strides", s.strides);
    ModelBuilder::attr(n, "pads", s.pads);
    ModelBuilder::attr(n, "dilations", s.dilations);
    ModelBuilder::attr(n, "group", s.group);
}

void relu(ModelBuilder& b, const std::string& in, const std::string& out)
{
    b.node("Relu", {in}, {out}, out);
}

/// x[1,c,h,w] → model → y.
ModelBuilder start(const std::string& name, const Shape& inputShape, int64_t opset = 13)
{
    ModelBuilder b(opset, name);
    b.input("x", inputShape);
    return b;
}

ModelBuilder convTranspose(const Shape& in, int64_t cout, int64_t k, int64_t stride, std::vector<int64_t> pads,
                           std::vector<int64_t> outputPadding, int64_t group = 1)
{
    ModelBuilder b = start("convT", in);
    const int64_t cin = in[1];
    const float bound = weightBound(cin / group * k * k);
    b.randomInitializer("w", {cin, cout / group, k, k}, 31, -bound, bound);
    b.randomInitializer("bias", {cout}, 32, -0.5f, 0.5f);
    auto& n = b.node("ConvTranspose", {"x", "w", "bias"}, {"y"}, "deconv");
    ModelBuilder::attr(n, "kernel_shape", std::vector<int64_t>{k, k});
    ModelBuilder::attr(n, "strides", std::vector<int64_t>{stride, stride});
    ModelBuilder::attr(n, "pads", pads);
    if (!outputPadding.empty())
        ModelBuilder::attr(n, "output_padding", outputPadding);
    if (group != 1)
        ModelBuilder::attr(n, "group", group);
    b.output("y");
    return b;
}

/// Resize (opset 13) by `scales` with an empty roi initializer, as PyTorch exports it.
ModelBuilder resize(const Shape& in, std::vector<float> scales, const std::string& mode, const std::string& transform,
                    const std::string& nearestMode = {})
{
    ModelBuilder b = start("resize", in);
    b.initializer("roi", Tensor(DType::Float32, {0}));
    b.initializer("scales", Tensor::fromFloats({4}, std::move(scales)));
    auto& n = b.node("Resize", {"x", "roi", "scales"}, {"y"}, "resize");
    ModelBuilder::attr(n, "mode", mode);
    ModelBuilder::attr(n, "coordinate_transformation_mode", transform);
    if (!nearestMode.empty())
        ModelBuilder::attr(n, "nearest_mode", nearestMode);
    b.output("y");
    return b;
}

ModelBuilder pool(const std::string& op, const Shape& in, std::vector<int64_t> kernel, std::vector<int64_t> strides,
                  std::vector<int64_t> pads, int64_t countIncludePad = -1, int64_t ceilMode = 0)
{
    ModelBuilder b = start("pool", in);
    auto& n = b.node(op, {"x"}, {"y"}, "pool");
    ModelBuilder::attr(n, "kernel_shape", kernel);
    ModelBuilder::attr(n, "strides", strides);
    ModelBuilder::attr(n, "pads", pads);
    if (countIncludePad >= 0)
        ModelBuilder::attr(n, "count_include_pad", countIncludePad);
    if (ceilMode)
        ModelBuilder::attr(n, "ceil_mode", ceilMode);
    b.output("y");
    return b;
}

Tensor fromMat(const cv::Mat& m)
{
    Shape shape;
    for (int i = 0; i < m.dims; ++i)
        shape.push_back(m.size[i]);
    const cv::Mat c = m.isContinuous() ? m : m.clone();
    const float* p = c.ptr<float>();
    return Tensor::fromFloats(shape, std::vector<float>(p, p + c.total()));
}

/// Runs the model through OpenCV DNN (CPU, its own backend, 2 threads) and returns "y".
Tensor runOpenCv(const std::string& bytes, const Tensor& x)
{
    cv::setNumThreads(2);
    cv::dnn::Net net = cv::dnn::readNetFromONNX(bytes.data(), bytes.size());
    net.setPreferableBackend(cv::dnn::DNN_BACKEND_OPENCV);
    net.setPreferableTarget(cv::dnn::DNN_TARGET_CPU);
    std::vector<int> sizes(x.shape().begin(), x.shape().end());
    cv::Mat blob(static_cast<int>(sizes.size()), sizes.data(), CV_32F, const_cast<float*>(x.f()));
    net.setInput(blob, "x");
    return fromMat(net.forward("y"));
}

} // namespace

Q_DECLARE_METATYPE(Build)

class TestOpencvDiff : public QObject
{
    Q_OBJECT

private slots:
    void matchesOpenCv_data();
    void matchesOpenCv();
};

void TestOpencvDiff::matchesOpenCv_data()
{
    QTest::addColumn<Build>("build");
    QTest::addColumn<QList<qlonglong>>("inputShape");
    using S = QList<qlonglong>;

    // --- Convolutions ---------------------------------------------------------------------
    QTest::addRow("conv3x3 stack with ReLU") << Build([] {
        ModelBuilder b = start("stack", {1, 3, 16, 16});
        conv(b, "x", "c1", {.cin = 3, .cout = 8}, 1);
        relu(b, "c1", "r1");
        conv(b, "r1", "c2", {.cin = 8, .cout = 8}, 2);
        relu(b, "c2", "r2");
        conv(b, "r2", "y", {.cin = 8, .cout = 4}, 3);
        b.output("y");
        return b;
    }) << S{1, 3, 16, 16};
    QTest::addRow("conv stride 2, odd input") << Build([] {
        ModelBuilder b = start("s2", {1, 4, 15, 15});
        conv(b, "x", "c", {.cin = 4, .cout = 6, .strides = {2, 2}}, 4);
        relu(b, "c", "y");
        b.output("y");
        return b;
    }) << S{1, 4, 15, 15};
    QTest::addRow("conv stride 2, asymmetric pads") << Build([] {
        ModelBuilder b = start("s2asym", {1, 4, 16, 16});
        conv(b, "x", "y", {.cin = 4, .cout = 6, .strides = {2, 2}, .pads = {0, 0, 1, 1}}, 5);
        b.output("y");
        return b;
    }) << S{1, 4, 16, 16};
    QTest::addRow("conv dilation 2") << Build([] {
        ModelBuilder b = start("dil", {1, 4, 16, 16});
        conv(b, "x", "y", {.cin = 4, .cout = 5, .pads = {2, 2, 2, 2}, .dilations = {2, 2}}, 6);
        b.output("y");
        return b;
    }) << S{1, 4, 16, 16};
    QTest::addRow("conv 3x5 kernel, no bias") << Build([] {
        ModelBuilder b = start("rect", {1, 3, 12, 14});
        conv(b, "x", "y", {.cin = 3, .cout = 4, .kernel = {3, 5}, .pads = {1, 2, 1, 2}, .bias = false}, 7);
        b.output("y");
        return b;
    }) << S{1, 3, 12, 14};
    QTest::addRow("conv 1x1, batch 2") << Build([] {
        ModelBuilder b = start("pw", {2, 8, 7, 7});
        conv(b, "x", "y", {.cin = 8, .cout = 16, .kernel = {1, 1}, .pads = {0, 0, 0, 0}}, 8);
        b.output("y");
        return b;
    }) << S{2, 8, 7, 7};
    QTest::addRow("depthwise conv (group = C)") << Build([] {
        ModelBuilder b = start("dw", {1, 8, 12, 12});
        conv(b, "x", "c", {.cin = 8, .cout = 8, .group = 8}, 9);
        relu(b, "c", "y");
        b.output("y");
        return b;
    }) << S{1, 8, 12, 12};
    QTest::addRow("depthwise conv stride 2 then pointwise") << Build([] {
        ModelBuilder b = start("dwpw", {1, 8, 13, 13});
        conv(b, "x", "dw", {.cin = 8, .cout = 8, .strides = {2, 2}, .group = 8}, 10);
        relu(b, "dw", "r");
        conv(b, "r", "y", {.cin = 8, .cout = 12, .kernel = {1, 1}, .pads = {0, 0, 0, 0}}, 11);
        b.output("y");
        return b;
    }) << S{1, 8, 13, 13};
    QTest::addRow("grouped conv (group 2)") << Build([] {
        ModelBuilder b = start("grp", {1, 8, 10, 10});
        conv(b, "x", "y", {.cin = 8, .cout = 6, .group = 2}, 12);
        b.output("y");
        return b;
    }) << S{1, 8, 10, 10};
    QTest::addRow("grouped conv (group 4, channel multiplier 2)") << Build([] {
        ModelBuilder b = start("grp4", {1, 8, 9, 9});
        conv(b, "x", "y", {.cin = 8, .cout = 16, .strides = {2, 2}, .group = 4}, 13);
        b.output("y");
        return b;
    }) << S{1, 8, 9, 9};

    // --- Transposed convolutions (the variants OpenCV handles: explicit pads/output_padding) ---
    QTest::addRow("conv transpose stride 2, k3, pads 1, output_padding 1")
        << Build([] { return convTranspose({1, 4, 6, 6}, 3, 3, 2, {1, 1, 1, 1}, {1, 1}); }) << S{1, 4, 6, 6};
    QTest::addRow("conv transpose stride 2, k4, pads 1")
        << Build([] { return convTranspose({1, 4, 5, 5}, 6, 4, 2, {1, 1, 1, 1}, {}); }) << S{1, 4, 5, 5};
    QTest::addRow("conv transpose stride 2, k2, no pads")
        << Build([] { return convTranspose({1, 6, 4, 4}, 4, 2, 2, {0, 0, 0, 0}, {}); }) << S{1, 6, 4, 4};
    QTest::addRow("conv transpose stride 1, k3, pads 1")
        << Build([] { return convTranspose({1, 3, 7, 7}, 5, 3, 1, {1, 1, 1, 1}, {}); }) << S{1, 3, 7, 7};

    QTest::addRow("conv transpose stride 3, k3, output_padding 2")
        << Build([] { return convTranspose({1, 4, 5, 5}, 3, 3, 3, {0, 0, 0, 0}, {2, 2}); }) << S{1, 4, 5, 5};
    QTest::addRow("conv transpose group 2, stride 2, pads 1")
        << Build([] { return convTranspose({1, 4, 5, 5}, 6, 3, 2, {1, 1, 1, 1}, {1, 1}, 2); }) << S{1, 4, 5, 5};
    QTest::addRow("conv transpose depthwise, stride 2, k4")
        << Build([] { return convTranspose({1, 4, 5, 5}, 4, 4, 2, {1, 1, 1, 1}, {}, 4); }) << S{1, 4, 5, 5};
    // Not tried against OpenCV 4.6, which gets them wrong (checked; shapes for a 5×5 input, k3,
    // stride 2; ours follow the ONNX formulas):
    //  - asymmetric pads {0, 1, 1, 0}: refused;
    //  - output_shape {10, 10}: OpenCV ignores it and returns 11×11;
    //  - auto_pad SAME_UPPER: ONNX wants in·stride = 10×10, OpenCV returns 9×9;
    //  - dilations 2 with pads 1: ONNX wants 11×11, OpenCV ignores the dilation (9×9).

    // --- Resize (opset 13, scales) ----------------------------------------------------------
    // Kept: every mode below agrees with OpenCV. Dropped after checking by hand against the ONNX
    // formulas on this seeded input (our output was the correct one each time):
    //  - nearest_mode ceil / round_prefer_ceil: OpenCV 4.6 ignores nearest_mode and floors
    //    (x1.5 asymmetric, output x=1 → x_orig 0.667: ONNX picks input 1, OpenCV input 0);
    //  - nearest align_corners with an exact .5 tie (x1.5 on width 6, x=4 → 2.5): ONNX's
    //    round_prefer_floor picks 2, OpenCV rounds half up to 3.
    // Integer-ratio nearest cases with half_pixel/align_corners never hit a tie, so they stay.
    auto resizeRow = [](const char* name, Shape in, std::vector<float> scales, const char* mode, const char* transform,
                        const char* nearestMode = "") {
        const std::string nm = nearestMode;
        QTest::addRow("%s", name) << Build([=] { return resize(in, scales, mode, transform, nm); })
                                  << QList<qlonglong>(in.begin(), in.end());
    };
    resizeRow("resize nearest x2, asymmetric floor", {1, 3, 5, 6}, {1, 1, 2, 2}, "nearest", "asymmetric", "floor");
    resizeRow("resize nearest x3, asymmetric floor", {1, 2, 4, 4}, {1, 1, 3, 3}, "nearest", "asymmetric", "floor");
    resizeRow("resize nearest x2 by x3, asymmetric floor", {1, 3, 4, 5}, {1, 1, 2, 3}, "nearest", "asymmetric", "floor");
    resizeRow("resize nearest x1.5, asymmetric floor", {1, 3, 4, 6}, {1, 1, 1.5f, 1.5f}, "nearest", "asymmetric", "floor");
    resizeRow("resize nearest x0.5, asymmetric floor", {1, 3, 8, 10}, {1, 1, 0.5f, 0.5f}, "nearest", "asymmetric", "floor");
    resizeRow("resize nearest x2, half_pixel round_prefer_floor", {1, 3, 5, 6}, {1, 1, 2, 2}, "nearest", "half_pixel",
              "round_prefer_floor");
    resizeRow("resize nearest x1.5, half_pixel round_prefer_floor", {1, 3, 4, 6}, {1, 1, 1.5f, 1.5f}, "nearest",
              "half_pixel", "round_prefer_floor");
    resizeRow("resize nearest x0.5, half_pixel round_prefer_floor", {1, 3, 8, 10}, {1, 1, 0.5f, 0.5f}, "nearest",
              "half_pixel", "round_prefer_floor");
    resizeRow("resize nearest x3, align_corners round_prefer_floor", {1, 3, 4, 5}, {1, 1, 3, 3}, "nearest", "align_corners",
              "round_prefer_floor");
    resizeRow("resize linear x2, half_pixel", {1, 3, 5, 6}, {1, 1, 2, 2}, "linear", "half_pixel");
    resizeRow("resize linear x3, half_pixel", {1, 3, 4, 5}, {1, 1, 3, 3}, "linear", "half_pixel");
    resizeRow("resize linear x1.5, half_pixel", {1, 3, 4, 6}, {1, 1, 1.5f, 1.5f}, "linear", "half_pixel");
    resizeRow("resize linear x0.5, half_pixel", {1, 3, 8, 10}, {1, 1, 0.5f, 0.5f}, "linear", "half_pixel");
    resizeRow("resize linear x2, pytorch_half_pixel", {1, 3, 5, 6}, {1, 1, 2, 2}, "linear", "pytorch_half_pixel");
    resizeRow("resize linear x2, align_corners", {1, 3, 5, 6}, {1, 1, 2, 2}, "linear", "align_corners");
    resizeRow("resize linear x1.5, align_corners", {1, 3, 4, 6}, {1, 1, 1.5f, 1.5f}, "linear", "align_corners");
    resizeRow("resize linear x2, asymmetric", {1, 3, 5, 6}, {1, 1, 2, 2}, "linear", "asymmetric");
    resizeRow("resize linear x1.5, asymmetric", {1, 3, 4, 6}, {1, 1, 1.5f, 1.5f}, "linear", "asymmetric");

    // --- Graph structure ----------------------------------------------------------------------
    QTest::addRow("residual Add") << Build([] {
        ModelBuilder b = start("res", {1, 6, 10, 10});
        conv(b, "x", "c1", {.cin = 6, .cout = 6}, 14);
        relu(b, "c1", "r1");
        conv(b, "r1", "c2", {.cin = 6, .cout = 6}, 15);
        b.node("Add", {"c2", "x"}, {"s"}, "add");
        relu(b, "s", "y");
        b.output("y");
        return b;
    }) << S{1, 6, 10, 10};
    QTest::addRow("Concat of two branches") << Build([] {
        ModelBuilder b = start("cat", {1, 4, 9, 9});
        conv(b, "x", "a", {.cin = 4, .cout = 3}, 16);
        conv(b, "x", "c", {.cin = 4, .cout = 5, .kernel = {1, 1}, .pads = {0, 0, 0, 0}}, 17);
        relu(b, "a", "ar");
        ModelBuilder::attr(b.node("Concat", {"ar", "c", "x"}, {"y"}, "concat"), "axis", int64_t(1));
        b.output("y");
        return b;
    }) << S{1, 4, 9, 9};
    QTest::addRow("BatchNormalization after conv") << Build([] {
        ModelBuilder b = start("bn", {1, 5, 8, 8});
        conv(b, "x", "c", {.cin = 5, .cout = 6, .bias = false}, 18);
        b.randomInitializer("scale", {6}, 19, 0.5f, 1.5f);
        b.randomInitializer("shift", {6}, 20, -0.5f, 0.5f);
        b.randomInitializer("mean", {6}, 21, -0.3f, 0.3f);
        b.randomInitializer("var", {6}, 22, 0.2f, 2.f);
        auto& bn = b.node("BatchNormalization", {"c", "scale", "shift", "mean", "var"}, {"n"}, "bn");
        ModelBuilder::attr(bn, "epsilon", 1e-3f);
        relu(b, "n", "y");
        b.output("y");
        return b;
    }) << S{1, 5, 8, 8};

    // --- Pooling ------------------------------------------------------------------------------
    QTest::addRow("MaxPool k2 s2") << Build([] { return pool("MaxPool", {1, 3, 8, 8}, {2, 2}, {2, 2}, {0, 0, 0, 0}); })
                                   << S{1, 3, 8, 8};
    QTest::addRow("MaxPool k3 s2 pads 1") << Build([] { return pool("MaxPool", {1, 3, 9, 9}, {3, 3}, {2, 2}, {1, 1, 1, 1}); })
                                          << S{1, 3, 9, 9};
    QTest::addRow("AveragePool k2 s2") << Build([] { return pool("AveragePool", {1, 3, 8, 8}, {2, 2}, {2, 2}, {0, 0, 0, 0}); })
                                       << S{1, 3, 8, 8};
    QTest::addRow("AveragePool k3 s1 pads 1, count_include_pad 0")
        << Build([] { return pool("AveragePool", {1, 3, 7, 7}, {3, 3}, {1, 1}, {1, 1, 1, 1}, 0); }) << S{1, 3, 7, 7};
    // Not count_include_pad 1: OpenCV 4.6 divides a padded window by its inside count anyway.
    // Checked by hand on this seeded input: the corner of a 3×3 window with pads 1 holds 4
    // inputs summing to 0.886; ONNX wants 0.886/9 = 0.0985 (ours), OpenCV gives 0.886/4.
    QTest::addRow("MaxPool k3 s2, ceil_mode")
        << Build([] { return pool("MaxPool", {1, 3, 8, 8}, {3, 3}, {2, 2}, {0, 0, 0, 0}, -1, 1); }) << S{1, 3, 8, 8};
    QTest::addRow("AveragePool k3 s2, ceil_mode")
        << Build([] { return pool("AveragePool", {1, 3, 8, 8}, {3, 3}, {2, 2}, {0, 0, 0, 0}, -1, 1); }) << S{1, 3, 8, 8};
    QTest::addRow("MaxPool k2 s2, asymmetric pads")
        << Build([] { return pool("MaxPool", {1, 3, 8, 8}, {2, 2}, {2, 2}, {0, 0, 1, 1}); }) << S{1, 3, 8, 8};
    QTest::addRow("GlobalAveragePool") << Build([] {
        ModelBuilder b = start("gap", {1, 6, 7, 5});
        b.node("GlobalAveragePool", {"x"}, {"y"}, "gap");
        b.output("y");
        return b;
    }) << S{1, 6, 7, 5};

    // --- Classifier head and activations ------------------------------------------------------
    QTest::addRow("Gemm after Flatten") << Build([] {
        ModelBuilder b = start("head", {2, 4, 8, 8});
        conv(b, "x", "c", {.cin = 4, .cout = 8}, 23);
        relu(b, "c", "r");
        auto& mp = b.node("MaxPool", {"r"}, {"p"}, "pool");
        ModelBuilder::attr(mp, "kernel_shape", std::vector<int64_t>{2, 2});
        ModelBuilder::attr(mp, "strides", std::vector<int64_t>{2, 2});
        ModelBuilder::attr(b.node("Flatten", {"p"}, {"f"}, "flatten"), "axis", int64_t(1));
        const float bound = weightBound(8 * 4 * 4);
        b.randomInitializer("fc_w", {10, 8 * 4 * 4}, 24, -bound, bound); // transB = 1, PyTorch layout
        b.randomInitializer("fc_b", {10}, 25, -0.5f, 0.5f);
        ModelBuilder::attr(b.node("Gemm", {"f", "fc_w", "fc_b"}, {"y"}, "fc"), "transB", int64_t(1));
        b.output("y");
        return b;
    }) << S{2, 4, 8, 8};
    QTest::addRow("Sigmoid") << Build([] {
        ModelBuilder b = start("sig", {1, 4, 6, 6});
        conv(b, "x", "c", {.cin = 4, .cout = 4}, 26);
        b.node("Sigmoid", {"c"}, {"y"}, "sigmoid");
        b.output("y");
        return b;
    }) << S{1, 4, 6, 6};
    QTest::addRow("LeakyRelu alpha 0.1") << Build([] {
        ModelBuilder b = start("leaky", {1, 4, 6, 6});
        conv(b, "x", "c", {.cin = 4, .cout = 4}, 27);
        ModelBuilder::attr(b.node("LeakyRelu", {"c"}, {"y"}, "leaky"), "alpha", 0.1f);
        b.output("y");
        return b;
    }) << S{1, 4, 6, 6};
    QTest::addRow("Tanh, PRelu, HardSigmoid, Mul, Softmax") << Build([] {
        ModelBuilder b = start("misc", {2, 4, 3, 3});
        b.node("Tanh", {"x"}, {"t"}, "tanh");
        b.randomInitializer("slope", {4, 1, 1}, 40, 0.f, 0.5f);
        b.node("PRelu", {"x", "slope"}, {"p"}, "prelu");
        auto& hs = b.node("HardSigmoid", {"x"}, {"h"}, "hs");
        ModelBuilder::attr(hs, "alpha", 0.3f);
        b.node("Add", {"t", "p"}, {"a"}, "add");
        b.node("Mul", {"a", "h"}, {"m"}, "mul");
        b.node("Flatten", {"m"}, {"f"}, "flat");
        ModelBuilder::attr(b.node("Softmax", {"f"}, {"y"}, "softmax"), "axis", int64_t(1));
        b.output("y");
        return b;
    }) << S{2, 4, 3, 3};
    QTest::addRow("Reshape, Transpose, MatMul") << Build([] {
        ModelBuilder b = start("rtm", {1, 4, 3, 3});
        b.initializer("shape", Tensor::fromInts({3}, {1, 4, 9}));
        b.node("Reshape", {"x", "shape"}, {"r"}, "reshape");
        ModelBuilder::attr(b.node("Transpose", {"r"}, {"t"}, "transpose"), "perm", std::vector<int64_t>{0, 2, 1});
        b.randomInitializer("mm", {4, 5}, 41);
        b.node("MatMul", {"t", "mm"}, {"y"}, "matmul");
        b.output("y");
        return b;
    }) << S{1, 4, 3, 3};
    // Not Clip with min/max as inputs (opset ≥ 11): OpenCV 4.6 refuses the node.
    QTest::addRow("small CNN: conv-bn-relu, depthwise, residual, pool, upsample") << Build([] {
        ModelBuilder b = start("cnn", {1, 3, 16, 16});
        conv(b, "x", "c1", {.cin = 3, .cout = 8, .strides = {2, 2}, .bias = false}, 28);
        b.randomInitializer("g", {8}, 29, 0.5f, 1.5f);
        b.randomInitializer("be", {8}, 30, -0.5f, 0.5f);
        b.randomInitializer("m", {8}, 31, -0.3f, 0.3f);
        b.randomInitializer("v", {8}, 32, 0.2f, 2.f);
        b.node("BatchNormalization", {"c1", "g", "be", "m", "v"}, {"n1"}, "bn1");
        relu(b, "n1", "r1");
        conv(b, "r1", "c2", {.cin = 8, .cout = 8, .group = 8}, 33);
        ModelBuilder::attr(b.node("LeakyRelu", {"c2"}, {"l2"}, "l2"), "alpha", 0.2f);
        b.node("Add", {"l2", "r1"}, {"s"}, "add");
        auto& mp = b.node("MaxPool", {"s"}, {"p"}, "pool");
        ModelBuilder::attr(mp, "kernel_shape", std::vector<int64_t>{2, 2});
        ModelBuilder::attr(mp, "strides", std::vector<int64_t>{2, 2});
        conv(b, "p", "c3", {.cin = 8, .cout = 4, .kernel = {1, 1}, .pads = {0, 0, 0, 0}}, 34);
        b.initializer("roi", Tensor(DType::Float32, {0}));
        b.initializer("scales", Tensor::fromFloats({4}, {1.f, 1.f, 2.f, 2.f}));
        auto& up = b.node("Resize", {"c3", "roi", "scales"}, {"y"}, "up");
        ModelBuilder::attr(up, "mode", std::string("linear"));
        ModelBuilder::attr(up, "coordinate_transformation_mode", std::string("half_pixel"));
        b.output("y");
        return b;
    }) << S{1, 3, 16, 16};
}

void TestOpencvDiff::matchesOpenCv()
{
    QFETCH(Build, build);
    QFETCH(QList<qlonglong>, inputShape);
    const ModelBuilder model = build();
    const Shape shape(inputShape.begin(), inputShape.end());
    const Tensor x = randomTensor(shape, 2024, -1.f, 1.f);

    Tensor ours;
    try {
        ExecOptions options;
        options.threads = 2;
        ours = Executor(model.import(), options).run({{"x", x}}).at("y");
    } catch (const std::exception& e) {
        QFAIL((std::string("LNScope: ") + e.what()).c_str());
    }
    // OpenCV's importer insists on a shape for every graph output (it asserts has_shape); give
    // it the one we computed, as an exporter would have written it. Our run did not see it.
    ModelBuilder withShapes = model;
    auto* shapeProto = withShapes.graph().mutable_output(0)->mutable_type()->mutable_tensor_type()->mutable_shape();
    for (int64_t d : ours.shape())
        shapeProto->add_dim()->set_dim_value(d);
    Tensor theirs;
    try {
        theirs = runOpenCv(withShapes.bytes(), x);
    } catch (const cv::Exception& e) {
        QFAIL((std::string("OpenCV: ") + e.what()).c_str());
    }
    Tolerance tol;
    tol.maxAbs = 1e-4;
    tol.relTol = 1e-4;
    tol.meanAbs = 1e-5;
    LNSCOPE_COMPARE_TENSORS(ours, theirs, tol);
}

QTEST_GUILESS_MAIN(TestOpencvDiff)
#include "test_opencv_diff.moc"
