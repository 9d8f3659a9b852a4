// Placeholder: replaced by its owner.
#include <QTest>
class TestLnsDatapath : public QObject
{
    Q_OBJECT
private slots:
    void notWrittenYet() { QSKIP("not written yet"); }
};
QTEST_GUILESS_MAIN(TestLnsDatapath)
#include "test_lns_datapath.moc"
