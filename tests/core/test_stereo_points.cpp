// Placeholder test: replaced this session.
#include <QTest>
class TestStereoPoints : public QObject
{
    Q_OBJECT
private slots:
    void placeholder() { QSKIP("being written"); }
};
QTEST_GUILESS_MAIN(TestStereoPoints)
#include "test_stereo_points.moc"
