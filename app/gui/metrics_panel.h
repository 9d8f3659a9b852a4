#pragma once
// The workbench window's Metrics panel: float vs converted for every open model — compression
// ratio, mIoU with per-class IoU and pixel agreement (segmentation), Car BEV AP (stereo 3-D),
// output SQNR — each headline metric with a badge against its tolerance (✔ within, ✖ outside,
// – unknown). Shows what the Workbench's results say; computes nothing itself (the summaries come
// from core::summarize).
//
// Threading: GUI thread.

#include <QLabel>

namespace lnscope::app {

class Workbench;

/// A share in [0, 1] as a percentage with two decimals, "–" for NaN (the metrics and the frame list).
QString percentText(double share);

class MetricsPanel : public QLabel
{
    Q_OBJECT
public:
    explicit MetricsPanel(QWidget* parent = nullptr);

    /// Shows the current results of `workbench`.
    void refresh(const Workbench& workbench);
};

} // namespace lnscope::app
