// Placeholder: replaced by its owner.
#include <QTest>
class TestTensorMetrics : public QObject
{
    Q_OBJECT
private slots:
    void notWrittenYet() { QSKIP("not written yet"); }
};
QTEST_GUILESS_MAIN(TestTensorMetrics)
#include "test_tensor_metrics.moc"
