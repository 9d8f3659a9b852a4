// Placeholder: replaced by its owner.
#include <QTest>
class TestConvertedModel : public QObject
{
    Q_OBJECT
private slots:
    void notWrittenYet() { QSKIP("not written yet"); }
};
QTEST_GUILESS_MAIN(TestConvertedModel)
#include "test_converted_model.moc"
