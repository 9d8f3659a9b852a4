// color_maps.h: the diverging map's known values, clamping and round trip; the qualitative
// palette's cycling. Pure mappings, no pixels.

#include "lnscope/widgets/color_maps.h"

#include <QTest>

#include <cmath>
#include <set>

using lnscope::widgets::DivergingColorMap;
using lnscope::widgets::QualitativePalette;

class TestColorMaps : public QObject
{
    Q_OBJECT
private slots:
    void divergingKnownValues_data();
    void divergingKnownValues();
    void divergingIsMonotonicOnEachSide();
    void divergingRoundTrip_data();
    void divergingRoundTrip();
    void paletteCycles();
};

void TestColorMaps::divergingKnownValues_data()
{
    const DivergingColorMap m;
    QTest::addColumn<double>("value");
    QTest::addColumn<double>("maxAbs");
    QTest::addColumn<QColor>("colour");
    QTest::addRow("zero is white") << 0.0 << 1.0 << m.zero;
    QTest::addRow("+max is red") << 2.5 << 2.5 << m.positive;
    QTest::addRow("-max is blue") << -0.4 << 0.4 << m.negative;
    QTest::addRow("beyond +max clamps") << 9.0 << 1.0 << m.positive;
    QTest::addRow("beyond -max clamps") << -9.0 << 1.0 << m.negative;
    QTest::addRow("half way to red") << 0.5 << 1.0 << QColor(213, 136, 145);
    QTest::addRow("half way to blue") << -1.0 << 2.0 << QColor(140, 175, 210);
    QTest::addRow("NaN is grey") << std::nan("") << 1.0 << m.invalid;
    QTest::addRow("no scale: white") << 0.7 << 0.0 << m.zero;
    QTest::addRow("infinite scale: white") << 0.7 << HUGE_VAL << m.zero;
}

void TestColorMaps::divergingKnownValues()
{
    QFETCH(double, value);
    QFETCH(double, maxAbs);
    QFETCH(QColor, colour);
    QCOMPARE(DivergingColorMap().map(value, maxAbs), colour);
}

void TestColorMaps::divergingIsMonotonicOnEachSide()
{
    const DivergingColorMap m;
    int previousRed = -1;   // blue side, v from −max to 0: red rises towards white
    int previousBlue = 256; // red side, v from 0 to +max: blue falls away from white
    for (int i = -20; i <= 20; ++i) {
        const QColor c = m.map(i / 20.0, 1.0);
        if (i != 0) // every non-zero value is darker than the white centre
            QVERIFY(qGray(c.rgb()) < qGray(m.zero.rgb()));
        if (i <= 0) {
            QVERIFY(c.red() >= previousRed);
            previousRed = c.red();
        } else {
            QVERIFY(c.blue() <= previousBlue);
            previousBlue = c.blue();
        }
    }
}

void TestColorMaps::divergingRoundTrip_data()
{
    QTest::addColumn<double>("maxAbs");
    QTest::addRow("unit") << 1.0;
    QTest::addRow("small") << 0.037;
    QTest::addRow("large") << 250.0;
}

void TestColorMaps::divergingRoundTrip()
{
    QFETCH(double, maxAbs);
    const DivergingColorMap m;
    for (int i = -50; i <= 50; ++i) {
        const double v = maxAbs * i / 50.0;
        const double back = m.unmap(m.map(v, maxAbs), maxAbs);
        QVERIFY2(std::fabs(back - v) <= maxAbs / 100.0, qPrintable(QString("%1 → %2").arg(v).arg(back)));
    }
    QCOMPARE(m.unmap(m.positive, maxAbs), maxAbs);
    QCOMPARE(m.unmap(m.negative, maxAbs), -maxAbs);
    QCOMPARE(m.unmap(m.zero, maxAbs), 0.0);
    QCOMPARE(m.unmap(m.positive, 0.0), 0.0);
}

void TestColorMaps::paletteCycles()
{
    const int n = QualitativePalette::size();
    QVERIFY(n >= 8);
    std::set<QRgb> distinct;
    for (int i = 0; i < n; ++i)
        distinct.insert(QualitativePalette::color(i).rgb());
    QCOMPARE(int(distinct.size()), n);
    for (int i = 0; i < n; ++i) {
        QCOMPARE(QualitativePalette::color(i + n), QualitativePalette::color(i));
        QCOMPARE(QualitativePalette::color(i + 7 * n), QualitativePalette::color(i));
    }
    QCOMPARE(QualitativePalette::color(-1), QualitativePalette::color(n - 1));
    // Every colour is visible on a white background (not too light).
    for (int i = 0; i < n; ++i)
        QVERIFY2(qGray(QualitativePalette::color(i).rgb()) < 215, qPrintable(QualitativePalette::color(i).name()));
}

QTEST_GUILESS_MAIN(TestColorMaps)
#include "test_color_maps.moc"
