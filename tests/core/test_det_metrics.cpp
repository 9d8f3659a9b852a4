// 3-D detection metrics (numerics.md §4): BEV / 3-D / image IoU on hand-computed boxes and
// against a fine-grid rasterisation of seeded random boxes, the footprint convention of
// boxCorners(), strict > at the threshold (§5), AP|R40 and AP|R11 on hand-built PR curves,
// KITTI difficulty filtering (neighbour classes, DontCare, small detections), shard merging,
// JSON round trips, and float-vs-converted box matching.

#include "lnscope/core/det_metrics.h"
#include "lnscope/core/error.h"
#include "lnscope/core/json.h"
#include "test_utils.h"

#include <QTest>
#include <cmath>
#include <numbers>
#include <random>
#include <string>
#include <vector>

using namespace lnscope::core;
using lnscope::test::formatErrorOf;
using lnscope::test::uniform;

Q_DECLARE_METATYPE(lnscope::core::KittiObject)
Q_DECLARE_METATYPE(std::vector<lnscope::core::ScoredDetection>)

namespace {

constexpr double kPi = std::numbers::pi;

/// A box by its BEV rectangle and vertical extent; the image box is tall enough for Easy.
KittiObject box(const std::string& type, double x, double z, double l, double w, double ry = 0.0, double y = 1.5,
                double h = 1.5)
{
    KittiObject o;
    o.type = type;
    o.x = float(x);
    o.y = float(y);
    o.z = float(z);
    o.l = float(l);
    o.w = float(w);
    o.h = float(h);
    o.rotationY = float(ry);
    o.bbox[0] = 100;
    o.bbox[1] = 100;
    o.bbox[2] = 200;
    o.bbox[3] = 200;
    return o;
}

/// A Car with centre in [-c, c]², length and width in the given ranges, any heading. Draws in
/// a fixed order (not as call arguments, whose evaluation order is unspecified).
KittiObject randomBox(std::mt19937& rng, float c, float lMin, float lMax, float wMin, float wMax)
{
    const float x = uniform(rng, -c, c);
    const float z = uniform(rng, -c, c);
    const float l = uniform(rng, lMin, lMax);
    const float w = uniform(rng, wMin, wMax);
    const float ry = uniform(rng, -3.14159f, 3.14159f);
    return box("Car", x, z, l, w, ry);
}

KittiObject scored(KittiObject o, float score)
{
    o.score = score;
    return o;
}

KittiObject withImageBox(KittiObject o, float x1, float y1, float x2, float y2)
{
    o.bbox[0] = x1;
    o.bbox[1] = y1;
    o.bbox[2] = x2;
    o.bbox[3] = y2;
    return o;
}

/// Reference BEV IoU: cell centres of an n×n grid over both footprints' bounding box, a point
/// inside a footprint when it is left of (or on) all four edges of boxCorners()' ground face
/// (the corners run clockwise in (x, z), so "inside" is right of each edge; both are handled).
double rasterBevIoU(const KittiObject& a, const KittiObject& b, int n)
{
    auto footprint = [](const KittiObject& o) {
        const auto c = boxCorners(o);
        return std::array<std::array<double, 2>, 4>{
            {{c[0][0], c[0][2]}, {c[1][0], c[1][2]}, {c[2][0], c[2][2]}, {c[3][0], c[3][2]}}};
    };
    const auto fa = footprint(a), fb = footprint(b);
    auto inside = [](const std::array<std::array<double, 2>, 4>& f, double px, double pz) {
        int positive = 0, negative = 0;
        for (int i = 0; i < 4; ++i) {
            const auto& p = f[size_t(i)];
            const auto& q = f[size_t((i + 1) % 4)];
            const double cross = (q[0] - p[0]) * (pz - p[1]) - (q[1] - p[1]) * (px - p[0]);
            positive += cross > 0;
            negative += cross < 0;
        }
        return positive == 0 || negative == 0;
    };
    double lo[2] = {1e9, 1e9}, hi[2] = {-1e9, -1e9};
    for (const auto* f : {&fa, &fb})
        for (const auto& p : *f)
            for (int k = 0; k < 2; ++k) {
                lo[k] = std::min(lo[k], p[size_t(k)]);
                hi[k] = std::max(hi[k], p[size_t(k)]);
            }
    int64_t both = 0, either = 0;
    for (int i = 0; i < n; ++i)
        for (int j = 0; j < n; ++j) {
            const double px = lo[0] + (hi[0] - lo[0]) * (i + 0.5) / n;
            const double pz = lo[1] + (hi[1] - lo[1]) * (j + 0.5) / n;
            const bool ia = inside(fa, px, pz), ib = inside(fb, px, pz);
            both += ia && ib;
            either += ia || ib;
        }
    return either ? double(both) / double(either) : 0.0;
}

/// The AP cell of `results` for (class, difficulty, metric, table).
DetApResult cell(const std::vector<DetApResult>& results, const std::string& cls, KittiDifficulty d, DetMetric m,
                 int table)
{
    for (const DetApResult& r : results)
        if (r.className == cls && r.difficulty == d && r.metric == m && r.table == table)
            return r;
    return {};
}

std::vector<ScoredDetection> pr(std::initializer_list<std::pair<float, bool>> list)
{
    std::vector<ScoredDetection> out;
    for (const auto& [s, tp] : list)
        out.push_back({s, tp});
    return out;
}

} // namespace

class TestDetMetrics : public QObject
{
    Q_OBJECT
private slots:
    void footprintMatchesBoxCorners();
    void bevIoUHandComputed_data();
    void bevIoUHandComputed();
    void bevIoUMatchesRasterization();
    void iou3dHandComputed_data();
    void iou3dHandComputed();
    void bboxIoUHandComputed();
    void thresholdIsStrict();

    void averagePrecisionHandBuilt_data();
    void averagePrecisionHandBuilt();
    void difficultyLimits_data();
    void difficultyLimits();
    void difficultyFiltering();
    void detectionNeedsScore();
    void shardsMergeToOnePass();
    void jsonRoundTrip();
    void malformedJson_data();
    void malformedJson();

    void matchBoxesPairsAndLeftovers();
    void matchBoxesHeadingWrap();
    void matchBoxesTieBreak();
};

void TestDetMetrics::footprintMatchesBoxCorners()
{
    std::mt19937 rng(2024);
    for (int i = 0; i < 50; ++i) {
        KittiObject o = randomBox(rng, 20, 0.5f, 5, 0.5f, 3);
        o.z += 30;
        const auto f = bevFootprint(o);
        const auto c = boxCorners(o);
        for (size_t k = 0; k < 4; ++k) {
            QVERIFY(nearlyEqual(f[k][0], c[k][0], 1e-9, 0));
            QVERIFY(nearlyEqual(f[k][1], c[k][2], 1e-9, 0));
        }
    }
}

void TestDetMetrics::bevIoUHandComputed_data()
{
    QTest::addColumn<KittiObject>("a");
    QTest::addColumn<KittiObject>("b");
    QTest::addColumn<double>("expected");
    const double r2 = std::sqrt(2.0);
    // A: x in [-2, 2], z in [-1, 1] (ry = 0: length along x).
    const KittiObject a = box("Car", 0, 0, 4, 2);
    QTest::addRow("identical") << a << a << 1.0;
    QTest::addRow("identical, turned by pi") << a << box("Car", 0, 0, 4, 2, kPi) << 1.0;
    QTest::addRow("disjoint") << a << box("Car", 10, 0, 4, 2) << 0.0;
    QTest::addRow("touching edge") << a << box("Car", 4, 0, 4, 2) << 0.0;
    QTest::addRow("touching corner") << a << box("Car", 4, 2, 4, 2) << 0.0;
    // B: x in [-1, 3], z in [-0.5, 1.5]: overlap 3 x 1.5 = 4.5, union 8 + 8 − 4.5 = 11.5.
    QTest::addRow("axis-aligned shift") << a << box("Car", 1, 0.5, 4, 2) << 4.5 / 11.5;
    // B contained in A: 2 / 8.
    QTest::addRow("contained") << a << box("Car", 0.5, 0, 2, 1) << 0.25;
    // Turned by 90 degrees about the common centre: a 2 x 2 cross, 4 / (8 + 8 − 4).
    QTest::addRow("cross") << a << box("Car", 0, 0, 4, 2, kPi / 2) << 1.0 / 3.0;
    // Square of side 2 and itself turned by 45 degrees: a regular octagon of inradius 1,
    // area 8·tan(pi/8) = 8(√2 − 1); IoU = 8(√2 − 1) / (8 − 8(√2 − 1)) = 1/√2.
    QTest::addRow("square and 45 degrees") << box("Car", 3, 7, 2, 2) << box("Car", 3, 7, 2, 2, kPi / 4) << 1.0 / r2;
    QTest::addRow("square and -45 degrees, swapped")
        << box("Car", 3, 7, 2, 2, -kPi / 4) << box("Car", 3, 7, 2, 2) << 1.0 / r2;
    QTest::addRow("degenerate width") << a << box("Car", 0, 0, 4, 0) << 0.0;
}

void TestDetMetrics::bevIoUHandComputed()
{
    QFETCH(KittiObject, a);
    QFETCH(KittiObject, b);
    QFETCH(double, expected);
    QVERIFY2(nearlyEqual(bevIoU(a, b), expected, 1e-6, 0), qPrintable(QString::number(bevIoU(a, b), 'g', 17)));
    QVERIFY(nearlyEqual(bevIoU(b, a), expected, 1e-6, 0)); // symmetric
    if (QTest::currentDataTag() == QByteArray("square and 45 degrees"))
        QVERIFY(nearlyEqual(bevOverlapArea(a, b), 8.0 * (std::sqrt(2.0) - 1.0), 1e-6, 0));
}

void TestDetMetrics::bevIoUMatchesRasterization()
{
    // Seeded random boxes near each other, all orientations. The grid reference has 800 x 800
    // cells over both footprints (≤ 8 m wide, so cells ≤ 1 cm); its IoU error is a few 1e-3 at
    // most, hence the tolerance 0.01. At least some pairs must overlap for the test to mean much.
    std::mt19937 rng(12345);
    int overlapping = 0;
    for (int i = 0; i < 40; ++i) {
        const KittiObject a = randomBox(rng, 1, 0.5f, 4, 0.5f, 2.5f);
        const KittiObject b = randomBox(rng, 1, 0.5f, 4, 0.5f, 2.5f);
        const double exact = bevIoU(a, b), raster = rasterBevIoU(a, b, 800);
        QVERIFY2(std::fabs(exact - raster) < 0.01,
                 qPrintable(QStringLiteral("pair %1: %2 vs raster %3").arg(i).arg(exact).arg(raster)));
        overlapping += exact > 0.05;
    }
    QVERIFY(overlapping >= 20);
}

void TestDetMetrics::iou3dHandComputed_data()
{
    QTest::addColumn<KittiObject>("a");
    QTest::addColumn<KittiObject>("b");
    QTest::addColumn<double>("expected");
    // Footprint 2 x 1; A spans y in [-2, 0] (y is the bottom, y points down).
    const KittiObject a = box("Car", 0, 0, 2, 1, 0, 0, 2);
    QTest::addRow("identical") << a << a << 1.0;
    // B spans [-3, -1]: vertical overlap 1, volume 2 each of 4 → 2 / (4 + 4 − 2).
    QTest::addRow("partial vertical") << a << box("Car", 0, 0, 2, 1, 0, -1, 2) << 1.0 / 3.0;
    // Also shifted by 1 m in x: BEV overlap 1 m², volume 1 → 1 / 7.
    QTest::addRow("partial both") << a << box("Car", 1, 0, 2, 1, 0, -1, 2) << 1.0 / 7.0;
    QTest::addRow("stacked, touching") << a << box("Car", 0, 0, 2, 1, 0, -2, 2) << 0.0;
    QTest::addRow("stacked, apart") << a << box("Car", 0, 0, 2, 1, 0, -5, 2) << 0.0;
    QTest::addRow("no height") << a << box("Car", 0, 0, 2, 1, 0, 0, 0) << 0.0;
}

void TestDetMetrics::iou3dHandComputed()
{
    QFETCH(KittiObject, a);
    QFETCH(KittiObject, b);
    QFETCH(double, expected);
    QVERIFY2(nearlyEqual(iou3d(a, b), expected, 1e-9, 0), qPrintable(QString::number(iou3d(a, b), 'g', 17)));
    QVERIFY(nearlyEqual(iou3d(b, a), expected, 1e-9, 0));
}

void TestDetMetrics::bboxIoUHandComputed()
{
    // [0,10]x[0,10] and [5,15]x[0,10]: 50 / 150 (no +1 pixel, as the devkit).
    const KittiObject a = withImageBox(box("Car", 0, 0, 1, 1), 0, 0, 10, 10);
    const KittiObject b = withImageBox(box("Car", 0, 0, 1, 1), 5, 0, 15, 10);
    QCOMPARE(bboxIoU(a, b), 1.0 / 3.0);
    QCOMPARE(bboxIoU(a, withImageBox(a, 10, 0, 20, 10)), 0.0);
}

void TestDetMetrics::thresholdIsStrict()
{
    // Ground truth 2 x 1 m, detection 1 x 1 m inside it, same height and image box:
    // BEV IoU = 3-D IoU = 1/2 exactly — equal to Pedestrian's strict threshold 0.5, so not a match
    // there (AP 0), but a match at the loose 0.25 (AP 1). The image boxes are identical (IoU 1).
    const KittiObject gt = box("Pedestrian", 0, 10, 2, 1);
    const KittiObject det = scored(box("Pedestrian", 0, 10, 1, 1), 0.9f);
    QCOMPARE(bevIoU(gt, det), 0.5);
    QCOMPARE(iou3d(gt, det), 0.5);
    DetAccumulator acc;
    acc.add({gt}, {det});
    const auto results = acc.results();
    for (DetMetric m : {DetMetric::Bev, DetMetric::Box3d}) {
        const DetApResult strict = cell(results, "Pedestrian", KittiDifficulty::Moderate, m, 0);
        QCOMPARE(strict.iouThreshold, 0.5);
        QCOMPARE(strict.truePositives, int64_t(0));
        QCOMPARE(strict.detections, int64_t(1));
        QCOMPARE(strict.apR40, 0.0);
        const DetApResult loose = cell(results, "Pedestrian", KittiDifficulty::Moderate, m, 1);
        QCOMPARE(loose.truePositives, int64_t(1));
        QCOMPARE(loose.apR40, 1.0);
    }
    QCOMPARE(cell(results, "Pedestrian", KittiDifficulty::Moderate, DetMetric::Bbox2d, 0).apR40, 1.0);
}

void TestDetMetrics::averagePrecisionHandBuilt_data()
{
    QTest::addColumn<std::vector<ScoredDetection>>("detections");
    QTest::addColumn<int>("groundTruth");
    QTest::addColumn<double>("r40");
    QTest::addColumn<double>("r11");
    // 2 GT; TP 0.9, FP 0.8, TP 0.7 → points (recall, precision) (0.5, 1), (0.5, 0.5), (1, 2/3).
    // Interpolated: 1 for recall ≤ 0.5, 2/3 above. R40: 20 levels at 1, 20 at 2/3 → 5/6.
    // R11: recall 0 … 0.5 (6 levels) at 1, 0.6 … 1 (5 levels) at 2/3 → (6 + 10/3)/11 = 28/33.
    QTest::addRow("TP FP TP") << pr({{0.9f, true}, {0.8f, false}, {0.7f, true}}) << 2 << 5.0 / 6.0 << 28.0 / 33.0;
    QTest::addRow("input order does not matter")
        << pr({{0.7f, true}, {0.9f, true}, {0.8f, false}}) << 2 << 5.0 / 6.0 << 28.0 / 33.0;
    // FP first: (0, 0), (0.5, 0.5), (1, 2/3) → interpolated 2/3 everywhere.
    QTest::addRow("FP TP TP") << pr({{0.9f, false}, {0.8f, true}, {0.7f, true}}) << 2 << 2.0 / 3.0 << 2.0 / 3.0;
    // 10 GT, 3 perfect detections: recall reaches 0.3. R40: levels 1..12 → 12/40; R11: 0, .1, .2, .3 → 4/11.
    QTest::addRow("recall 0.3") << pr({{0.9f, true}, {0.8f, true}, {0.7f, true}}) << 10 << 0.3 << 4.0 / 11.0;
    // 4 GT, 2 perfect: R40 20/40, R11 6/11.
    QTest::addRow("half recall") << pr({{0.5f, true}, {0.4f, true}}) << 4 << 0.5 << 6.0 / 11.0;
    // Equal scores enter together: one point (1, 1/2) whichever comes first.
    QTest::addRow("tie TP first") << pr({{0.5f, true}, {0.5f, false}}) << 1 << 0.5 << 0.5;
    QTest::addRow("tie FP first") << pr({{0.5f, false}, {0.5f, true}}) << 1 << 0.5 << 0.5;
    QTest::addRow("no detections") << pr({}) << 3 << 0.0 << 0.0;
    QTest::addRow("only FPs") << pr({{0.9f, false}}) << 3 << 0.0 << 0.0;
    QTest::addRow("no ground truth: undefined") << pr({{0.9f, false}}) << 0 << std::nan("") << std::nan("");
}

void TestDetMetrics::averagePrecisionHandBuilt()
{
    QFETCH(std::vector<ScoredDetection>, detections);
    QFETCH(int, groundTruth);
    QFETCH(double, r40);
    QFETCH(double, r11);
    const ApValues ap = averagePrecision(detections, groundTruth);
    QVERIFY2(nearlyEqual(ap.r40, r40, 1e-12, 0), qPrintable(QString::number(ap.r40, 'g', 17)));
    QVERIFY2(nearlyEqual(ap.r11, r11, 1e-12, 0), qPrintable(QString::number(ap.r11, 'g', 17)));
}

void TestDetMetrics::difficultyLimits_data()
{
    QTest::addColumn<double>("height");
    QTest::addColumn<int>("occluded");
    QTest::addColumn<double>("truncated");
    QTest::addColumn<bool>("easy");
    QTest::addColumn<bool>("moderate");
    QTest::addColumn<bool>("hard");
    QTest::addRow("easy at the limits") << 40.0 << 0 << 0.15 << true << true << true;
    QTest::addRow("too small for easy") << 39.5 << 0 << 0.0 << false << true << true;
    QTest::addRow("partly occluded") << 60.0 << 1 << 0.0 << false << true << true;
    QTest::addRow("truncated 0.30") << 60.0 << 0 << 0.30 << false << true << true;
    QTest::addRow("truncated 0.31") << 60.0 << 0 << 0.31 << false << false << true;
    QTest::addRow("largely occluded") << 60.0 << 2 << 0.0 << false << false << true;
    QTest::addRow("occlusion unknown") << 60.0 << 3 << 0.0 << false << false << false;
    QTest::addRow("truncated 0.51") << 60.0 << 0 << 0.51 << false << false << false;
    QTest::addRow("24.9 px") << 24.9 << 0 << 0.0 << false << false << false;
    QTest::addRow("25 px") << 25.0 << 0 << 0.0 << false << true << true;
}

void TestDetMetrics::difficultyLimits()
{
    QFETCH(double, height);
    QFETCH(int, occluded);
    QFETCH(double, truncated);
    QFETCH(bool, easy);
    QFETCH(bool, moderate);
    QFETCH(bool, hard);
    KittiObject o = withImageBox(box("Car", 0, 10, 4, 2), 100, 100, 150, float(100 + height));
    o.occluded = occluded;
    o.truncated = float(truncated);
    QCOMPARE(meetsDifficulty(o, KittiDifficulty::Easy), easy);
    QCOMPARE(meetsDifficulty(o, KittiDifficulty::Moderate), moderate);
    QCOMPARE(meetsDifficulty(o, KittiDifficulty::Hard), hard);
}

void TestDetMetrics::difficultyFiltering()
{
    // Ground truth: an easy car (image box 100 px), a largely occluded car (hard only), a van
    // (neighbour: ignored), a person sitting (Pedestrian's neighbour), a DontCare region.
    KittiObject easyCar = box("Car", 0, 10, 4, 2);
    KittiObject hardCar = box("Car", 10, 10, 4, 2);
    hardCar.occluded = 2;
    const KittiObject van = box("Van", -10, 10, 4, 2);
    const KittiObject sitting = box("Person_sitting", 0, 30, 1, 1);
    KittiObject dontCare = withImageBox(box("DontCare", 0, 0, 0, 0), 500, 100, 700, 200);
    dontCare.x = dontCare.y = dontCare.z = -1000; // KITTI's placeholders
    dontCare.h = dontCare.w = dontCare.l = -1;
    easyCar = withImageBox(easyCar, 100, 100, 200, 200);
    hardCar = withImageBox(hardCar, 250, 100, 350, 200);
    const std::vector<KittiObject> gt{easyCar, hardCar, withImageBox(van, 800, 100, 900, 200),
                                      withImageBox(sitting, 950, 100, 1000, 200), dontCare};

    const std::vector<KittiObject> dets{
        scored(easyCar, 0.9f),                                                           // TP everywhere
        scored(hardCar, 0.8f),                                                           // ignored / TP on hard
        scored(withImageBox(box("car", -10, 10, 4, 2), 800, 100, 900, 200), 0.7f),       // on the van: ignored
        scored(withImageBox(box("Car", 30, 40, 4, 2), 550, 120, 650, 180), 0.6f),        // in DontCare
        scored(withImageBox(box("Car", -30, 40, 4, 2), 300, 100, 400, 120), 0.95f),      // 20 px: dropped
        scored(withImageBox(box("Pedestrian", 0, 30, 1, 1), 950, 100, 1000, 200), 0.5f), // on Person_sitting
    };
    DetAccumulator acc;
    acc.add(gt, dets);
    const auto results = acc.results();
    struct Expect
    {
        KittiDifficulty d;
        DetMetric m;
        int64_t gt, dets, tp;
    };
    // The DontCare detection is not counted in 2-D, but is an FP in BEV / 3-D (as the devkit).
    const Expect expects[] = {
        {KittiDifficulty::Easy, DetMetric::Bbox2d, 1, 1, 1},    {KittiDifficulty::Easy, DetMetric::Bev, 1, 2, 1},
        {KittiDifficulty::Moderate, DetMetric::Box3d, 1, 2, 1}, {KittiDifficulty::Hard, DetMetric::Bbox2d, 2, 2, 2},
        {KittiDifficulty::Hard, DetMetric::Bev, 2, 3, 2},       {KittiDifficulty::Hard, DetMetric::Box3d, 2, 3, 2},
    };
    for (const Expect& e : expects) {
        const DetApResult r = cell(results, "Car", e.d, e.m, 0);
        const QByteArray what = QByteArray(difficultyName(e.d)) + " " + detMetricName(e.m);
        QVERIFY2(r.groundTruth == e.gt, what.constData());
        QVERIFY2(r.detections == e.dets, what.constData());
        QVERIFY2(r.truePositives == e.tp, what.constData());
    }
    // Easy BEV: TP 0.9, FP 0.6 with 1 GT → AP 1 at every recall level.
    QCOMPARE(cell(results, "Car", KittiDifficulty::Easy, DetMetric::Bev, 0).apR40, 1.0);
    // Pedestrian: the only ground truth is a person sitting (ignored), the detection on it is not
    // counted; no valid ground truth → AP undefined.
    const DetApResult ped = cell(results, "Pedestrian", KittiDifficulty::Moderate, DetMetric::Bev, 0);
    QCOMPARE(ped.groundTruth, int64_t(0));
    QCOMPARE(ped.detections, int64_t(0));
    QVERIFY(std::isnan(ped.apR40));
    QCOMPARE(acc.frames(), int64_t(1));
}

void TestDetMetrics::detectionNeedsScore()
{
    DetAccumulator acc;
    const QString message = formatErrorOf([&] {
        acc.add({}, {scored(box("Car", 0, 0, 1, 1), 0.5f), box("Car", 0, 0, 1, 1)});
    });
    QVERIFY2(message.contains("detection 1 (Car): no score"), qPrintable(message));
    QCOMPARE(acc.frames(), int64_t(0));
    QVERIFY(acc == DetAccumulator());
}

void TestDetMetrics::shardsMergeToOnePass()
{
    // Random frames: ground-truth cars and pedestrians, detections jittered from them plus
    // clutter. Two shards merged must equal one pass bit for bit.
    std::mt19937 rng(99);
    auto randomObject = [&](const char* type) {
        KittiObject o = randomBox(rng, 15, 0.8f, 4.5f, 0.6f, 2);
        o.type = type;
        o.z += 30;
        o.y = uniform(rng, 1, 2);
        o.h = uniform(rng, 1.2f, 2);
        const float top = uniform(rng, 100, 200);
        const float height = uniform(rng, 15, 90);
        o = withImageBox(o, 300, top, 400, top + height);
        o.occluded = int(lnscope::test::uniformInt(rng, 0, 3));
        o.truncated = uniform(rng, 0, 0.6f);
        return o;
    };
    std::vector<std::vector<KittiObject>> gts, dets;
    for (int frame = 0; frame < 8; ++frame) {
        std::vector<KittiObject> g, d;
        for (int i = 0; i < 4; ++i) {
            g.push_back(randomObject(i % 2 ? "Car" : "Pedestrian"));
            KittiObject j = g.back();
            j.x += uniform(rng, -0.4f, 0.4f);
            j.z += uniform(rng, -0.4f, 0.4f);
            d.push_back(scored(j, uniform(rng, 0, 1)));
        }
        const KittiObject clutter = randomObject("Car");
        d.push_back(scored(clutter, uniform(rng, 0, 1)));
        gts.push_back(g);
        dets.push_back(d);
    }
    DetAccumulator all, first, second;
    for (size_t f = 0; f < gts.size(); ++f) {
        all.add(gts[f], dets[f]);
        (f < 5 ? first : second).add(gts[f], dets[f]);
    }
    first.merge(second);
    QVERIFY(first == all);
    QCOMPARE(first.frames(), int64_t(8));
    const auto a = all.results(), b = first.results();
    QCOMPARE(a.size(), size_t(3 * 3 * 3 * 2));
    int64_t tps = 0;
    for (size_t i = 0; i < a.size(); ++i) {
        QCOMPARE(b[i].apR40, a[i].apR40);
        tps += a[i].truePositives;
    }
    QVERIFY(tps > 0);

    DetAccumulator other({{"Car", "Van", {0.6, 0.5}}});
    QVERIFY_THROWS_EXCEPTION(ShapeError, all.merge(other));
}

void TestDetMetrics::jsonRoundTrip()
{
    DetAccumulator acc;
    acc.add({box("Car", 0, 10, 4, 2), box("Pedestrian", 3, 10, 1, 1)},
            {scored(box("Car", 0.2, 10, 4, 2), 0.123456789f), scored(box("Car", 9, 9, 4, 2), 0.3f)});
    const std::string text = writeJson(acc.toJson());
    const DetAccumulator back = DetAccumulator::fromJson(parseJson(text));
    QVERIFY(back == acc); // scores bit-exact
    QCOMPARE(writeJson(back.toJson()), text);
    QCOMPARE(back.frames(), int64_t(1));
}

void TestDetMetrics::malformedJson_data()
{
    QTest::addColumn<QString>("from");
    QTest::addColumn<QString>("to");
    QTest::addColumn<QString>("expected");
    // Edits of a valid document (one Car class, one frame): the first occurrence of `from`
    // becomes `to`.
    auto row = [](const char* name, const char* from, const char* to, const char* expected) {
        QTest::newRow(name) << QString(from) << QString(to) << QString(expected);
    };
    row("valid baseline", "", "", "ok");
    row("wrong kind", R"("kind":"kitti_det_ap")", R"("kind":"seg_confusion")", "kind: expected");
    row("unknown member", R"("frames":1)", R"("frames":1,"x":0)", "x: unknown member");
    row("negative frames", R"("frames":1)", R"("frames":-1)", "frames: expected an integer");
    row("threshold out of range", "[0.7,0.5]", "[1.7,0.5]", "outside [0, 1]");
    row("one threshold", "[0.7,0.5]", "[0.7]", "thresholds: expected 2 numbers");
    row("cell out of order", R"("difficulty":"easy")", R"("difficulty":"hard")",
        R"(expected "Car easy 2d 0", found "Car hard 2d 0")");
    row("score not a number", R"("scores":[0.5])", R"("scores":["0.5"])", "scores: entry 0");
    row("tp count", R"("truePositive":[true])", R"("truePositive":[])", "0 entries for 1 scores");
    row("tp not boolean", R"("truePositive":[true])", R"("truePositive":[1])", "not a boolean");
    row("missing cells", R"(,"cells":[)", R"(,"cellz":[)", "cellz: unknown member");
    row("syntax", R"("frames":1)", R"("frames":1,,)", "line 1");
}

void TestDetMetrics::malformedJson()
{
    QFETCH(QString, from);
    QFETCH(QString, to);
    QFETCH(QString, expected);
    DetAccumulator acc({{"Car", "Van", {0.7, 0.5}}});
    acc.add({box("Car", 0, 10, 4, 2)}, {scored(box("Car", 0, 10, 4, 2), 0.5f)});
    QString text = QString::fromStdString(writeJson(acc.toJson()));
    if (!from.isEmpty()) {
        const auto at = text.indexOf(from);
        QVERIFY2(at >= 0, qPrintable(text));
        text.replace(at, from.size(), to);
    }
    const QString message = formatErrorOf([&] { DetAccumulator::fromJson(parseJson(text.toStdString())); });
    if (expected == "ok")
        QCOMPARE(message, QStringLiteral("no exception"));
    else
        QVERIFY2(message.contains(expected), qPrintable(message));
}

void TestDetMetrics::matchBoxesPairsAndLeftovers()
{
    // a0 overlaps b1 strongly and b0 weakly: greedy by IoU pairs a0-b1 and b0 stays alone.
    // a1 (a Pedestrian) has a Car (b2) at the same place: types differ, no pair. a2 has no one.
    const std::vector<KittiObject> a{scored(box("Car", 0, 10, 4, 2, 0.1), 0.9f), box("Pedestrian", 20, 10, 1, 1),
                                     box("Car", -20, 10, 4, 2)};
    const std::vector<KittiObject> b{scored(box("Car", 2.5, 10, 4, 2), 0.5f),
                                     scored(box("Car", 0.3, 10.2, 4.2, 1.8, 0.2, 1.6, 1.4), 0.8f),
                                     box("Car", 20, 10, 1, 1)};
    const BoxMatching m = matchBoxes(a, b, 0.1);
    QCOMPARE(m.pairs.size(), size_t(1));
    const BoxPair& p = m.pairs[0];
    QCOMPARE(p.indexA, 0);
    QCOMPARE(p.indexB, 1);
    QVERIFY(nearlyEqual(p.bevIoU, bevIoU(a[0], b[1]), 0, 0));
    QVERIFY(nearlyEqual(p.dx, 0.3, 1e-6, 0));
    QVERIFY(nearlyEqual(p.dy, 0.1, 1e-6, 0));
    QVERIFY(nearlyEqual(p.dz, 0.2, 1e-6, 0));
    QVERIFY(nearlyEqual(p.centreDistance, std::sqrt(0.09 + 0.01 + 0.04), 1e-6, 0));
    QVERIFY(nearlyEqual(p.dl, 0.2, 1e-6, 0));
    QVERIFY(nearlyEqual(p.dw, -0.2, 1e-6, 0));
    QVERIFY(nearlyEqual(p.dh, -0.1, 1e-6, 0));
    QVERIFY(nearlyEqual(p.dHeading, 0.1, 1e-6, 0));
    QVERIFY(nearlyEqual(p.dScore, -0.1, 1e-6, 0));
    QCOMPARE(m.onlyA, (std::vector<int>{1, 2}));
    QCOMPARE(m.onlyB, (std::vector<int>{0, 2}));
    // Without scores the score delta is undefined.
    QVERIFY(std::isnan(matchBoxes({box("Car", 0, 0, 4, 2)}, {box("Car", 0, 0, 4, 2)}, 0.5).pairs.at(0).dScore));
}

void TestDetMetrics::matchBoxesHeadingWrap()
{
    // 3.1 and −3.1 rad are 2π − 6.2 ≈ 0.0832 apart, not 6.2.
    const BoxMatching m = matchBoxes({box("Car", 0, 0, 4, 2, 3.1)}, {box("Car", 0, 0, 4, 2, -3.1)}, 0.5);
    QCOMPARE(m.pairs.size(), size_t(1));
    QVERIFY(nearlyEqual(m.pairs[0].dHeading, 2 * kPi - 6.2, 1e-6, 0));
    QVERIFY(nearlyEqual(wrapAngle(-3 * kPi / 2), kPi / 2, 1e-12, 0));
    // Boxes at the threshold are not paired (strict >).
    const BoxMatching strict = matchBoxes({box("Car", 0, 0, 2, 1)}, {box("Car", 0, 0, 1, 1)}, 0.5);
    QVERIFY(strict.pairs.empty());
    QCOMPARE(strict.onlyA, (std::vector<int>{0}));
}

void TestDetMetrics::matchBoxesTieBreak()
{
    // a0 sits exactly between b0 and b1 (equal IoU): the lower index in b wins, every time.
    const std::vector<KittiObject> a{box("Car", 0, 0, 4, 2)};
    const std::vector<KittiObject> b{box("Car", 1, 0, 4, 2), box("Car", -1, 0, 4, 2)};
    QCOMPARE(bevIoU(a[0], b[0]), bevIoU(a[0], b[1]));
    const BoxMatching m = matchBoxes(a, b, 0.1);
    QCOMPARE(m.pairs.at(0).indexB, 0);
    QCOMPARE(m.onlyB, (std::vector<int>{1}));
    // DontCare is never paired nor listed.
    const BoxMatching dc = matchBoxes({box("DontCare", 0, 0, 4, 2)}, {box("DontCare", 0, 0, 4, 2)}, 0.1);
    QVERIFY(dc.pairs.empty() && dc.onlyA.empty() && dc.onlyB.empty());
}

QTEST_GUILESS_MAIN(TestDetMetrics)
#include "test_det_metrics.moc"
