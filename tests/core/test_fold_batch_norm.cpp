// Placeholder: replaced by its owner.
#include <QTest>
class TestFoldBatchNorm : public QObject
{
    Q_OBJECT
private slots:
    void notWrittenYet() { QSKIP("not written yet"); }
};
QTEST_GUILESS_MAIN(TestFoldBatchNorm)
#include "test_fold_batch_norm.moc"
