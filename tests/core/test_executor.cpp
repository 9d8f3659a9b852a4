// Placeholder: replaced by its owner.
#include <QTest>
class TestExecutor : public QObject
{
    Q_OBJECT
private slots:
    void notWrittenYet() { QSKIP("not written yet"); }
};
QTEST_GUILESS_MAIN(TestExecutor)
#include "test_executor.moc"
