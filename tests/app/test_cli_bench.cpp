// Behaviour of `lnscope-cli bench --kmeans` (DESIGN.md "Performance targets"): a small run of the
// built executable prints both engines' timings, the ratio and the target line and writes JSON with
// both inertias; bad sizes are usage errors. Timings are reported, never asserted.

#include "cli_runner.h"
#include "test_utils.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QTest>
#include <cmath>
#include <filesystem>

namespace fs = std::filesystem;
using lnscope::test::CliResult;

namespace {


bool positiveFinite(const QJsonValue& v)
{
    return v.isDouble() && std::isfinite(v.toDouble()) && v.toDouble() > 0.0;
}

} // namespace

class TestCliBench : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();

    void helpMentionsKMeans();
    void smallKMeansRun();
    void smallEmulatedRun();
    void badValuesAreUsageErrors_data();
    void badValuesAreUsageErrors();

private:
    CliResult cli(const QStringList& args) const;

    fs::path m_dir;
};

CliResult TestCliBench::cli(const QStringList& args) const
{
    return lnscope::test::runCli(args, m_dir);
}

void TestCliBench::initTestCase()
{
    m_dir = lnscope::test::makeTempDir("lnscope-test-cli-bench");
}

void TestCliBench::cleanupTestCase()
{
    if (qEnvironmentVariableIsSet("LNSCOPE_KEEP_TEST_FILES")) {
        qInfo("kept %s", m_dir.c_str());
        return;
    }
    std::error_code ignored;
    fs::remove_all(m_dir, ignored);
}

void TestCliBench::helpMentionsKMeans()
{
    const CliResult r = cli({"bench", "--help"});
    QCOMPARE(r.exitCode, 0);
    for (const char* e : {"--kmeans", "--points", "--clusters", "--iterations", "cv::kmeans", "--warmup"})
        QVERIFY2(r.out.contains(e), qPrintable(QString("missing '") + e + "' in:\n" + r.out));
}

void TestCliBench::smallKMeansRun()
{
    const CliResult r = cli({"bench", "--kmeans", "--points", "5000", "--clusters", "16", "--iterations", "3", "--runs",
                             "1", "--json", "kmeans.json"});
    QCOMPARE(r.exitCode, 0);
    QVERIFY2(r.err.isEmpty(), qPrintable(r.err)); // no slow-run warning for a small run
    const QString num = R"([0-9]+\.[0-9]+)";
    QVERIFY2(QRegularExpression("lnscope\\s+" + num + "\\s+" + num + "\\s+" + num).match(r.out).hasMatch(),
             qPrintable(r.out));
    QVERIFY2(QRegularExpression("cv::kmeans\\s+" + num + "\\s+" + num + "\\s+" + num).match(r.out).hasMatch(),
             qPrintable(r.out));
    QVERIFY2(QRegularExpression(R"(Ratio of medians \(lnscope / cv::kmeans\): [0-9.]+x)").match(r.out).hasMatch(),
             qPrintable(r.out));
    QVERIFY2(r.out.contains("target: ours ≤ 10 s for 1.2 M × 256, and faster than cv::kmeans"),
             qPrintable(r.out));
    QVERIFY2(QRegularExpression(R"(measured: ours [0-9.]+ s median vs 10 s limit.*; ours / cv::kmeans [0-9.]+x)")
                 .match(r.out)
                 .hasMatch(),
             qPrintable(r.out));
    QVERIFY2(r.out.contains("3 updates, 4 assignments"), qPrintable(r.out));
    QVERIFY2(r.out.contains("5,000 points × 9 dims"), qPrintable(r.out));

    const QJsonObject j = lnscope::test::readJsonObject(m_dir / "kmeans.json");
    QCOMPARE(j["mode"].toString(), QString("kmeans"));
    QCOMPARE(j["points"].toInt(), 5000);
    QCOMPARE(j["dim"].toInt(), 9);
    QCOMPARE(j["clusters"].toInt(), 16);
    QCOMPARE(j["iterations"].toInt(), 3);
    QCOMPARE(j["runs"].toInt(), 1);
    QCOMPARE(j["lnscope"]["timesS"].toArray().size(), 1);
    QCOMPARE(j["opencv"]["timesS"].toArray().size(), 1);
    QCOMPARE(j["lnscope"]["iterations"].toInt(), 3); // stopEarly = false: exactly I iterations
    QVERIFY(positiveFinite(j["lnscope"]["medianS"]));
    QVERIFY(positiveFinite(j["opencv"]["medianS"]));
    QVERIFY(positiveFinite(j["ratioOfMedians"]));
    QVERIFY2(positiveFinite(j["lnscope"]["inertia"]), qPrintable(QString::number(j["lnscope"]["inertia"].toDouble())));
    QVERIFY2(positiveFinite(j["opencv"]["inertia"]), qPrintable(QString::number(j["opencv"]["inertia"].toDouble())));
    // Unit-norm points: the inertia per point is below 2 for any clustering into unit-ish centres.
    QVERIFY(j["lnscope"]["inertia"].toDouble() < 2.0 * 5000);
}

void TestCliBench::smallEmulatedRun()
{
    const QString model = QString::fromStdString((lnscope::test::datasetsDir() / "models" / "tiny_segnet.onnx").string());
    const CliResult r = cli({"bench", model, "--emulated", "--runs", "2", "--warmup", "0", "--json", "emulated.json"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    QVERIFY2(QRegularExpression(R"(Ratio of medians \(emulated / float\): [0-9.]+x \(target <= 1.5x)").match(r.out).hasMatch(),
             qPrintable(r.out));
    const QJsonObject j = lnscope::test::readJsonObject(m_dir / "emulated.json");
    QCOMPARE(j["mode"].toString(), QString("emulated"));
    QCOMPARE(j["path"].toString(), QString("fast"));
    QCOMPARE(j["float"]["timesMs"].toArray().size(), 2);
    QCOMPARE(j["emulated"]["timesMs"].toArray().size(), 2);
    QVERIFY(positiveFinite(j["ratioOfMedians"]));
    // The emulated model really is quantized: its output differs from float, but not wildly.
    QVERIFY2(j["outputSqnrDb"].isDouble() && j["outputSqnrDb"].toDouble() < 60.0,
             qPrintable(QString::number(j["outputSqnrDb"].toDouble())));
    const CliResult exact = cli({"bench", model, "--emulated", "--path", "exact", "--runs", "1", "--warmup", "0"});
    QVERIFY2(exact.exitCode == 0 && exact.out.contains("emulated LNS (exact)"), qPrintable(exact.out + exact.err));
}

void TestCliBench::badValuesAreUsageErrors_data()
{
    QTest::addColumn<QString>("args");
    QTest::addColumn<QString>("expected");
    QTest::addRow("--clusters 0") << "bench --kmeans --clusters 0 --points 100"
                                  << "'--clusters'";
    QTest::addRow("--points 0") << "bench --kmeans --points 0"
                                << "'--points'";
    QTest::addRow("--iterations 0") << "bench --kmeans --points 100 --clusters 4 --iterations 0"
                                    << "'--iterations'";
    QTest::addRow("--iterations 101") << "bench --kmeans --points 100 --clusters 4 --iterations 101"
                                      << "'--iterations'";
    QTest::addRow("--dim abc") << "bench --kmeans --points 100 --clusters 4 --dim abc"
                               << "'--dim'";
    QTest::addRow("clusters above points") << "bench --kmeans --points 10 --clusters 11"
                                           << "must not exceed";
    QTest::addRow("model with --kmeans") << "bench model.onnx --kmeans --points 100 --clusters 4"
                                         << "takes no MODEL";
    QTest::addRow("model-mode option") << "bench --kmeans --points 100 --clusters 4 --warmup 1"
                                       << "unknown option '--warmup'";
    QTest::addRow("emulated bad path") << "bench m.onnx --emulated --path sideways"
                                       << "'--path'";
}

void TestCliBench::badValuesAreUsageErrors()
{
    QFETCH(QString, args);
    QFETCH(QString, expected);
    const CliResult r = cli(args.split(' ', Qt::SkipEmptyParts));
    QCOMPARE(r.exitCode, 2);
    QVERIFY2(r.err.contains(expected), qPrintable(r.err));
    QVERIFY2(r.err.contains("usage:"), qPrintable(r.err));
    QVERIFY2(r.out.isEmpty(), qPrintable(r.out));
}

QTEST_GUILESS_MAIN(TestCliBench)
#include "test_cli_bench.moc"
