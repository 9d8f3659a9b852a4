// session.h: sessions round trip, resolve relative paths, and refuse newer or corrupt files whole.
#include "lnscope/core/session.h"

#include "test_utils.h"

#include <QTest>

using namespace lnscope;
using core::Session;

class TestSession : public QObject
{
    Q_OBJECT
private slots:
    void roundTrip();
    void relativePathsResolveAgainstTheSessionFolder();
    void refused_data();
    void refused();
};

void TestSession::roundTrip()
{
    const auto dir = test::makeTempDir("session");
    Session s;
    s.segmentationModel = "/models/seg.onnx";
    s.segmentationAdapter = "/models/seg.adapter.json";
    s.stereoModel = "/models/st.onnx";
    s.dataset = "/data/val";
    s.conversion.clusters = 32;
    s.conversion.clustersPerLayer["conv \"1\""] = 128; // a name that needs escaping
    s.conversion.weightFormat = "lns8_q3.4";
    s.conversion.activationFormat = "";
    s.conversion.activationRule = core::ParamRule::MinMse;
    s.conversion.refine = true;
    s.calibrationFrames = 7;
    s.frame = 12;
    s.layer = "/enc1/Conv";
    s.activeModel = 1;
    s.maximizedView = 2;
    s.windowState = "AAAA/w==";
    core::writeSession(s, dir / "a.lnscope");
    const Session back = core::readSession(dir / "a.lnscope");
    QVERIFY(back == s);
}

void TestSession::relativePathsResolveAgainstTheSessionFolder()
{
    const auto dir = test::makeTempDir("session-rel");
    Session s;
    s.segmentationModel = "models/seg.onnx";
    s.dataset = "data";
    core::writeSession(s, dir / "b.lnscope");
    const Session back = core::readSession(dir / "b.lnscope");
    QCOMPARE(back.segmentationModel, dir / "models/seg.onnx");
    QCOMPARE(back.dataset, dir / "data");
    QVERIFY(back.stereoModel.empty()); // empty stays empty: no model
}

void TestSession::refused_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("kind");
    QTest::addColumn<QString>("message");
    const QString good = R"({"format":"lnscope-session","version":1,"segmentation":{"model":"","adapter":""},
        "stereo":{"model":"","adapter":""},"dataset":"","conversion":{},"calibrationFrames":4,
        "view":{"frame":0,"layer":"","activeModel":0,"maximizedView":-1,"windowState":""}})";
    QTest::addRow("newer version") << QString(good).replace("\"version\":1", "\"version\":9") << "unsupported"
                                   << "session version 9 is newer";
    QTest::addRow("truncated") << good.left(good.size() / 2) << "format" << "not a readable session";
    QTest::addRow("not a session") << R"({"format":"something"})" << "format" << "not an LNScope session";
    QTest::addRow("unknown key") << QString(good).replace("\"dataset\"", "\"datset\"") << "format" << "'datset': unknown";
    QTest::addRow("bad view") << QString(good).replace("\"maximizedView\":-1", "\"maximizedView\":7") << "format"
                              << "view.maximizedView";
    QTest::addRow("bad conversion") << QString(good).replace("\"conversion\":{}", "\"conversion\":{\"clusters\":0}")
                                    << "format" << "clusters";
}

void TestSession::refused()
{
    QFETCH(QString, text);
    QFETCH(QString, kind);
    QFETCH(QString, message);
    const auto dir = test::makeTempDir("session-bad");
    const auto file = test::writeText(dir, "bad.lnscope", text.toStdString());
    try {
        core::readSession(file);
        QFAIL("no exception");
    } catch (const core::UnsupportedError& e) {
        QCOMPARE(kind, QString("unsupported"));
        QVERIFY2(QString(e.what()).contains(message) && QString(e.what()).contains("bad.lnscope"), e.what());
    } catch (const core::FormatError& e) {
        QCOMPARE(kind, QString("format"));
        QVERIFY2(QString(e.what()).contains(message) && QString(e.what()).contains("bad.lnscope"), e.what());
    }
}

QTEST_GUILESS_MAIN(TestSession)
#include "test_session.moc"
