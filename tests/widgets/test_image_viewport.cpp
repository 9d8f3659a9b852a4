// ImageViewport (image pixels ↔ pane pixels): map/unmap round trips, zoom around a fixed point
// with clamping, pan, and fit (letterboxed, centred). Pure geometry, no widgets.

#include "lnscope/widgets/image_viewport.h"

#include <QTest>

#include <cmath>
#include <limits>

using lnscope::widgets::ImageViewport;

namespace {

bool near(QPointF a, QPointF b, double tol = 1e-9)
{
    return std::abs(a.x() - b.x()) <= tol && std::abs(a.y() - b.y()) <= tol;
}

QString text(QPointF p)
{
    return QStringLiteral("(%1, %2)").arg(p.x(), 0, 'g', 12).arg(p.y(), 0, 'g', 12);
}

} // namespace

class TestImageViewport : public QObject
{
    Q_OBJECT
private slots:
    void roundTrip_data();
    void roundTrip();
    void mapIsScaleThenOffset();
    void zoomKeepsPointFixed_data();
    void zoomKeepsPointFixed();
    void zoomClampsScale();
    void zoomIgnoresBadFactors();
    void panMovesImage();
    void fit_data();
    void fit();
    void fitEmpty();
};

void TestImageViewport::roundTrip_data()
{
    QTest::addColumn<double>("scale");
    QTest::addColumn<QPointF>("offset");
    QTest::addRow("identity") << 1.0 << QPointF(0, 0);
    QTest::addRow("magnified, shifted") << 7.5 << QPointF(-1234.5, 88.25);
    QTest::addRow("shrunk, negative offset") << 0.03125 << QPointF(-3.0, -700.0);
}

void TestImageViewport::roundTrip()
{
    QFETCH(double, scale);
    QFETCH(QPointF, offset);
    const ImageViewport v{scale, offset};
    for (const QPointF p : {QPointF(0, 0), QPointF(639.5, 191.25), QPointF(-20, 5000), QPointF(0.125, -0.5)}) {
        QVERIFY2(near(v.unmap(v.map(p)), p, 1e-9 * (1 + std::abs(p.x()) + std::abs(p.y()))), qPrintable(text(p)));
        QVERIFY2(near(v.map(v.unmap(p)), p, 1e-9 * (1 + std::abs(p.x()) + std::abs(p.y()))), qPrintable(text(p)));
    }
}

void TestImageViewport::mapIsScaleThenOffset()
{
    const ImageViewport v{4.0, QPointF(10, 20)};
    QCOMPARE(v.map(QPointF(0, 0)), QPointF(10, 20));
    QCOMPARE(v.map(QPointF(2, 3)), QPointF(18, 32));
    QCOMPARE(v.unmap(QPointF(18, 32)), QPointF(2, 3));
}

void TestImageViewport::zoomKeepsPointFixed_data()
{
    QTest::addColumn<QPointF>("cursor");
    QTest::addColumn<double>("factor");
    QTest::addRow("in at a corner") << QPointF(0, 0) << 1.25;
    QTest::addRow("in at the middle") << QPointF(321.5, 99.75) << 2.0;
    QTest::addRow("out at the right") << QPointF(899, 250) << 0.8;
    QTest::addRow("outside the widget") << QPointF(-40, 1200) << 3.0;
}

void TestImageViewport::zoomKeepsPointFixed()
{
    QFETCH(QPointF, cursor);
    QFETCH(double, factor);
    ImageViewport v{0.75, QPointF(12.5, -30)};
    const QPointF before = v.unmap(cursor);
    v.zoomAt(cursor, factor);
    QCOMPARE(v.scale, 0.75 * factor);
    QVERIFY2(near(v.unmap(cursor), before, 1e-9), qPrintable(text(v.unmap(cursor)) + " vs " + text(before)));
    QVERIFY(near(v.map(before), cursor, 1e-9));
}

void TestImageViewport::zoomClampsScale()
{
    ImageViewport v{ImageViewport::kMaxScale / 2, QPointF(5, 5)};
    const QPointF cursor(100, 60);
    const QPointF anchor = v.unmap(cursor);
    v.zoomAt(cursor, 10.0);
    QCOMPARE(v.scale, ImageViewport::kMaxScale);
    QVERIFY(near(v.unmap(cursor), anchor, 1e-9));
    v.zoomAt(cursor, 1e-9);
    QCOMPARE(v.scale, ImageViewport::kMinScale);
    QVERIFY(near(v.unmap(cursor), anchor, 1e-6));
}

void TestImageViewport::zoomIgnoresBadFactors()
{
    ImageViewport v{2.0, QPointF(3, 4)};
    const ImageViewport before = v;
    for (const double f :
         {0.0, -2.0, std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::infinity()})
        v.zoomAt(QPointF(10, 10), f);
    QCOMPARE(v, before);
}

void TestImageViewport::panMovesImage()
{
    ImageViewport v{3.0, QPointF(0, 0)};
    const QPointF image(10, 10);
    const QPointF widgetBefore = v.map(image);
    v.pan(QPointF(15, -7));
    QCOMPARE(v.map(image), widgetBefore + QPointF(15, -7));
    QCOMPARE(v.scale, 3.0);
}

void TestImageViewport::fit_data()
{
    QTest::addColumn<QSize>("image");
    QTest::addColumn<QSize>("widget");
    QTest::addColumn<double>("scale");
    QTest::addColumn<QPointF>("offset");
    // 640×192 in 400×300: width-limited, 0.625, image 400×120 centred vertically.
    QTest::addRow("wide image") << QSize(640, 192) << QSize(400, 300) << 0.625 << QPointF(0, 90);
    // 100×200 in 400×300: height-limited, 1.5, image 150×300 centred horizontally.
    QTest::addRow("tall image") << QSize(100, 200) << QSize(400, 300) << 1.5 << QPointF(125, 0);
    QTest::addRow("exact") << QSize(320, 96) << QSize(640, 192) << 2.0 << QPointF(0, 0);
}

void TestImageViewport::fit()
{
    QFETCH(QSize, image);
    QFETCH(QSize, widget);
    QFETCH(double, scale);
    QFETCH(QPointF, offset);
    ImageViewport v{9.0, QPointF(-50, 50)};
    v.fit(image, widget);
    QCOMPARE(v.scale, scale);
    QVERIFY2(near(v.offset, offset), qPrintable(text(v.offset)));
    // The whole image is inside the widget, touching two opposite edges.
    const QPointF topLeft = v.map(QPointF(0, 0));
    const QPointF bottomRight = v.map(QPointF(image.width(), image.height()));
    QVERIFY(topLeft.x() >= -1e-9 && topLeft.y() >= -1e-9);
    QVERIFY(bottomRight.x() <= widget.width() + 1e-9 && bottomRight.y() <= widget.height() + 1e-9);
    QVERIFY(std::abs(bottomRight.x() - topLeft.x() - widget.width()) < 1e-9
            || std::abs(bottomRight.y() - topLeft.y() - widget.height()) < 1e-9);
}

void TestImageViewport::fitEmpty()
{
    ImageViewport v{5.0, QPointF(7, 7)};
    v.fit(QSize(), QSize(100, 100));
    QCOMPARE(v, (ImageViewport{1.0, QPointF(0, 0)}));
    v.fit(QSize(10, 10), QSize(0, 50));
    QCOMPARE(v, (ImageViewport{1.0, QPointF(0, 0)}));
}

QTEST_GUILESS_MAIN(TestImageViewport)
#include "test_image_viewport.moc"
