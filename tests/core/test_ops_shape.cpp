// Placeholder: replaced by its owner.
#include <QTest>
class TestOpsShape : public QObject
{
    Q_OBJECT
private slots:
    void notWrittenYet() { QSKIP("not written yet"); }
};
QTEST_GUILESS_MAIN(TestOpsShape)
#include "test_ops_shape.moc"
