// Behaviour of `lnscope-cli report` (issue 6): a PDF of the segmentation demo model on a few
// frames whose page count is in range and whose text holds the figures `lnscope-cli evaluate`
// reports for the same inputs, formatted as evaluate prints them; a self-contained HTML report of
// the stereo 3-D model alone (no segmentation slot); bad arguments and inputs refused before any
// work with one message naming the file.

#include "cli_runner.h"
#include "test_utils.h"

#include <QCoreApplication>
#include <QCryptographicHash>
#include <QDir>
#include <QElapsedTimer>
#include <QDate>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTest>

#include <cmath>
#include <filesystem>

namespace fs = std::filesystem;
using lnscope::test::CliResult;

namespace {

/// A report converts and evaluates: allow more than cli_runner's two minutes on a busy machine.
constexpr int kReportTimeoutMs = 600000;

QString str(const fs::path& p)
{
    return QString::fromStdString(p.string());
}

/// lnscope-cli: $LNSCOPE_CLI_PATH when ctest sets it, else the build tree's (build/app/cli next to
/// build/tests/app, where this test runs from).
QString cliPath()
{
    const QString fromEnv = qEnvironmentVariable("LNSCOPE_CLI_PATH");
    if (!fromEnv.isEmpty())
        return fromEnv;
    return QDir(QCoreApplication::applicationDirPath() + QStringLiteral("/../../app/cli")).absoluteFilePath("lnscope-cli");
}

CliResult runLong(const QStringList& args, const fs::path& workDir)
{
    QProcess p;
    p.setWorkingDirectory(str(workDir));
    p.start(cliPath(), args);
    CliResult r;
    if (!p.waitForFinished(kReportTimeoutMs) || p.exitStatus() != QProcess::NormalExit) {
        qWarning("lnscope-cli %s did not finish normally: %s", qPrintable(args.join(' ')), qPrintable(p.errorString()));
        p.kill();
        p.waitForFinished();
        return r;
    }
    r.exitCode = p.exitCode();
    r.out = QString::fromUtf8(p.readAllStandardOutput());
    r.err = QString::fromUtf8(p.readAllStandardError());
    return r;
}

/// Runs a poppler tool; "" when it fails.
QString poppler(const QString& tool, const QStringList& args)
{
    QProcess p;
    p.start(tool, args);
    if (!p.waitForFinished(60000) || p.exitCode() != 0)
        return {};
    return QString::fromUtf8(p.readAllStandardOutput());
}

/// The first `count` frames of synthdrive/val (every folder of the KITTI layout) in `to`.
void copyFrames(const fs::path& to, int count)
{
    const fs::path from = lnscope::test::datasetsDir() / "synthdrive" / "val";
    fs::create_directories(to);
    fs::copy_file(from / "classes.json", to / "classes.json");
    std::vector<std::string> ids;
    for (const auto& e : fs::directory_iterator(from / "image_2"))
        ids.push_back(e.path().stem().string());
    std::sort(ids.begin(), ids.end());
    ids.resize(size_t(count));
    for (const auto& dir : fs::directory_iterator(from)) {
        if (!dir.is_directory())
            continue;
        fs::create_directories(to / dir.path().filename());
        for (const auto& file : fs::directory_iterator(dir.path()))
            if (std::find(ids.begin(), ids.end(), file.path().stem().string()) != ids.end())
                fs::copy_file(file.path(), to / dir.path().filename() / file.path().filename());
    }
}

/// "%.2f" of 100·v, as evaluate prints a percentage.
QString percent(double v)
{
    return QString::asprintf("%.2f", 100.0 * v);
}

QString sha256(const fs::path& p)
{
    QFile f(str(p));
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return QString::fromLatin1(QCryptographicHash::hash(f.readAll(), QCryptographicHash::Sha256).toHex());
}

} // namespace

class TestCliReport : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void cleanupTestCase();
    void pdfHoldsTheEvaluateFigures();
    void htmlIsSelfContained();
    void badInput_data();
    void badInput();

private:
    fs::path m_dir;
    QString m_segModel, m_segAdapter, m_data;
};

void TestCliReport::initTestCase()
{
    QVERIFY2(QFileInfo(cliPath()).isExecutable(), qPrintable(cliPath() + " is not built"));
    QVERIFY2(!QStandardPaths::findExecutable("pdftotext").isEmpty() && !QStandardPaths::findExecutable("pdfinfo").isEmpty(),
             "poppler-utils (pdftotext, pdfinfo) is not installed: scripts/install-deps installs it");
    m_dir = lnscope::test::makeTempDir("lnscope-test-cli-report");
    copyFrames(m_dir / "frames", 3);
    const fs::path models = lnscope::test::datasetsDir() / "models";
    m_segModel = str(models / "synth_segnet.onnx");
    m_segAdapter = str(models / "synth_segnet.adapter.json");
    m_data = str(m_dir / "frames");
}

void TestCliReport::cleanupTestCase()
{
    std::error_code ignored;
    if (!QTest::currentTestFailed())
        fs::remove_all(m_dir, ignored);
}

void TestCliReport::pdfHoldsTheEvaluateFigures()
{
    // The reference: evaluate with the workbench's conversion (default settings, 4 calibration
    // frames: all 3 here) on the same frames.
    const QStringList source{"--model", m_segModel, "--adapter", m_segAdapter, "--data", m_data};
    const CliResult eval =
        runLong(QStringList{"evaluate"} + source + QStringList{"--convert", "default", "--calib-frames", "4", "--json", "eval.json"}, m_dir);
    QVERIFY2(eval.exitCode == 0, qPrintable(eval.err));
    const QJsonObject evaluation = lnscope::test::readJsonObject(m_dir / "eval.json");
    const QJsonObject metrics = evaluation["metrics"].toObject();
    QVERIFY(metrics["floatMiou"].isDouble());

    QElapsedTimer timer;
    timer.start();
    const CliResult r = runLong(QStringList{"report"} + source + QStringList{"--out", "report.pdf", "--frames", "2"}, m_dir);
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    qInfo("report.pdf written in %.1f s", double(timer.elapsed()) / 1000.0);
    const fs::path pdf = m_dir / "report.pdf";
    QVERIFY(fs::exists(pdf));
    QVERIFY2(!fs::exists(m_dir / "report.pdf.part"), "the temporary file is left behind");

    const QString info = poppler("pdfinfo", {str(pdf)});
    const QRegularExpressionMatch pages = QRegularExpression("Pages:\\s+(\\d+)").match(info);
    QVERIFY2(pages.hasMatch(), qPrintable(info));
    const int pageCount = pages.captured(1).toInt();
    qInfo("%d pages, %lld bytes", pageCount, qlonglong(fs::file_size(pdf)));
    QVERIFY2(pageCount >= 5 && pageCount <= 14, qPrintable(QString("%1 pages").arg(pageCount)));
    QVERIFY2(info.contains("A4") || info.contains("595.") , qPrintable(info));

    const QString text = poppler("pdftotext", {"-layout", str(pdf), "-"});
    QVERIFY(!text.isEmpty());
    // Each metric row as evaluate prints it: name, float, converted, delta on one line.
    auto expectRow = [&](const QString& name, double f, double c) {
        const QString pattern = QRegularExpression::escape(name) + "\\s+" + QRegularExpression::escape(percent(f)) + "\\s+"
                                + QRegularExpression::escape(percent(c)) + "\\s+"
                                + QRegularExpression::escape(QString::asprintf("%.2f", 100.0 * (c - f)));
        return QRegularExpression(pattern).match(text).hasMatch();
    };
    QVERIFY2(expectRow("mIoU %", metrics["floatMiou"].toDouble(), metrics["convertedMiou"].toDouble()),
             qPrintable("mIoU row not found; evaluate said " + eval.out));
    const QJsonArray classes = metrics["classes"].toArray();
    QCOMPARE(classes.size(), 10);
    for (const QJsonValue& v : classes) {
        const QJsonObject c = v.toObject();
        if (c["floatIou"].isDouble() && c["convertedIou"].isDouble())
            QVERIFY2(expectRow("IoU " + c["name"].toString() + " %", c["floatIou"].toDouble(), c["convertedIou"].toDouble()),
                     qPrintable(c["name"].toString()));
    }
    const QString agreement = QString("Pixel agreement %1 %, mIoU converted vs float %2 %")
                                  .arg(percent(metrics["pixelAgreement"].toDouble()),
                                       percent(metrics["miouConvertedVsFloat"].toDouble()));
    QVERIFY2(text.contains(agreement), qPrintable(agreement));
    QVERIFY2(text.contains(QString("Output SQNR converted vs float: %1 dB").arg(metrics["outputSqnrDb"].toDouble(), 0, 'f', 1)),
             "output SQNR");
    // The compression ratio evaluate reports, the model's hash, the tool version and the date.
    const double ratio = evaluation["conversion"].toObject()["compressionRatio"].toDouble();
    QVERIFY2(text.contains(QString::asprintf("%.2f×", ratio)), qPrintable(QString::asprintf("%.2f×", ratio)));
    QVERIFY(text.contains(sha256(m_segModel.toStdString()).left(32)));
    QVERIFY(text.contains(QDate::currentDate().toString("yyyy-MM-dd")));
    QVERIFY(text.contains(QRegularExpression("LNScope \\d+\\.\\d+")));
    // Every storage term is named; the sections are there; two disagreeing frames.
    for (const char* term : {"kernel indices", "per-kernel scales", "codebook LUTs", "uncompressed weights", "biases"})
        QVERIFY2(text.contains(term), term);
    for (const char* section : {"Conversion settings", "Compression", "Per-layer SQNR", "Where float and converted disagree most",
                                "Centroids of the most compressed layers", "page 1 of"})
        QVERIFY2(text.contains(section), section);
    QCOMPARE(text.count(QRegularExpression("Frame \\d{6} — pixel agreement")), 2);
    QVERIFY2(text.contains("No stereo 3-D model was open"), "the missing slot is named");
    // The figures are the plots, without the views' controls (stage selector, overlay, fit).
    for (const char* control : {"Stage:", "Overlay on image", "Fit (F)", "Difference: float vs converted"})
        QVERIFY2(!text.contains(control), control);
    // Every page rasterizes without a complaint from poppler (e.g. a stroke of no length drawn as
    // "closepath" without a current point).
    if (!QStandardPaths::findExecutable("pdftoppm").isEmpty()) {
        QProcess raster;
        raster.start("pdftoppm", {"-r", "20", "-png", str(pdf), str(m_dir / "page")});
        QVERIFY(raster.waitForFinished(120000));
        QCOMPARE(raster.exitCode(), 0);
        const QString complaints = QString::fromUtf8(raster.readAllStandardError());
        QVERIFY2(!complaints.contains("Error"), qPrintable(complaints));
    }
}

void TestCliReport::htmlIsSelfContained()
{
    // The stereo 3-D model alone: no segmentation slot, boxes and AP instead of IoU.
    const fs::path models = lnscope::test::datasetsDir() / "models";
    const CliResult r = runLong({"report", "--stereo-model", str(models / "synth_stereo3d.onnx"), "--stereo-adapter",
                                 str(models / "synth_stereo3d.adapter.json"), "--data", m_data, "--out",
                                 str(m_dir / "report.html"), "--frames", "1", "--centroid-layers", "1"},
                                m_dir);
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    QFile file(str(m_dir / "report.html"));
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QString html = QString::fromUtf8(file.readAll());
    QVERIFY(html.startsWith("<!DOCTYPE html>"));
    QVERIFY(html.trimmed().endsWith("</html>"));
    // Nothing is loaded from elsewhere: every src is an embedded PNG, no links, no external CSS.
    const QRegularExpression src("\\bsrc\\s*=\\s*\"([^\"]*)\"");
    int images = 0;
    for (auto it = src.globalMatch(html); it.hasNext(); ++images)
        QVERIFY2(it.next().captured(1).startsWith("data:image/png;base64,"), "an image is not embedded");
    QVERIFY2(!html.contains(QRegularExpression("\\bhref\\s*=")), "the report links to something");
    QVERIFY(!html.contains("@import"));
    QVERIFY(!html.contains("url("));
    // Memory (all stages, terms), SQNR, one frame's bird's-eye view, one centroid plot.
    QCOMPARE(images, 5);
    QVERIFY(html.contains("No segmentation model was open"));
    QVERIFY(html.contains(sha256(models / "synth_stereo3d.onnx")));
    QVERIFY(html.contains("Car BEV AP|R40 @0.5 %"));
    QVERIFY(html.contains("KITTI AP|R40 (%) by class, metric and difficulty"));
    QVERIFY(html.contains("Bird&#x27;s-eye view") || html.contains("Bird's-eye view"));
}

void TestCliReport::badInput_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<int>("exitCode");
    QTest::addColumn<QString>("expected");
    QTest::addRow("missing --out") << QStringList{"--model", "MODEL", "--data", "DATA"} << 2 << "--out";
    QTest::addRow("bad extension") << QStringList{"--model", "MODEL", "--data", "DATA", "--out", "report.docx"} << 2
                                   << "report.docx";
    QTest::addRow("no source") << QStringList{"--out", "r.pdf"} << 2 << "--model";
    QTest::addRow("model without data") << QStringList{"--model", "MODEL", "--out", "r.pdf"} << 2 << "--data";
    QTest::addRow("bad --frames") << QStringList{"--model", "MODEL", "--data", "DATA", "--out", "r.pdf", "--frames", "-1"}
                                  << 2 << "--frames";
    QTest::addRow("unknown option") << QStringList{"--model", "MODEL", "--data", "DATA", "--out", "r.pdf", "--colour"} << 2
                                    << "--colour";
    QTest::addRow("missing model") << QStringList{"--model", "TMP/no_such_model.onnx", "--data", "DATA", "--out", "r.pdf"}
                                   << 1 << "no_such_model.onnx";
    QTest::addRow("missing dataset") << QStringList{"--model", "MODEL", "--data", "TMP/no_such_folder", "--out", "r.pdf"}
                                     << 1 << "no_such_folder";
    QTest::addRow("unwritable folder") << QStringList{"--model", "MODEL", "--data", "DATA", "--out", "TMP/missing/dir/r.pdf"}
                                       << 1 << "missing/dir";
    QTest::addRow("folder is a file") << QStringList{"--model", "MODEL", "--data", "DATA", "--out", "TMP/frames/classes.json/r.html"}
                                      << 1 << "classes.json is not a folder";
    QTest::addRow("per-layer K for no layer of the model")
        << QStringList{"--model", "MODEL", "--data", "DATA", "--out", "r.pdf", "--config", "TMP/badk.json"} << 1
        << "/no/such/Conv is not a cluster-compressed Conv";
}

void TestCliReport::badInput()
{
    QFETCH(QStringList, args);
    QFETCH(int, exitCode);
    QFETCH(QString, expected);
    args.replaceInStrings("MODEL", m_segModel);
    args.replaceInStrings("DATA", m_data);
    args.replaceInStrings("TMP", str(m_dir));
    {
        QFile config(str(m_dir / "badk.json"));
        QVERIFY(config.open(QIODevice::WriteOnly));
        config.write(R"({"clustersPerLayer": {"/no/such/Conv": 8}})");
    }
    const CliResult r = lnscope::test::runCli(QStringList{"report"} + args, m_dir);
    QCOMPARE(r.exitCode, exitCode);
    QVERIFY2(r.err.contains(expected), qPrintable(r.err));
    // One message (Qt may add its own environment notes), no report.
    if (exitCode == 1)
        QVERIFY2(r.err.count(QRegularExpression("^lnscope-cli", QRegularExpression::MultilineOption)) == 1, qPrintable(r.err));
    QVERIFY(!fs::exists(m_dir / "r.pdf"));
}

QTEST_GUILESS_MAIN(TestCliReport)
#include "test_cli_report.moc"
