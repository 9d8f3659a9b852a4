// Placeholder: replaced by its owner.
#include <QTest>
class TestKittiIo : public QObject
{
    Q_OBJECT
private slots:
    void notWrittenYet() { QSKIP("not written yet"); }
};
QTEST_GUILESS_MAIN(TestKittiIo)
#include "test_kitti_io.moc"
