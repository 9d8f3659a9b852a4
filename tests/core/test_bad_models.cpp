// Placeholder: replaced by its owner.
#include <QTest>
class TestBadModels : public QObject
{
    Q_OBJECT
private slots:
    void notWrittenYet() { QSKIP("not written yet"); }
};
QTEST_GUILESS_MAIN(TestBadModels)
#include "test_bad_models.moc"
