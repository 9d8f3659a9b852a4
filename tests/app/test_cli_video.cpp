// Placeholder test: replaced this session.
#include <QTest>
class TestCliVideo : public QObject
{
    Q_OBJECT
private slots:
    void placeholder() { QSKIP("being written"); }
};
QTEST_GUILESS_MAIN(TestCliVideo)
#include "test_cli_video.moc"
