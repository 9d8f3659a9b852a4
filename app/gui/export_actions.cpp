#include "export_actions.h"

#include "workbench.h"

#include <QApplication>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QInputDialog>
#include <QMessageBox>
#include <QSettings>
#include <QWidget>

namespace lnscope::app {

ExportActions::ExportActions(Workbench* workbench, QWidget* dialogParent)
    : QObject(dialogParent), m_workbench(workbench), m_parent(dialogParent)
{
    // The export's job threw (a file that cannot be written, …; a cancel is not a failure).
    connect(m_workbench->runner(), &widgets::JobRunner::failed, this, [this](int generation, const QString& why) {
        if (generation == m_generation)
            emit exportFailed(m_title, why);
    });
}

void ExportActions::reportDialog()
{
    if (!m_workbench->slot(Workbench::Segmentation).isOpen() && !m_workbench->slot(Workbench::Stereo).isOpen()) {
        QMessageBox::information(m_parent, tr("Export report"), tr("Open a model first."));
        return;
    }
    QSettings settings;
    QString selected;
    QString path = QFileDialog::getSaveFileName(m_parent, tr("Export report"),
                                                QDir(settings.value("exportDir", QDir::homePath()).toString()).filePath("lnscope-report.pdf"),
                                                tr("PDF report (*.pdf);;HTML report (*.html)"), &selected);
    if (path.isEmpty())
        return;
    if (QFileInfo(path).suffix().isEmpty())
        path += selected.contains(QStringLiteral("html")) ? QStringLiteral(".html") : QStringLiteral(".pdf");
    if (!isReportExtension(path.toStdString())) {
        QMessageBox::warning(m_parent, tr("Export report"), tr("%1: a report is a .pdf or an .html file").arg(path));
        return;
    }
    settings.setValue("exportDir", QFileInfo(path).absolutePath());
    ReportOptions options;
    options.out = path.toStdString();
    options.version = QApplication::applicationVersion();
    startReport(options);
}

void ExportActions::startReport(const ReportOptions& options)
{
    const QString path = QString::fromStdString(options.out.string());
    m_workbench->convertAll(); // the report shows the results of the current settings
    m_workbench->runTask([this, options, path] {
        m_title = tr("Export report");
        // Collected and written on the worker; the GUI thread only records the views, one figure
        // per event-loop turn (report_figures.h). Progress: the numbers, then the drawing.
        m_generation = m_workbench->runner()->run<int>(
            tr("Writing the report %1").arg(QFileInfo(path).fileName()),
            [input = m_workbench->exportInput(), options](core::Progress& p) {
                core::ScaledProgress collecting(&p, 0.0, 0.5), writing(&p, 0.5, 1.0);
                const ReportData data = collectReportData(input, options, &collecting);
                writeReport(data, options, &writing);
                return 0;
            },
            [this, path](int) { emit message(tr("Wrote %1").arg(path)); });
    });
}

void ExportActions::videoDialog()
{
    if (!m_workbench->dataset()) {
        QMessageBox::information(m_parent, tr("Export video"), tr("Open a dataset first: the video shows its frames."));
        return;
    }
    QSettings settings;
    QString selected;
    QString path = QFileDialog::getSaveFileName(m_parent, tr("Export video"),
                                                QDir(settings.value("exportDir", QDir::homePath()).toString()).filePath("lnscope-comparison.mp4"),
                                                tr("MPEG-4 video (*.mp4);;Motion JPEG AVI (*.avi)"), &selected);
    if (path.isEmpty())
        return;
    if (QFileInfo(path).suffix().isEmpty())
        path += selected.contains(QStringLiteral("avi")) ? QStringLiteral(".avi") : QStringLiteral(".mp4");
    bool ok = false;
    const double fps = QInputDialog::getDouble(m_parent, tr("Export video"), tr("Frames per second:"),
                                               settings.value("videoFps", 4.0).toDouble(), 0.5, 60.0, 1, &ok);
    if (!ok)
        return;
    settings.setValue("exportDir", QFileInfo(path).absolutePath());
    settings.setValue("videoFps", fps);
    VideoOptions options;
    options.out = path.toStdString();
    options.fps = fps;
    startVideo(options);
}

void ExportActions::startVideo(const VideoOptions& options)
{
    const QString path = QString::fromStdString(options.out.string());
    m_workbench->convertAll(); // the video shows the results of the current settings
    m_workbench->runTask([this, options, path] {
        m_title = tr("Export video");
        m_generation = m_workbench->runner()->run<int>(
            tr("Writing the video %1").arg(QFileInfo(path).fileName()),
            [input = m_workbench->exportInput(), options](core::Progress& p) { return exportVideo(input, options, &p); },
            [this, path](int frames) { emit message(tr("Wrote %1 (%2 frames)").arg(path).arg(frames)); });
    });
}

} // namespace lnscope::app
