// Placeholder: replaced by its owner.
#include <QTest>
class TestOpencvDiff : public QObject
{
    Q_OBJECT
private slots:
    void notWrittenYet() { QSKIP("not written yet"); }
};
QTEST_GUILESS_MAIN(TestOpencvDiff)
#include "test_opencv_diff.moc"
