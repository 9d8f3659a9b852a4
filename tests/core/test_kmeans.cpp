// Placeholder: replaced by its owner.
#include <QTest>
class TestKmeans : public QObject
{
    Q_OBJECT
private slots:
    void notWrittenYet() { QSKIP("not written yet"); }
};
QTEST_GUILESS_MAIN(TestKmeans)
#include "test_kmeans.moc"
