#pragma once
// The report as one self-contained HTML file (report_builder.h): the blocks' text, and every
// figure embedded as a PNG (data: URI) at twice its size. Any thread.

#include "report_blocks.h"

#include "lnscope/core/progress.h"

#include <QString>

#include <vector>

namespace lnscope::app::report {

/// The HTML file of `blocks`. Progress: the figures as they are made and drawn ("figure 3 of 9");
/// throws core::Cancelled when `progress` (may be null) is cancelled.
QString htmlReport(const ReportData& data, const std::vector<Block>& blocks, core::Progress* progress);

} // namespace lnscope::app::report
