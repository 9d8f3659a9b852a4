// Placeholder: replaced by its owner.
#include <QTest>
class TestCentroidRefine : public QObject
{
    Q_OBJECT
private slots:
    void notWrittenYet() { QSKIP("not written yet"); }
};
QTEST_GUILESS_MAIN(TestCentroidRefine)
#include "test_centroid_refine.moc"
