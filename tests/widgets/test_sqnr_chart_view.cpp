// Placeholder test: replaced this session.
#include <QTest>
class TestSqnrChartView : public QObject
{
    Q_OBJECT
private slots:
    void placeholder() { QSKIP("being written"); }
};
QTEST_GUILESS_MAIN(TestSqnrChartView)
#include "test_sqnr_chart_view.moc"
