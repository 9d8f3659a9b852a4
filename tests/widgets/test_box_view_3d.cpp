// BoxView3D: boxes of known geometry seen from a known camera show up where a pinhole projection
// (computed here, independently of VTK) puts their corners, in the colour of their set; matched
// pairs are linked, boxes found by one network only are emphasised; points, an empty frame, the
// mouse and key controls and the placeholder without a display. One real synthdrive frame with its
// disparity points is rendered too (LNSCOPE_BOX3D_SCREENSHOT=<file.png> saves it for a look).
// Rendering needs an X display with GLX (ctest label `render`, run under `xvfb-run -a`).

#include "lnscope/core/dataset.h"
#include "lnscope/core/det_metrics.h"
#include "lnscope/core/kitti_io.h"
#include "lnscope/core/stereo_points.h"
#include "lnscope/widgets/box_view_3d.h"

#include "display_guard.h"
#include "image_baseline.h"
#include "widget_test_utils.h"

#include <QElapsedTimer>
#include <QKeyEvent>
#include <QMouseEvent>
#include <QTest>
#include <QWheelEvent>

#include <cmath>
#include <cstdlib>
#include <limits>
#include <numbers>

using lnscope::core::KittiObject;
using lnscope::test::ScopedDisplay;
using lnscope::test::sendMouse;
using lnscope::test::shareNotColour;
using lnscope::widgets::BoxFrameData;
using lnscope::widgets::BoxView3D;

namespace {

constexpr QSize kRenderSize(480, 360);

using Vec3 = std::array<double, 3>;

Vec3 sub(const Vec3& a, const Vec3& b)
{
    return {a[0] - b[0], a[1] - b[1], a[2] - b[2]};
}

double dot(const Vec3& a, const Vec3& b)
{
    return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
}

Vec3 cross(const Vec3& a, const Vec3& b)
{
    return {a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]};
}

Vec3 normalised(const Vec3& a)
{
    const double n = std::sqrt(dot(a, a));
    return {a[0] / n, a[1] / n, a[2] / n};
}

/// The camera every box test looks through: behind, above and a little left of the ego camera.
BoxView3D::CameraPose testCamera()
{
    BoxView3D::CameraPose pose;
    pose.position = {-1.0, -3.0, -2.0};
    pose.focalPoint = {0.0, 1.0, 16.0};
    pose.viewUp = {0.0, -1.0, 0.0};
    pose.viewAngle = 45.0;
    return pose;
}

/// Pinhole projection of a camera-frame point into an image of `size` for `pose` (vertical view
/// angle; image rows top-down), written out independently of VTK.
QPointF projectPoint(const BoxView3D::CameraPose& pose, QSize size, const Vec3& p)
{
    const Vec3 forward = normalised(sub(pose.focalPoint, pose.position));
    const Vec3 right = normalised(cross(forward, pose.viewUp));
    const Vec3 up = cross(right, forward);
    const Vec3 d = sub(p, pose.position);
    const double z = dot(d, forward);
    const double scale = (size.height() / 2.0) / std::tan(pose.viewAngle * std::numbers::pi / 360.0);
    return {size.width() / 2.0 + dot(d, right) / z * scale, size.height() / 2.0 - dot(d, up) / z * scale};
}

/// The 8 corners of a KITTI box, written out here: bottom centre (x, y, z), y down, yaw about y.
std::vector<Vec3> corners(const KittiObject& o)
{
    std::vector<Vec3> out;
    const double c = std::cos(o.rotationY), s = std::sin(o.rotationY);
    for (double dy : {0.0, -double(o.h)})
        for (const auto& [lx, lz] : {std::pair{0.5, 0.5}, {0.5, -0.5}, {-0.5, -0.5}, {-0.5, 0.5}}) {
            const double x = lx * o.l, z = lz * o.w;
            out.push_back({o.x + c * x + s * z, o.y + dy, o.z - s * x + c * z});
        }
    return out;
}

KittiObject car(float x, float z, float ry, float score = 0.9f)
{
    KittiObject o;
    o.type = "Car";
    o.h = 1.5f;
    o.w = 1.8f;
    o.l = 4.0f;
    o.x = x;
    o.y = 1.65f;
    o.z = z;
    o.rotationY = ry;
    o.score = score;
    return o;
}

bool similar(QColor c, QColor want, int tolerance = 12)
{
    return lnscope::test::similarColour(c, want, tolerance);
}

bool colourNear(const QImage& image, QPointF at, QColor want, int radius = 3)
{
    for (int dy = -radius; dy <= radius; ++dy)
        for (int dx = -radius; dx <= radius; ++dx) {
            const QPoint p = at.toPoint() + QPoint(dx, dy);
            if (image.rect().contains(p) && similar(image.pixelColor(p), want))
                return true;
        }
    return false;
}

/// Pixels of colour `want`, and how many of them lie inside `region`.
std::pair<int, int> countColour(const QImage& image, QColor want, QRectF region = {})
{
    int all = 0, inside = 0;
    for (int y = 0; y < image.height(); ++y)
        for (int x = 0; x < image.width(); ++x)
            if (similar(image.pixelColor(x, y), want)) {
                ++all;
                inside += region.contains(QPointF(x, y)) ? 1 : 0;
            }
    return {all, inside};
}

QRectF projectedBounds(const BoxView3D::CameraPose& pose, const KittiObject& o, double margin)
{
    QRectF r;
    for (const Vec3& c : corners(o)) {
        const QPointF p = projectPoint(pose, kRenderSize, c);
        r = r.isNull() ? QRectF(p, QSizeF(0.001, 0.001)) : r.united(QRectF(p, QSizeF(0.001, 0.001)));
    }
    return r.adjusted(-margin, -margin, margin, margin);
}

/// A float car on the left, its converted twin (matched) on the right, nothing else.
BoxFrameData matchedFrame()
{
    BoxFrameData data;
    data.bev.floatBoxes = {car(-2.5f, 14.f, 0.3f)};
    data.bev.convertedBoxes = {car(3.0f, 20.f, -0.4f)};
    lnscope::core::BoxPair pair;
    pair.indexA = 0;
    pair.indexB = 0;
    data.bev.matching.pairs = {pair};
    return data;
}

void drag(QWidget* widget, Qt::MouseButton button, QPoint from, QPoint by)
{
    sendMouse(widget, QEvent::MouseButtonPress, from, button, button);
    for (int step = 1; step <= 4; ++step)
        sendMouse(widget, QEvent::MouseMove, from + by * step / 4, Qt::NoButton, button);
    sendMouse(widget, QEvent::MouseButtonRelease, from + by, button, Qt::NoButton);
}

void sendKey(QWidget* widget, int key)
{
    QKeyEvent press(QEvent::KeyPress, key, Qt::NoModifier);
    QCoreApplication::sendEvent(widget, &press);
}

} // namespace

class TestBoxView3D : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase() { lnscope::test::useBaselineLook(); }

    void boxesAppearWhereTheirCornersProject()
    {
        LNSCOPE_NEED_DISPLAY();
        BoxView3D view;
        QVERIFY2(view.hasRenderer(), qPrintable(view.unavailableReason()));
        const BoxFrameData data = matchedFrame();
        view.setFrame(data);
        const auto pose = testCamera();
        view.setCamera(pose);
        const QImage image = view.renderToImage(kRenderSize);
        QCOMPARE(image.size(), kRenderSize);

        const KittiObject& f = data.bev.floatBoxes[0];
        const KittiObject& c = data.bev.convertedBoxes[0];
        for (const Vec3& corner : corners(f)) {
            const QPointF at = projectPoint(pose, kRenderSize, corner);
            QVERIFY2(
                colourNear(image, at, BoxView3D::floatColor()),
                qPrintable(QString("no float colour near the corner projected at (%1, %2)").arg(at.x()).arg(at.y())));
        }
        // Converted boxes are dashed, with a dash at both ends of every edge: corners stay visible.
        for (const Vec3& corner : corners(c)) {
            const QPointF at = projectPoint(pose, kRenderSize, corner);
            QVERIFY2(colourNear(image, at, BoxView3D::convertedColor()),
                     qPrintable(QString("no converted colour near (%1, %2)").arg(at.x()).arg(at.y())));
        }
        // And nowhere else: the colours stay inside their own box's projection.
        const auto [floatAll, floatInside] = countColour(image, BoxView3D::floatColor(), projectedBounds(pose, f, 4));
        const auto [convAll, convInside] = countColour(image, BoxView3D::convertedColor(), projectedBounds(pose, c, 4));
        QVERIFY(floatAll > 100 && convAll > 60);
        QVERIFY2(floatInside >= 0.98 * floatAll, qPrintable(QString("%1 of %2").arg(floatInside).arg(floatAll)));
        QVERIFY2(convInside >= 0.98 * convAll, qPrintable(QString("%1 of %2").arg(convInside).arg(convAll)));
        // The pair's link runs between the two box centres.
        const Vec3 fc{f.x, f.y - f.h / 2, f.z}, cc{c.x, c.y - c.h / 2, c.z};
        const Vec3 mid{(fc[0] + cc[0]) / 2, (fc[1] + cc[1]) / 2, (fc[2] + cc[2]) / 2};
        QVERIFY2(colourNear(image, projectPoint(pose, kRenderSize, mid), BoxView3D::linkColor()),
                 "no pair link between the matched boxes");
    }

    void groundTruthInItsColour()
    {
        LNSCOPE_NEED_DISPLAY();
        BoxView3D view;
        BoxFrameData data;
        KittiObject gt = car(1.0f, 12.f, 1.2f);
        gt.score.reset();
        data.bev.groundTruth = {gt};
        view.setFrame(data);
        const auto pose = testCamera();
        view.setCamera(pose);
        const QImage image = view.renderToImage(kRenderSize);
        for (const Vec3& corner : corners(gt))
            QVERIFY(colourNear(image, projectPoint(pose, kRenderSize, corner), BoxView3D::groundTruthColor()));
        QCOMPARE(countColour(image, BoxView3D::floatColor()).first, 0);
        QCOMPARE(countColour(image, BoxView3D::convertedColor()).first, 0);
    }

    void boxesFoundByOneNetworkAreEmphasised()
    {
        LNSCOPE_NEED_DISPLAY();
        BoxView3D view;
        const auto pose = testCamera();
        view.setCamera(pose);
        BoxFrameData data = matchedFrame();
        view.setFrame(data);
        const QImage matched = view.renderToImage(kRenderSize);

        data.bev.matching.pairs.clear();
        data.bev.matching.onlyA = {0};
        data.bev.matching.onlyB = {0};
        view.setFrame(data);
        const QImage single = view.renderToImage(kRenderSize);

        const KittiObject& f = data.bev.floatBoxes[0];
        const int before = countColour(matched, BoxView3D::floatColor()).first;
        const int after = countColour(single, BoxView3D::floatColor()).first;
        QVERIFY2(after > 1.4 * before,
                 qPrintable(QString("float pixels %1 matched, %2 unmatched").arg(before).arg(after)));
        // A marker above the box: float pixels above the projection of its top face.
        const QRectF bounds = projectedBounds(pose, f, 0);
        const QRectF above(bounds.left(), 0, bounds.width(), bounds.top() - 3);
        QCOMPARE(countColour(matched, BoxView3D::floatColor(), above).second, 0);
        QVERIFY(countColour(single, BoxView3D::floatColor(), above).second > 10);
        // No link without a pair.
        QVERIFY(countColour(matched, BoxView3D::linkColor()).first > 0);
        QCOMPARE(countColour(single, BoxView3D::linkColor()).first, 0);
    }

    void dontCareAndDegenerateBoxesAreNotDrawn()
    {
        LNSCOPE_NEED_DISPLAY();
        BoxView3D view;
        view.setCamera(testCamera());
        BoxFrameData data;
        KittiObject dontCare = car(0.f, 12.f, 0.f);
        dontCare.type = "DontCare";
        KittiObject flat = car(2.f, 12.f, 0.f);
        flat.h = 0.f;
        KittiObject nan = car(-2.f, 12.f, 0.f);
        nan.x = std::numeric_limits<float>::quiet_NaN();
        data.bev.floatBoxes = {dontCare, flat, nan};
        view.setFrame(data);
        QVERIFY(!view.hasBoxes());
        QCOMPARE(countColour(view.renderToImage(kRenderSize), BoxView3D::floatColor()).first, 0);
    }

    void pointsAreDrawnInTheirColours()
    {
        LNSCOPE_NEED_DISPLAY();
        BoxView3D view;
        const auto pose = testCamera();
        view.setCamera(pose);
        BoxFrameData data;
        const Vec3 centre{1.0, 1.0, 10.0};
        for (int i = -3; i <= 3; ++i)
            for (int j = -3; j <= 3; ++j)
                data.points.push_back(
                    {float(centre[0] + 0.05 * i), float(centre[1] + 0.05 * j), float(centre[2]), 0, 230, 90});
        view.setFrame(data);
        const QImage image = view.renderToImage(kRenderSize);
        const QPointF at = projectPoint(pose, kRenderSize, centre);
        const QRectF near(at - QPointF(12, 12), QSizeF(24, 24));
        const auto [all, inside] = countColour(image, QColor(0, 230, 90), near);
        QVERIFY2(inside > 20,
                 qPrintable(QString("%1 point pixels near the projection, %2 in all").arg(inside).arg(all)));
        QCOMPARE(inside, all);
    }

    void emptyFrameShowsTheGroundGrid()
    {
        LNSCOPE_NEED_DISPLAY();
        BoxView3D view;
        view.setFrame(matchedFrame());
        view.clear();
        QVERIFY(!view.hasBoxes());
        const QImage image = view.renderToImage(kRenderSize);
        const double drawn = shareNotColour(image, BoxView3D::backgroundColor());
        QVERIFY2(drawn > 0.005 && drawn < 0.5, qPrintable(QString("%1 % drawn").arg(drawn * 100)));
        QCOMPARE(countColour(image, BoxView3D::floatColor()).first, 0);
        QCOMPARE(countColour(image, BoxView3D::convertedColor()).first, 0);
        // The grid lies on the ground, below the horizon of the default camera: the top rows
        // (sky) stay background.
        const QImage top = image.copy(0, 0, image.width(), image.height() / 8);
        QCOMPARE(shareNotColour(top, BoxView3D::backgroundColor()), 0.0);

        // The widget paints it, with the overlay (legend, "no boxes"), without complaint.
        view.resize(kRenderSize);
        const QImage grabbed = view.grab().toImage();
        QCOMPARE(grabbed.size(), kRenderSize);
    }

    void controlsMoveTheCameraAndResetRestoresIt_data()
    {
        QTest::addColumn<int>("kind");
        QTest::addRow("left drag orbits") << 0;
        QTest::addRow("middle drag pans") << 1;
        QTest::addRow("right drag zooms") << 2;
        QTest::addRow("wheel zooms") << 3;
        QTest::addRow("+ zooms") << 4;
        QTest::addRow("- zooms out") << 5;
        QTest::addRow("arrow key orbits") << 6;
    }

    void controlsMoveTheCameraAndResetRestoresIt()
    {
        LNSCOPE_NEED_DISPLAY();
        QFETCH(int, kind);
        BoxView3D view;
        view.resize(kRenderSize);
        view.setFrame(matchedFrame());
        const QImage before = view.renderToImage(kRenderSize);
        const QPoint centre(kRenderSize.width() / 2, kRenderSize.height() / 2);
        const double distanceBefore = std::sqrt(dot(sub(view.camera().position, view.camera().focalPoint),
                                                    sub(view.camera().position, view.camera().focalPoint)));
        int changes = 0;
        connect(&view, &BoxView3D::cameraChanged, this, [&] { ++changes; });
        switch (kind) {
        case 0: drag(&view, Qt::LeftButton, centre, QPoint(60, 30)); break;
        case 1: drag(&view, Qt::MiddleButton, centre, QPoint(40, 20)); break;
        case 2: drag(&view, Qt::RightButton, centre, QPoint(0, -50)); break;
        case 3: {
            QWheelEvent wheel(QPointF(centre), view.mapToGlobal(QPointF(centre)), QPoint(), QPoint(0, 240),
                              Qt::NoButton, Qt::NoModifier, Qt::NoScrollPhase, false);
            QCoreApplication::sendEvent(&view, &wheel);
            break;
        }
        case 4: sendKey(&view, Qt::Key_Plus); break;
        case 5: sendKey(&view, Qt::Key_Minus); break;
        case 6: sendKey(&view, Qt::Key_Left); break;
        }
        QVERIFY(changes > 0);
        const QImage after = view.renderToImage(kRenderSize);
        QVERIFY2(after != before, "the camera did not move");
        const auto pose = view.camera();
        const double distance =
            std::sqrt(dot(sub(pose.position, pose.focalPoint), sub(pose.position, pose.focalPoint)));
        if (kind == 2 || kind == 3 || kind == 4)
            QVERIFY2(distance < 0.95 * distanceBefore,
                     qPrintable(QString("%1 → %2 m").arg(distanceBefore).arg(distance)));
        if (kind == 5)
            QVERIFY(distance > 1.05 * distanceBefore);
        if (kind == 0 || kind == 1 || kind == 6)
            QVERIFY(std::abs(distance - distanceBefore) < 1e-6 * distanceBefore);
        // The horizon stays level: the camera's right axis has no vertical component.
        const Vec3 right = cross(sub(pose.focalPoint, pose.position), pose.viewUp);
        QVERIFY(std::abs(right[1]) < 1e-9 * std::sqrt(dot(right, right)));

        sendKey(&view, Qt::Key_R);
        QCOMPARE(view.renderToImage(kRenderSize), before);
    }

    void doubleClickResetsTheCamera()
    {
        LNSCOPE_NEED_DISPLAY();
        BoxView3D view;
        view.resize(kRenderSize);
        view.setCamera(testCamera());
        view.orbit(30, 10);
        sendMouse(&view, QEvent::MouseButtonDblClick, QPoint(50, 50), Qt::LeftButton, Qt::LeftButton);
        const auto pose = view.camera(), expected = BoxView3D::defaultCamera();
        for (int i = 0; i < 3; ++i) {
            QVERIFY(std::abs(pose.position[size_t(i)] - expected.position[size_t(i)]) < 1e-9);
            QVERIFY(std::abs(pose.focalPoint[size_t(i)] - expected.focalPoint[size_t(i)]) < 1e-9);
        }
        // The default camera is behind and above the ego camera, looking forward and down.
        QVERIFY(expected.position[2] < 0 && expected.position[1] < 0);
        QVERIFY(expected.focalPoint[2] > expected.position[2] && expected.focalPoint[1] > expected.position[1]);
    }

    void orbitStopsAboveTheTop()
    {
        LNSCOPE_NEED_DISPLAY();
        BoxView3D view;
        view.orbit(0, 500); // far past straight down
        const auto pose = view.camera();
        const Vec3 toCamera = normalised(sub(pose.position, pose.focalPoint));
        // Elevation = angle above the ground plane (up is −y): below 90°, so the view never flips.
        const double elevation = std::asin(-toCamera[1]) * 180.0 / std::numbers::pi;
        QVERIFY2(elevation > 80.0 && elevation < 89.5, qPrintable(QString::number(elevation)));
        QVERIFY(!view.renderToImage(kRenderSize).isNull());
        view.zoomBy(1e9); // never through the focal point
        const double distance = std::sqrt(dot(sub(view.camera().position, view.camera().focalPoint),
                                              sub(view.camera().position, view.camera().focalPoint)));
        QVERIFY(distance >= 0.49);
    }

    void realFrameWithDisparityPoints()
    {
        LNSCOPE_NEED_DISPLAY();
        const auto dataset = lnscope::core::openDataset(lnscope::test::datasetsDir() / "synthdrive" / "val");
        const lnscope::core::Frame* frame = dataset.findFrame("000020"); // suburban, noon, 13 objects
        QVERIFY(frame);
        BoxFrameData data;
        data.calib = frame->calib();
        data.image = QImage(QString::fromStdString(frame->leftImage.string())).convertToFormat(QImage::Format_RGB888);
        QVERIFY(!data.image.isNull());
        const lnscope::core::RgbImageView rgb{data.image.constBits(), data.image.width(), data.image.height(),
                                              size_t(data.image.bytesPerLine())};
        const int stride = lnscope::core::strideForMaxPoints(data.image.width(), data.image.height(), 20000);
        for (const auto& p : lnscope::core::readStereoPoints(frame->disparityFile, *data.calib, {stride, 80.0}, &rgb))
            data.points.push_back({p.x, p.y, p.z, p.r, p.g, p.b});
        QVERIFY(data.points.size() > 5000);

        // Ground truth, a "float" result close to it and a "converted" one that moved some boxes,
        // lost one and invented one: every style of the view appears.
        data.bev.groundTruth = frame->labels();
        for (size_t i = 0; i < data.bev.groundTruth.size(); ++i) {
            KittiObject f = data.bev.groundTruth[i];
            f.x += 0.15f;
            f.rotationY = float(lnscope::core::wrapAngle(f.rotationY + 0.05));
            f.score = 0.9f;
            data.bev.floatBoxes.push_back(f);
            if (i == 1)
                continue;
            KittiObject c = f;
            c.z += (i % 3 == 0) ? 0.8f : 0.2f;
            c.score = 0.85f;
            data.bev.convertedBoxes.push_back(c);
        }
        KittiObject ghost = car(-4.f, 18.f, 0.f, 0.4f);
        data.bev.convertedBoxes.push_back(ghost);
        data.bev.matching = lnscope::core::matchBoxes(data.bev.floatBoxes, data.bev.convertedBoxes, 0.1);
        QVERIFY(!data.bev.matching.onlyA.empty() && !data.bev.matching.onlyB.empty());

        BoxView3D view;
        view.setFrame(data);
        const QImage image = lnscope::test::grabAtSize(view, QSize(960, 540));
        QVERIFY(!image.isNull());
        if (const QByteArray path = qgetenv("LNSCOPE_BOX3D_SCREENSHOT"); !path.isEmpty())
            QVERIFY(image.save(QString::fromLocal8Bit(path)));
        // The scene is mostly points and boxes, drawn from the default camera.
        QElapsedTimer timer;
        timer.start();
        const QImage scene = view.renderToImage(QSize(960, 540));
        qInfo("960x540 with %zu points rendered in %lld ms", data.points.size(), qlonglong(timer.elapsed()));
        const double drawn = shareNotColour(scene, BoxView3D::backgroundColor());
        QVERIFY2(drawn > 0.12, qPrintable(QString("%1 % of the pixels drawn").arg(100 * drawn)));
        QVERIFY(countColour(scene, BoxView3D::floatColor()).first > 200);
        QVERIFY(countColour(scene, BoxView3D::convertedColor()).first > 100);
    }

    void placeholderWithoutDisplay()
    {
        // Debian's VTK aborts the process when it cannot open a display: the view must notice
        // first. (A second ctest entry runs this whole binary with DISPLAY unset as well.)
        const ScopedDisplay unset;
        BoxView3D view;
        QVERIFY(!view.hasRenderer());
        QVERIFY2(view.unavailableReason().contains("DISPLAY"), qPrintable(view.unavailableReason()));
        QVERIFY(view.renderToImage(kRenderSize).isNull());
        // Data, camera calls, mouse and keys are harmless.
        view.setFrame(matchedFrame());
        QVERIFY(view.hasBoxes());
        view.resetCamera();
        view.orbit(10, 10);
        view.zoomBy(2);
        sendMouse(&view, QEvent::MouseButtonPress, QPoint(10, 10), Qt::LeftButton, Qt::LeftButton);
        sendMouse(&view, QEvent::MouseMove, QPoint(30, 10), Qt::NoButton, Qt::LeftButton);
        sendMouse(&view, QEvent::MouseButtonRelease, QPoint(30, 10), Qt::LeftButton, Qt::NoButton);
        sendKey(&view, Qt::Key_R);

        view.resize(400, 300);
        const QImage grabbed = view.grab().toImage().convertToFormat(QImage::Format_RGB888);
        const double text = shareNotColour(grabbed, BoxView3D::backgroundColor());
        QVERIFY2(text > 0.001, "the placeholder text was not drawn");
        QVERIFY(text < 0.2);
    }

    void badDisplayGivesPlaceholder()
    {
        const ScopedDisplay bad(":987655");
        BoxView3D view;
        QVERIFY(!view.hasRenderer());
        QVERIFY2(view.unavailableReason().contains(":987655"), qPrintable(view.unavailableReason()));
    }

    void shortcutsAreListed()
    {
        const auto list = BoxView3D::shortcuts();
        QVERIFY(list.size() >= 4);
        bool reset = false;
        for (const auto& [keys, what] : list)
            reset = reset || (keys.contains("R") && what.contains("reset"));
        QVERIFY(reset);
    }
};

QTEST_MAIN(TestBoxView3D)
#include "test_box_view_3d.moc"
