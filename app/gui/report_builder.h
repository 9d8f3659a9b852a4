#pragma once
// The conversion report (File → Export report, `lnscope-cli report`): a PDF (A4, vector charts,
// page numbers) or a self-contained HTML file (images embedded as data: URIs) with, for each open
// model slot: the model summary (file, SHA-256, inputs, outputs, parameters), the conversion
// settings, the storage of every stage with every term named and the memory charts, the float vs
// converted metrics as `lnscope-cli evaluate` prints them (per-class deltas, KITTI AP|R40 by
// difficulty), the per-layer SQNR chart and table, the frames where the networks disagree most
// with their difference maps and bird's-eye views, and the centroid plots of the most compressed
// layers; the tool version and the date.
//
// Two steps, both off the GUI thread:
//   collectReportData()  the numbers: plain values only (runs the frames, builds the plots);
//   writeReport()        lays the report out (report_blocks.h) and draws it, as PDF (report_pdf.h)
//                        or HTML (report_html.h). The charts are drawn by the views themselves
//                        (MemoryBudgetView, SqnrChartView, CentroidView, SegComparisonView's panes,
//                        BevView::paint) — no second drawing code. The widget views are recorded
//                        on the GUI thread one figure at a time and replayed on the writer's
//                        thread (report_figures.h), so that the GUI thread never waits for the
//                        report: only for one view's layout and recording at a time.

#include "workbench.h"

#include "lnscope/core/centroid_plot.h"
#include "lnscope/core/evaluation.h"
#include "lnscope/core/model_info.h"
#include "lnscope/core/progress.h"
#include "lnscope/widgets/box_frame.h"
#include "lnscope/widgets/seg_comparison_view.h"

#include <QDateTime>
#include <QString>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace lnscope::app {

struct ReportOptions
{
    std::filesystem::path out; ///< .pdf or .html, by extension (case-insensitive)
    int disagreeFrames = 3;    ///< frames shown per model, most disagreement first (0: none)
    int centroidLayers = 3;    ///< centroid plots per model, most compressed layers first (0: none)
    QString version;           ///< tool version printed in the report
};

/// One frame where float and converted disagree, computed for the views.
struct ReportFrame
{
    std::string id;
    std::string summary; ///< "pixel agreement 91.32 %", "2 only float, 1 only converted", …
    std::optional<widgets::SegFrameData> seg;
    std::optional<widgets::BoxFrameData> boxes;
};

/// Everything the report shows of one model slot. Plain values.
struct ReportModel
{
    QString slotName;            ///< "segmentation", "stereo 3-D"
    std::filesystem::path modelPath, adapterPath;
    std::string sha256;          ///< of the model file, hex
    std::string task;            ///< the adapter's task
    core::ModelInfo info;
    std::optional<core::ConversionReport> report;
    std::optional<core::EvaluationCounts> evaluation;
    std::optional<core::EvaluationMetrics> metrics;
    std::vector<core::ClassInfo> classes; ///< segmentation class names and colours
    std::vector<std::string> conversionNotes;
    std::vector<ReportFrame> frames;           ///< most disagreement first
    std::vector<core::CentroidPlot> centroids; ///< most compressed first
    std::vector<std::string> problems;         ///< what could not be shown and why
};

struct ReportData
{
    QString version;
    QDateTime created;
    core::ConversionConfig config;
    int calibrationFrames = 0;
    std::filesystem::path datasetRoot; ///< empty without a dataset
    size_t datasetFrames = 0;
    std::vector<ReportModel> models;   ///< the open slots: segmentation, then stereo 3-D
    std::vector<QString> missingSlots; ///< names of slots with no model
};

/// Worker thread: computes what the report shows — the frames where float and converted disagree
/// most (core::framesByDisagreement over each slot's evaluation, computed with frame_compute.h),
/// the centroid plots of the most compressed layers (lowest stored bits per weight), the model
/// summaries and file hashes. Reports progress on `progress` (may be null); throws core::Cancelled
/// when it is cancelled, the core errors (naming the file) when a model or frame cannot be read.
ReportData collectReportData(const ExportInput& input, const ReportOptions& options, core::Progress* progress);

/// Writes options.out as PDF or HTML by its extension, atomically (a temporary file renamed over
/// it). Any thread, in a QApplication: called on the GUI thread it draws every figure at once;
/// called on another thread (the window's job runner), it asks the GUI thread — whose event loop
/// must be running — for one view recording at a time and does everything else itself.
/// Progress (may be null): the figures ("figure 3 of 9"), then the pages ("page 2 of 12").
/// Throws core::Cancelled when `progress` is cancelled (nothing is written), core::IoError naming
/// the file when it cannot be written or the extension is neither.
void writeReport(const ReportData& data, const ReportOptions& options, core::Progress* progress = nullptr);

/// ".pdf" / ".html" / ".htm" (any case): true. The CLI checks this before it starts.
bool isReportExtension(const std::filesystem::path& out);

} // namespace lnscope::app
