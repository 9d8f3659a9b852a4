// Placeholder: replaced by its owner.
#include <QTest>
class TestLnszContainer : public QObject
{
    Q_OBJECT
private slots:
    void notWrittenYet() { QSKIP("not written yet"); }
};
QTEST_GUILESS_MAIN(TestLnszContainer)
#include "test_lnsz_container.moc"
