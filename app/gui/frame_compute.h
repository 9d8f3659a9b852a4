#pragma once
// The comparison of one frame: both networks run on it, their outputs interpreted by the task
// adapters and compared. Pure functions of their inputs (thread-safe; run on a worker), shared by
// the workbench (the current frame), the report and the comparison video.

#include "lnscope/core/dataset.h"
#include "lnscope/core/graph.h"
#include "lnscope/core/lns_emulator.h"
#include "lnscope/core/task_adapter.h"
#include "lnscope/widgets/box_frame.h"
#include "lnscope/widgets/seg_comparison_view.h"

#include <optional>

namespace lnscope::app {

/// A model and its converted emulator, as the frame computation needs them.
struct FrameModel
{
    std::shared_ptr<const core::Graph> graph;
    std::shared_ptr<const core::LnsEmulator> emulator;
    core::AdapterConfig adapter;
    /// True when the model is open, converted and its adapter's task is `task`.
    bool ready(const char* task) const { return graph && emulator && adapter.task == task; }
};

/// Segmentation comparison of `frame` (float vs converted, difference map, ground truth and error
/// map when the frame has labels). Requires model.ready("segmentation"). Throws the core errors.
widgets::SegFrameData computeSegFrame(const FrameModel& model, const core::Frame& frame, int threads);

/// Box comparison of `frame` (float vs converted boxes matched, ground truth when the frame has
/// labels, the camera image and calibration). Requires model.ready("stereo3d").
widgets::BoxFrameData computeBoxFrame(const FrameModel& model, const core::Frame& frame, int threads);

} // namespace lnscope::app
