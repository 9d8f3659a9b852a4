#include "frame_compute.h"

#include "lnscope/core/det_metrics.h"
#include "lnscope/core/executor.h"
#include "lnscope/core/seg_metrics.h"

#include <QString>

namespace lnscope::app {

widgets::SegFrameData computeSegFrame(const FrameModel& model, const core::Frame& frame, int threads)
{
    const core::TaskAdapter& task = core::adapterFor(model.adapter);
    const core::TensorMap in = task.makeInputs(model.adapter, frame);
    const core::Executor exec(*model.graph, core::ExecOptions{threads});
    widgets::SegFrameData d;
    d.floatPrediction = std::get<core::SegPrediction>(task.interpret(model.adapter, exec.run(in), frame));
    d.convertedPrediction = std::get<core::SegPrediction>(task.interpret(model.adapter, model.emulator->run(in), frame));
    d.image = QImage(QString::fromStdString(frame.leftImage.string()));
    d.classes = model.adapter.segmentation.classes;
    d.difference = core::differenceMap(d.floatPrediction, d.convertedPrediction);
    if (frame.hasSemantic()) {
        d.groundTruth = frame.semanticLabels();
        d.errors = core::errorMap(d.floatPrediction, d.convertedPrediction, *d.groundTruth);
    }
    return d;
}

widgets::BoxFrameData computeBoxFrame(const FrameModel& model, const core::Frame& frame, int threads)
{
    const core::TaskAdapter& task = core::adapterFor(model.adapter);
    const core::TensorMap in = task.makeInputs(model.adapter, frame);
    const core::Executor exec(*model.graph, core::ExecOptions{threads});
    widgets::BoxFrameData d;
    widgets::BevData& b = d.bev;
    b.floatBoxes = std::get<std::vector<core::KittiObject>>(task.interpret(model.adapter, exec.run(in), frame));
    b.convertedBoxes = std::get<std::vector<core::KittiObject>>(task.interpret(model.adapter, model.emulator->run(in), frame));
    if (frame.hasLabels())
        b.groundTruth = frame.labels();
    b.matching = core::matchBoxes(b.floatBoxes, b.convertedBoxes, 0.1);
    d.image = QImage(QString::fromStdString(frame.leftImage.string()));
    if (frame.hasCalib())
        d.calib = frame.calib();
    return d;
}

} // namespace lnscope::app
