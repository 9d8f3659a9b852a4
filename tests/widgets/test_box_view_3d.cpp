// Placeholder test: replaced this session.
#include <QTest>
class TestBoxView3D : public QObject
{
    Q_OBJECT
private slots:
    void placeholder() { QSKIP("being written"); }
};
QTEST_GUILESS_MAIN(TestBoxView3D)
#include "test_box_view_3d.moc"
