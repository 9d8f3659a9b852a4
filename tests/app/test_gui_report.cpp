// File → Export report in the window (issue 6 follow-up): the report is drawn and written off the
// GUI thread — only the views' recording, one figure at a time, runs there — so the event loop
// stays responsive while a report is written; the export keeps its progress (through the
// writing, not only the collecting) and Cancel (a cancelled report leaves no file). The same
// writer called on the GUI thread (lnscope-export) and on a worker thread gives the same pages.
// On both demo models and a two-frame copy of the dataset.
#include "export_actions.h"
#include "gui_test_data.h"
#include "report_builder.h"
#include "workbench.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTest>
#include <QTimer>
#include <QtConcurrent/QtConcurrentRun>

#include <algorithm>
#include <cmath>
#include <filesystem>

using lnscope::app::ExportActions;
using lnscope::app::ReportOptions;
using lnscope::app::Workbench;
namespace fs = std::filesystem;

namespace {

QString str(const fs::path& p)
{
    return QString::fromStdString(p.string());
}

/// Runs a poppler tool; "" when it fails or is missing.
QString poppler(const QString& tool, const QStringList& args)
{
    if (QStandardPaths::findExecutable(tool).isEmpty())
        return {};
    QProcess p;
    p.start(tool, args);
    if (!p.waitForFinished(60000) || p.exitCode() != 0)
        return {};
    return QString::fromUtf8(p.readAllStandardOutput());
}

int pdfPages(const fs::path& pdf)
{
    const QRegularExpressionMatch m = QRegularExpression("Pages:\\s+(\\d+)").match(poppler("pdfinfo", {str(pdf)}));
    return m.hasMatch() ? m.captured(1).toInt() : -1;
}

/// Gaps between the ticks of a 10 ms timer on the GUI thread while it runs.
class LatencyProbe
{
public:
    LatencyProbe()
    {
        QObject::connect(&m_tick, &QTimer::timeout, [this] {
            const qint64 now = m_clock.elapsed();
            m_gaps.push_back(now - m_last);
            m_last = now;
        });
        m_clock.start();
        m_tick.start(10);
    }
    void stop() { m_tick.stop(); }
    qint64 max() const { return m_gaps.empty() ? 0 : *std::max_element(m_gaps.begin(), m_gaps.end()); }
    qint64 percentile(int p) const
    {
        if (m_gaps.empty())
            return 0;
        std::vector<qint64> sorted = m_gaps;
        std::sort(sorted.begin(), sorted.end());
        return sorted[sorted.size() * size_t(p) / 100];
    }
    size_t ticks() const { return m_gaps.size(); }

private:
    QTimer m_tick;
    QElapsedTimer m_clock;
    qint64 m_last = 0;
    std::vector<qint64> m_gaps;
};

} // namespace

class TestGuiReport : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void writesThePdfWhileTheEventLoopStaysResponsive();
    void cancelWhileWritingLeavesNoFile();
    void writerRunsOnAWorkerThread();
    void centroidPagesRasterizeWithoutErrors();
    void cleanupTestCase();

private:
    std::unique_ptr<Workbench> m_wb;
    fs::path m_dataset, m_out;
};

void TestGuiReport::initTestCase()
{
    QCoreApplication::setOrganizationName(QStringLiteral("LNScopeTest"));
    m_out = lnscope::test::makeTempDir("lnscope-gui-report");
    m_dataset = lnscope::test::makeSmallDataset("lnscope-gui-report-data", 0, 2);
    m_wb = std::make_unique<Workbench>();
    lnscope::test::openDemoModels(*m_wb, m_dataset);
    lnscope::test::useQuickSettings(*m_wb);
    QSignalSpy failed(m_wb->runner(), &lnscope::widgets::JobRunner::failed);
    m_wb->convertAll();
    QTRY_VERIFY_WITH_TIMEOUT(!m_wb->busy(), 300000);
    QVERIFY(failed.isEmpty());
    QVERIFY(m_wb->slot(Workbench::Segmentation).evaluation && m_wb->slot(Workbench::Stereo).evaluation);
}

void TestGuiReport::cleanupTestCase()
{
    m_wb.reset();
    std::error_code ignored;
    fs::remove_all(m_dataset, ignored);
    if (!QTest::currentTestFailed())
        fs::remove_all(m_out, ignored);
}

void TestGuiReport::writesThePdfWhileTheEventLoopStaysResponsive()
{
    ExportActions exports(m_wb.get(), nullptr);
    QSignalSpy failed(&exports, &ExportActions::exportFailed);
    QSignalSpy wrote(&exports, &ExportActions::message);
    QStringList stages;
    std::vector<double> fractions;
    const auto c = connect(m_wb->runner(), &lnscope::widgets::JobRunner::progress, this,
                           [&](double fraction, const QString& stage, double) {
                               fractions.push_back(fraction);
                               stages << stage;
                           });
    ReportOptions options;
    options.out = m_out / "report.pdf";
    options.disagreeFrames = 2;
    options.centroidLayers = 2;
    LatencyProbe probe;
    exports.startReport(options);
    QTRY_VERIFY_WITH_TIMEOUT(wrote.count() == 1 || !failed.isEmpty(), 300000);
    probe.stop();
    disconnect(c);
    QVERIFY2(failed.isEmpty(), failed.isEmpty() ? "" : qPrintable(failed.first().at(1).toString()));
    qInfo("event loop while the report was written: %zu ticks, 95th percentile gap %lld ms, max %lld ms",
          probe.ticks(), probe.percentile(95), probe.max());
    // The GUI thread only records one view at a time: it never stops for long.
    QVERIFY2(probe.percentile(95) < 50, qPrintable(QString("95th percentile gap %1 ms").arg(probe.percentile(95))));
    QVERIFY2(probe.max() < 100, qPrintable(QString("longest gap %1 ms").arg(probe.max())));

    // Progress goes on while the pages are drawn, and only forwards.
    QVERIFY2(stages.filter(QRegularExpression("^figure \\d+ of \\d+")).size() >= 3, qPrintable(stages.join(" | ")));
    QVERIFY2(std::is_sorted(fractions.begin(), fractions.end()), "progress went backwards");

    QFile file(str(options.out));
    QVERIFY(file.open(QIODevice::ReadOnly));
    QVERIFY(file.read(5) == "%PDF-");
    QVERIFY(fs::file_size(options.out) > 50000);
    const int pages = pdfPages(options.out);
    if (pages >= 0)
        QVERIFY2(pages >= 8, qPrintable(QString("%1 pages").arg(pages)));
    QTRY_VERIFY(!m_wb->busy());
}

void TestGuiReport::cancelWhileWritingLeavesNoFile()
{
    ExportActions exports(m_wb.get(), nullptr);
    QSignalSpy failed(&exports, &ExportActions::exportFailed);
    QSignalSpy wrote(&exports, &ExportActions::message);
    QSignalSpy cancelled(m_wb->runner(), &lnscope::widgets::JobRunner::cancelled);
    bool drawing = false;
    const auto c = connect(m_wb->runner(), &lnscope::widgets::JobRunner::progress, this,
                           [&](double, const QString& stage, double) {
                               if (stage.startsWith(QStringLiteral("figure ")))
                                   drawing = true;
                           });
    ReportOptions options;
    options.out = m_out / "cancelled.pdf";
    options.disagreeFrames = 2;
    options.centroidLayers = 3;
    exports.startReport(options);
    QTRY_VERIFY_WITH_TIMEOUT(drawing || wrote.count() > 0, 300000);
    disconnect(c);
    QVERIFY2(wrote.isEmpty(), "the report was written before the test could cancel it");
    m_wb->cancel();
    QTRY_VERIFY_WITH_TIMEOUT(cancelled.count() == 1, 60000);
    QTRY_VERIFY(!m_wb->busy());
    QVERIFY(failed.isEmpty());
    QVERIFY(wrote.isEmpty());
    QVERIFY(!fs::exists(options.out));
    for (const auto& e : fs::directory_iterator(m_out))
        QVERIFY2(!e.path().filename().string().starts_with("cancelled"), e.path().c_str());
}

void TestGuiReport::writerRunsOnAWorkerThread()
{
    // What lnscope-export does on its main thread, and the window on a worker: the same pages.
    ReportOptions options;
    options.disagreeFrames = 1;
    options.centroidLayers = 1;
    options.version = QStringLiteral("9.9");
    const lnscope::app::ExportInput input = m_wb->exportInput();
    const lnscope::app::ReportData data = lnscope::app::collectReportData(input, options, nullptr);
    options.out = m_out / "gui-thread.pdf";
    lnscope::app::writeReport(data, options, nullptr);
    QVERIFY(fs::exists(options.out));

    ReportOptions worker = options;
    worker.out = m_out / "worker.pdf";
    QFuture<QString> done = QtConcurrent::run([data, worker] {
        try {
            lnscope::app::writeReport(data, worker, nullptr);
            return QString();
        } catch (const std::exception& e) {
            return QString::fromUtf8(e.what());
        }
    });
    // The views are recorded on this thread while the worker waits: keep the event loop running.
    QTRY_VERIFY_WITH_TIMEOUT(done.isFinished(), 120000);
    QVERIFY2(done.result().isEmpty(), qPrintable(done.result()));
    QVERIFY(fs::exists(worker.out));
    const int pages = pdfPages(options.out);
    QCOMPARE(pdfPages(worker.out), pages);
    if (pages < 0)
        QSKIP("pdfinfo (poppler-utils) is not installed");
    QVERIFY(pages >= 6);
    const QString a = poppler("pdftotext", {str(options.out), "-"});
    const QString b = poppler("pdftotext", {str(worker.out), "-"});
    QVERIFY(!a.isEmpty());
    QCOMPARE(b, a);
    // The figures show the plots, not the views' controls.
    for (const char* control : {"Stage:", "Overlay on image", "Difference:"})
        QVERIFY2(!a.contains(QLatin1String(control)), control);

    // The HTML writer, on a worker too: every figure embedded.
    ReportOptions html = options;
    html.out = m_out / "worker.html";
    QFuture<QString> htmlDone = QtConcurrent::run([data, html] {
        try {
            lnscope::app::writeReport(data, html, nullptr);
            return QString();
        } catch (const std::exception& e) {
            return QString::fromUtf8(e.what());
        }
    });
    QTRY_VERIFY_WITH_TIMEOUT(htmlDone.isFinished(), 120000);
    QVERIFY2(htmlDone.result().isEmpty(), qPrintable(htmlDone.result()));
    QFile file(str(html.out));
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QString text = QString::fromUtf8(file.readAll());
    // Per model: memory ×2, SQNR, one frame, one centroid plot.
    QCOMPARE(text.count(QStringLiteral("src=\"data:image/png;base64,")), 10);
}

void TestGuiReport::centroidPagesRasterizeWithoutErrors()
{
    // A refined layer where the refinement left two centroids where k-means put them: their links
    // would be strokes of no length, which the PDF gets as a closepath without a current point
    // ("Syntax Error: No current point in closepath" from poppler). Unmoved centroids get no link.
    if (QStandardPaths::findExecutable("pdftoppm").isEmpty())
        QSKIP("pdftoppm (poppler-utils) is not installed");
    lnscope::core::CentroidPlot plot;
    plot.node = "/enc/Conv";
    plot.d = 9;
    plot.kh = plot.kw = 3;
    plot.clusters = 4;
    plot.kernels = 40;
    for (int i = 0; i < 40; ++i) {
        plot.points.push_back({float(std::cos(i * 0.7) * (1 + i % 3)), float(std::sin(i * 1.3) * (1 + i % 2))});
        plot.pointCluster.push_back(i % 4);
    }
    plot.centroids = {{-1.0f, 0.5f}, {1.0f, 0.5f}, {-0.5f, -1.0f}, {0.8f, -0.9f}};
    plot.centroidsBefore = {{-1.0f, 0.5f}, {1.0f, 0.5f}, {-0.3f, -1.2f}, {0.6f, -0.7f}}; // two unmoved
    plot.occupancy = {10, 10, 10, 10};
    plot.byOccupancy = {0, 1, 2, 3};
    for (int i = 0; i < 36; ++i)
        plot.centroidValues.push_back(float((i % 9) - 4) / 6.0f);
    plot.explained = {0.6, 0.3};

    lnscope::app::ReportData data;
    data.version = QStringLiteral("9.9");
    data.created = QDateTime::currentDateTime();
    lnscope::app::ReportModel model;
    model.slotName = QStringLiteral("segmentation");
    model.modelPath = "model.onnx";
    model.task = "segmentation";
    model.centroids = {plot};
    data.models.push_back(model);
    ReportOptions options;
    options.out = m_out / "centroids.pdf";
    lnscope::app::writeReport(data, options);

    QProcess p;
    p.start(QStringLiteral("pdftoppm"), {"-r", "30", "-png", str(options.out), str(m_out / "centroids")});
    QVERIFY(p.waitForFinished(60000));
    QCOMPARE(p.exitCode(), 0);
    const QString errors = QString::fromUtf8(p.readAllStandardError());
    QVERIFY2(!errors.contains(QLatin1String("Error")) && !errors.contains(QLatin1String("closepath")), qPrintable(errors));
    QVERIFY(fs::exists(m_out / "centroids-2.png")); // the title page, then the centroid page
}

QTEST_MAIN(TestGuiReport)
#include "test_gui_report.moc"
