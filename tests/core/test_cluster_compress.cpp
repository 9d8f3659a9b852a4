// Placeholder: replaced by its owner.
#include <QTest>
class TestClusterCompress : public QObject
{
    Q_OBJECT
private slots:
    void notWrittenYet() { QSKIP("not written yet"); }
};
QTEST_GUILESS_MAIN(TestClusterCompress)
#include "test_cluster_compress.moc"
