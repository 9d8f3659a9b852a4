// CameraBoxView: box corners projected to the pixels computed here by hand and with an independent
// devkit-style projection, near-plane clipping of boxes partly or wholly behind the camera, the
// image fit, hiding sets, the hover readout, the static paint() on a QImage in a worker thread
// (same pixels as the widget), empty states, and an image baseline at 800×300 (synthdrive frame
// 000005's image, calibration and labels, with made-up float and converted detections).

#include "lnscope/widgets/camera_box_view.h"

#include "lnscope/widgets/bev_view.h"

#include "image_baseline.h"
#include "lnscope/core/det_metrics.h"
#include "lnscope/core/kitti_io.h"
#include "test_utils.h"

#include <QApplication>
#include <QMouseEvent>
#include <QPainter>
#include <QSignalSpy>
#include <QTest>

#include <cmath>
#include <numbers>
#include <set>
#include <thread>

using namespace lnscope;
using widgets::BevData;
using widgets::BoxFrameData;
using widgets::CameraBoxView;
using BoxSet = CameraBoxView::BoxSet;
using BoxRef = CameraBoxView::BoxRef;

namespace {

constexpr QSize kBaselineSize(800, 300);
const QRgb kFloatColour = qRgb(0, 114, 178);
const QRgb kConvertedColour = qRgb(230, 130, 0);

core::KittiObject object(const char* type, double x, double y, double z, double l, double w, double h, double rotationY,
                         std::optional<float> score = std::nullopt)
{
    core::KittiObject o;
    o.type = type;
    o.x = float(x);
    o.y = float(y);
    o.z = float(z);
    o.l = float(l);
    o.w = float(w);
    o.h = float(h);
    o.rotationY = float(rotationY);
    o.score = score;
    return o;
}

/// A pinhole P2 with focal length f, principal point (cx, cy) and KITTI-like small offsets in the
/// last column (so that the translation part is exercised too).
core::KittiCalib pinhole(double f, double cx, double cy, double tx = 0.0, double tz = 0.0)
{
    core::KittiCalib c;
    c.P2 = {f, 0, cx, tx, 0, f, cy, 0, 0, 0, 1, tz};
    c.R0_rect = {1, 0, 0, 0, 1, 0, 0, 0, 1};
    return c;
}

/// The 8 corners written out from KITTI's devkit (computeBox3D.m): object frame x along the length,
/// y down from the bottom face, z across; R = [cos 0 sin; 0 1 0; −sin 0 cos]; then + location.
std::array<std::array<double, 3>, 8> devkitCorners(const core::KittiObject& o)
{
    const double l = o.l, w = o.w, h = o.h;
    const double ox[8] = {l / 2, l / 2, -l / 2, -l / 2, l / 2, l / 2, -l / 2, -l / 2};
    const double oy[8] = {0, 0, 0, 0, -h, -h, -h, -h};
    const double oz[8] = {w / 2, -w / 2, -w / 2, w / 2, w / 2, -w / 2, -w / 2, w / 2};
    const double ry = o.rotationY;
    const double R[3][3] = {{std::cos(ry), 0, std::sin(ry)}, {0, 1, 0}, {-std::sin(ry), 0, std::cos(ry)}};
    std::array<std::array<double, 3>, 8> out{};
    for (int i = 0; i < 8; ++i) {
        const double p[3] = {ox[i], oy[i], oz[i]};
        const double t[3] = {o.x, o.y, o.z};
        for (int r = 0; r < 3; ++r)
            out[size_t(i)][size_t(r)] = R[r][0] * p[0] + R[r][1] * p[1] + R[r][2] * p[2] + t[r];
    }
    return out;
}

/// P2 · (x, y, z, 1), divided by the third row.
QPointF projectByHand(const core::KittiCalib& c, const std::array<double, 3>& p)
{
    double row[3];
    for (int r = 0; r < 3; ++r)
        row[r] = c.P2[size_t(4 * r)] * p[0] + c.P2[size_t(4 * r + 1)] * p[1] + c.P2[size_t(4 * r + 2)] * p[2]
                 + c.P2[size_t(4 * r + 3)];
    return {row[0] / row[2], row[1] / row[2]};
}

bool samePoint(QPointF a, QPointF b, double tol = 1e-6)
{
    return std::abs(a.x() - b.x()) <= tol && std::abs(a.y() - b.y()) <= tol;
}

/// Synthdrive val frame 000005: its image, calibration and labels as ground truth; float = the
/// labels moved a little and scored; converted = float moved a little more, without the
/// pedestrian (float only), with one car only the converted network found.
BoxFrameData synthdriveFrame()
{
    const auto dir = test::datasetsDir() / "synthdrive" / "val";
    BoxFrameData f;
    f.image = QImage(QString::fromStdString((dir / "image_2" / "000005.png").string()));
    f.calib = core::readKittiCalib(dir / "calib" / "000005.txt");
    BevData& d = f.bev;
    d.groundTruth = core::readKittiLabels(dir / "label_2" / "000005.txt");
    for (size_t i = 0; i < d.groundTruth.size(); ++i) {
        core::KittiObject fl = d.groundTruth[i];
        fl.x += 0.1f * float(i % 3) - 0.1f;
        fl.z += 0.3f;
        fl.rotationY += 0.04f;
        fl.score = 0.95f - 0.07f * float(i);
        d.floatBoxes.push_back(fl);
        if (fl.type == "Pedestrian")
            continue;
        core::KittiObject c = fl;
        c.x += i == 0 ? 0.6f : 0.15f;
        c.z -= i == 3 ? 0.4f : 0.2f;
        c.rotationY -= 0.1f;
        c.score = *fl.score - 0.05f;
        d.convertedBoxes.push_back(c);
    }
    d.convertedBoxes.push_back(object("Car", 3.5, 1.53, 16, 4.1, 1.7, 1.5, -1.45, 0.41f));
    d.matching = core::matchBoxes(d.floatBoxes, d.convertedBoxes, 0.1);
    return f;
}

bool close(QRgb a, QRgb b, int tol)
{
    return std::abs(qRed(a) - qRed(b)) <= tol && std::abs(qGreen(a) - qGreen(b)) <= tol
           && std::abs(qBlue(a) - qBlue(b)) <= tol;
}

/// Pixels of (about) `colour` inside `area`.
int countColour(const QImage& image, const QRect& area, QRgb colour, int tol = 30)
{
    int n = 0;
    for (int y = std::max(0, area.top()); y <= std::min(image.height() - 1, area.bottom()); ++y)
        for (int x = std::max(0, area.left()); x <= std::min(image.width() - 1, area.right()); ++x)
            n += close(image.pixel(x, y), colour, tol) ? 1 : 0;
    return n;
}

void hover(QWidget& w, QPointF pos)
{
    QMouseEvent e(QEvent::MouseMove, pos, w.mapToGlobal(pos), Qt::NoButton, Qt::NoButton, Qt::NoModifier);
    QApplication::sendEvent(&w, &e);
}

/// The widget pixel of the projected middle of a box (its 3-D centre).
QPointF projectedCentre(const CameraBoxView& view, const core::KittiObject& o)
{
    const QPointF image = projectByHand(*view.frame().calib, {o.x, double(o.y) - double(o.h) / 2.0, o.z});
    return CameraBoxView::imageToTarget(QSizeF(view.frame().image.size()), QRectF(view.rect())).map(image);
}

} // namespace

class TestCameraBoxView : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void projectsCornersToKnownPixels_data();
    void projectsCornersToKnownPixels();
    void projectsEveryEdgeLikeTheDevkit();
    void clipsEdgesAtTheNearPlane();
    void dropsBoxesBehindTheCameraAndDegenerateBoxes();
    void fitsTheImageKeepingItsAspect();
    void hoverReadsTheBoxUnderTheMouse();
    void hidingASetRemovesItsColour();
    void staticPaintOnAWorkerMatchesTheWidget();
    void bevStaticPaintOnAWorkerMatchesBevView();
    void emptyStates();
    void baselineSynthdrive();
};

void TestCameraBoxView::initTestCase()
{
    test::useBaselineLook();
}

void TestCameraBoxView::projectsCornersToKnownPixels_data()
{
    QTest::addColumn<double>("rotationY");
    QTest::addColumn<int>("corner");
    QTest::addColumn<QPointF>("pixel");
    // Box 2 × 2 × 2 m, bottom centre (0, 1, 10), f = 100, principal point (50, 50).
    // rotation_y = 0: corner 0 = (1, 1, 11) → (50 + 100/11, 50 + 100/11).
    QTest::addRow("ry 0, corner 0 (front, ground)") << 0.0 << 0 << QPointF(50 + 100.0 / 11, 50 + 100.0 / 11);
    // corner 6 = (−1, −1, 9) → (50 − 100/9, 50 − 100/9).
    QTest::addRow("ry 0, corner 6 (back, top)") << 0.0 << 6 << QPointF(50 - 100.0 / 9, 50 - 100.0 / 9);
    // rotation_y = π/2: object x turns to camera −z; corner 0 = (1, 1, 9) → (50 + 100/9, 50 + 100/9).
    QTest::addRow("ry pi/2, corner 0") << std::numbers::pi / 2 << 0 << QPointF(50 + 100.0 / 9, 50 + 100.0 / 9);
}

void TestCameraBoxView::projectsCornersToKnownPixels()
{
    QFETCH(double, rotationY);
    QFETCH(int, corner);
    QFETCH(QPointF, pixel);
    const core::KittiObject box = object("Car", 0, 1, 10, 2, 2, 2, rotationY);
    const auto edges = CameraBoxView::projectBox(box, pinhole(100, 50, 50));
    QCOMPARE(int(edges.size()), 14);
    bool found = false;
    for (const auto& e : edges) {
        const auto [a, b] = e.edge < 12 ? CameraBoxView::kBoxEdges[size_t(e.edge)]
                                        : CameraBoxView::kFrontDiagonals[size_t(e.edge - 12)];
        if (a == corner)
            found = found || samePoint(e.line.p1(), pixel, 1e-4);
        if (b == corner)
            found = found || samePoint(e.line.p2(), pixel, 1e-4);
    }
    QVERIFY2(found, qPrintable(QStringLiteral("corner %1 not at (%2, %3)").arg(corner).arg(pixel.x()).arg(pixel.y())));
}

void TestCameraBoxView::projectsEveryEdgeLikeTheDevkit()
{
    // A rotated box with KITTI's own camera (P2 of drive 0009, with its translation column).
    core::KittiCalib calib;
    calib.P2 = {721.5377, 0, 609.5593, 44.85728, 0, 721.5377, 172.854, 0.2163791, 0, 0, 1, 0.002745884};
    const core::KittiObject box = object("Car", -3.2, 1.7, 14.5, 4.1, 1.7, 1.5, 0.7);
    const auto corners = devkitCorners(box);
    const auto edges = CameraBoxView::projectBox(box, calib);
    // The devkit's 12 edges (each face loop and the pillars) and the front-face cross.
    const std::vector<std::pair<int, int>> expected = {{0, 1}, {1, 2}, {2, 3}, {3, 0}, {4, 5}, {5, 6}, {6, 7},
                                                       {7, 4}, {0, 4}, {1, 5}, {2, 6}, {3, 7}, {0, 5}, {1, 4}};
    QCOMPARE(edges.size(), expected.size());
    for (size_t i = 0; i < expected.size(); ++i) {
        QCOMPARE(edges[i].edge, int(i));
        QVERIFY(!edges[i].clipped);
        const QPointF a = projectByHand(calib, corners[size_t(expected[i].first)]);
        const QPointF b = projectByHand(calib, corners[size_t(expected[i].second)]);
        QVERIFY2(samePoint(edges[i].line.p1(), a, 1e-6) && samePoint(edges[i].line.p2(), b, 1e-6),
                 qPrintable(QStringLiteral("edge %1").arg(i)));
    }
}

void TestCameraBoxView::clipsEdgesAtTheNearPlane()
{
    // rotation_y = π/2 turns the length to camera −z: the front face (corners 0, 1, 4, 5) lies at
    // z = 1 − 3 = −2, behind the camera; the back face (2, 3, 6, 7) at z = 4.
    const core::KittiCalib calib = pinhole(100, 50, 50);
    const core::KittiObject box = object("Car", 0.5, 1, 1, 6, 2, 2, std::numbers::pi / 2);
    const auto corners = devkitCorners(box);
    const auto edges = CameraBoxView::projectBox(box, calib);
    std::set<int> present, clipped;
    for (const auto& e : edges) {
        present.insert(e.edge);
        if (e.clipped)
            clipped.insert(e.edge);
        for (const QPointF p : {e.line.p1(), e.line.p2()}) {
            QVERIFY(std::isfinite(p.x()) && std::isfinite(p.y()));
            // At z ≥ 0.1 m a point within 3 m of the axis lands within 100·3/0.1 px of the centre.
            QVERIFY2(std::abs(p.x() - 50) <= 3000.5 && std::abs(p.y() - 50) <= 3000.5,
                     qPrintable(QStringLiteral("edge %1 exploded to (%2, %3)").arg(e.edge).arg(p.x()).arg(p.y())));
        }
    }
    // Front-face edges 0-1, 4-5, pillars 0-4, 1-5 and both diagonals are wholly behind.
    QCOMPARE(present, (std::set<int>{1, 2, 3, 5, 6, 7, 10, 11}));
    // 1-2, 3-0, 5-6, 7-4 cross the near plane; 2-3, 6-7, 2-6, 3-7 lie in front of it.
    QCOMPARE(clipped, (std::set<int>{1, 3, 5, 7}));
    // The clipped end of edge 1-2 is where it crosses z = 0.1, projected.
    const auto& p = corners[1];
    const auto& q = corners[2];
    const double t = (0.1 - q[2]) / (p[2] - q[2]);
    const std::array<double, 3> crossing{q[0] + t * (p[0] - q[0]), q[1] + t * (p[1] - q[1]), 0.1};
    for (const auto& e : edges) {
        if (e.edge == 1) {
            QVERIFY(samePoint(e.line.p1(), projectByHand(calib, crossing), 1e-6));
            QVERIFY(samePoint(e.line.p2(), projectByHand(calib, q), 1e-6));
        }
    }
}

void TestCameraBoxView::dropsBoxesBehindTheCameraAndDegenerateBoxes()
{
    const core::KittiCalib calib = pinhole(100, 50, 50);
    QVERIFY(CameraBoxView::projectBox(object("Car", 0, 1, -8, 4, 2, 1.5, 0.3), calib).empty());
    QVERIFY(CameraBoxView::projectBox(object("Car", 0, 1, 10, 0, 2, 1.5, 0), calib).empty());
    QVERIFY(CameraBoxView::projectBox(object("Car", 0, 1, NAN, 4, 2, 1.5, 0), calib).empty());
    // A DontCare region with KITTI's placeholders is not a box the view draws or picks.
    CameraBoxView view;
    BoxFrameData f;
    f.image = QImage(100, 100, QImage::Format_RGB32);
    f.image.fill(Qt::white);
    f.calib = calib;
    f.bev.groundTruth = {object("DontCare", -1000, -1000, -1000, -1, -1, -1, -10)};
    view.setFrame(f);
    view.resize(100, 100);
    QVERIFY(!view.boxAt(QPointF(50, 50)));
}

void TestCameraBoxView::fitsTheImageKeepingItsAspect()
{
    const QTransform t = CameraBoxView::imageToTarget(QSizeF(640, 192), QRectF(0, 0, 800, 300));
    QVERIFY(samePoint(t.map(QPointF(0, 0)), QPointF(0, 30)));
    QVERIFY(samePoint(t.map(QPointF(640, 192)), QPointF(800, 270)));
    const QTransform tall = CameraBoxView::imageToTarget(QSizeF(640, 192), QRectF(10, 20, 320, 400));
    QVERIFY(samePoint(tall.map(QPointF(0, 0)), QPointF(10, 20 + (400 - 96) / 2.0)));
    QVERIFY(samePoint(tall.map(QPointF(640, 192)), QPointF(330, 20 + (400 + 96) / 2.0)));
}

void TestCameraBoxView::hoverReadsTheBoxUnderTheMouse()
{
    CameraBoxView view;
    const BoxFrameData f = synthdriveFrame();
    view.setFrame(f);
    view.resize(kBaselineSize);
    QSignalSpy changed(&view, &CameraBoxView::hoveredBoxChanged);

    // The car only the converted network found (the last converted box).
    const int extra = int(f.bev.convertedBoxes.size()) - 1;
    hover(view, projectedCentre(view, f.bev.convertedBoxes.back()));
    QCOMPARE(view.hoveredBox(), std::optional<BoxRef>(BoxRef{BoxSet::Converted, extra}));
    QVERIFY(view.hoverText().startsWith(QStringLiteral("converted Car #%1 · score 0.41").arg(extra)));
    QVERIFY(view.hoverText().contains(QStringLiteral("found by converted only")));
    QCOMPARE(changed.count(), 1);

    // The near cyclist (label 3, z ≈ 5.6 m): a detection, matched, so the readout names its pair.
    hover(view, projectedCentre(view, f.bev.floatBoxes[3]));
    QVERIFY(view.hoveredBox() && view.hoveredBox()->set != BoxSet::GroundTruth);
    QVERIFY2(view.hoverText().contains(QStringLiteral("Cyclist")), qPrintable(view.hoverText()));
    QVERIFY2(view.hoverText().contains(QStringLiteral("matched with")), qPrintable(view.hoverText()));

    // With the detections hidden, the same spot reads the ground truth.
    view.setSetVisible(BoxSet::Float, false);
    view.setSetVisible(BoxSet::Converted, false);
    hover(view, projectedCentre(view, f.bev.groundTruth[3]));
    QCOMPARE(view.hoveredBox(), std::optional<BoxRef>(BoxRef{BoxSet::GroundTruth, 3}));
    QVERIFY(view.hoverText().startsWith(QStringLiteral("ground truth Cyclist #3")));
    QVERIFY(!view.hoverText().contains(QStringLiteral("score")));

    // The sky (top left corner of the image) holds no box; leaving the widget clears the readout.
    hover(view, view.imageRect().topLeft() + QPointF(5, 5));
    QVERIFY(!view.hoveredBox());
    QCOMPARE(view.hoverText(), QString());
    QCOMPARE(view.describe({BoxSet::Float, 99}), QString());
}

void TestCameraBoxView::hidingASetRemovesItsColour()
{
    CameraBoxView view;
    view.setFrame(synthdriveFrame());
    const QImage all = test::grabAtSize(view, kBaselineSize);
    // Below the legend (which shows samples of each style).
    const QRect area = view.imageRect().toAlignedRect().adjusted(0, 110, 0, 0);
    QVERIFY(countColour(all, area, kConvertedColour) > 20);
    QVERIFY(countColour(all, area, kFloatColour) > 20);
    view.setSetVisible(BoxSet::Converted, false);
    QVERIFY(!view.isSetVisible(BoxSet::Converted));
    const QImage floatOnly = test::grabAtSize(view, kBaselineSize);
    QCOMPARE(countColour(floatOnly, area, kConvertedColour), 0);
    QVERIFY(countColour(floatOnly, area, kFloatColour) > 20);
}

void TestCameraBoxView::staticPaintOnAWorkerMatchesTheWidget()
{
    CameraBoxView view;
    const BoxFrameData f = synthdriveFrame();
    view.setFrame(f);
    const QImage widget = test::grabAtSize(view, kBaselineSize);
    CameraBoxView::Options options;
    options.font = view.font();
    QImage painted(kBaselineSize, QImage::Format_RGB32);
    std::thread worker([&] {
        QPainter painter(&painted);
        CameraBoxView::paint(painter, QRectF(QPointF(0, 0), QSizeF(kBaselineSize)), f, options);
    });
    worker.join();
    const test::BaselineResult same = [&] {
        // Compare through the baseline helper's rule (few pixels may differ by antialiasing).
        qint64 differing = 0;
        for (int y = 0; y < painted.height(); ++y)
            for (int x = 0; x < painted.width(); ++x)
                differing += close(painted.pixel(x, y), widget.pixel(x, y), 24) ? 0 : 1;
        return test::BaselineResult{differing <= painted.width() * painted.height() / 100
                                        ? test::BaselineResult::Match
                                        : test::BaselineResult::Mismatch,
                                    QStringLiteral("%1 pixels differ").arg(differing)};
    }();
    QVERIFY2(same.status == test::BaselineResult::Match, qPrintable(same.message));
}

void TestCameraBoxView::bevStaticPaintOnAWorkerMatchesBevView()
{
    // The comparison video draws its bird's-eye panel with BevView::paint() on a worker: the same
    // picture as the widget (bar the hover hint, bottom left), at an offset target.
    widgets::BevView view;
    const BoxFrameData f = synthdriveFrame();
    view.setBoxes(f.bev);
    const QImage widget = test::grabAtSize(view, QSize(500, 400));
    widgets::BevView::PaintOptions options;
    options.transform = view.bevTransform();
    options.font = view.font();
    options.textColour = view.palette().color(QPalette::Text);
    QImage painted(QSize(540, 430), QImage::Format_RGB32);
    painted.fill(Qt::black);
    std::thread worker([&] {
        QPainter painter(&painted);
        widgets::BevView::paint(painter, QRectF(20, 10, 500, 400), f.bev, options);
    });
    worker.join();
    QCOMPARE(painted.pixel(10, 5), qRgb(0, 0, 0)); // clipped to the target
    const QRect hint(0, 400 - 3 * QFontMetrics(view.font()).height() - 20, 500,
                     3 * QFontMetrics(view.font()).height() + 20);
    qint64 differing = 0;
    for (int y = 0; y < 400; ++y)
        for (int x = 0; x < 500; ++x)
            differing += !hint.contains(x, y) && !close(painted.pixel(x + 20, y + 10), widget.pixel(x, y), 24) ? 1 : 0;
    // Up to 2 % as the image baselines allow: the dash phase of the dashed range rings depends on
    // the painter's clip, so their dashes may land a few pixels apart.
    QVERIFY2(differing <= 500 * 400 / 50, qPrintable(QStringLiteral("%1 pixels differ").arg(differing)));
    // Boxes are there: the float blue appears in the painted picture.
    QVERIFY(countColour(painted, QRect(20, 10, 500, 400), kFloatColour) > 20);
}

void TestCameraBoxView::emptyStates()
{
    CameraBoxView view;
    const QImage empty = test::grabAtSize(view, QSize(300, 120));
    QVERIFY(!empty.isNull());
    QVERIFY(view.imageRect().isEmpty());
    QVERIFY(!view.boxAt(QPointF(150, 60)));

    // An image without calibration: drawn, but no box can be placed or picked.
    BoxFrameData f = synthdriveFrame();
    f.calib.reset();
    view.setFrame(f);
    const QImage noCalib = test::grabAtSize(view, kBaselineSize);
    QVERIFY(!view.imageRect().isEmpty());
    QVERIFY(!view.boxAt(view.imageRect().center()));
    const QRect area = view.imageRect().toAlignedRect().adjusted(0, 110, 0, 0);
    QCOMPARE(countColour(noCalib, area, kFloatColour, 20), 0);
    view.clear();
    QVERIFY(view.frame().image.isNull());
}

void TestCameraBoxView::baselineSynthdrive()
{
    CameraBoxView view;
    const BoxFrameData f = synthdriveFrame();
    view.setFrame(f);
    view.resize(kBaselineSize);
    hover(view, projectedCentre(view, f.bev.convertedBoxes.back()));
    QVERIFY(view.hoveredBox());
    const QImage image = test::grabAtSize(view, kBaselineSize);
    LNSCOPE_COMPARE_BASELINE(image, "test_camera_box_view_synthdrive");
}

QTEST_MAIN(TestCameraBoxView)
#include "test_camera_box_view.moc"
