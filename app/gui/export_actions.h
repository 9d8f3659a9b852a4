#pragma once
// File → Export report… / Export video…: asks for the file (and the frame rate), brings the
// document up to date (Workbench::convertAll(): the export shows the current settings' results),
// then runs the export on the document's runner after those jobs — so it has the window's
// progress bar and Cancel — and reports what went wrong (exportFailed; the window shows it in a
// message box). The report is collected and written on the worker (only its views are recorded
// on the GUI thread, one at a time: report_builder.h); the video is written entirely on the worker
// (video_exporter.h).

#include "report_builder.h"
#include "video_exporter.h"

#include <QObject>

class QWidget;

namespace lnscope::app {

class Workbench;

class ExportActions : public QObject
{
    Q_OBJECT
public:
    /// `dialogParent` (also the QObject parent) owns the dialogs and message boxes.
    ExportActions(Workbench* workbench, QWidget* dialogParent);

    void reportDialog();
    void videoDialog();
    /// Queue the export behind the document's jobs (no dialog).
    void startReport(const ReportOptions& options);
    void startVideo(const VideoOptions& options);

signals:
    void message(const QString& text); ///< "Wrote …", for the status bar
    /// The export failed: `why` names the file and the reason.
    void exportFailed(const QString& title, const QString& why);

private:
    Workbench* m_workbench;
    QWidget* m_parent;
    int m_generation = -1; ///< the runner's job of the running export
    QString m_title;       ///< "Export report" / "Export video", for the error box
};

} // namespace lnscope::app
