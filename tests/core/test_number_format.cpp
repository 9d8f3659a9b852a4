// Placeholder: replaced by its owner.
#include <QTest>
class TestNumberFormat : public QObject
{
    Q_OBJECT
private slots:
    void notWrittenYet() { QSKIP("not written yet"); }
};
QTEST_GUILESS_MAIN(TestNumberFormat)
#include "test_number_format.moc"
