// Placeholder: replaced by its owner.
#include <QTest>
class TestMemoryBudget : public QObject
{
    Q_OBJECT
private slots:
    void notWrittenYet() { QSKIP("not written yet"); }
};
QTEST_GUILESS_MAIN(TestMemoryBudget)
#include "test_memory_budget.moc"
