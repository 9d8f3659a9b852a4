// Behaviour of `lnscope-cli convert` (DESIGN.md "Executables", "Bad input"): the built executable
// is run with QProcess on the bundled tiny_segnet model; its files, report and exit codes are checked.

#include "cli_runner.h"
#include "test_utils.h"

#include <QFile>
#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QTest>
#include <cmath>
#include <filesystem>
#include <fstream>

namespace fs = std::filesystem;
using lnscope::test::CliResult;

namespace {


QByteArray readBytes(const fs::path& path)
{
    QFile f(QString::fromStdString(path.string()));
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

/// The stage object named `label` ("float32", "BNF", "CC", "LNS8") of a report.
QJsonObject stage(const QJsonObject& report, const QString& label)
{
    for (const QJsonValue& s : report["stages"].toArray())
        if (s.toObject()["stage"].toString() == label)
            return s.toObject();
    return {};
}

double outputSqnr(const QJsonObject& report, const QString& label)
{
    const QJsonObject out = stage(report, label)["outputs"].toObject()["logits"].toObject();
    return out["exact"].toBool() ? 1e9 : out["sqnrDb"].toDouble(-1e9);
}

} // namespace

class TestCliConvert : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();

    void helpListsConvert();
    void convertWritesModelAndReport();
    void convertIsDeterministic();
    void moreClustersGiveHigherSqnr();
    void badClustersLayerNamesTheNode();
    void unknownFormatIsNamed();
    void badInputExitsOne_data();
    void badInputExitsOne();
    void activationStageAndDequantizedOnnx();
    void exactPathAndSensitivity();
    void configFileSetsAndFlagsOverride();
    void narrowScaleFormat();
    void roundingFeedback();
    void badConfigIsNamed_data();
    void badConfigIsNamed();
    void compareReportsLayersAndOutputs();
    void compareBadInput_data();
    void compareBadInput();

private:
    CliResult cli(const QStringList& args) const;
    /// convert MODEL --out DIR --input tiny_input.pb plus `extra`.
    CliResult convert(const QString& out, const QStringList& extra = {}) const;
    QString path(const std::string& name) const { return QString::fromStdString((m_dir / name).string()); }

    fs::path m_dir;
    QString m_model;
    QString m_input;
};

CliResult TestCliConvert::cli(const QStringList& args) const
{
    return lnscope::test::runCli(args, m_dir);
}

CliResult TestCliConvert::convert(const QString& out, const QStringList& extra) const
{
    return cli(QStringList{"convert", m_model, "--out", out, "--input", m_input} + extra);
}

void TestCliConvert::initTestCase()
{
    m_dir = lnscope::test::makeTempDir("lnscope-test-cli-convert");
    const fs::path data = lnscope::test::datasetsDir();
    m_model = QString::fromStdString((data / "models" / "tiny_segnet.onnx").string());
    m_input = QString::fromStdString((data / "samples" / "tiny_input.pb").string());
    QVERIFY2(fs::exists(m_model.toStdString()), qPrintable(m_model));
    std::ofstream(m_dir / "a_file.txt") << "not a folder";
}

void TestCliConvert::cleanupTestCase()
{
    if (qEnvironmentVariableIsSet("LNSCOPE_KEEP_TEST_FILES")) {
        qInfo("kept %s", m_dir.c_str());
        return;
    }
    std::error_code ignored;
    fs::remove_all(m_dir, ignored);
}

void TestCliConvert::helpListsConvert()
{
    const CliResult top = cli({"--help"});
    QCOMPARE(top.exitCode, 0);
    QVERIFY2(top.out.contains("  convert"), qPrintable(top.out));
    const CliResult help = cli({"convert", "--help"});
    QCOMPARE(help.exitCode, 0);
    QVERIFY(help.out.contains("usage: lnscope-cli convert"));
    QVERIFY(help.out.contains("--clusters-layer"));
}

void TestCliConvert::convertWritesModelAndReport()
{
    const CliResult r = convert(path("out1"), {"--json", path("out1.json")});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    QVERIFY(fs::is_regular_file(m_dir / "out1" / "model.lnsz"));
    QVERIFY(fs::is_regular_file(m_dir / "out1" / "report.json"));
    QCOMPARE(readBytes(m_dir / "out1" / "report.json"), readBytes(m_dir / "out1.json"));
    for (const char* expected : {"/enc1/enc1.0/Conv", "bits/w", "LNS8 B", "SQNR CC", "counts:", "First layer below 30 dB"})
        QVERIFY2(r.out.contains(expected), expected);

    const QJsonObject report = lnscope::test::readJsonObject(m_dir / "out1" / "report.json");
    const QStringList order = {"float32", "BNF", "CC", "LNS8"};
    double previous = 0.0;
    for (const QString& label : order) {
        const QJsonObject s = stage(report, label);
        QVERIFY2(!s.isEmpty(), qPrintable(label));
        const double bytes = s["totalBytes"].toDouble();
        QVERIFY(bytes > 0);
        if (label != order.front())
            QVERIFY2(bytes <= previous, qPrintable(label));
        previous = bytes;
    }
    QVERIFY(stage(report, "LNS8")["ratio"].toDouble() > 1.0);
    QVERIFY2(outputSqnr(report, "BNF") > 100.0, qPrintable(QString::number(outputSqnr(report, "BNF"))));
    QVERIFY(!report["counts"].toString().isEmpty());
    QCOMPARE(report["layers"].toArray().size(), 5);
}

void TestCliConvert::convertIsDeterministic()
{
    QCOMPARE(convert(path("det1")).exitCode, 0);
    QCOMPARE(convert(path("det2")).exitCode, 0);
    const QByteArray a = readBytes(m_dir / "det1" / "model.lnsz");
    QVERIFY(!a.isEmpty());
    QVERIFY(a == readBytes(m_dir / "det2" / "model.lnsz"));
}

void TestCliConvert::moreClustersGiveHigherSqnr()
{
    QCOMPARE(convert(path("k8"), {"--clusters", "8"}).exitCode, 0);
    QCOMPARE(convert(path("k256"), {"--clusters", "256"}).exitCode, 0);
    const double k8 = outputSqnr(lnscope::test::readJsonObject(m_dir / "k8" / "report.json"), "CC");
    const double k256 = outputSqnr(lnscope::test::readJsonObject(m_dir / "k256" / "report.json"), "CC");
    QVERIFY2(k256 > k8, qPrintable(QString("K=256: %1 dB, K=8: %2 dB").arg(k256).arg(k8)));
}

void TestCliConvert::badClustersLayerNamesTheNode()
{
    const CliResult r = convert(path("badlayer"), {"--clusters-layer", "no_such_conv=16"});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains("no_such_conv"), qPrintable(r.err));
    QVERIFY(!fs::exists(m_dir / "badlayer"));
    // A 1×1 conv is not cluster compressed with the default --pointwise keep.
    const CliResult pointwise = convert(path("badlayer"), {"--clusters-layer", "/classifier/Conv=4"});
    QCOMPARE(pointwise.exitCode, 1);
    QVERIFY2(pointwise.err.contains("/classifier/Conv"), qPrintable(pointwise.err));
}

void TestCliConvert::unknownFormatIsNamed()
{
    const CliResult r = convert(path("badformat"), {"--format", "lns7_bogus"});
    QVERIFY(r.exitCode != 0);
    QVERIFY2(r.err.contains("lns7_bogus"), qPrintable(r.err));
    QVERIFY(!fs::exists(m_dir / "badformat"));
    const CliResult k0 = convert(path("badformat"), {"--clusters", "0"});
    QCOMPARE(k0.exitCode, 2); // out of range, like every integer option
}

void TestCliConvert::badInputExitsOne_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("named");
    QTest::addRow("missing model") << QStringList{"convert", "missing.onnx", "--out", "o"} << "missing.onnx";
    QTest::addRow("--out inside a file") << QStringList{"convert", "MODEL", "--out", "a_file.txt/sub"} << "a_file.txt";
    QTest::addRow("empty calibration folder") << QStringList{"convert", "MODEL", "--out", "o", "--calib", "empty"}
                                              << "empty";
    QTest::addRow("calibration image of the wrong size") << QStringList{"convert", "MODEL", "--out", "o", "--calib", "wrongsize"}
                                                         << "small.png";
    QTest::addRow("calibration file that is no image") << QStringList{"convert", "MODEL", "--out", "o", "--calib", "notimage"}
                                                       << "garbage.png";
    QTest::addRow("missing calibration folder") << QStringList{"convert", "MODEL", "--out", "o", "--calib", "nowhere"}
                                                << "nowhere";
}

void TestCliConvert::badInputExitsOne()
{
    QFETCH(QStringList, args);
    QFETCH(QString, named);
    fs::create_directories(m_dir / "empty");
    fs::create_directories(m_dir / "wrongsize");
    fs::create_directories(m_dir / "notimage");
    // A valid 8×8 PNG (the model wants 96×64) and a text file named .png.
    fs::copy_file(lnscope::test::datasetsDir() / "samples" / "tiny_input.png", m_dir / "wrongsize" / "a_good.png",
                  fs::copy_options::overwrite_existing);
    lnscope::test::writeBytes(m_dir / "notimage" / "garbage.png", "this is not a PNG file");
    if (!fs::exists(m_dir / "wrongsize" / "small.png")) {
        QImage small(8, 8, QImage::Format_RGB888);
        small.fill(Qt::gray);
        QVERIFY(small.save(QString::fromStdString((m_dir / "wrongsize" / "small.png").string())));
    }
    args.replaceInStrings(QRegularExpression("^MODEL$"), m_model);
    const CliResult r = cli(args);
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains(named), qPrintable(r.err));
    QVERIFY(!fs::exists(m_dir / "o"));
}

void TestCliConvert::activationStageAndDequantizedOnnx()
{
    const CliResult r = convert(path("act"));
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    QVERIFY2(r.out.contains("SQNR +act") && r.out.contains("calibrated on the evaluation input"), qPrintable(r.out));
    const QJsonObject report = lnscope::test::readJsonObject(m_dir / "act" / "report.json");
    const QJsonObject act = report["activationStage"].toObject();
    QCOMPARE(act["activationFormat"].toString(), QString("lns8"));
    QVERIFY(act["activationTensors"].toInt() >= 5);
    QVERIFY(act["outputs"].toObject()["logits"].toObject().contains("sqnrDb"));
    // The dequantized ONNX runs in the CLI itself and gives the LNS8-weight stage's output.
    const fs::path onnx = m_dir / "act" / "model.dequant.onnx";
    QVERIFY(fs::is_regular_file(onnx));
    const CliResult run = cli({"run", QString::fromStdString(onnx.string()), "--input", m_input});
    QVERIFY2(run.exitCode == 0, qPrintable(run.err));
    // Without activations (--act-format float32) there is no +act stage.
    const CliResult plain = convert(path("noact"), {"--act-format", "float32"});
    QVERIFY2(plain.exitCode == 0, qPrintable(plain.err));
    QVERIFY(!plain.out.contains("SQNR +act"));
    QVERIFY(lnscope::test::readJsonObject(m_dir / "noact" / "report.json")["activationStage"].isNull());
}

void TestCliConvert::exactPathAndSensitivity()
{
    const CliResult r = convert(path("exact"), {"--path", "exact", "--sensitivity", "--act-rule", "minmse"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    QVERIFY2(r.out.contains("exact path") && r.out.contains("sens dB"), qPrintable(r.out));
    const QJsonObject report = lnscope::test::readJsonObject(m_dir / "exact" / "report.json");
    QCOMPARE(report["config"].toObject()["path"].toString(), QString("exact"));
    QCOMPARE(report["config"].toObject()["activationRule"].toString(), QString("minmse"));
    int withSensitivity = 0;
    for (const QJsonValue& l : report["layers"].toArray())
        withSensitivity += !l.toObject()["sensitivityDb"].isNull();
    QCOMPARE(withSensitivity, 5);
    QCOMPARE(convert(path("badpath"), {"--path", "sideways"}).exitCode, 2);
    // --budget: which layers fit on chip, and the model.
    const CliResult budget = convert(path("budget"), {"--budget", "4000"});
    QVERIFY2(budget.exitCode == 0 && budget.out.contains("On-chip budget 4,000 B"), qPrintable(budget.out + budget.err));
    const QJsonObject fit = lnscope::test::readJsonObject(m_dir / "budget" / "report.json")["onChipBudget"].toObject();
    QCOMPARE(fit["budgetBytes"].toInt(), 4000);
    QCOMPARE(fit["layers"].toArray().size(), 5);
    QVERIFY(fit["totalFits"].isBool());
}

void TestCliConvert::configFileSetsAndFlagsOverride()
{
    lnscope::test::writeText(m_dir, "k8.json", R"({"clusters": 8, "clustersPerLayer": {"/enc3/enc3.0/Conv": 4},
                                                   "format": "lns8_q3.4", "seed": 3})");
    const CliResult r = convert(path("cfg"), {"--config", path("k8.json"), "--clusters", "16"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    const QJsonObject cfg = lnscope::test::readJsonObject(m_dir / "cfg" / "report.json")["config"].toObject();
    QCOMPARE(cfg["clusters"].toInt(), 16);                 // the flag wins
    QCOMPARE(cfg["format"].toString(), QString("lns8_q3.4")); // from the file
    QCOMPARE(cfg["seed"].toInt(), 3);
    QCOMPARE(cfg["clustersPerLayer"].toObject()["/enc3/enc3.0/Conv"].toInt(), 4);
    // Same config twice → byte-identical outputs.
    QCOMPARE(convert(path("cfg2"), {"--config", path("k8.json"), "--clusters", "16"}).exitCode, 0);
    for (const char* f : {"model.lnsz", "model.dequant.onnx"})
        QVERIFY2(readBytes(m_dir / "cfg" / f) == readBytes(m_dir / "cfg2" / f), f);
}

void TestCliConvert::narrowScaleFormat()
{
    // 6-bit scales: the report names them, the per-kernel scale term shrinks to 6/8 of the default
    // and the ratio grows; scales that do not add to lns8's log codes are a usage error.
    QCOMPARE(convert(path("s8")).exitCode, 0);
    const CliResult r = convert(path("s6"), {"--scale-format", "lns6"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    QVERIFY2(r.out.contains("scales lns6 (6 bits)"), qPrintable(r.out));
    const QJsonObject s8 = lnscope::test::readJsonObject(m_dir / "s8" / "report.json");
    const QJsonObject s6 = lnscope::test::readJsonObject(m_dir / "s6" / "report.json");
    QCOMPARE(s6["config"].toObject()["scaleFormat"].toString(), QString("lns6"));
    QCOMPARE(s8["config"].toObject()["scaleFormat"].toString(), QString("lns8"));
    auto lastStageTerm = [](const QJsonObject& report, const QString& term) {
        const QJsonArray stages = report["stages"].toArray();
        return stages.last().toObject()["terms"].toObject()[term].toDouble(-1);
    };
    const double bits8 = lastStageTerm(s8, "per-kernel scales"), bits6 = lastStageTerm(s6, "per-kernel scales");
    QVERIFY2(bits8 > 0 && bits6 > 0, qPrintable(QJsonDocument(s6["stages"].toArray()).toJson()));
    QCOMPARE(bits6 * 8, bits8 * 6);
    auto ratio = [](const QJsonObject& report) { return report["stages"].toArray().last().toObject()["ratio"].toDouble(); };
    QVERIFY2(ratio(s6) > ratio(s8) && ratio(s8) > 1.0, qPrintable(QString("%1 vs %2").arg(ratio(s6)).arg(ratio(s8))));
    const CliResult bad = convert(path("sbad"), {"--scale-format", "fp8_e4m3"});
    QCOMPARE(bad.exitCode, 2);
    QVERIFY2(bad.err.contains("same fraction bits"), qPrintable(bad.err));
    QVERIFY(!fs::exists(m_dir / "sbad"));
}

void TestCliConvert::roundingFeedback()
{
    // --rounding feedback: named in the summary and the report, stored in the model's config, and
    // different codes from nearest rounding; a config file sets it too, a bad value is a usage error.
    QCOMPARE(convert(path("rnear"), {"--refine", "--rounding", "nearest"}).exitCode, 0);
    const CliResult r = convert(path("rfeed"), {"--refine", "--rounding", "feedback"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    QVERIFY2(r.out.contains("rounding with error feedback"), qPrintable(r.out));
    const QJsonObject feed = lnscope::test::readJsonObject(m_dir / "rfeed" / "report.json");
    const QJsonObject nearest = lnscope::test::readJsonObject(m_dir / "rnear" / "report.json");
    QCOMPARE(feed["config"].toObject()["roundingFeedback"].toBool(), true);
    QCOMPARE(nearest["config"].toObject()["roundingFeedback"].toBool(true), false);
    QVERIFY(readBytes(m_dir / "rfeed" / "model.lnsz") != readBytes(m_dir / "rnear" / "model.lnsz"));
    lnscope::test::writeText(m_dir, "feedback.json", R"({"refine": true, "roundingFeedback": true})");
    QCOMPARE(convert(path("rcfg"), {"--config", path("feedback.json")}).exitCode, 0);
    QVERIFY(readBytes(m_dir / "rcfg" / "model.lnsz") == readBytes(m_dir / "rfeed" / "model.lnsz"));
    const CliResult bad = convert(path("rbad"), {"--refine", "--rounding", "sideways"});
    QCOMPARE(bad.exitCode, 2);
    QVERIFY2(bad.err.contains("nearest or feedback"), qPrintable(bad.err));
    QVERIFY(!fs::exists(m_dir / "rbad"));
}

void TestCliConvert::badConfigIsNamed_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("expected");
    QTest::addRow("unknown key") << R"({"clusterz": 8})" << "config key 'clusterz': unknown";
    QTest::addRow("missing layer") << R"({"clustersPerLayer": {"nope": 8}})" << "'nope', which is not a cluster-compressed";
    QTest::addRow("impossible K") << R"({"clusters": 0})" << "config key 'clusters'";
    QTest::addRow("K too large") << R"({"clustersPerLayer": {"/enc1/enc1.0/Conv": 100000}})" << "must be an integer in 1..65536";
    QTest::addRow("unknown format (bit width)") << R"({"format": "lns9_q4.4"})" << "unknown number format 'lns9_q4.4'";
    QTest::addRow("roundingFeedback not a boolean") << R"({"roundingFeedback": "yes"})" << "roundingFeedback";
    QTest::addRow("malformed JSON") << "{\"clusters\": 8,\n" << "line";
    QTest::addRow("not an object") << "[1, 2]" << "must be a JSON object";
    QTest::addRow("reassignment rounds out of range") << R"({"reassign": 17})" << "config key 'reassign'";
    QTest::addRow("bias correction not a bool") << R"({"biasCorrection": 1})" << "config key 'biasCorrection'";
    QTest::addRow("unknown scale format") << R"({"scaleFormat": "lns5"})" << "unknown number format 'lns5'";
    QTest::addRow("scale format with other F")
        << R"({"scaleFormat": "lns8_q3.4"})" << "config key 'scaleFormat': conversion: scale format 'lns8_q3.4'";
}

void TestCliConvert::badConfigIsNamed()
{
    QFETCH(QString, text);
    QFETCH(QString, expected);
    lnscope::test::writeText(m_dir, "bad.json", text.toStdString());
    const CliResult r = convert(path("badcfg"), {"--config", path("bad.json")});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains("bad.json") || expected.contains("cluster-compressed"), qPrintable(r.err));
    QVERIFY2(r.err.contains(expected), qPrintable(r.err));
    QVERIFY(!fs::exists(m_dir / "badcfg"));
}

void TestCliConvert::compareReportsLayersAndOutputs()
{
    QCOMPARE(convert(path("cmp")).exitCode, 0);
    const QString lnsz = path("cmp/model.lnsz");
    const CliResult r = cli({"compare", m_model, lnsz, "--input", m_input, "--json", path("cmp.json")});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    QVERIFY2(r.out.contains("argmax agreement") && r.out.contains("/enc1/enc1.2/Relu"), qPrintable(r.out));
    const QJsonObject j = lnscope::test::readJsonObject(m_dir / "cmp.json");
    QVERIFY(j["layers"].toArray().size() >= 5);
    const QJsonObject logits = j["outputs"].toObject()["logits"].toObject();
    const double agree = logits["pixelAgreement"].toDouble(-1);
    QVERIFY2(agree >= 0.0 && agree <= 1.0, qPrintable(QString::number(agree)));
    QCOMPARE(logits["pixels"].toInt(), 64 * 96);
    // The compare's output SQNR is the convert report's +act figure (same input, same path).
    const QJsonObject report = lnscope::test::readJsonObject(m_dir / "cmp" / "report.json");
    const double convertDb = report["activationStage"].toObject()["outputs"].toObject()["logits"].toObject()["sqnrDb"].toDouble();
    QVERIFY2(std::fabs(logits["sqnrDb"].toDouble() - convertDb) < 1e-9,
             qPrintable(QString("%1 vs %2").arg(logits["sqnrDb"].toDouble()).arg(convertDb)));
    // Weights-only comparison at the BNF stage is near exact.
    const CliResult bnf = cli({"compare", m_model, lnsz, "--input", m_input, "--weights", "bnf", "--float-activations",
                               "--json", path("cmp_bnf.json")});
    QVERIFY2(bnf.exitCode == 0, qPrintable(bnf.err));
    const QJsonValue bnfDb = lnscope::test::readJsonObject(m_dir / "cmp_bnf.json")["outputs"].toObject()["logits"].toObject()["sqnrDb"];
    QVERIFY2(bnfDb.toDouble() > 100.0 || bnfDb.toString() == "exact", qPrintable(QString::number(bnfDb.toDouble())));
}

void TestCliConvert::compareBadInput_data()
{
    QTest::addColumn<QString>("lnsz");
    QTest::addColumn<QStringList>("extra");
    QTest::addColumn<QString>("expected");
    QTest::addRow("corrupt lnsz") << "corrupt.lnsz" << QStringList{} << "corrupt.lnsz";
    QTest::addRow("truncated lnsz") << "truncated.lnsz" << QStringList{} << "truncated.lnsz";
    QTest::addRow("no activation calibration") << "noact/model.lnsz" << QStringList{} << "no activation calibration";
    QTest::addRow("exact with int8 weights") << "int8/model.lnsz" << QStringList{"--path", "exact"} << "LNS weight format";
}

void TestCliConvert::compareBadInput()
{
    QFETCH(QString, lnsz);
    QFETCH(QStringList, extra);
    QFETCH(QString, expected);
    if (!fs::exists(m_dir / "noact" / "model.lnsz"))
        QCOMPARE(convert(path("noact"), {"--act-format", "float32"}).exitCode, 0);
    if (!fs::exists(m_dir / "int8" / "model.lnsz"))
        QCOMPARE(convert(path("int8"), {"--format", "int8"}).exitCode, 0);
    if (!fs::exists(m_dir / "corrupt.lnsz")) {
        QCOMPARE(convert(path("good"), {}).exitCode, 0);
        QByteArray bytes = readBytes(m_dir / "good" / "model.lnsz");
        QByteArray flipped = bytes;
        flipped[flipped.size() / 2] = char(flipped[flipped.size() / 2] ^ 0x5A);
        lnscope::test::writeBytes(m_dir / "corrupt.lnsz", flipped.toStdString());
        lnscope::test::writeBytes(m_dir / "truncated.lnsz", bytes.left(bytes.size() - 100).toStdString());
    }
    const CliResult r = cli(QStringList{"compare", m_model, path(lnsz.toStdString()), "--input", m_input} + extra);
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains(expected), qPrintable(r.err));
}

QTEST_GUILESS_MAIN(TestCliConvert)
#include "test_cli_convert.moc"
