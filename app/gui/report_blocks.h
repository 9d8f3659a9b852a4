#pragma once
// What the conversion report says, in order, as blocks (report_builder.h): HTML text (the title
// page, model summaries, tables of compression, metrics and layers) and figures (report_figures.h)
// with their titles and captions. The PDF and HTML writers lay the same blocks out. Plain values:
// built and read on any thread.

#include "report_builder.h"
#include "report_figures.h"

#include <QFont>
#include <QString>

#include <vector>

namespace lnscope::app::report {

/// One piece of the report: HTML text, and a figure below it with a caption. Blocks are never
/// split, except text taller than a page (PDF).
struct Block
{
    QString html;
    FigureSpec figure; ///< not set: text only
    QString caption;   ///< HTML, under the figure
    bool newPage = false;
};

/// The whole report: the title page (models, dataset, settings), then per model its summary,
/// compression, memory charts, metrics, SQNR chart and per-layer table, the disagreeing frames and
/// the centroid plots.
std::vector<Block> reportBlocks(const ReportData& data);

/// One CSS for the PDF (QTextDocument's subset) and the HTML file.
QString reportCss();
/// The text of the report (9 pt on paper).
QFont reportFont();
/// `caption` as the paragraph under a figure ("" for none).
QString captionHtml(const QString& caption);

} // namespace lnscope::app::report
