// Placeholder test: replaced this session.
#include <QTest>
class TestCliReport : public QObject
{
    Q_OBJECT
private slots:
    void placeholder() { QSKIP("being written"); }
};
QTEST_GUILESS_MAIN(TestCliReport)
#include "test_cli_report.moc"
