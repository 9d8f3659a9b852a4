// Placeholder: replaced by its owner.
#include <QTest>
class TestDemoModel : public QObject
{
    Q_OBJECT
private slots:
    void notWrittenYet() { QSKIP("not written yet"); }
};
QTEST_GUILESS_MAIN(TestDemoModel)
#include "test_demo_model.moc"
