// Behaviour of `lnscope-cli evaluate` and `merge` (issue "Evaluation at scale"): shards merge into
// the metrics of one pass; bad shards, arguments and data are refused with a message.

#include "cli_runner.h"
#include "test_utils.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>
#include <cmath>
#include <filesystem>

namespace fs = std::filesystem;
using lnscope::test::CliResult;

class TestCliEvaluate : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void cleanupTestCase();
    void shardsMergeIntoOnePass();
    void floatOnlyRun();
    void heldOutCalibration();
    void floatOutputsDiagnosis();
    void badArguments_data();
    void badArguments();
    void badShards_data();
    void badShards();

private:
    CliResult cli(const QStringList& args) const { return lnscope::test::runCli(args, m_dir); }
    QStringList evaluate(const QStringList& extra) const
    {
        return QStringList{"evaluate", "--model", m_model, "--data", m_data} + extra;
    }
    QString path(const std::string& name) const { return QString::fromStdString((m_dir / name).string()); }

    fs::path m_dir;
    QString m_model, m_data;
};

void TestCliEvaluate::initTestCase()
{
    m_dir = lnscope::test::makeTempDir("lnscope-test-cli-evaluate");
    m_model = QString::fromStdString((lnscope::test::datasetsDir() / "models" / "tiny_segnet.onnx").string());
    m_data = QString::fromStdString((lnscope::test::datasetsDir() / "synthdrive" / "val").string());
    QVERIFY(fs::is_directory(m_data.toStdString()));
    // Shards of one converted run (dense adapter: every output compared), and a full pass.
    for (int shard = 0; shard < 3; ++shard) {
        const QString out = QString::fromStdString((m_dir / QString("s%1.json").arg(shard).toStdString()).string());
        const CliResult r = cli(evaluate({"--convert", "default", "--shard", QString("%1/3").arg(shard), "--json", out}));
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    }
    const CliResult all = cli(evaluate({"--convert", "default", "--json", path("all.json")}));
    QVERIFY2(all.exitCode == 0, qPrintable(all.err));
}

void TestCliEvaluate::cleanupTestCase()
{
    std::error_code ignored;
    fs::remove_all(m_dir, ignored);
}

void TestCliEvaluate::shardsMergeIntoOnePass()
{
    const CliResult r = cli({"merge", path("s0.json"), path("s1.json"), path("s2.json"), "--json", path("merged.json")});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    QVERIFY2(r.out.contains("Merged   3 shard(s), 32 of 32 frames"), qPrintable(r.out));
    const QJsonObject merged = lnscope::test::readJsonObject(m_dir / "merged.json");
    const QJsonObject all = lnscope::test::readJsonObject(m_dir / "all.json");
    QCOMPARE(merged["counts"].toObject()["frames"].toInt(), 32);
    QCOMPARE(merged["counts"].toObject()["frameList"].toArray(), all["counts"].toObject()["frameList"].toArray());
    const double a = merged["metrics"].toObject()["outputSqnrDb"].toDouble();
    const double b = all["metrics"].toObject()["outputSqnrDb"].toDouble();
    QVERIFY2(std::fabs(a - b) < 1e-9 && a > 0.0, qPrintable(QString("%1 vs %2").arg(a).arg(b)));
    QCOMPARE(merged["metrics"].toObject()["worstFrame"].toInt(), all["metrics"].toObject()["worstFrame"].toInt());
    // Every shard converted identically (calibration from the whole dataset's first frames).
    const QJsonObject conv = lnscope::test::readJsonObject(m_dir / "s2.json")["conversion"].toObject();
    QCOMPARE(conv["calibrationFrames"].toInt(), 8);
    QVERIFY(conv["compressionRatio"].toDouble() > 1.0);
    QVERIFY(!conv["counts"].toString().isEmpty());
}

void TestCliEvaluate::floatOnlyRun()
{
    const CliResult r = cli(evaluate({"--shard", "0/8", "--json", path("float.json")}));
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    QVERIFY2(r.out.contains("float only"), qPrintable(r.out));
    const QJsonObject j = lnscope::test::readJsonObject(m_dir / "float.json");
    QCOMPARE(j["counts"].toObject()["frames"].toInt(), 4);
    QVERIFY(j["conversion"].isNull());
    QVERIFY(j["metrics"].toObject()["outputSqnrDb"].isNull());
}

void TestCliEvaluate::heldOutCalibration()
{
    // --calib-data: calibration frames from another dataset (here 4 frames of the split copied
    // under other names). The conversion names the source and differs from the in-set one.
    const fs::path held = m_dir / "held";
    const fs::path val = m_data.toStdString();
    for (const auto& entry : fs::directory_iterator(val)) {
        if (!entry.is_directory()) {
            fs::copy_file(entry.path(), held / entry.path().filename(), fs::copy_options::overwrite_existing);
            continue;
        }
        fs::create_directories(held / entry.path().filename());
        for (const auto& file : fs::directory_iterator(entry.path())) {
            const std::string stem = file.path().stem().string();
            std::string renamed = file.path().filename().string();
            renamed[0] = '9';
            if (stem >= "000020" && stem <= "000023")
                fs::copy_file(file.path(), held / entry.path().filename() / renamed);
        }
    }
    const QString heldDir = QString::fromStdString(held.string());
    const CliResult r = cli(evaluate({"--convert", "default", "--calib-data", heldDir, "--calib-frames", "4", "--shard",
                                      "0/8", "--json", path("held.json")}));
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    const CliResult in = cli(evaluate({"--convert", "default", "--calib-frames", "4", "--shard", "0/8", "--json",
                                       path("inset.json")}));
    QVERIFY2(in.exitCode == 0, qPrintable(in.err));
    const QJsonObject a = lnscope::test::readJsonObject(m_dir / "held.json");
    const QJsonObject b = lnscope::test::readJsonObject(m_dir / "inset.json");
    QCOMPARE(a["conversion"].toObject()["calibrationData"].toString(), heldDir);
    QCOMPARE(a["conversion"].toObject()["calibrationFrames"].toInt(), 4);
    QVERIFY(b["conversion"].toObject()["calibrationData"].isNull());
    QCOMPARE(a["counts"].toObject()["frames"].toInt(), 4); // evaluated frames: still the split's
    QVERIFY(a["metrics"].toObject()["outputSqnrDb"].toDouble() != b["metrics"].toObject()["outputSqnrDb"].toDouble());
    // A calibration folder that does not exist is named.
    const CliResult bad = cli(evaluate({"--convert", "default", "--calib-data", path("no_calib"), "--shard", "0/8"}));
    QCOMPARE(bad.exitCode, 1);
    QVERIFY2(bad.err.contains("no_calib"), qPrintable(bad.err));
}

void TestCliEvaluate::floatOutputsDiagnosis()
{
    // --float-outputs: the converted run takes the named outputs from the float run. With the
    // model's only output taken from float, converted and float agree exactly (the conversion is
    // still run and reported); the names are recorded and bad names are refused before converting.
    const CliResult r = cli(evaluate({"--convert", "default", "--shard", "0/8", "--float-outputs", "logits", "--json",
                                      path("floatout.json")}));
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    QVERIFY2(r.out.contains("outputs taken from the float run: logits"), qPrintable(r.out));
    const QJsonObject j = lnscope::test::readJsonObject(m_dir / "floatout.json");
    QCOMPARE(j["conversion"].toObject()["floatOutputs"].toArray(), QJsonArray{"logits"});
    QVERIFY(j["conversion"].toObject()["compressionRatio"].toDouble() > 1.0);
    const QJsonObject all = lnscope::test::readJsonObject(m_dir / "all.json");
    const double converted = all["metrics"].toObject()["outputSqnrDb"].toDouble();
    QVERIFY2(converted > 0.0 && converted < 60.0, qPrintable(QString::number(converted))); // the real conversion differs
    const QJsonValue same = j["metrics"].toObject()["outputSqnrDb"];
    QCOMPARE(same.toString(), QString("exact"));
    const CliResult unknown = cli(evaluate({"--convert", "default", "--float-outputs", "logits,nope"}));
    QCOMPARE(unknown.exitCode, 1);
    QVERIFY2(unknown.err.contains("'nope'") && unknown.err.contains("not an output"), qPrintable(unknown.err));
    QVERIFY2(!unknown.err.contains("converting"), qPrintable(unknown.err));
    QCOMPARE(cli(evaluate({"--float-outputs", "logits"})).exitCode, 2);          // nothing converted
    QCOMPARE(cli(evaluate({"--convert", "default", "--float-outputs", "logits,"})).exitCode, 2); // empty name
}

void TestCliEvaluate::badArguments_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<int>("exitCode");
    QTest::addColumn<QString>("expected");
    QTest::addRow("no data") << QStringList{"evaluate", "--model", "m.onnx"} << 2 << "--data";
    QTest::addRow("shard out of range") << QStringList{"--shard", "3/3"} << 2 << "--shard";
    QTest::addRow("shard not I/N") << QStringList{"--shard", "two"} << 2 << "I/N";
    QTest::addRow("both conversions") << QStringList{"--convert", "default", "--converted", "x.lnsz"} << 2 << "not both";
    QTest::addRow("missing data folder") << QStringList{"--data-missing"} << 1 << "nowhere";
    QTest::addRow("malformed adapter") << QStringList{"--adapter", "BAD_ADAPTER"} << 1 << "bad.adapter.json";
    QTest::addRow("missing config") << QStringList{"--convert", "no_such_config.json"} << 1 << "no_such_config.json";
}

void TestCliEvaluate::badArguments()
{
    QFETCH(QStringList, args);
    QFETCH(int, exitCode);
    QFETCH(QString, expected);
    lnscope::test::writeText(m_dir, "bad.adapter.json", R"({"task": "segmentation", "version": 1, "output": 3})");
    QStringList full = args.first() == "evaluate" ? args : evaluate(args);
    if (args.first() == "--data-missing")
        full = QStringList{"evaluate", "--model", m_model, "--data", path("nowhere")};
    full.replaceInStrings("BAD_ADAPTER", path("bad.adapter.json"));
    const CliResult r = cli(full);
    QCOMPARE(r.exitCode, exitCode);
    QVERIFY2(r.err.contains(expected), qPrintable(r.err));
}

void TestCliEvaluate::badShards_data()
{
    QTest::addColumn<QStringList>("files");
    QTest::addColumn<QString>("expected");
    QTest::addRow("same shard twice") << QStringList{"s0.json", "s0.json"} << "in two shards";
    QTest::addRow("different runs") << QStringList{"s0.json", "float.json"} << "differs";
    QTest::addRow("not an evaluate output") << QStringList{"s0.json", "other.json"} << "not an evaluate output";
    QTest::addRow("not JSON") << QStringList{"garbage.json"} << "garbage.json";
}

void TestCliEvaluate::badShards()
{
    QFETCH(QStringList, files);
    QFETCH(QString, expected);
    if (!fs::exists(m_dir / "float.json"))
        QCOMPARE(cli(evaluate({"--shard", "0/8", "--json", path("float.json")})).exitCode, 0);
    lnscope::test::writeText(m_dir, "other.json", R"({"kind": "something"})");
    lnscope::test::writeText(m_dir, "garbage.json", "{not json");
    QStringList args{"merge"};
    for (const QString& f : files)
        args << path(f.toStdString());
    const CliResult r = cli(args);
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains(expected), qPrintable(r.err));
}

QTEST_GUILESS_MAIN(TestCliEvaluate)
#include "test_cli_evaluate.moc"
