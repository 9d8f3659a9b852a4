#pragma once
// The words and figures of an evaluation (evaluation.h) as `lnscope-cli evaluate` prints them, for
// every writer that shows them (the CLI's table, the report): one formatting, so a figure reads
// the same wherever it appears. Percentages: 100·value with two decimals ("79.72"); dB: one
// decimal, "exact" for +∞; "-" where a value is undefined (NaN).
//
// Threading: pure functions of their arguments.

#include "lnscope/core/evaluation.h"

#include <string>
#include <vector>

namespace lnscope::core {

/// printf("%.*f") of value.
std::string formatFixedText(double value, int decimals);
/// "79.72" for 0.79723; "-" for NaN.
std::string formatPercentText(double fraction);
/// "15.4"; "exact" for +∞; "-" for NaN.
std::string formatDbText(double db);

/// One line of the float-vs-converted metric table.
struct MetricRow
{
    std::string name;       ///< "mIoU %", "  IoU road %", "Car BEV AP|R40 @0.5 %"
    std::string floatText, convertedText, deltaText;
    bool perClass = false;  ///< a per-class IoU line (indented under mIoU)
};

/// The metric table of `lnscope-cli evaluate`: segmentation mIoU and per-class IoU (with labels),
/// stereo3d Car BEV AP|R40 at IoU 0.5 and 0.7 and Car 3-D AP|R40 at 0.5 (Moderate), float,
/// converted and converted − float. Empty when the counts have neither.
std::vector<MetricRow> metricRows(const EvaluationCounts& counts, const EvaluationMetrics& metrics);

/// The lines under that table: pixel agreement and mIoU converted vs float, the box matching, the
/// output SQNR, the frame of most disagreement — each as `evaluate` prints it, without newlines.
std::vector<std::string> metricNotes(const EvaluationCounts& counts, const EvaluationMetrics& metrics);

/// Indices into counts.frameList, the frame where float and converted disagree most first (the
/// rule of summarize()'s worstFrame: lowest pixel agreement; for stereo3d most boxes found by one
/// network only; else lowest output SQNR). Frames without a defined figure are left out; ties
/// keep list order.
std::vector<size_t> framesByDisagreement(const EvaluationCounts& counts);

} // namespace lnscope::core
