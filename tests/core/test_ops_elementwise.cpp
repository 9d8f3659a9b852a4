// Placeholder: replaced by its owner.
#include <QTest>
class TestOpsElementwise : public QObject
{
    Q_OBJECT
private slots:
    void notWrittenYet() { QSKIP("not written yet"); }
};
QTEST_GUILESS_MAIN(TestOpsElementwise)
#include "test_ops_elementwise.moc"
