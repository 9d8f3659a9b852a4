// BevTransform (ground metres ↔ widget pixels): orientation (x right, z up), map/unmap round
// trips, zoom around a fixed point with clamping, pan, fit, grid spacing by zoom, and hit-testing
// of points in rotated box footprints (core::bevFootprint). Pure geometry, no widgets.

#include "lnscope/core/det_metrics.h"
#include "lnscope/widgets/bev_transform.h"

#include <QTest>

#include <cmath>
#include <limits>
#include <numbers>

using lnscope::core::KittiObject;
using lnscope::widgets::BevTransform;

namespace {

bool near(QPointF a, QPointF b, double tol = 1e-9)
{
    return std::abs(a.x() - b.x()) <= tol && std::abs(a.y() - b.y()) <= tol;
}

BevTransform transform(double mpp, QPointF centre, QSizeF view = {900, 500})
{
    BevTransform t;
    t.metresPerPixel = mpp;
    t.centreMetres = centre;
    t.viewSize = view;
    return t;
}

KittiObject box(double x, double z, double l, double w, double rotationY)
{
    KittiObject o;
    o.type = "Car";
    o.x = float(x);
    o.z = float(z);
    o.l = float(l);
    o.w = float(w);
    o.h = 1.5f;
    o.rotationY = float(rotationY);
    return o;
}

} // namespace

class TestBevTransform : public QObject
{
    Q_OBJECT
private slots:
    void orientation();
    void roundTrip_data();
    void roundTrip();
    void zoomKeepsPointFixed_data();
    void zoomKeepsPointFixed();
    void zoomClamps();
    void panFollowsTheMouse();
    void fitShowsTheRectangle();
    void visibleMetres();
    void gridSpacing_data();
    void gridSpacing();
    void hitTest_data();
    void hitTest();
    void hitTestDegenerate();
};

void TestBevTransform::orientation()
{
    const BevTransform t = transform(0.1, QPointF(0, 20), QSizeF(900, 500));
    QCOMPARE(t.map(0, 20), QPointF(450, 250)); // the centre is in the middle
    QVERIFY(t.map(1, 20).x() > 450);           // x to the right
    QVERIFY(t.map(0, 21).y() < 250);           // forward (z) is up
    QCOMPARE(t.map(1, 20) - t.map(0, 20), QPointF(10, 0));
    QCOMPARE(t.map(0, 21) - t.map(0, 20), QPointF(0, -10));
}

void TestBevTransform::roundTrip_data()
{
    QTest::addColumn<double>("mpp");
    QTest::addColumn<QPointF>("centre");
    QTest::addRow("default") << 0.1 << QPointF(0, 20);
    QTest::addRow("zoomed in, off-centre") << 0.0125 << QPointF(-4.13, 38.4);
    QTest::addRow("zoomed out") << 1.7 << QPointF(120, -60);
}

void TestBevTransform::roundTrip()
{
    QFETCH(double, mpp);
    QFETCH(QPointF, centre);
    const BevTransform t = transform(mpp, centre);
    for (const QPointF g : {QPointF(0, 0), QPointF(-4.13, 38.4), QPointF(250, -80), QPointF(0.01, 65.22)}) {
        const auto [x, z] = t.unmap(t.map(g.x(), g.y()));
        QVERIFY2(near(QPointF(x, z), g, 1e-9 * (1 + std::abs(g.x()) + std::abs(g.y()))),
                 qPrintable(QStringLiteral("%1 %2").arg(x).arg(z)));
    }
    for (const QPointF px : {QPointF(0, 0), QPointF(899, 499), QPointF(-30, 700), QPointF(450.5, 12.25)}) {
        const auto [x, z] = t.unmap(px);
        QVERIFY(near(t.map(x, z), px, 1e-9 * (1 + std::abs(px.x()) + std::abs(px.y()))));
    }
}

void TestBevTransform::zoomKeepsPointFixed_data()
{
    QTest::addColumn<QPointF>("cursor");
    QTest::addColumn<double>("factor");
    QTest::addRow("in at the centre") << QPointF(450, 250) << 1.25;
    QTest::addRow("in at a corner") << QPointF(3, 497) << 2.0;
    QTest::addRow("out off-centre") << QPointF(700.5, 100.25) << 0.8;
}

void TestBevTransform::zoomKeepsPointFixed()
{
    QFETCH(QPointF, cursor);
    QFETCH(double, factor);
    BevTransform t = transform(0.1, QPointF(2, 25));
    const auto before = t.unmap(cursor);
    t.zoomAt(cursor, factor);
    QCOMPARE(t.metresPerPixel, 0.1 / factor);
    const auto after = t.unmap(cursor);
    QVERIFY(near(QPointF(after.first, after.second), QPointF(before.first, before.second), 1e-9));
}

void TestBevTransform::zoomClamps()
{
    BevTransform t = transform(0.01, QPointF(0, 10));
    const QPointF cursor(600, 100);
    const auto anchor = t.unmap(cursor);
    t.zoomAt(cursor, 100.0);
    QCOMPARE(t.metresPerPixel, BevTransform::kMinMetresPerPixel);
    t.zoomAt(cursor, 1e-6);
    QCOMPARE(t.metresPerPixel, BevTransform::kMaxMetresPerPixel);
    const auto after = t.unmap(cursor);
    QVERIFY(near(QPointF(after.first, after.second), QPointF(anchor.first, anchor.second), 1e-6));
    const BevTransform before = t;
    for (const double f : {0.0, -1.0, std::numeric_limits<double>::quiet_NaN()})
        t.zoomAt(cursor, f);
    QCOMPARE(t, before);
}

void TestBevTransform::panFollowsTheMouse()
{
    BevTransform t = transform(0.2, QPointF(0, 20));
    const QPointF grab(300, 200);
    const auto ground = t.unmap(grab);
    t.pan(QPointF(35, -12)); // the mouse moved by (35, −12): the grabbed ground point follows it
    QVERIFY(near(t.map(ground.first, ground.second), grab + QPointF(35, -12), 1e-9));
}

void TestBevTransform::fitShowsTheRectangle()
{
    BevTransform t = transform(1.0, QPointF(100, 100), QSizeF(900, 500));
    t.fit(-10, 10, -5, 65, 20);
    // z range 70 m in 460 px is the limit (x 20 m in 860 px is not).
    QCOMPARE(t.metresPerPixel, 70.0 / 460.0);
    QCOMPARE(t.centreMetres, QPointF(0, 30));
    QVERIFY(std::abs(t.map(0, 65).y() - 20.0) < 1e-9);
    QVERIFY(std::abs(t.map(0, -5).y() - 480.0) < 1e-9);
    QVERIFY(t.map(-10, 0).x() > 20 && t.map(10, 0).x() < 880);
    t.fit(3, 3, 7, 7, 0);                                         // a point: grown to 1 m
    QCOMPARE(t.metresPerPixel, BevTransform::kMinMetresPerPixel); // 1 m in 500 px is below the limit
    QCOMPARE(t.centreMetres, QPointF(3, 7));
}

void TestBevTransform::visibleMetres()
{
    const BevTransform t = transform(0.1, QPointF(0, 20), QSizeF(900, 500));
    const QRectF v = t.visibleMetres();
    QVERIFY(std::abs(v.left() - -45) < 1e-9 && std::abs(v.right() - 45) < 1e-9);
    QVERIFY(std::abs(v.top() - -5) < 1e-9 && std::abs(v.bottom() - 45) < 1e-9);
}

void TestBevTransform::gridSpacing_data()
{
    QTest::addColumn<double>("mpp");
    QTest::addColumn<double>("spacing");
    QTest::addRow("1 m lines 50 px apart") << 0.02 << 1.0;
    QTest::addRow("1 m at exactly 40 px") << 0.025 << 1.0;
    QTest::addRow("5 m") << 0.1 << 5.0;
    QTest::addRow("10 m") << 0.2 << 10.0;
    QTest::addRow("10 m even when dense") << 1.5 << 10.0;
}

void TestBevTransform::gridSpacing()
{
    QFETCH(double, mpp);
    QFETCH(double, spacing);
    QCOMPARE(transform(mpp, QPointF()).gridSpacing(40.0), spacing);
}

void TestBevTransform::hitTest_data()
{
    QTest::addColumn<double>("rotation");
    QTest::addColumn<QPointF>("point");
    QTest::addColumn<bool>("inside");
    // A 4 × 1 m box at (0, 20): rotation 0 has its length along x, rotation π/2 along z.
    QTest::addRow("centre") << 0.0 << QPointF(0, 20) << true;
    QTest::addRow("along the length") << 0.0 << QPointF(1.9, 20) << true;
    QTest::addRow("beyond the length") << 0.0 << QPointF(2.1, 20) << false;
    QTest::addRow("beyond the width") << 0.0 << QPointF(0, 21.1) << false;
    QTest::addRow("on the edge") << 0.0 << QPointF(2.0, 20.5) << true;
    QTest::addRow("rotated 90°: long in z") << std::numbers::pi / 2 << QPointF(0, 21.9) << true;
    QTest::addRow("rotated 90°: narrow in x") << std::numbers::pi / 2 << QPointF(1.5, 20) << false;
    // Rotated 45°: the corner region of the axis-aligned box is outside, the diagonal is inside.
    QTest::addRow("rotated 45°: axis corner") << std::numbers::pi / 4 << QPointF(1.6, 20.9) << false;
    QTest::addRow("rotated 45°: along the diagonal") << std::numbers::pi / 4 << QPointF(1.3, 18.7) << true;
    QTest::addRow("rotated 45°: other diagonal") << std::numbers::pi / 4 << QPointF(1.3, 21.3) << false;
}

void TestBevTransform::hitTest()
{
    QFETCH(double, rotation);
    QFETCH(QPointF, point);
    QFETCH(bool, inside);
    const auto footprint = lnscope::core::bevFootprint(box(0, 20, 4, 1, rotation));
    QCOMPARE(BevTransform::footprintContains(footprint, point.x(), point.y()), inside);
    // The same answer for the other winding.
    const std::array<std::array<double, 2>, 4> reversed{footprint[3], footprint[2], footprint[1], footprint[0]};
    QCOMPARE(BevTransform::footprintContains(reversed, point.x(), point.y()), inside);
}

void TestBevTransform::hitTestDegenerate()
{
    const auto zero = lnscope::core::bevFootprint(box(5, 5, 0, 0, 0));
    QVERIFY(!BevTransform::footprintContains(zero, 5, 5));
    const auto fine = lnscope::core::bevFootprint(box(5, 5, 2, 2, 0));
    QVERIFY(!BevTransform::footprintContains(fine, std::numeric_limits<double>::quiet_NaN(), 5));
}

QTEST_GUILESS_MAIN(TestBevTransform)
#include "test_bev_transform.moc"
