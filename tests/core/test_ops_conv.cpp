// Placeholder: replaced by its owner.
#include <QTest>
class TestOpsConv : public QObject
{
    Q_OBJECT
private slots:
    void notWrittenYet() { QSKIP("not written yet"); }
};
QTEST_GUILESS_MAIN(TestOpsConv)
#include "test_ops_conv.moc"
