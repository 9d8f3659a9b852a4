// lnscope-export report (run by `lnscope-cli report`): opens the models and dataset like the
// window, converts and evaluates (prepareExport), collects what the report shows and writes it
// as PDF or HTML (report_builder.h). Progress goes to stderr.

#include "export_common.h"
#include "report_builder.h"

#include "lnscope/core/progress.h"

#include <QApplication>
#include <QElapsedTimer>

#include <cstdio>
#include <mutex>

namespace lnscope::app {

namespace {

/// Whole percents on stderr, at most one line per second (and every change of stage).
class StderrProgress : public core::Progress
{
public:
    void report(double fraction, const std::string& stage) override
    {
        const std::lock_guard<std::mutex> lock(m_mutex);
        const int percent = int(fraction * 100.0);
        if (stage == m_stage && (percent == m_percent || (m_timer.isValid() && m_timer.elapsed() < 1000)))
            return;
        m_stage = stage;
        m_percent = percent;
        m_timer.start();
        std::fprintf(stderr, "report: %3d %% %s\n", percent, stage.c_str());
    }

private:
    std::mutex m_mutex;
    std::string m_stage;
    int m_percent = -1;
    QElapsedTimer m_timer;
};

QtMessageHandler g_previousHandler = nullptr;

/// The report lays its views out in hidden top-level windows; the offscreen platform says, for
/// each, that it cannot propagate size hints — noise on a headless run, dropped.
void quietHandler(QtMsgType type, const QMessageLogContext& context, const QString& message)
{
    if (message.contains(QLatin1String("propagateSizeHints")))
        return;
    if (g_previousHandler)
        g_previousHandler(type, context, message);
}

} // namespace

int exportReportMain(const QStringList& argv)
{
    ExportArgs args(argv);
    const std::optional<QString> out = args.value(QStringLiteral("--out"));
    if (!out || out->isEmpty())
        throw ExportUsageError("missing --out FILE.pdf|FILE.html");
    ReportOptions options;
    options.out = std::filesystem::path(out->toStdString());
    if (!isReportExtension(options.out))
        throw ExportUsageError("--out: the report name must end in .pdf or .html, got '" + out->toStdString() + "'");
    options.disagreeFrames = args.intValue(QStringLiteral("--frames"), options.disagreeFrames, 0, 50);
    options.centroidLayers = args.intValue(QStringLiteral("--centroid-layers"), options.centroidLayers, 0, 50);
    options.version = QApplication::applicationVersion();
    // Refuse an impossible destination before the conversion runs for minutes.
    const std::filesystem::path folder =
        options.out.parent_path().empty() ? std::filesystem::path(".") : options.out.parent_path();
    std::error_code ec;
    if (!std::filesystem::is_directory(folder, ec))
        throw core::IoError(options.out.string() + ": cannot write the report: " + folder.string()
                            + (std::filesystem::exists(folder, ec) ? " is not a folder" : " does not exist"));

    g_previousHandler = qInstallMessageHandler(quietHandler);
    Workbench workbench;
    const ExportInput input = prepareExport(args, workbench); // refuses unknown arguments too
    args.finish();
    StderrProgress progress;
    const ReportData data = collectReportData(input, options, &progress);
    std::fprintf(stderr, "writing %s...\n", options.out.string().c_str());
    writeReport(data, options, &progress); // on this thread: no event loop to keep responsive
    std::fprintf(stdout, "Report   %s\n", options.out.string().c_str());
    return 0;
}

} // namespace lnscope::app
