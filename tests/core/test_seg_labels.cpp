// Placeholder: replaced by its owner.
#include <QTest>
class TestSegLabels : public QObject
{
    Q_OBJECT
private slots:
    void notWrittenYet() { QSKIP("not written yet"); }
};
QTEST_GUILESS_MAIN(TestSegLabels)
#include "test_seg_labels.moc"
