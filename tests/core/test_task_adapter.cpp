// Task adapters (task_adapter.h): stereo 3-D decoding on hand-built head tensors (each expected value
// computed here from the contract's formulas), adapter-file parsing with every malformed case,
// binding to a model, the dense comparison, and the segmentation adapter end to end on the bundled
// tiny model.

#include "test_utils.h"

#include "lnscope/core/dataset.h"
#include "lnscope/core/det_metrics.h"
#include "lnscope/core/error.h"
#include "lnscope/core/executor.h"
#include "lnscope/core/onnx_import.h"
#include "lnscope/core/task_adapter.h"

#include <QTest>
#include <cmath>
#include <limits>
#include <numbers>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

using namespace lnscope;
namespace fs = std::filesystem;

namespace {

constexpr double kPi = std::numbers::pi;

// Model input 64x32 at stride 4: heads of 16x8 cells. Depth bins of 10 m centred at 5..35 m.
core::Stereo3dConfig stereoConfig()
{
    core::Stereo3dConfig c;
    c.input.width = 64;
    c.input.height = 32;
    c.stride = 4;
    c.binCentres = {5, 15, 25, 35};
    c.binWidths = {10, 10, 10, 10};
    c.classes = {{"Car", {1.52, 1.63, 3.88}}, {"Pedestrian", {1.76, 0.66, 0.84}}, {"Cyclist", {1.74, 0.60, 1.76}}};
    c.scoreThreshold = 0.3;
    c.maxDetections = 50;
    c.nmsKernel = 3;
    return c;
}

/// P2 of a 64x32 image scaled to an image sx·64 by sy·32: fx 50, cx 32, tx 2, fy 50, cy 16, ty −1.
core::KittiCalib calibScaled(double sx, double sy)
{
    core::KittiCalib calib;
    calib.P2 = {50 * sx, 0, 32 * sx, 2 * sx, 0, 50 * sy, 16 * sy, -1 * sy, 0, 0, 1, 0};
    calib.R0_rect = {1, 0, 0, 0, 1, 0, 0, 0, 1};
    return calib;
}

/// Head tensors of a config: heatmap logits at `background` (p ≈ 0), every other head 0 except
/// heading (0, 1) (α = 0).
struct Heads
{
    int64_t h = 8, w = 16;
    core::TensorMap map;

    explicit Heads(const core::Stereo3dConfig& c, float background = -20.f)
    {
        h = c.input.height / c.stride;
        w = c.input.width / c.stride;
        const int64_t k = int64_t(c.classes.size()), d = int64_t(c.binCentres.size());
        map["heatmap"] = core::Tensor::fromFloats({1, k, h, w}, std::vector<float>(size_t(k * h * w), background));
        map["depth_bins"] = core::Tensor(core::DType::Float32, {1, d, h, w});
        map["depth_residual"] = core::Tensor(core::DType::Float32, {1, d, h, w});
        map["size"] = core::Tensor(core::DType::Float32, {1, 3, h, w});
        map["heading"] = core::Tensor(core::DType::Float32, {1, 2, h, w});
        map["offset"] = core::Tensor(core::DType::Float32, {1, 2, h, w});
        for (int64_t i = 0; i < h * w; ++i)
            map["heading"].f()[h * w + i] = 1.f;
    }
    void set(const char* name, int64_t c, int64_t y, int64_t x, float value)
    {
        map.at(name).f()[(c * h + y) * w + x] = value;
    }
};

float sigmoidF(double logit)
{
    return float(1.0 / (1.0 + std::exp(-logit)));
}

/// The 2-D box by hand, depth clamped to 1e-3 m as the training scripts' project_box_2d does.
std::array<double, 4> expectedBox(const core::KittiObject& o, const core::KittiCalib& calib, int width, int height)
{
    double x1 = 1e9, y1 = 1e9, x2 = -1e9, y2 = -1e9;
    for (const auto& c : core::boxCorners(o)) {
        const auto& P = calib.P2;
        const double zc = std::max(P[8] * c[0] + P[9] * c[1] + P[10] * c[2] + P[11], 1e-3);
        const double u = (P[0] * c[0] + P[1] * c[1] + P[2] * c[2] + P[3]) / zc;
        const double v = (P[4] * c[0] + P[5] * c[1] + P[6] * c[2] + P[7]) / zc;
        x1 = std::min(x1, u), x2 = std::max(x2, u), y1 = std::min(y1, v), y2 = std::max(y2, v);
    }
    const auto clip = [](double v, double hi) { return std::min(std::max(v, 0.0), hi); };
    return {clip(x1, width - 1), clip(y1, height - 1), clip(x2, width - 1), clip(y2, height - 1)};
}

#define EXPECT_NEAR(actual, expected, tol)                          \
    QVERIFY2(std::fabs(double(actual) - double(expected)) <= (tol), \
             qPrintable(QStringLiteral("%1 = %2, expected %3")      \
                            .arg(#actual)                           \
                            .arg(double(actual), 0, 'g', 10)        \
                            .arg(double(expected), 0, 'g', 10)))

template <typename E, typename Fn>
QString errorOf(Fn fn)
{
    try {
        fn();
    } catch (const E& e) {
        return QString::fromStdString(e.what());
    } catch (const std::exception& e) {
        return QStringLiteral("wrong exception type: ") + e.what();
    }
    return QStringLiteral("no exception");
}

/// Positions (row, col) of decoded objects from their z (tests encode the cell in the residual).
QList<int> cellsOf(const std::vector<core::KittiObject>& objects)
{
    QList<int> cells;
    for (const auto& o : objects) {
        const int code = int(std::lround((o.z - 5.0) * 100.0)); // z = 5 + residual·10, residual = code/1000
        cells << code / 100 << code % 100;
    }
    return cells;
}

/// Sets a peak whose decoded z encodes (row, col): bins all 0 → bin 0; z = 5 + (row·100 + col)/100.
void encodedPeak(Heads& heads, int cls, int row, int col, float logit)
{
    heads.set("heatmap", cls, row, col, logit);
    heads.set("depth_residual", 0, row, col, float(row * 100 + col) / 1000.f);
}

const char* kSegAdapter = R"({"task": "segmentation", "version": 1,
 "input": {"name": "image", "width": 640, "height": 192, "mean": [0.485, 0.456, 0.406], "std": [0.229, 0.224, 0.225], "order": "rgb"},
 "output": "logits",
 "ignore": 255,
 "classes": [{"id": 1, "name": "car", "color": [0, 0, 142]}, {"id": 0, "name": "road", "color": [128, 64, 128]}]})";

const char* kStereoAdapter = R"({"task": "stereo3d", "version": 1,
 "inputs": {"left": "left", "right": "right"},
 "input": {"width": 640, "height": 192, "mean": [0.485, 0.456, 0.406], "std": [0.229, 0.224, 0.225], "order": "bgr"},
 "outputs": {"heatmap": "hm", "depthBins": "depth_bins", "depthResidual": "depth_residual",
             "size": "size", "heading": "heading", "offset": "offset"},
 "stride": 4,
 "depthBins": {"centres": [5, 15, 25, 35], "widths": [10, 10, 10, 10]},
 "classes": [{"name": "Car", "meanSize": [1.52, 1.63, 3.88]}, {"name": "Pedestrian", "meanSize": [1.76, 0.66, 0.84]}, {"name": "Cyclist", "meanSize": [1.74, 0.60, 1.76]}],
 "scoreThreshold": 0.25, "maxDetections": 20, "nmsKernel": 5})";

const char* kDenseAdapter = R"({"task":"dense","version":1})";

core::ValueInfo valueInfo(const std::string& name, std::vector<int64_t> dims)
{
    core::ValueInfo v;
    v.name = name;
    v.hasShape = !dims.empty();
    for (int64_t d : dims)
        v.shape.push_back(core::Dim{d, d < 0 ? "N" : ""});
    return v;
}

} // namespace

class TestTaskAdapter : public QObject
{
    Q_OBJECT
private slots:
    // ---- stereo 3-D decoding ----------------------------------------------------------------------

    void decodesOnePeak()
    {
        const core::Stereo3dConfig c = stereoConfig();
        Heads heads(c);
        const int row = 3, col = 5;
        heads.set("heatmap", 0, row, col, 2.f);
        heads.set("depth_bins", 2, row, col, 4.f);
        heads.set("depth_bins", 1, row, col, 3.f);
        heads.set("depth_residual", 2, row, col, 0.25f);
        heads.set("depth_residual", 1, row, col, 0.9f); // not the argmax bin: ignored
        heads.set("size", 0, row, col, 0.1f);
        heads.set("size", 1, row, col, -0.2f);
        heads.set("size", 2, row, col, 0.05f);
        heads.set("heading", 0, row, col, 1.2f); // (sin, cos) = 2·(0.6, 0.8): not normalised
        heads.set("heading", 1, row, col, 1.6f);
        heads.set("offset", 0, row, col, 0.3f);
        heads.set("offset", 1, row, col, -0.2f);
        const core::KittiCalib calib = calibScaled(1, 1);

        const auto objects = core::decodeStereo3d(heads.map, c, calib, 64, 32);
        QCOMPARE(objects.size(), size_t(1));
        const core::KittiObject& o = objects[0];

        const double Z = 25 + double(0.25f) * 10;
        const double u = (col + double(0.3f) + 0.5) * 4 - 0.5, v = (row + double(-0.2f) + 0.5) * 4 - 0.5;
        const double X = (u * Z - 32 * Z - 2) / 50, Yc = (v * Z - 16 * Z + 1) / 50;
        const double h = 1.52 * std::exp(double(0.1f)), w = 1.63 * std::exp(double(-0.2f)),
                     l = 3.88 * std::exp(double(0.05f));
        const double alpha = std::atan2(1.2, 1.6);
        QCOMPARE(o.type, std::string("Car"));
        QVERIFY(o.score.has_value());
        QCOMPARE(*o.score, sigmoidF(2.0));
        EXPECT_NEAR(o.z, Z, 1e-5);
        EXPECT_NEAR(o.x, X, 1e-5);
        EXPECT_NEAR(o.y, Yc + h / 2, 1e-5);
        EXPECT_NEAR(o.h, h, 1e-6);
        EXPECT_NEAR(o.w, w, 1e-6);
        EXPECT_NEAR(o.l, l, 1e-6);
        EXPECT_NEAR(o.alpha, alpha, 1e-6);
        EXPECT_NEAR(o.rotationY, alpha + std::atan2(X, Z), 1e-6);
        QCOMPARE(o.truncated, 0.f);
        QCOMPARE(o.occluded, 0);
        const auto box = expectedBox(o, calib, 64, 32);
        for (int i = 0; i < 4; ++i)
            EXPECT_NEAR(o.bbox[i], box[size_t(i)], 1e-4);
        QVERIFY(o.bbox[2] > o.bbox[0] && o.bbox[3] > o.bbox[1]);
    }

    void peakSuppression_data()
    {
        QTest::addColumn<int>("kernel");
        QTest::addColumn<QList<int>>("cells");    // (row, col, logit) triples, class 0
        QTest::addColumn<QList<int>>("expected"); // (row, col) pairs in output order
        QTest::addRow("neighbour suppressed") << 3 << QList<int>{3, 5, 4, 3, 6, 3} << QList<int>{3, 5};
        QTest::addRow("diagonal neighbour suppressed") << 3 << QList<int>{3, 5, 4, 4, 6, 3} << QList<int>{3, 5};
        QTest::addRow("two cells apart both kept") << 3 << QList<int>{3, 5, 4, 3, 7, 3} << QList<int>{3, 5, 3, 7};
        QTest::addRow("kernel 5 suppresses two apart") << 5 << QList<int>{3, 5, 4, 3, 7, 3} << QList<int>{3, 5};
        QTest::addRow("kernel 1 keeps neighbours") << 1 << QList<int>{3, 5, 4, 3, 6, 3} << QList<int>{3, 5, 3, 6};
        QTest::addRow("equal neighbours both peaks") << 3 << QList<int>{3, 5, 4, 3, 6, 4} << QList<int>{3, 5, 3, 6};
        QTest::addRow("corner cell") << 3 << QList<int>{0, 0, 4, 7, 15, 3} << QList<int>{0, 0, 7, 15};
    }
    void peakSuppression()
    {
        QFETCH(int, kernel);
        QFETCH(QList<int>, cells);
        QFETCH(QList<int>, expected);
        core::Stereo3dConfig c = stereoConfig();
        c.nmsKernel = kernel;
        Heads heads(c);
        for (qsizetype i = 0; i < cells.size(); i += 3)
            encodedPeak(heads, 0, cells[i], cells[i + 1], float(cells[i + 2]));
        QCOMPARE(cellsOf(core::decodeStereo3d(heads.map, c, calibScaled(1, 1), 64, 32)), expected);
    }

    void classesDoNotSuppressEachOther()
    {
        const core::Stereo3dConfig c = stereoConfig();
        Heads heads(c);
        encodedPeak(heads, 0, 3, 5, 4.f);
        heads.set("heatmap", 1, 3, 6, 3.f);
        const auto objects = core::decodeStereo3d(heads.map, c, calibScaled(1, 1), 64, 32);
        QCOMPARE(objects.size(), size_t(2));
        QCOMPARE(objects[1].type, std::string("Pedestrian"));
    }

    void scoreThreshold_data()
    {
        QTest::addColumn<double>("threshold");
        QTest::addColumn<int>("count");
        QTest::addRow("p equal to the threshold is kept") << 0.5 << 1;
        QTest::addRow("just above p drops it") << 0.5000001 << 0;
        QTest::addRow("low threshold") << 0.1 << 1;
    }
    void scoreThreshold()
    {
        QFETCH(double, threshold);
        QFETCH(int, count);
        core::Stereo3dConfig c = stereoConfig();
        c.scoreThreshold = threshold;
        Heads heads(c);
        heads.set("heatmap", 2, 4, 8, 0.f); // p = 0.5 exactly
        const auto objects = core::decodeStereo3d(heads.map, c, calibScaled(1, 1), 64, 32);
        QCOMPARE(int(objects.size()), count);
        if (count)
            QCOMPARE(*objects[0].score, 0.5f);
    }

    void maxDetectionsAndTieOrder_data()
    {
        QTest::addColumn<int>("maxDetections");
        QTest::addColumn<QList<int>>("expected"); // (row, col) in output order
        const QList<int> all{6, 14, 1, 12, 5, 2, 5, 10, 0, 0, 1, 1};
        QTest::addRow("all") << 50 << all;
        QTest::addRow("four") << 4 << all.mid(0, 8);
        QTest::addRow("one") << 1 << all.mid(0, 2);
    }
    void maxDetectionsAndTieOrder()
    {
        QFETCH(int, maxDetections);
        QFETCH(QList<int>, expected);
        core::Stereo3dConfig c = stereoConfig();
        c.maxDetections = maxDetections;
        Heads heads(c);
        // Equal scores: class 0 first (by row, then column), then class 1, then class 2.
        encodedPeak(heads, 2, 1, 1, 1.f);
        encodedPeak(heads, 0, 5, 10, 1.f);
        encodedPeak(heads, 0, 5, 2, 1.f);
        encodedPeak(heads, 1, 0, 0, 1.f);
        encodedPeak(heads, 0, 1, 12, 1.f);
        encodedPeak(heads, 2, 6, 14, 2.f); // the best score comes first whatever its class
        const auto objects = core::decodeStereo3d(heads.map, c, calibScaled(1, 1), 64, 32);
        QCOMPARE(cellsOf(objects), expected);
        if (maxDetections == 50) {
            QStringList types;
            for (const auto& o : objects)
                types << QString::fromStdString(o.type);
            QCOMPARE(types, (QStringList{"Cyclist", "Car", "Car", "Car", "Pedestrian", "Cyclist"}));
        }
    }

    void depthBinArgmax_data()
    {
        QTest::addColumn<QList<float>>("logits");
        QTest::addColumn<int>("bin");
        const float nan = std::numeric_limits<float>::quiet_NaN();
        QTest::addRow("clear maximum") << QList<float>{0.f, 1.f, 3.f, 2.f} << 2;
        QTest::addRow("tie goes to the lower bin") << QList<float>{0.f, 3.f, 1.f, 3.f} << 1;
        QTest::addRow("all equal: bin 0") << QList<float>{1.f, 1.f, 1.f, 1.f} << 0;
        QTest::addRow("NaN never wins") << QList<float>{nan, 1.f, nan, 0.f} << 1;
        QTest::addRow("last bin") << QList<float>{-5.f, -4.f, -3.f, 7.f} << 3;
    }
    void depthBinArgmax()
    {
        QFETCH(QList<float>, logits);
        QFETCH(int, bin);
        const core::Stereo3dConfig c = stereoConfig();
        Heads heads(c);
        heads.set("heatmap", 0, 2, 9, 3.f);
        for (int k = 0; k < 4; ++k) {
            heads.set("depth_bins", k, 2, 9, logits[k]);
            heads.set("depth_residual", k, 2, 9, 0.1f * float(k + 1)); // a different residual per bin
        }
        const auto objects = core::decodeStereo3d(heads.map, c, calibScaled(1, 1), 64, 32);
        QCOMPARE(objects.size(), size_t(1));
        EXPECT_NEAR(objects[0].z, c.binCentres[size_t(bin)] + double(0.1f * float(bin + 1)) * 10, 1e-5);
    }

    void rescalesCalibration_data()
    {
        QTest::addColumn<int>("imageWidth");
        QTest::addColumn<int>("imageHeight");
        QTest::addRow("same size") << 64 << 32;
        QTest::addRow("model at half the image size") << 128 << 64;
        QTest::addRow("only the width halved") << 128 << 32;
    }
    void rescalesCalibration()
    {
        // The image's P2 is the 64x32 one scaled to the image, so the box in the camera frame must
        // not depend on the image size; the 2-D box uses the image's own P2 and size.
        QFETCH(int, imageWidth);
        QFETCH(int, imageHeight);
        const core::Stereo3dConfig c = stereoConfig();
        Heads heads(c);
        heads.set("heatmap", 1, 4, 11, 3.f);
        heads.set("depth_bins", 1, 4, 11, 2.f);
        heads.set("depth_residual", 1, 4, 11, -0.3f);
        heads.set("offset", 0, 4, 11, 0.45f);
        heads.set("offset", 1, 4, 11, 0.1f);
        const core::KittiCalib calib = calibScaled(imageWidth / 64.0, imageHeight / 32.0);
        const auto objects = core::decodeStereo3d(heads.map, c, calib, imageWidth, imageHeight);
        QCOMPARE(objects.size(), size_t(1));
        const core::KittiObject& o = objects[0];
        const double Z = 15 + double(-0.3f) * 10;
        const double u = (11 + double(0.45f) + 0.5) * 4 - 0.5, v = (4 + double(0.1f) + 0.5) * 4 - 0.5;
        EXPECT_NEAR(o.z, Z, 1e-5);
        EXPECT_NEAR(o.x, (u * Z - 32 * Z - 2) / 50, 1e-5);
        EXPECT_NEAR(o.y, (v * Z - 16 * Z + 1) / 50 + 1.76 / 2, 1e-5);
        const auto box = expectedBox(o, calib, imageWidth, imageHeight);
        for (int i = 0; i < 4; ++i)
            EXPECT_NEAR(o.bbox[i], box[size_t(i)], 1e-4);
    }

    void boxIsClippedToTheImage()
    {
        const core::Stereo3dConfig c = stereoConfig();
        Heads heads(c);
        heads.set("heatmap", 0, 7, 15, 3.f); // bottom-right cell, near: the box leaves the image
        const auto objects = core::decodeStereo3d(heads.map, c, calibScaled(1, 1), 64, 32);
        QCOMPARE(objects.size(), size_t(1));
        QCOMPARE(objects[0].bbox[2], 63.f);
        QCOMPARE(objects[0].bbox[3], 31.f);
        QVERIFY(objects[0].bbox[0] > 0.f && objects[0].bbox[0] < 63.f);
    }

    void boxStraddlingTheCamera()
    {
        const core::Stereo3dConfig c = stereoConfig();
        Heads heads(c);
        heads.set("heatmap", 0, 4, 8, 3.f);
        heads.set("depth_residual", 0, 4, 8, -0.45f); // Z = 0.5 m: a car's far corners behind the camera
        heads.set("heading", 0, 4, 8, 1.f);           // α = π/2: its length along z
        heads.set("heading", 1, 4, 8, 0.f);
        const core::KittiCalib calib = calibScaled(1, 1);
        const auto objects = core::decodeStereo3d(heads.map, c, calib, 64, 32);
        QCOMPARE(objects.size(), size_t(1));
        const auto box = expectedBox(objects[0], calib, 64, 32);
        for (int i = 0; i < 4; ++i)
            EXPECT_NEAR(objects[0].bbox[i], box[size_t(i)], 1e-4);
        QCOMPARE(objects[0].bbox[0], 0.f);
        QCOMPARE(objects[0].bbox[2], 63.f);
    }

    void headingWraps_data()
    {
        QTest::addColumn<double>("alpha");
        QTest::addColumn<int>("col");
        QTest::addRow("alpha near pi, object to the right") << 3.0 << 15;
        QTest::addRow("alpha near -pi, object to the left") << -3.0 << 0;
        QTest::addRow("alpha 0, centre") << 0.0 << 8;
    }
    void headingWraps()
    {
        QFETCH(double, alpha);
        QFETCH(int, col);
        const core::Stereo3dConfig c = stereoConfig();
        Heads heads(c);
        heads.set("heatmap", 0, 4, col, 3.f);
        heads.set("heading", 0, 4, col, float(0.5 * std::sin(alpha)));
        heads.set("heading", 1, 4, col, float(0.5 * std::cos(alpha)));
        const auto objects = core::decodeStereo3d(heads.map, c, calibScaled(1, 1), 64, 32);
        QCOMPARE(objects.size(), size_t(1));
        const core::KittiObject& o = objects[0];
        const double a = std::atan2(double(float(0.5 * std::sin(alpha))), double(float(0.5 * std::cos(alpha))));
        EXPECT_NEAR(o.alpha, a, 1e-6);
        double ry = a + std::atan2(double(o.x), double(o.z));
        if (ry > kPi)
            ry -= 2 * kPi;
        if (ry < -kPi)
            ry += 2 * kPi;
        EXPECT_NEAR(o.rotationY, ry, 1e-5);
        QVERIFY(std::fabs(o.rotationY) <= kPi + 1e-6);
        if (alpha != 0.0)
            QVERIFY2(std::fabs(a + std::atan2(double(o.x), double(o.z))) > kPi, "the case must need a wrap");
    }

    void roundTrip_data()
    {
        QTest::addColumn<int>("imageWidth");
        QTest::addColumn<int>("imageHeight");
        QTest::addRow("image at the model size") << 64 << 32;
        QTest::addRow("image twice the model size") << 128 << 64;
    }
    void roundTrip()
    {
        // Heads built from known objects with the inverse formulas, then decoded back.
        QFETCH(int, imageWidth);
        QFETCH(int, imageHeight);
        const core::Stereo3dConfig c = stereoConfig();
        const core::KittiCalib calib = calibScaled(imageWidth / 64.0, imageHeight / 32.0);
        const double sx = 64.0 / imageWidth, sy = 32.0 / imageHeight;
        const double fx = calib.P2[0] * sx, cx = calib.P2[2] * sx, tx = calib.P2[3] * sx;
        const double fy = calib.P2[5] * sy, cy = calib.P2[6] * sy, ty = calib.P2[7] * sy;
        std::vector<core::KittiObject> truth(3);
        truth[0] = {"Car", 0, 0, 0, {}, 1.45f, 1.70f, 4.10f, -3.2f, 1.65f, 21.3f, 2.8f, std::nullopt};
        truth[1] = {"Pedestrian", 0, 0, 0, {}, 1.80f, 0.60f, 0.90f, 1.1f, 1.70f, 8.7f, -1.2f, std::nullopt};
        truth[2] = {"Cyclist", 0, 0, 0, {}, 1.70f, 0.55f, 1.80f, 4.0f, 1.60f, 33.9f, -3.05f, std::nullopt};
        Heads heads(c);
        for (size_t i = 0; i < truth.size(); ++i) {
            const core::KittiObject& o = truth[i];
            const double X = o.x, Yc = o.y - o.h / 2.0, Z = o.z;
            const double u = (fx * X + cx * Z + tx) / Z, v = (fy * Yc + cy * Z + ty) / Z;
            const double gx = (u + 0.5) / c.stride - 0.5, gy = (v + 0.5) / c.stride - 0.5;
            const int col = int(std::floor(gx)), row = int(std::floor(gy));
            QVERIFY(col >= 0 && col < heads.w && row >= 0 && row < heads.h);
            size_t bin = 0;
            for (size_t k = 1; k < c.binCentres.size(); ++k)
                if (std::fabs(Z - c.binCentres[k]) < std::fabs(Z - c.binCentres[bin]))
                    bin = k;
            const auto& mean = c.classes[i].meanSize;
            const double alpha = o.rotationY - std::atan2(X, Z);
            heads.set("heatmap", int64_t(i), row, col, 3.f);
            heads.set("depth_bins", int64_t(bin), row, col, 5.f);
            heads.set("depth_residual", int64_t(bin), row, col, float((Z - c.binCentres[bin]) / c.binWidths[bin]));
            heads.set("offset", 0, row, col, float(gx - col));
            heads.set("offset", 1, row, col, float(gy - row));
            heads.set("size", 0, row, col, float(std::log(o.h / mean[0])));
            heads.set("size", 1, row, col, float(std::log(o.w / mean[1])));
            heads.set("size", 2, row, col, float(std::log(o.l / mean[2])));
            heads.set("heading", 0, row, col, float(1.7 * std::sin(alpha)));
            heads.set("heading", 1, row, col, float(1.7 * std::cos(alpha)));
        }
        const auto objects = core::decodeStereo3d(heads.map, c, calib, imageWidth, imageHeight);
        QCOMPARE(objects.size(), truth.size());
        for (size_t i = 0; i < truth.size(); ++i) {
            const core::KittiObject& o = objects[i]; // equal scores: class order
            const core::KittiObject& t = truth[i];
            QCOMPARE(o.type, t.type);
            EXPECT_NEAR(o.x, t.x, 1e-4);
            EXPECT_NEAR(o.y, t.y, 1e-4);
            EXPECT_NEAR(o.z, t.z, 1e-4);
            EXPECT_NEAR(o.h, t.h, 1e-4);
            EXPECT_NEAR(o.w, t.w, 1e-4);
            EXPECT_NEAR(o.l, t.l, 1e-4);
            EXPECT_NEAR(core::wrapAngle(double(o.rotationY) - t.rotationY), 0.0, 1e-4);
            EXPECT_NEAR(core::wrapAngle(double(o.alpha) - (t.rotationY - std::atan2(t.x, t.z))), 0.0, 1e-4);
        }
    }

    void nanHeatmapCells()
    {
        const core::Stereo3dConfig c = stereoConfig();
        Heads heads(c);
        const float nan = std::numeric_limits<float>::quiet_NaN();
        heads.set("heatmap", 0, 3, 5, nan); // never a peak, never suppresses its neighbour
        encodedPeak(heads, 0, 3, 6, 1.f);
        QCOMPARE(cellsOf(core::decodeStereo3d(heads.map, c, calibScaled(1, 1), 64, 32)), (QList<int>{3, 6}));
    }

    void decodeErrors_data()
    {
        QTest::addColumn<QString>("mutation");
        QTest::addColumn<QString>("message");
        QTest::addRow("missing output")
            << "missing"
            << "stereo.json: heatmap output \"heatmap\" is missing from the model outputs (have: depth_bins,";
        QTest::addRow("depth bins channels")
            << "bins"
            << "stereo.json: depthBins output \"depth_bins\" has 5 channels, expected 4";
        QTest::addRow("heatmap channels") << "classes"
                                          << "heatmap output \"heatmap\" has 2 channels, expected 3";
        QTest::addRow("rank 3 head") << "rank"
                                     << "size output \"size\" has shape [3, 8, 16], expected 1x3xhxw";
        QTest::addRow("spatial size differs") << "spatial"
                                              << "offset output \"offset\" is 16x7 (wxh), the heatmap 16x8";
        QTest::addRow("int64 head") << "int64"
                                    << "heading output \"heading\" is int64, expected float";
        QTest::addRow("calibration without P2") << "calib"
                                                << "stereo.json: the calibration has no usable P2 (fx = 0";
        QTest::addRow("wrong stride") << "stride"
                                      << "heads are 16x8 (wxh) cells, but an input of 64x32 at stride 8 gives 8x4";
        QTest::addRow("image size") << "image"
                                    << "image size 0x32 must be positive";
    }
    void decodeErrors()
    {
        QFETCH(QString, mutation);
        QFETCH(QString, message);
        core::Stereo3dConfig c = stereoConfig();
        c.source = "stereo.json";
        Heads heads(c);
        core::KittiCalib calib = calibScaled(1, 1);
        int imageWidth = 64;
        if (mutation == "missing")
            heads.map.erase("heatmap");
        else if (mutation == "bins")
            heads.map["depth_bins"] = core::Tensor(core::DType::Float32, {1, 5, 8, 16});
        else if (mutation == "classes")
            heads.map["heatmap"] = core::Tensor(core::DType::Float32, {1, 2, 8, 16});
        else if (mutation == "rank")
            heads.map["size"] = core::Tensor(core::DType::Float32, {3, 8, 16});
        else if (mutation == "spatial")
            heads.map["offset"] = core::Tensor(core::DType::Float32, {1, 2, 7, 16});
        else if (mutation == "int64")
            heads.map["heading"] = core::Tensor(core::DType::Int64, {1, 2, 8, 16});
        else if (mutation == "calib")
            calib = core::KittiCalib{};
        else if (mutation == "stride")
            c.stride = 8;
        else if (mutation == "image")
            imageWidth = 0;
        const QString error = errorOf<core::Error>([&] { core::decodeStereo3d(heads.map, c, calib, imageWidth, 32); });
        QVERIFY2(error.contains(message), qPrintable(error));
    }

    // ---- adapter files ----------------------------------------------------------------------------

    void readsSegmentationAdapter()
    {
        const fs::path dir = test::makeTempDir("lnscope-adapter");
        const auto config = core::readAdapterConfig(test::writeText(dir, "seg.json", kSegAdapter));
        QCOMPARE(config.task, std::string("segmentation"));
        QCOMPARE(config.version, 1);
        QCOMPARE(config.source, dir / "seg.json");
        const auto& seg = config.segmentation;
        QCOMPARE(seg.input.name, std::string("image"));
        QCOMPARE(seg.input.width, 640);
        QCOMPARE(seg.input.height, 192);
        QCOMPARE(seg.input.mean[1], 0.456f);
        QCOMPARE(seg.input.std[2], 0.225f);
        QVERIFY(seg.input.rgb);
        QCOMPARE(seg.output, std::string("logits"));
        QCOMPARE(int(seg.ignore), 255);
        QCOMPARE(seg.classes.size(), size_t(2));
        QCOMPARE(seg.classes[0].name, std::string("road")); // sorted by id
        QCOMPARE(int(seg.classes[1].color[2]), 142);
        const core::ImageToTensorOptions options = seg.input.imageOptions();
        QCOMPARE(options.width, 640);
        QCOMPARE(options.mean[0], 0.485f);
        fs::remove_all(dir);
    }

    void readsClassListFile()
    {
        const fs::path dir = test::makeTempDir("lnscope-adapter");
        fs::create_directories(dir / "lists");
        test::writeText(
            dir / "lists", "classes.json",
            "[{\"id\":0,\"name\":\"road\",\"color\":[1,2,3]},{\"id\":1,\"name\":\"sky\",\"color\":[4,5,6]}]");
        std::string text = kSegAdapter;
        const size_t at = text.find("\"classes\": [");
        text = text.substr(0, at) + "\"classes\": \"lists/classes.json\"}";
        const auto config = core::readAdapterConfig(test::writeText(dir, "seg.json", text));
        QCOMPARE(config.segmentation.classes.size(), size_t(2));
        QCOMPARE(config.segmentation.classes[1].name, std::string("sky"));
        fs::remove_all(dir);
    }

    void readsStereoAdapter()
    {
        const fs::path dir = test::makeTempDir("lnscope-adapter");
        const auto config = core::readAdapterConfig(test::writeText(dir, "stereo.json", kStereoAdapter));
        QCOMPARE(config.task, std::string("stereo3d"));
        const auto& s = config.stereo3d;
        QCOMPARE(s.source, (dir / "stereo.json").string());
        QCOMPARE(s.leftInput, std::string("left"));
        QCOMPARE(s.rightInput, std::string("right"));
        QCOMPARE(s.input.width, 640);
        QVERIFY(!s.input.rgb);
        QCOMPARE(s.heatmap, std::string("hm"));
        QCOMPARE(s.depthResidual, std::string("depth_residual"));
        QCOMPARE(s.stride, 4);
        QCOMPARE(s.binCentres, (std::vector<double>{5, 15, 25, 35}));
        QCOMPARE(s.binWidths.size(), size_t(4));
        QCOMPARE(s.classes.size(), size_t(3));
        QCOMPARE(s.classes[2].name, std::string("Cyclist"));
        QCOMPARE(s.classes[1].meanSize[0], 1.76);
        QCOMPARE(s.scoreThreshold, 0.25);
        QCOMPARE(s.maxDetections, 20);
        QCOMPARE(s.nmsKernel, 5);
        fs::remove_all(dir);
    }

    void stereoDefaults()
    {
        std::string text = kStereoAdapter;
        text = text.substr(0, text.find(",\n \"scoreThreshold\"")) + "}";
        const auto s = core::parseAdapterConfig(text, "s.json").stereo3d;
        QCOMPARE(s.scoreThreshold, 0.3);
        QCOMPARE(s.maxDetections, 50);
        QCOMPARE(s.nmsKernel, 3);
    }

    void readsDenseAdapters()
    {
        const auto minimal = core::parseAdapterConfig(kDenseAdapter, "dense.json");
        QCOMPARE(minimal.task, std::string("dense"));
        QCOMPARE(minimal.dense.input.name, std::string());
        QCOMPARE(minimal.dense.input.width, 0);
        QCOMPARE(minimal.dense.input.std[0], 1.f);
        const auto example =
            core::readAdapterConfig(test::sourceDir() / "resources" / "adapters" / "dense.adapter.json");
        QCOMPARE(example.task, std::string("dense"));
        QCOMPARE(example.dense.input.mean[2], 0.406f);
        QVERIFY(example.dense.input.rgb);
        const auto partial =
            core::parseAdapterConfig(R"({"task":"dense","version":1,"input":{"name":"x","order":"bgr"}})", "d.json");
        QCOMPARE(partial.dense.input.name, std::string("x"));
        QVERIFY(!partial.dense.input.rgb);
    }

    void malformedAdapters_data()
    {
        QTest::addColumn<QString>("base");
        QTest::addColumn<QString>("from");
        QTest::addColumn<QString>("to");
        QTest::addColumn<QString>("kind");
        QTest::addColumn<QString>("message");
        const QString seg = "seg", stereo = "stereo", dense = "dense";
        QTest::addRow("not an object") << dense << R"({"task":"dense","version":1})"
                                       << "[1]"
                                       << "format"
                                       << ":1: expected a JSON object, found an array";
        QTest::addRow("JSON syntax") << dense << R"("version":1})"
                                     << R"("version":1)"
                                     << "format"
                                     << ":1: JSON: ";
        QTest::addRow("missing task") << dense << R"("task":"dense",)"
                                      << ""
                                      << "format"
                                      << ":1: task: missing";
        QTest::addRow("missing version") << dense << R"(,"version":1)"
                                         << ""
                                         << "format"
                                         << ":1: version: missing";
        QTest::addRow("task not a string") << dense << R"("dense")"
                                           << "3"
                                           << "format"
                                           << ":1: task: expected a non-empty string, found \"3\"";
        QTest::addRow("unknown task") << dense << R"("dense")"
                                      << R"("pose")"
                                      << "unsupported"
                                      << ":1: task: unknown task \"pose\" (known: segmentation, stereo3d, dense)";
        QTest::addRow("version 2") << dense << R"("version":1)"
                                   << R"("version":2)"
                                   << "unsupported"
                                   << ":1: version: 2 is not supported (this build reads version 1)";
        QTest::addRow("version as text") << dense << R"("version":1)"
                                         << R"("version":"1")"
                                         << "format"
                                         << ":1: version: expected an integer, found \"1\"";
        QTest::addRow("dense unknown member") << dense << R"("version":1)"
                                              << R"("version":1,"outputs":[])"
                                              << "format"
                                              << ":1: outputs: unknown member (expected task, version, input)";
        QTest::addRow("unknown member")
            << seg << R"("ignore": 255,)"
            << R"("ignore": 255, "colour": 1,)"
            << "format"
            << ":4: colour: unknown member (expected task, version, input, output, ignore, classes)";
        QTest::addRow("missing output") << seg << R"( "output": "logits",)"
                                        << ""
                                        << "format"
                                        << ":1: output: missing";
        QTest::addRow("output empty") << seg << R"("output": "logits")"
                                      << R"("output": "")"
                                      << "format"
                                      << ":3: output: expected a non-empty string, found \"\"";
        QTest::addRow("missing input member") << seg << R"(, "order": "rgb"})"
                                              << "}"
                                              << "format"
                                              << ":2: input.order: missing";
        QTest::addRow("input member unknown") << seg << R"("order": "rgb")"
                                              << R"("order": "rgb", "layout": "nchw")"
                                              << "format"
                                              << ":2: input.layout: unknown member";
        QTest::addRow("mean of two") << seg << "[0.485, 0.456, 0.406]"
                                     << "[0.485, 0.456]"
                                     << "format"
                                     << ":2: input.mean: expected an array of 3 numbers, found an array of 2";
        QTest::addRow("std zero") << seg << "0.224"
                                  << "0"
                                  << "format"
                                  << ":2: input.std[1]: 0 must be > 0";
        QTest::addRow("bad order") << seg << R"("rgb")"
                                   << R"("RGB")"
                                   << "format"
                                   << ":2: input.order: expected \"rgb\" or \"bgr\", found \"RGB\"";
        QTest::addRow("width as text") << seg << "\"width\": 640"
                                       << "\"width\": \"640\""
                                       << "format"
                                       << ":2: input.width: expected an integer, found \"640\"";
        QTest::addRow("width zero") << seg << "\"width\": 640"
                                    << "\"width\": 0"
                                    << "format"
                                    << ":2: input.width: 0 is outside 1..16384";
        QTest::addRow("class id gap")
            << seg << R"("id": 1)"
            << R"("id": 2)"
            << "format"
            << ":5: classes: class ids must be 0..1 (channel c of the logits is class c); id 1 is missing";
        QTest::addRow("class id repeated") << seg << R"("id": 1)"
                                           << R"("id": 0)"
                                           << "format"
                                           << "id 0 is repeated";
        QTest::addRow("colour out of range") << seg << "[0, 0, 142]"
                                             << "[0, 0, 256]"
                                             << "format"
                                             << ":5: classes[0].color[2]: 256 is outside [0, 255]";
        QTest::addRow("class without name") << seg << R"("name": "car", )"
                                            << ""
                                            << "format"
                                            << ":5: classes[0].name: missing";
        QTest::addRow("classes not a list")
            << seg << R"("classes": [)"
            << R"("classes": 3, "x": [)"
            << "format"
            << ":5: classes: expected an array of classes or a class list file name, found \"3\"";
        QTest::addRow("class list not found")
            << seg
            << R"("classes": [{"id": 1, "name": "car", "color": [0, 0, 142]}, {"id": 0, "name": "road", "color": [128, 64, 128]}])"
            << R"("classes": "nowhere/classes.json")"
            << "io"
            << ":5: classes: class list file ";
        QTest::addRow("ignore is a class id") << seg << R"("ignore": 255)"
                                              << R"("ignore": 1)"
                                              << "format"
                                              << ":4: ignore: 1 is a class id (classes are 0..1)";
        QTest::addRow("stereo missing head") << stereo << R"(, "offset": "offset")"
                                             << ""
                                             << "format"
                                             << ":4: outputs.offset: missing";
        QTest::addRow("stereo input name refused") << stereo << R"("input": {)"
                                                   << R"("input": {"name": "left", )"
                                                   << "format"
                                                   << ":3: input.name: unknown member";
        QTest::addRow("stereo bins differ") << stereo << "[10, 10, 10, 10]"
                                            << "[10, 10, 10]"
                                            << "format"
                                            << ":7: depthBins: 4 centres but 3 widths";
        QTest::addRow("stereo bin width zero") << stereo << "[10, 10, 10, 10]"
                                               << "[0, 10, 10, 10]"
                                               << "format"
                                               << ":7: depthBins.widths[0]: 0 must be > 0";
        QTest::addRow("stereo no bins")
            << stereo << "[5, 15, 25, 35]"
            << "[]"
            << "format"
            << ":7: depthBins.centres: expected an array of 1..4096 numbers, found an array of 0";
        QTest::addRow("stereo even kernel") << stereo << R"("nmsKernel": 5)"
                                            << R"("nmsKernel": 4)"
                                            << "format"
                                            << ":9: nmsKernel: must be odd";
        QTest::addRow("stereo threshold above 1") << stereo << "0.25"
                                                  << "1.5"
                                                  << "format"
                                                  << ":9: scoreThreshold: 1.5 is outside [0, 1]";
        QTest::addRow("stereo negative mean size") << stereo << "[1.52, 1.63, 3.88]"
                                                   << "[-1.52, 1.63, 3.88]"
                                                   << "format"
                                                   << ":8: classes[0].meanSize[0]: -1.52 is outside (0, 1000]";
        QTest::addRow("stereo repeated class") << stereo << R"("Cyclist")"
                                               << R"("Car")"
                                               << "format"
                                               << ":8: classes[2].name: class \"Car\" is repeated";
        QTest::addRow("stereo class name with a space") << stereo << R"("Cyclist")"
                                                        << R"("Big car")"
                                                        << "format"
                                                        << "classes[2].name: must be one word";
        QTest::addRow("stereo no classes") << stereo << R"("classes": [{)"
                                           << R"("classes": [], "x": [{)"
                                           << "format"
                                           << ":8: classes: expected an array of 1..255 classes, found an array of 0";
        QTest::addRow("stereo stride zero") << stereo << R"("stride": 4)"
                                            << R"("stride": 0)"
                                            << "format"
                                            << ":6: stride: 0 is outside 1..256";
        QTest::addRow("stereo inputs not an object") << stereo << R"({"left": "left", "right": "right"})"
                                                     << R"(["left", "right"])"
                                                     << "format"
                                                     << ":2: inputs: expected an object, found an array";
    }
    void malformedAdapters()
    {
        QFETCH(QString, base);
        QFETCH(QString, from);
        QFETCH(QString, to);
        QFETCH(QString, kind);
        QFETCH(QString, message);
        QString text = base == "seg" ? kSegAdapter : base == "stereo" ? kStereoAdapter : kDenseAdapter;
        QVERIFY2(text.contains(from), qPrintable("the case's text is not in the base adapter: " + from));
        text.replace(text.indexOf(from), from.size(), to);
        const fs::path dir = test::makeTempDir("lnscope-adapter");
        const fs::path file = test::writeText(dir, "adapter.json", text.toStdString());
        QString error;
        if (kind == "format")
            error = errorOf<core::FormatError>([&] { core::readAdapterConfig(file); });
        else if (kind == "io")
            error = errorOf<core::IoError>([&] { core::readAdapterConfig(file); });
        else
            error = errorOf<core::UnsupportedError>([&] { core::readAdapterConfig(file); });
        QVERIFY2(error.startsWith(QString::fromStdString(file.string())), qPrintable(error));
        QVERIFY2(error.contains(message), qPrintable(error));
        fs::remove_all(dir);
    }

    void missingAdapterFile()
    {
        const QString error = errorOf<core::IoError>([] { core::readAdapterConfig("/nonexistent/adapter.json"); });
        QVERIFY2(error.contains("/nonexistent/adapter.json"), qPrintable(error));
    }

    // ---- registry and binding ---------------------------------------------------------------------

    void registry()
    {
        const auto& registry = core::TaskAdapterRegistry::builtin();
        QCOMPARE(registry.names(), (std::vector<std::string>{"segmentation", "stereo3d", "dense"}));
        for (const std::string& name : registry.names()) {
            QCOMPARE(registry.get(name).name(), name);
            QVERIFY(!registry.get(name).description().empty());
        }
        QVERIFY(registry.find("pose") == nullptr);
        const QString error = errorOf<core::UnsupportedError>([&] { registry.get("pose"); });
        QVERIFY2(error.contains("unknown task adapter \"pose\" (known: segmentation, stereo3d, dense)"),
                 qPrintable(error));
    }

    void defaultAdapterForModel()
    {
        core::Graph graph;
        graph.inputs = {valueInfo("pixels", {-1, 3, 48, 80})};
        graph.outputs = {valueInfo("out", {})};
        const core::AdapterConfig config = core::defaultAdapterFor(graph);
        QCOMPARE(config.task, std::string("dense"));
        QCOMPARE(config.dense.input.name, std::string("pixels"));
        QCOMPARE(config.dense.input.width, 80);
        QCOMPARE(config.dense.input.height, 48);
        graph.inputs = {valueInfo("features", {1, 100})}; // not an image: left to the executor
        QCOMPARE(core::defaultAdapterFor(graph).dense.input.width, 0);
    }

    void bindErrors_data()
    {
        QTest::addColumn<QString>("mutation");
        QTest::addColumn<QString>("message");
        QTest::addRow("matching model") << ""
                                        << "";
        QTest::addRow("unknown output")
            << "output"
            << "seg.json: output \"logits\" is not an output of the model (outputs: scores)";
        QTest::addRow("unknown input") << "input"
                                       << "seg.json: input \"image\" is not an input of the model (inputs: data)";
        QTest::addRow("class count") << "channels"
                                     << "seg.json: logits output \"logits\" has 3 channels, expected 2";
        QTest::addRow("input size") << "size"
                                    << "seg.json: model input \"image\" is 320x192 (WxH), the adapter says 640x192";
        QTest::addRow("grey input") << "grey"
                                    << "seg.json: model input \"image\" has 1 channels, the adapter feeds 3";
        QTest::addRow("output rank") << "rank"
                                     << "seg.json: logits output \"logits\" has rank 3, expected 4";
    }
    void bindErrors()
    {
        QFETCH(QString, mutation);
        QFETCH(QString, message);
        const core::AdapterConfig config = core::parseAdapterConfig(kSegAdapter, "seg.json");
        core::Graph graph;
        graph.inputs = {valueInfo(mutation == "input" ? "data" : "image",
                                  {1, mutation == "grey" ? 1 : 3, 192, mutation == "size" ? 320 : 640})};
        graph.outputs = {valueInfo(mutation == "output" ? "scores" : "logits",
                                   mutation == "rank"
                                       ? std::vector<int64_t>{1, 2, 192}
                                       : std::vector<int64_t>{1, mutation == "channels" ? 3 : 2, 192, 640})};
        const QString error = errorOf<core::Error>([&] { core::bindAdapter(config, graph); });
        if (message.isEmpty())
            QCOMPARE(error, QStringLiteral("no exception"));
        else
            QVERIFY2(error.contains(message), qPrintable(error));
    }

    void bindStereo()
    {
        const core::AdapterConfig config = core::parseAdapterConfig(kStereoAdapter, "stereo.json");
        core::Graph graph;
        graph.inputs = {valueInfo("left", {1, 3, 192, 640}), valueInfo("right", {1, 3, 192, 640})};
        for (const char* name : {"hm", "depth_bins", "depth_residual", "size", "heading", "offset"})
            graph.outputs.push_back(valueInfo(name, {}));
        core::bindAdapter(config, graph); // shapes unknown: names only
        graph.outputs[1] = valueInfo("depth_bins", {1, 6, 48, 160});
        const QString error = errorOf<core::ShapeError>([&] { core::bindAdapter(config, graph); });
        QVERIFY2(error.contains("stereo.json: depthBins output \"depth_bins\" has 6 channels, expected 4"),
                 qPrintable(error));
        graph.inputs.pop_back();
        QVERIFY(errorOf<core::FormatError>([&] {
                    core::bindAdapter(config, graph);
                }).contains("input \"right\" is not an input"));
    }

    void stereoNeedsRightImageAndCalibration()
    {
        const fs::path dir = test::makeTempDir("lnscope-adapter");
        cv::imwrite((dir / "000000.png").string(), cv::Mat(32, 64, CV_8UC3, cv::Scalar(1, 2, 3)));
        const core::Dataset ds = core::openDataset(dir);
        core::AdapterConfig config = core::parseAdapterConfig(kStereoAdapter, "stereo.json");
        const core::TaskAdapter& adapter = core::adapterFor(config);
        QVERIFY(errorOf<core::FormatError>([&] {
                    adapter.makeInputs(config, ds.frames[0]);
                }).contains("stereo.json: frame 000000 has no right image"));
        config.stereo3d = stereoConfig();
        config.stereo3d.heatmap = "heatmap";
        QVERIFY(errorOf<core::FormatError>([&] {
                    adapter.interpret(config, Heads(config.stereo3d).map, ds.frames[0]);
                }).contains("no calibration file"));
        fs::remove_all(dir);
    }

    // ---- dense ------------------------------------------------------------------------------------

    void compareDense()
    {
        core::TensorMap a, b;
        a["map"] = core::Tensor::fromFloats({1, 2, 2, 3}, {0, 1, 2, 3, 4, 5, 1, 1, 1, 1, 1, 1});
        b["map"] = core::Tensor::fromFloats({1, 2, 2, 3}, {0, 1, 2, 3, 4, 5, 1, 1, 1, 1, 3, 0.5f});
        a["vector"] = core::Tensor::fromFloats({4}, {1, 2, 3, 4});
        b["vector"] = core::Tensor::fromInts({4}, {1, 2, 3, 5});
        a["onlyA"] = core::Tensor::scalar(1);
        b["onlyB"] = core::Tensor::scalar(1);
        const core::DenseComparison cmp = core::compareDense(a, b);
        QCOMPARE(cmp.onlyInA, std::vector<std::string>{"onlyA"});
        QCOMPARE(cmp.onlyInB, std::vector<std::string>{"onlyB"});
        QCOMPARE(cmp.tensors.size(), size_t(2));
        const core::DenseTensorDiff& map = cmp.tensors[0];
        QCOMPARE(map.name, std::string("map"));
        QCOMPARE(map.channels.size(), size_t(2));
        QCOMPARE(map.agreement.maxAbs, 2.0);
        const core::DenseChannelDiff& c0 = map.channels[0];
        QCOMPARE(c0.width, 3);
        QCOMPARE(c0.height, 2);
        QCOMPARE(c0.maxAbsDiff, 0.f);
        QVERIFY(std::isinf(c0.agreement.sqnrDb));
        const core::DenseChannelDiff& c1 = map.channels[1];
        QCOMPARE(c1.absDiff, (std::vector<float>{0, 0, 0, 0, 2, 0.5f}));
        QCOMPARE(c1.maxAbsDiff, 2.f);
        QCOMPARE(c1.agreement.count, int64_t(6));
        EXPECT_NEAR(c1.agreement.sqnrDb, 20 * std::log10(std::sqrt(6.0) / std::sqrt(4.25)), 1e-9);
        const core::DenseTensorDiff& vector = cmp.tensors[1];
        QCOMPARE(vector.channels.size(), size_t(1));
        QCOMPARE(vector.channels[0].width, 4);
        QCOMPARE(vector.channels[0].height, 1);
        QCOMPARE(vector.channels[0].maxAbsDiff, 1.f);
    }

    void compareDenseLayouts_data()
    {
        QTest::addColumn<QList<int>>("shape");
        QTest::addColumn<int>("channels");
        QTest::addColumn<int>("height");
        QTest::addColumn<int>("width");
        QTest::addRow("rank 5") << QList<int>{2, 3, 4, 5, 6} << 3 << 20 << 6;
        QTest::addRow("rank 3") << QList<int>{3, 4, 5} << 3 << 4 << 5;
        QTest::addRow("rank 2") << QList<int>{4, 5} << 1 << 4 << 5;
        QTest::addRow("rank 0") << QList<int>{} << 1 << 1 << 1;
    }
    void compareDenseLayouts()
    {
        QFETCH(QList<int>, shape);
        QFETCH(int, channels);
        QFETCH(int, height);
        QFETCH(int, width);
        core::Shape s(shape.begin(), shape.end());
        core::TensorMap a{{"t", test::randomTensor(s, 1)}}, b{{"t", test::randomTensor(s, 2)}};
        const auto cmp = core::compareDense(a, b);
        QCOMPARE(int(cmp.tensors[0].channels.size()), channels);
        QCOMPARE(cmp.tensors[0].channels[0].height, height);
        QCOMPARE(cmp.tensors[0].channels[0].width, width);
        QCOMPARE(cmp.tensors[0].channels[0].absDiff.size(), size_t(height * width));
        int64_t count = 0;
        for (const auto& c : cmp.tensors[0].channels)
            count += c.agreement.count;
        QCOMPARE(count, cmp.tensors[0].agreement.count);
    }

    void compareDenseShapeMismatch()
    {
        core::TensorMap a{{"t", core::Tensor(core::DType::Float32, {1, 2})}},
            b{{"t", core::Tensor(core::DType::Float32, {2, 1})}};
        QVERIFY(errorOf<core::ShapeError>([&] {
                    core::compareDense(a, b);
                }).contains("dense output \"t\": shapes [1, 2] and [2, 1] differ"));
    }

    // ---- segmentation -----------------------------------------------------------------------------

    void resizePrediction()
    {
        core::SegPrediction p;
        p.width = 2;
        p.height = 1;
        p.classes = 2;
        p.classMap = {0, 1};
        p.probabilities = {0.9f, 0.2f, 0.1f, 0.8f};
        const core::SegPrediction r = core::resizePrediction(p, 4, 2);
        QCOMPARE(r.width, 4);
        QCOMPARE(r.height, 2);
        QCOMPARE(r.classMap, (std::vector<uint8_t>{0, 0, 1, 1, 0, 0, 1, 1}));
        const std::vector<float> row0{0.9f, 0.725f, 0.375f, 0.2f}; // half-pixel centres, edges clamped
        for (int x = 0; x < 4; ++x) {
            EXPECT_NEAR(r.probabilities[size_t(x)], row0[size_t(x)], 1e-6);
            EXPECT_NEAR(r.probabilities[size_t(x)] + r.probabilities[8 + size_t(x)], 1.0, 1e-6);
        }
        QCOMPARE(core::resizePrediction(p, 2, 1).classMap, p.classMap);
        QVERIFY(errorOf<core::ShapeError>([&] { core::resizePrediction(p, 0, 3); }).contains("outside 1..16384"));
    }

    void segmentationEndToEnd_data()
    {
        QTest::addColumn<int>("scale");
        QTest::addRow("image at the model size") << 1;
        QTest::addRow("image twice the model size") << 2;
    }
    void segmentationEndToEnd()
    {
        QFETCH(int, scale);
        const fs::path dir = test::makeTempDir("lnscope-seg");
        const fs::path images = dir / "images";
        fs::create_directories(images);
        cv::Mat image = cv::imread((test::datasetsDir() / "samples" / "tiny_input.png").string(), cv::IMREAD_COLOR);
        QCOMPARE(image.cols, 96);
        cv::resize(image, image, cv::Size(), scale, scale, cv::INTER_NEAREST);
        QVERIFY(cv::imwrite((images / "frame.png").string(), image));
        // The metadata of datasets/models/tiny_segnet.json as an adapter file.
        const fs::path adapterFile =
            test::writeText(dir, "tiny_segnet.adapter.json", R"({"task": "segmentation", "version": 1,
 "input": {"name": "input", "width": 96, "height": 64, "mean": [0.485, 0.456, 0.406], "std": [0.229, 0.224, 0.225], "order": "rgb"},
 "output": "logits",
 "classes": [{"id": 0, "name": "road", "color": [128, 64, 128]}, {"id": 1, "name": "lane marking", "color": [157, 234, 50]},
             {"id": 2, "name": "vegetation", "color": [107, 142, 35]}, {"id": 3, "name": "sky", "color": [70, 130, 180]}]})");

        const core::Graph graph = core::importOnnx(test::datasetsDir() / "models" / "tiny_segnet.onnx");
        const core::AdapterConfig config = core::bindAdapter(core::readAdapterConfig(adapterFile), graph);
        const core::TaskAdapter& adapter = core::adapterFor(config);
        QCOMPARE(adapter.name(), std::string("segmentation"));
        const core::Dataset ds = core::openDataset(images);
        QCOMPARE(ds.frames.size(), size_t(1));

        const core::TensorMap inputs = adapter.makeInputs(config, ds.frames[0]);
        QCOMPARE(inputs.at("input").shape(), (core::Shape{1, 3, 64, 96}));
        const core::Executor executor(graph);
        const core::TensorMap outputs = executor.run(inputs);
        const core::TaskResult result = adapter.interpret(config, outputs, ds.frames[0]);
        QVERIFY(std::holds_alternative<core::SegPrediction>(result));
        const core::SegPrediction& p = std::get<core::SegPrediction>(result);
        QCOMPARE(p.width, 96 * scale);
        QCOMPARE(p.height, 64 * scale);
        QCOMPARE(p.classes, 4);

        // Direct argmax of the executor's logits (ties → lower class), nearest-neighbour upscaled.
        const core::Tensor& logits = outputs.at("logits");
        QCOMPARE(logits.shape(), (core::Shape{1, 4, 64, 96}));
        int mismatches = 0;
        for (int y = 0; y < p.height; ++y)
            for (int x = 0; x < p.width; ++x) {
                const int sx = x / scale, sy = y / scale;
                int best = 0;
                for (int c = 1; c < 4; ++c)
                    if (logits.f()[(c * 64 + sy) * 96 + sx] > logits.f()[(best * 64 + sy) * 96 + sx])
                        best = c;
                mismatches += p.classMap[size_t(y * p.width + x)] != best;
            }
        QCOMPARE(mismatches, 0);
        fs::remove_all(dir);
    }

    void segmentationOutputErrors()
    {
        const core::AdapterConfig config = core::parseAdapterConfig(kSegAdapter, "seg.json");
        core::TensorMap outputs{{"scores", core::Tensor(core::DType::Float32, {1, 2, 4, 4})}};
        QVERIFY(errorOf<core::FormatError>([&] {
                    core::decodeSegmentation(outputs, config.segmentation, config.source, 4, 4);
                }).contains("seg.json: output \"logits\" is missing from the model outputs (have: scores)"));
        outputs = {{"logits", core::Tensor(core::DType::Float32, {1, 3, 4, 4})}};
        QVERIFY(errorOf<core::ShapeError>([&] {
                    core::decodeSegmentation(outputs, config.segmentation, config.source, 4, 4);
                }).contains("seg.json: logits output \"logits\" has 3 channels but the adapter lists 2 classes"));
        outputs = {{"logits", core::Tensor(core::DType::Float32, {2, 4, 4})}};
        QVERIFY(errorOf<core::ShapeError>([&] {
                    core::decodeSegmentation(outputs, config.segmentation, config.source, 4, 4);
                }).contains("expected rank 4"));
    }
};

QTEST_GUILESS_MAIN(TestTaskAdapter)
#include "test_task_adapter.moc"
