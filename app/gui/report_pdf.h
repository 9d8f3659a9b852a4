#pragma once
// The report as a paginated PDF (report_builder.h): A4, vector figures, page numbers in the
// footer. Any thread (QPdfWriter and QTextDocument on the caller's thread; the figures come from
// report_figures.h).

#include "report_blocks.h"

#include "lnscope/core/progress.h"

#include <QByteArray>

#include <vector>

namespace lnscope::app::report {

/// The PDF of `blocks`. Progress: the figures as they are made ("figure 3 of 9"), then the pages
/// as they are drawn ("page 2 of 12"); throws core::Cancelled when `progress` (may be null) is
/// cancelled, core::IoError when the PDF cannot be started.
QByteArray pdfReport(const ReportData& data, const std::vector<Block>& blocks, core::Progress* progress);

} // namespace lnscope::app::report
