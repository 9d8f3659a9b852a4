// Segmentation metrics (numerics.md §4): logits → prediction against a naive double softmax,
// ties and non-finite logits, hand-computed IoU on tiny label maps (ignore pixels, absent
// classes, dataset-level accumulation), merge == one pass, pixel agreement, difference and error
// maps, and strict JSON round trips of the additive counts.

#include "lnscope/core/error.h"
#include "lnscope/core/json.h"
#include "lnscope/core/seg_metrics.h"
#include "test_utils.h"

#include <QTest>
#include <cmath>
#include <functional>
#include <limits>
#include <random>
#include <string>
#include <vector>

using namespace lnscope::core;
using lnscope::test::formatErrorOf;

Q_DECLARE_METATYPE(lnscope::core::Tensor)
Q_DECLARE_METATYPE(std::vector<uint8_t>)
Q_DECLARE_METATYPE(std::vector<float>)
Q_DECLARE_METATYPE(std::vector<double>)
Q_DECLARE_METATYPE(std::function<void()>)

namespace {

LabelMap labelMap(int width, int height, std::vector<uint8_t> ids)
{
    return LabelMap{width, height, std::move(ids)};
}

/// A prediction from explicit per-pixel probabilities ([pixel][class]); argmax from the values.
SegPrediction predictionOf(int width, int height, const std::vector<std::vector<float>>& perPixel)
{
    SegPrediction p;
    p.width = width;
    p.height = height;
    p.classes = static_cast<int>(perPixel.front().size());
    const size_t n = perPixel.size();
    p.probabilities.resize(n * size_t(p.classes));
    for (size_t i = 0; i < n; ++i) {
        int best = 0;
        for (int c = 0; c < p.classes; ++c) {
            p.probabilities[size_t(c) * n + i] = perPixel[i][size_t(c)];
            if (perPixel[i][size_t(c)] > perPixel[i][size_t(best)])
                best = c;
        }
        p.classMap.push_back(static_cast<uint8_t>(best));
    }
    return p;
}

/// A prediction known only by its class map.
SegPrediction classesOnly(int width, int height, int classes, std::vector<uint8_t> ids)
{
    SegPrediction p;
    p.width = width;
    p.height = height;
    p.classes = classes;
    p.classMap = std::move(ids);
    return p;
}

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

} // namespace

class TestSegMetrics : public QObject
{
    Q_OBJECT
private slots:
    void softmaxMatchesNaive();
    void argmaxTies_data();
    void argmaxTies();
    void logitErrors_data();
    void logitErrors();
    void maxProbabilityPicksWinner();

    void iouHandComputed_data();
    void iouHandComputed();
    void datasetLevelNotPerImage();
    void mergeHalvesEqualsOnePass();
    void confusionErrors_data();
    void confusionErrors();

    void pixelAgreement();
    void differenceMapBlackWhereArgmaxAgrees();
    void diffRampIsMonotone();
    void errorMapCategories();

    void jsonRoundTrip();
    void malformedJson_data();
    void malformedJson();
    void wrappedJsonErrorNamesBoth();
};

void TestSegMetrics::softmaxMatchesNaive()
{
    // Logits in [-8, 8): exp() cannot overflow, so the naive (unstabilised) double softmax is exact
    // enough to serve as reference. Batch item 1 of 2, so the batch offset is exercised too.
    const Tensor logits = lnscope::test::randomTensor({2, 5, 3, 4}, 4242, -8.f, 8.f);
    const SegPrediction p = segmentationFromLogits(logits, 1);
    QCOMPARE(p.width, 4);
    QCOMPARE(p.height, 3);
    QCOMPARE(p.classes, 5);
    const size_t hw = 12;
    const float* base = logits.f() + 5 * hw;
    for (size_t i = 0; i < hw; ++i) {
        double sum = 0, naiveSum = 0;
        int naiveArgmax = 0;
        for (size_t c = 0; c < 5; ++c) {
            naiveSum += std::exp(double(base[c * hw + i]));
            if (base[c * hw + i] > base[size_t(naiveArgmax) * hw + i])
                naiveArgmax = int(c);
        }
        for (size_t c = 0; c < 5; ++c) {
            const double naive = std::exp(double(base[c * hw + i])) / naiveSum;
            QVERIFY2(nearlyEqual(p.probabilities[c * hw + i], naive, 1e-7, 1e-6), qPrintable(QString::number(i)));
            sum += p.probabilities[c * hw + i];
        }
        QVERIFY(std::fabs(sum - 1.0) < 1e-6);
        QCOMPARE(int(p.classMap[i]), naiveArgmax);
    }
}

void TestSegMetrics::argmaxTies_data()
{
    // One pixel, logits per class → expected class and probabilities.
    QTest::addColumn<std::vector<float>>("logits");
    QTest::addColumn<int>("expectedClass");
    QTest::addColumn<std::vector<float>>("expectedProbabilities");
    const float inf = std::numeric_limits<float>::infinity(), nan = std::nanf("");
    const double e2 = std::exp(-2.0); // softmax(1, 3, 3) = (e^-2, 1, 1) / (2 + e^-2)
    QTest::addRow("tie goes to the lowest class")
        << std::vector<float>{1, 3, 3} << 1
        << std::vector<float>{float(e2 / (2 + e2)), float(1 / (2 + e2)), float(1 / (2 + e2))};
    QTest::addRow("all equal: class 0, uniform")
        << std::vector<float>{2, 2, 2, 2} << 0 << std::vector<float>{0.25f, 0.25f, 0.25f, 0.25f};
    QTest::addRow("huge logits stay finite")
        << std::vector<float>{1000, 1000, -1000} << 0 << std::vector<float>{0.5f, 0.5f, 0.f};
    QTest::addRow("NaN never wins") << std::vector<float>{nan, 0, 0} << 1 << std::vector<float>{0.f, 0.5f, 0.5f};
    QTest::addRow("+inf logits share") << std::vector<float>{5, inf, inf} << 1 << std::vector<float>{0.f, 0.5f, 0.5f};
    QTest::addRow("nothing usable: uniform") << std::vector<float>{nan, -inf} << 0 << std::vector<float>{0.5f, 0.5f};
}

void TestSegMetrics::argmaxTies()
{
    QFETCH(std::vector<float>, logits);
    QFETCH(int, expectedClass);
    QFETCH(std::vector<float>, expectedProbabilities);
    const int64_t c = int64_t(logits.size());
    const SegPrediction p = segmentationFromLogits(Tensor::fromFloats({1, c, 1, 1}, logits));
    QCOMPARE(int(p.classMap.at(0)), expectedClass);
    for (size_t k = 0; k < logits.size(); ++k)
        QVERIFY2(nearlyEqual(p.probabilities[k], expectedProbabilities[k], 1e-6, 0),
                 qPrintable(QStringLiteral("class %1: %2").arg(k).arg(p.probabilities[k])));
}

void TestSegMetrics::logitErrors_data()
{
    QTest::addColumn<Tensor>("logits");
    QTest::addColumn<int>("batchIndex");
    QTest::addColumn<QString>("expected");
    QTest::addRow("rank 3") << Tensor(DType::Float32, {2, 3, 4}) << 0 << "N x C x H x W";
    QTest::addRow("batch index") << Tensor(DType::Float32, {1, 2, 2, 2}) << 1 << "batch index 1";
    QTest::addRow("256 classes") << Tensor(DType::Float32, {1, 256, 1, 1}) << 0 << "1..255 classes";
    QTest::addRow("no pixels") << Tensor(DType::Float32, {1, 2, 0, 3}) << 0 << "no pixels";
}

void TestSegMetrics::logitErrors()
{
    QFETCH(Tensor, logits);
    QFETCH(int, batchIndex);
    QFETCH(QString, expected);
    const QString message = errorOf<ShapeError>([&] { segmentationFromLogits(logits, batchIndex); });
    QVERIFY2(message.contains(expected), qPrintable(message));
    QVERIFY(errorOf<UnsupportedError>([] {
                segmentationFromLogits(Tensor(DType::Int64, {1, 2, 1, 1}));
            }).contains("must be float"));
}

void TestSegMetrics::maxProbabilityPicksWinner()
{
    const SegPrediction p = predictionOf(2, 1, {{0.25f, 0.75f}, {0.625f, 0.375f}});
    QCOMPARE(maxProbability(p), (std::vector<float>{0.75f, 0.625f}));
    SegPrediction broken = p;
    broken.probabilities.pop_back();
    QVERIFY(errorOf<ShapeError>([&] { maxProbability(broken); }).contains("probabilities"));
}

void TestSegMetrics::iouHandComputed_data()
{
    // 2x2 maps (row-major); expectations worked out by hand from the definitions.
    QTest::addColumn<int>("classes");
    QTest::addColumn<std::vector<uint8_t>>("labels");
    QTest::addColumn<std::vector<uint8_t>>("prediction");
    QTest::addColumn<std::vector<double>>("iou"); // NaN = absent (dropped)
    QTest::addColumn<double>("meanIoU");
    QTest::addColumn<int>("counted");
    QTest::addColumn<double>("accuracy");
    const double nan = std::nan("");
    // class 0: I = 1, U = 2 → 1/2; class 1: I = 2, U = 3 → 2/3.
    QTest::addRow("known IoU") << 2 << std::vector<uint8_t>{0, 0, 1, 1} << std::vector<uint8_t>{0, 1, 1, 1}
                               << std::vector<double>{0.5, 2.0 / 3.0} << 7.0 / 12.0 << 2 << 0.75;
    // Ignore pixels are skipped whatever is predicted there (even an id that is not a class).
    QTest::addRow("ignore pixels") << 2 << std::vector<uint8_t>{0, 255, 1, 255} << std::vector<uint8_t>{0, 9, 1, 0}
                                   << std::vector<double>{1.0, 1.0} << 1.0 << 2 << 1.0;
    // Class 2 appears nowhere: dropped from the mean, not counted as 0 or 1.
    QTest::addRow("absent class dropped") << 3 << std::vector<uint8_t>{0, 0, 1, 1} << std::vector<uint8_t>{0, 0, 1, 1}
                                          << std::vector<double>{1.0, 1.0, nan} << 1.0 << 2 << 1.0;
    // Class 1 only predicted (a false positive class): present with IoU 0.
    QTest::addRow("predicted-only class counts")
        << 3 << std::vector<uint8_t>{0, 0, 0, 0} << std::vector<uint8_t>{0, 0, 0, 1}
        << std::vector<double>{0.75, 0.0, nan} << 0.375 << 2 << 0.75;
}

void TestSegMetrics::iouHandComputed()
{
    QFETCH(int, classes);
    QFETCH(std::vector<uint8_t>, labels);
    QFETCH(std::vector<uint8_t>, prediction);
    QFETCH(std::vector<double>, iou);
    QFETCH(double, meanIoU);
    QFETCH(int, counted);
    QFETCH(double, accuracy);
    SegConfusion confusion(classes);
    confusion.add(labelMap(2, 2, labels), labelMap(2, 2, prediction));
    const SegScores s = confusion.scores();
    QCOMPARE(int(s.perClass.size()), classes);
    for (size_t c = 0; c < iou.size(); ++c) {
        QCOMPARE(s.perClass[c].present, !std::isnan(iou[c]));
        QVERIFY2(nearlyEqual(s.perClass[c].iou, iou[c], 1e-12, 0), qPrintable(QString::number(c)));
    }
    QVERIFY(nearlyEqual(s.meanIoU, meanIoU, 1e-12, 0));
    QCOMPARE(s.classesCounted, counted);
    QVERIFY(nearlyEqual(s.pixelAccuracy, accuracy, 1e-12, 0));
    int ignored = 0;
    for (uint8_t l : labels)
        ignored += l == 255 ? 1 : 0;
    QCOMPARE(s.ignoredPixels, int64_t(ignored));
    QCOMPARE(s.pixels, int64_t(4 - ignored));
}

void TestSegMetrics::datasetLevelNotPerImage()
{
    // Image 1 all class 0, predicted right; image 2 all class 1 with one pixel predicted 0.
    // Dataset level: class 0 I = 4, U = 5; class 1 I = 3, U = 4 → mIoU (0.8 + 0.75)/2 = 0.775.
    // (The mean of per-image mIoUs would be (1 + 0.375)/2 = 0.6875.)
    SegConfusion confusion(2);
    confusion.add(labelMap(2, 2, {0, 0, 0, 0}), labelMap(2, 2, {0, 0, 0, 0}));
    confusion.add(labelMap(2, 2, {1, 1, 1, 1}), labelMap(2, 2, {0, 1, 1, 1}));
    const SegScores s = confusion.scores();
    QVERIFY(nearlyEqual(s.meanIoU, 0.775, 1e-12, 0));
    QCOMPARE(s.perClass[0].intersection, int64_t(4));
    QCOMPARE(s.perClass[0].unionCount, int64_t(5));
    QCOMPARE(s.perClass[1].labelPixels, int64_t(4));
    QCOMPARE(s.perClass[1].predictedPixels, int64_t(3));
}

void TestSegMetrics::mergeHalvesEqualsOnePass()
{
    std::mt19937 rng(77);
    std::vector<LabelMap> labels, predictions;
    for (int image = 0; image < 6; ++image) {
        LabelMap l{7, 5, {}}, p{7, 5, {}};
        for (int i = 0; i < 35; ++i) {
            const auto v = lnscope::test::uniformInt(rng, 0, 5); // 5 → ignore
            l.ids.push_back(v == 5 ? 255 : uint8_t(v));
            p.ids.push_back(uint8_t(lnscope::test::uniformInt(rng, 0, 4)));
        }
        labels.push_back(l);
        predictions.push_back(p);
    }
    SegConfusion all(5), first(5), second(5);
    for (size_t i = 0; i < labels.size(); ++i) {
        all.add(labels[i], predictions[i]);
        (i < 3 ? first : second).add(labels[i], predictions[i]);
    }
    first.merge(second);
    QVERIFY(first == all);
    QCOMPARE(first.scores().meanIoU, all.scores().meanIoU);
    QCOMPARE(first.countedPixels() + first.ignoredPixels(), int64_t(6 * 35));
}

void TestSegMetrics::confusionErrors_data()
{
    QTest::addColumn<std::function<void()>>("action");
    QTest::addColumn<QString>("expected");
    QTest::addRow("size mismatch") << std::function<void()>([] {
        SegConfusion(2).add(labelMap(2, 2, {0, 0, 0, 0}), labelMap(4, 1, {0, 0, 0, 0}));
    }) << "2x2 but the prediction is 4x1";
    QTest::addRow("label not a class") << std::function<void()>([] {
        SegConfusion(2).add(labelMap(2, 2, {0, 7, 0, 0}), labelMap(2, 2, {0, 0, 0, 0}));
    }) << "label pixel (1, 0) has class 7";
    QTest::addRow("prediction not a class") << std::function<void()>([] {
        SegConfusion(2).add(labelMap(2, 2, {0, 0, 0, 1}), labelMap(2, 2, {0, 0, 0, 2}));
    }) << "prediction pixel (1, 1) has class 2";
    QTest::addRow("prediction class count")
        << std::function<void()>([] { SegConfusion(2).add(labelMap(1, 1, {0}), classesOnly(1, 1, 3, {0})); })
        << "3 classes";
    QTest::addRow("ids do not fill the map") << std::function<void()>([] {
        SegConfusion(2).add(labelMap(2, 2, {0, 0, 0}), labelMap(2, 2, {0, 0, 0, 0}));
    }) << "3 ids for a 2x2 map";
    QTest::addRow("merge other class count") << std::function<void()>([] {
        SegConfusion a(2);
        a.merge(SegConfusion(3));
    }) << "cannot merge";
    QTest::addRow("ignore value is a class")
        << std::function<void()>([] { SegConfusion(20, 4); }) << "ignore value 4 is a class id";
    QTest::addRow("no classes") << std::function<void()>([] { SegConfusion(0); }) << "1..256 classes";
}

void TestSegMetrics::confusionErrors()
{
    QFETCH(std::function<void()>, action);
    QFETCH(QString, expected);
    const QString message = errorOf<ShapeError>(action);
    QVERIFY2(message.contains(expected), qPrintable(message));
}

void TestSegMetrics::pixelAgreement()
{
    // Reference (float) and converted argmax: agree at 3 of 4 pixels.
    // Converted vs reference: class 0 I=1 U=1; class 1 I=1 U=2; class 2 I=1 U=2 → mIoU 2/3.
    const SegPrediction ref = classesOnly(2, 2, 3, {0, 1, 2, 2});
    const SegPrediction conv = classesOnly(2, 2, 3, {0, 1, 1, 2});
    PixelAgreementAccumulator acc(3);
    acc.add(ref, conv);
    PixelAgreement r = acc.result();
    QCOMPARE(r.validPixels, int64_t(4));
    QCOMPARE(r.agreeingPixels, int64_t(3));
    QCOMPARE(r.agreement, 0.75);
    QVERIFY(nearlyEqual(r.convertedVsReference.meanIoU, 2.0 / 3.0, 1e-12, 0));

    // With labels only the labelled pixels 0 and 2 are valid: agree at 0, not at 2.
    PixelAgreementAccumulator masked(3);
    masked.add(ref, conv, labelMap(2, 2, {1, 255, 0, 255}));
    r = masked.result();
    QCOMPARE(r.validPixels, int64_t(2));
    QCOMPARE(r.agreeingPixels, int64_t(1));
    QCOMPARE(r.agreement, 0.5);

    // Additive: the two accumulations merged are the sum of both.
    acc.merge(masked);
    QCOMPARE(acc.result().validPixels, int64_t(6));
    QCOMPARE(acc.result().agreeingPixels, int64_t(4));

    QVERIFY(std::isnan(PixelAgreementAccumulator(3).result().agreement));
    QVERIFY(errorOf<ShapeError>([&] { acc.add(ref, classesOnly(4, 1, 3, {0, 0, 0, 0})); }).contains("2x2"));
}

void TestSegMetrics::differenceMapBlackWhereArgmaxAgrees()
{
    // Pixel 0: both argmax 0, probabilities differ (L1 0.25) → black.
    // Pixel 1: argmax 0 vs 1, L1 = |1 − 0.25| + |0 − 0.75| = 1.5 → ramp t = 0.75 → (255, 255, 64).
    // Pixel 2: identical → black, L1 0.
    const SegPrediction a = predictionOf(3, 1, {{0.75f, 0.25f}, {1.f, 0.f}, {0.5f, 0.5f}});
    const SegPrediction b = predictionOf(3, 1, {{0.625f, 0.375f}, {0.25f, 0.75f}, {0.5f, 0.5f}});
    const DiffMap d = differenceMap(a, b);
    QCOMPARE(d.width, 3);
    QCOMPARE(d.height, 1);
    QCOMPARE(d.l1, (std::vector<float>{0.25f, 1.5f, 0.f}));
    QCOMPARE(d.rgb, (std::vector<uint8_t>{0, 0, 0, 255, 255, 64, 0, 0, 0}));
    QCOMPARE(d.disagreeingPixels, int64_t(1));
    QCOMPARE(d.maxL1, 1.5f);

    QVERIFY(errorOf<ShapeError>([&] {
                differenceMap(a, predictionOf(1, 3, {{1, 0}, {1, 0}, {1, 0}}));
            }).contains("3x1"));
    QVERIFY(errorOf<ShapeError>([&] { differenceMap(a, classesOnly(3, 1, 2, {0, 0, 0})); }).contains("probabilities"));
}

void TestSegMetrics::diffRampIsMonotone()
{
    QCOMPARE(diffRampColour(0.f), (std::array<uint8_t, 3>{96, 0, 0}));
    QCOMPARE(diffRampColour(2.f), (std::array<uint8_t, 3>{255, 255, 255}));
    QCOMPARE(diffRampColour(5.f), (std::array<uint8_t, 3>{255, 255, 255}));
    int previous = -1;
    for (int i = 0; i <= 200; ++i) {
        const auto c = diffRampColour(float(i) / 100.f);
        const int brightness = c[0] + c[1] + c[2];
        QVERIFY2(brightness >= previous, qPrintable(QString::number(i)));
        QVERIFY(brightness > 0);
        previous = brightness;
    }
}

void TestSegMetrics::errorMapCategories()
{
    // label:     0  1  2  255  1
    // float:     0  1  0  0    0
    // converted: 0  0  2  1    2
    const SegPrediction ref = classesOnly(5, 1, 3, {0, 1, 0, 0, 0});
    const SegPrediction conv = classesOnly(5, 1, 3, {0, 0, 2, 1, 2});
    const SegErrorMap m = errorMap(ref, conv, labelMap(5, 1, {0, 1, 2, 255, 1}));
    using C = SegErrorCategory;
    QCOMPARE(m.categories,
             (std::vector<C>{C::BothRight, C::OnlyConvertedWrong, C::OnlyReferenceWrong, C::Ignore, C::BothWrong}));
    for (int k = 0; k < kSegErrorCategoryCount; ++k)
        QCOMPARE(m.counts[size_t(k)], int64_t(1));
    QCOMPARE(m.rgb.size(), size_t(15));
    for (size_t i = 0; i < 5; ++i) {
        const auto colour = segErrorCategoryColour(m.categories[i]);
        QCOMPARE((std::array<uint8_t, 3>{m.rgb[3 * i], m.rgb[3 * i + 1], m.rgb[3 * i + 2]}), colour);
    }
    QCOMPARE(QString(segErrorCategoryName(C::OnlyConvertedWrong)), QStringLiteral("only converted wrong"));
    QVERIFY(errorOf<ShapeError>([&] {
                errorMap(ref, conv, labelMap(5, 1, {0, 1, 2, 9, 1}));
            }).contains("label pixel (3, 0) has class 9"));
}

void TestSegMetrics::jsonRoundTrip()
{
    SegConfusion confusion(3);
    confusion.add(labelMap(3, 2, {0, 1, 2, 255, 1, 1}), labelMap(3, 2, {0, 2, 2, 0, 1, 0}));
    const std::string text = writeJson(confusion.toJson());
    const SegConfusion back = SegConfusion::fromJson(parseJson(text));
    QVERIFY(back == confusion);
    QCOMPARE(writeJson(back.toJson()), text); // deterministic bytes
    QCOMPARE(back.ignoredPixels(), int64_t(1));
    QCOMPARE(back.count(1, 0), int64_t(1));

    PixelAgreementAccumulator agreement(3);
    agreement.add(classesOnly(2, 1, 3, {0, 1}), classesOnly(2, 1, 3, {0, 2}));
    const PixelAgreementAccumulator agreementBack =
        PixelAgreementAccumulator::fromJson(parseJson(writeJson(agreement.toJson())));
    QVERIFY(agreementBack == agreement);
    QCOMPARE(agreementBack.result().agreement, 0.5);
}

void TestSegMetrics::malformedJson_data()
{
    QTest::addColumn<QString>("json");
    QTest::addColumn<QString>("expected");
    const QString head = R"("kind":"seg_confusion","version":1,"classes":2,"ignore":255,"ignored":0)";
    auto doc = [&](const QString& rest) { return "{" + head + rest + "}"; };
    QTest::addRow("valid baseline") << doc(R"(,"counts":[[1,0],[0,1]])") << "ok";
    QTest::addRow("syntax error") << doc(R"(,"counts":[[1,0],[0,1]])").chopped(1) << "line 1";
    QTest::addRow("not an object") << "[1,2]"
                                   << "expected an object";
    QTest::addRow("missing counts") << doc("") << "counts: missing";
    QTest::addRow("unknown member") << doc(R"(,"counts":[[1,0],[0,1]],"extra":1)") << "extra: unknown member";
    QTest::addRow("wrong kind")
        << R"({"kind":"kitti_det_ap","version":1,"classes":2,"ignore":255,"ignored":0,"counts":[[1,0],[0,1]]})"
        << "kind: expected \"seg_confusion\"";
    QTest::addRow("future version")
        << QString(doc(R"(,"counts":[[1,0],[0,1]])")).replace("\"version\":1", "\"version\":2")
        << "version: expected an integer in 1..1";
    QTest::addRow("negative count") << doc(R"(,"counts":[[1,-1],[0,1]])") << "row 0 entry 1";
    QTest::addRow("fractional count") << doc(R"(,"counts":[[1,0],[0.5,1]])") << "row 1 entry 0";
    QTest::addRow("short row") << doc(R"(,"counts":[[1,0],[0]])") << "row 1 is not an array of 2";
    QTest::addRow("too few rows") << doc(R"(,"counts":[[1,0]])") << "array of 2 rows";
    QTest::addRow("count as string") << doc(R"(,"counts":[["1",0],[0,1]])") << "row 0 entry 0";
    QTest::addRow("ignore is a class")
        << R"({"kind":"seg_confusion","version":1,"classes":2,"ignore":1,"ignored":0,"counts":[[1,0],[0,1]]})"
        << "ignore: value 1 is a class id";
    QTest::addRow("classes not a number")
        << QString(doc(R"(,"counts":[[1,0],[0,1]])")).replace("\"classes\":2", "\"classes\":\"2\"")
        << "classes: expected an integer in 1..256, found a string";
}

void TestSegMetrics::malformedJson()
{
    QFETCH(QString, json);
    QFETCH(QString, expected);
    const QString message = formatErrorOf([&] { SegConfusion::fromJson(parseJson(json.toStdString())); });
    if (expected == "ok")
        QCOMPARE(message, QStringLiteral("no exception"));
    else
        QVERIFY2(message.contains(expected), qPrintable(message));
}

void TestSegMetrics::wrappedJsonErrorNamesBoth()
{
    // Errors inside the wrapped confusion name the wrapper and the field.
    const QString wrapped = formatErrorOf([&] {
        PixelAgreementAccumulator::fromJson(
            parseJson(R"({"kind":"seg_pixel_agreement","version":1,"confusion":{"kind":"seg_confusion"}})"));
    });
    QVERIFY2(wrapped.startsWith("pixel agreement JSON: confusion: seg confusion JSON:"), qPrintable(wrapped));
}

QTEST_GUILESS_MAIN(TestSegMetrics)
#include "test_seg_metrics.moc"
