// BevView: hover readouts over float / converted / one-network-only / ground-truth boxes, the
// matched-pair link on screen, the only-one marker, zoom around the cursor, drag, keys and fit,
// DontCare and bad matchings, and image baselines at 900×500 (synthdrive frame 000005's labels as
// ground truth, with made-up float and converted detections).

#include "lnscope/widgets/bev_view.h"

#include "image_baseline.h"
#include "lnscope/core/det_metrics.h"
#include "lnscope/core/kitti_io.h"
#include "test_utils.h"
#include "widget_test_utils.h"

#include <QApplication>
#include <QMouseEvent>
#include <QSignalSpy>
#include <QTest>
#include <QWheelEvent>

#include <cmath>

using namespace lnscope;
using lnscope::test::sendMouse;
using widgets::BevData;
using widgets::BevTransform;
using widgets::BevView;
using BoxSet = BevView::BoxSet;

namespace {

constexpr QSize kBaselineSize(900, 500);
const QRgb kLinkColour = qRgb(170, 60, 150);
const QRgb kConvertedColour = qRgb(230, 130, 0);

core::KittiObject object(const char* type, double x, double z, double l, double w, double rotationY,
                         std::optional<float> score = std::nullopt)
{
    core::KittiObject o;
    o.type = type;
    o.x = float(x);
    o.y = 1.6f;
    o.z = float(z);
    o.l = float(l);
    o.w = float(w);
    o.h = 1.5f;
    o.rotationY = float(rotationY);
    o.score = score;
    return o;
}

/// Float car #0 at (0, 20) matched with converted car #0 at (1, 20.5) turned by 0.1 rad; a
/// pedestrian only float found (#1); a car only the converted network found (#1); ground truth: the
/// car, a van nobody found, and a DontCare region with KITTI's placeholder 3-D fields.
BevData syntheticBoxes()
{
    BevData d;
    d.groundTruth = {object("Car", 0.2, 20, 4, 1.8, 0), object("Van", -12, 40, 5, 2, 1.2),
                     object("DontCare", -1000, -1000, -1, -1, -10)};
    d.floatBoxes = {object("Car", 0, 20, 4, 1.8, 0, 0.9f), object("Pedestrian", -6, 12, 0.8, 0.6, 0.5, 0.7f)};
    d.convertedBoxes = {object("Car", 1, 20.5, 4, 1.8, 0.1, 0.8f), object("Car", 8, 35, 4.2, 1.8, -1.5, 0.6f)};
    d.matching = core::matchBoxes(d.floatBoxes, d.convertedBoxes, 0.1);
    return d;
}

/// Synthdrive val frame 000005: the labels as ground truth; float = the labels moved a little and
/// scored; converted = float moved a little more, without the pedestrian, with one extra car.
BevData synthdriveBoxes()
{
    BevData d;
    d.groundTruth = core::readKittiLabels(test::datasetsDir() / "synthdrive" / "val" / "label_2" / "000005.txt");
    for (size_t i = 0; i < d.groundTruth.size(); ++i) {
        core::KittiObject f = d.groundTruth[i];
        f.x += 0.15f * float(i % 3) - 0.15f;
        f.z += 0.3f;
        f.rotationY += 0.04f;
        f.score = 0.95f - 0.07f * float(i);
        d.floatBoxes.push_back(f);
        if (f.type == "Pedestrian")
            continue;
        core::KittiObject c = f;
        c.x += i == 0 ? 1.1f : 0.2f;
        c.z -= i == 1 ? 1.5f : 0.25f;
        c.rotationY -= 0.12f;
        c.score = *f.score - 0.05f;
        d.convertedBoxes.push_back(c);
    }
    d.convertedBoxes.push_back(object("Car", 7.5, 24, 4.1, 1.7, -1.45, 0.41f));
    d.matching = core::matchBoxes(d.floatBoxes, d.convertedBoxes, 0.1);
    return d;
}

void sendWheel(QWidget* w, QPointF pos, int delta)
{
    QWheelEvent e(pos, w->mapToGlobal(pos), QPoint(), QPoint(0, delta), Qt::NoButton, Qt::NoModifier, Qt::NoScrollPhase,
                  false);
    QApplication::sendEvent(w, &e);
}

void hoverGround(BevView& view, double x, double z)
{
    sendMouse(&view, QEvent::MouseMove, view.bevTransform().map(x, z), Qt::NoButton, Qt::NoButton);
}

bool close(QRgb a, QRgb b, int tol)
{
    return std::abs(qRed(a) - qRed(b)) <= tol && std::abs(qGreen(a) - qGreen(b)) <= tol
           && std::abs(qBlue(a) - qBlue(b)) <= tol;
}

/// Whether a pixel within `radius` of `at` has (about) `colour`.
bool colourNear(const QImage& image, QPointF at, QRgb colour, int radius = 1, int tol = 30)
{
    for (int dy = -radius; dy <= radius; ++dy) {
        for (int dx = -radius; dx <= radius; ++dx) {
            const QPoint p = at.toPoint() + QPoint(dx, dy);
            if (image.rect().contains(p) && close(image.pixel(p), colour, tol))
                return true;
        }
    }
    return false;
}

double distance(std::pair<double, double> a, std::pair<double, double> b)
{
    return std::hypot(a.first - b.first, a.second - b.second);
}

} // namespace

class TestBevView : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void emptyState();
    void fitShowsEveryBoxButNotDontCare();
    void hoverMatchedBox();
    void hoverOnlyOneAndGroundTruth();
    void pairLinkIsDrawn();
    void onlyOneBoxHasAMarker();
    void wheelZoomKeepsThePointUnderTheCursor();
    void dragAndKeys();
    void badMatchingIsIgnored();
    void baselines_data();
    void baselines();

private:
    void show(BevView& view, const BevData& data, QSize size = kBaselineSize);
};

void TestBevView::initTestCase()
{
    test::useBaselineLook();
}

void TestBevView::show(BevView& view, const BevData& data, QSize size)
{
    view.resize(size);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    view.setBoxes(data);
    QCoreApplication::processEvents();
}

void TestBevView::emptyState()
{
    BevView view;
    QVERIFY(!view.hasBoxes());
    show(view, {});
    QVERIFY(!view.hasBoxes());
    QVERIFY(view.hoverText().isEmpty());
    QVERIFY(!view.boxAt(QPointF(450, 250)));
    QVERIFY(view.pairLink(0).isNull());
    QVERIFY(!view.grab().isNull());
}

void TestBevView::fitShowsEveryBoxButNotDontCare()
{
    BevView view;
    show(view, syntheticBoxes());
    const BevTransform t = view.bevTransform();
    QCOMPARE(t.viewSize, QSizeF(kBaselineSize));
    for (const auto& [x, z] : {std::pair{0.0, 0.0}, {-12.0, 40.0}, {8.0, 35.0}, {-6.0, 12.0}}) {
        const QPointF p = t.map(x, z);
        QVERIFY2(QRectF(QPointF(0, 0), t.viewSize).contains(p), qPrintable(QStringLiteral("%1 %2").arg(x).arg(z)));
    }
    // The DontCare placeholder at (−1000, −1000) is neither drawn nor fitted.
    QVERIFY(t.metresPerPixel < 0.2);
}

void TestBevView::hoverMatchedBox()
{
    BevView view;
    const BevData data = syntheticBoxes();
    show(view, data);
    QSignalSpy hovered(&view, &BevView::hoveredBoxChanged);
    hoverGround(view, -1.0, 19.8); // inside float #0 (and the others), nearest to its centre
    QVERIFY(view.hoveredBox());
    QCOMPARE(*view.hoveredBox(), (BevView::BoxRef{BoxSet::Float, 0}));
    QCOMPARE(hovered.count(), 1);
    const QString text = view.hoverText();
    const QString iou = QString::number(data.matching.pairs.at(0).bevIoU, 'f', 3);
    for (const QString& part : {QStringLiteral("float Car #0"), QStringLiteral("score 0.90"),
                                QStringLiteral("matched with converted #0 · BEV IoU ") + iou,
                                QStringLiteral("centre 1.12 m (x +1.00, y +0.00, z +0.50)"),
                                QStringLiteral("heading +5.7°"), QStringLiteral("score −0.100")})
        QVERIFY2(text.contains(part), qPrintable(part + QStringLiteral(" not in: ") + text));
    hoverGround(view, 2.5, 20.9); // only inside converted #0
    QCOMPARE(*view.hoveredBox(), (BevView::BoxRef{BoxSet::Converted, 0}));
    QVERIFY2(view.hoverText().startsWith(QStringLiteral("converted Car #0 · score 0.80")),
             qPrintable(view.hoverText()));
    QVERIFY(view.hoverText().contains(QStringLiteral("matched with float #0")));
    hoverGround(view, 20, 5); // nothing there
    QVERIFY(!view.hoveredBox());
    QVERIFY(view.hoverText().isEmpty());
}

void TestBevView::hoverOnlyOneAndGroundTruth()
{
    BevView view;
    show(view, syntheticBoxes());
    hoverGround(view, 8.2, 35.5);
    QVERIFY(view.hoveredBox());
    QCOMPARE(*view.hoveredBox(), (BevView::BoxRef{BoxSet::Converted, 1}));
    QVERIFY2(view.hoverText().contains(QStringLiteral("found by converted only: no matching float box")),
             qPrintable(view.hoverText()));
    hoverGround(view, -6, 12); // a 0.8 × 0.6 m pedestrian: its centre picks it at any zoom
    QCOMPARE(*view.hoveredBox(), (BevView::BoxRef{BoxSet::Float, 1}));
    QVERIFY(view.hoverText().contains(QStringLiteral("found by float only")));
    hoverGround(view, -12.5, 40.3);
    QCOMPARE(*view.hoveredBox(), (BevView::BoxRef{BoxSet::GroundTruth, 1}));
    QVERIFY2(view.hoverText().startsWith(QStringLiteral("ground truth Van #1\nx −12.00 m, z 40.00 m · heading 68.8°")),
             qPrintable(view.hoverText()));
    QEvent leave(QEvent::Leave);
    QApplication::sendEvent(&view, &leave);
    QVERIFY(!view.hoveredBox());
}

void TestBevView::pairLinkIsDrawn()
{
    BevView view;
    BevData data = syntheticBoxes();
    show(view, data);
    view.zoomBy(3.0); // 1.1 m between the centres: make the link long enough to sample
    const QLineF link = view.pairLink(0);
    const BevTransform t = view.bevTransform();
    QCOMPARE(link.p1(), t.map(0, 20));
    QCOMPARE(link.p2(), t.map(1, 20.5));
    QVERIFY(link.length() > 20);
    const QImage image = view.grab().toImage();
    QVERIFY(colourNear(image, link.pointAt(0.5), kLinkColour));
    QVERIFY(colourNear(image, link.pointAt(0.3), kLinkColour));
    // Without the pair, no link there.
    data.matching.pairs.clear();
    view.setBoxes(data);
    QVERIFY(view.pairLink(0).isNull());
    QVERIFY(!colourNear(view.grab().toImage(), link.pointAt(0.5), kLinkColour, 1, 20));
}

void TestBevView::onlyOneBoxHasAMarker()
{
    BevView view;
    show(view, syntheticBoxes());
    // The diamond at the centre of the converted-only car is filled with the converted colour.
    const QImage image = view.grab().toImage();
    const QPointF centre = view.bevTransform().map(8, 35);
    QVERIFY(colourNear(image, centre, kConvertedColour, 1, 25));
    // A matched box has no diamond (its centre shows the link's end dot instead).
    QVERIFY(!colourNear(image, view.bevTransform().map(1, 20.5), kConvertedColour, 1, 25));
}

void TestBevView::wheelZoomKeepsThePointUnderTheCursor()
{
    BevView view;
    show(view, syntheticBoxes());
    QSignalSpy changed(&view, &BevView::transformChanged);
    const QPointF cursor(612.5, 143.25);
    const BevTransform before = view.bevTransform();
    const auto ground = before.unmap(cursor);
    sendWheel(&view, cursor, 120);
    QCOMPARE(view.bevTransform().metresPerPixel, before.metresPerPixel / 1.25);
    QVERIFY(distance(view.bevTransform().unmap(cursor), ground) < 1e-9);
    const auto corner = view.bevTransform().unmap(QPointF(10, 480));
    sendWheel(&view, QPointF(10, 480), -360); // three notches out, around another point
    QVERIFY(std::abs(view.bevTransform().metresPerPixel - before.metresPerPixel * 1.25 * 1.25) < 1e-12);
    QVERIFY(distance(view.bevTransform().unmap(QPointF(10, 480)), corner) < 1e-9);
    QCOMPARE(changed.count(), 2);
}

void TestBevView::dragAndKeys()
{
    BevView view;
    show(view, syntheticBoxes());
    const BevTransform fitted = view.bevTransform();
    const QPointF from(300, 300), to(360, 240);
    const auto grabbed = fitted.unmap(from);
    sendMouse(&view, QEvent::MouseButtonPress, from, Qt::LeftButton, Qt::LeftButton);
    sendMouse(&view, QEvent::MouseMove, to, Qt::NoButton, Qt::LeftButton);
    sendMouse(&view, QEvent::MouseButtonRelease, to, Qt::LeftButton, Qt::NoButton);
    QVERIFY(distance(view.bevTransform().unmap(to), grabbed) < 1e-9);
    // After a user pan, a resize keeps the scale instead of refitting.
    view.resize(800, 450);
    QCoreApplication::processEvents();
    QCOMPARE(view.bevTransform().metresPerPixel, fitted.metresPerPixel);
    view.resize(kBaselineSize);
    QCoreApplication::processEvents();
    QTest::keyClick(&view, Qt::Key_F);
    QCOMPARE(view.bevTransform(), fitted);
    QTest::keyClick(&view, Qt::Key_Plus);
    QCOMPARE(view.bevTransform().metresPerPixel, fitted.metresPerPixel / 1.25);
    QTest::keyClick(&view, Qt::Key_Minus);
    QVERIFY(std::abs(view.bevTransform().metresPerPixel - fitted.metresPerPixel) < 1e-12);
    QTest::keyClick(&view, Qt::Key_Up);
    QVERIFY(view.bevTransform().centreMetres.y() > fitted.centreMetres.y()); // looks further ahead
    sendMouse(&view, QEvent::MouseButtonDblClick, QPointF(100, 100), Qt::LeftButton, Qt::LeftButton);
    QCOMPARE(view.bevTransform(), fitted);
}

void TestBevView::badMatchingIsIgnored()
{
    BevView view;
    BevData data = syntheticBoxes();
    data.matching.pairs.push_back({7, 9});
    data.matching.onlyA.push_back(-3);
    show(view, data);
    QVERIFY(view.pairLink(1).isNull());
    QVERIFY(!view.grab().isNull());
}

void TestBevView::baselines_data()
{
    QTest::addColumn<QString>("name");
    QTest::addRow("synthdrive") << QStringLiteral("synthdrive");
    QTest::addRow("zoomed_hover") << QStringLiteral("zoomed_hover");
    QTest::addRow("synthetic") << QStringLiteral("synthetic");
    QTest::addRow("empty") << QStringLiteral("empty");
}

void TestBevView::baselines()
{
    QFETCH(QString, name);
    BevView view;
    const BevData data = name == QStringLiteral("synthetic") ? syntheticBoxes()
                         : name == QStringLiteral("empty")   ? BevData{}
                                                             : synthdriveBoxes();
    show(view, data);
    if (name == QStringLiteral("zoomed_hover")) {
        // Zoom on the far cars (x ≈ −4…−1, z ≈ 38…66 m) and hover the float box of the first one.
        sendWheel(&view, view.bevTransform().map(-3, 45), 480);
        const core::KittiObject& f = data.floatBoxes.at(0);
        hoverGround(view, f.x - 0.5, f.z);
        QVERIFY(view.hoveredBox());
    }
    const QImage image = test::grabAtSize(view, kBaselineSize);
    LNSCOPE_COMPARE_BASELINE(image, QStringLiteral("test_bev_view_") + name);
}

QTEST_MAIN(TestBevView)
#include "test_bev_view.moc"
