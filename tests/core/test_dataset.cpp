// Placeholder test for dataset (implementation in progress).
#include <QTest>

class TestDataset : public QObject
{
    Q_OBJECT
private slots:
    void pending() { QSKIP("dataset: not implemented yet"); }
};

QTEST_GUILESS_MAIN(TestDataset)
#include "test_dataset.moc"
