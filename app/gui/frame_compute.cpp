#include "frame_compute.h"

#include "lnscope/core/det_metrics.h"
#include "lnscope/core/executor.h"
#include "lnscope/core/seg_metrics.h"
#include "lnscope/core/stereo_points.h"

#include <QDebug>
#include <QString>

namespace lnscope::app {

namespace {

/// Scene points of the 3-D view: at most about this many (a stride over the disparity map) ...
constexpr int kMaxScenePoints = 20000;
/// ... and no farther than this, metres (disparity is too coarse to place points beyond).
constexpr double kMaxSceneRange = 80.0;

/// The frame's disparity map as points coloured from the left image (grey when the image's size
/// differs from the map's). The points are only the backdrop of the boxes: a disparity file that
/// cannot be read yields no points and a warning naming the file, never a failed frame.
std::vector<widgets::ScenePoint> scenePoints(const core::Frame& frame, const core::KittiCalib& calib,
                                             const QImage& image)
{
    std::vector<widgets::ScenePoint> points;
    try {
        const core::DisparityMap map = core::readDisparityPng(frame.disparityFile);
        const QImage rgb = image.convertToFormat(QImage::Format_RGB888);
        const core::RgbImageView colours{rgb.constBits(), rgb.width(), rgb.height(), size_t(rgb.bytesPerLine())};
        const bool coloured = !rgb.isNull() && rgb.width() == map.width && rgb.height() == map.height;
        const core::StereoPointOptions options{core::strideForMaxPoints(map.width, map.height, kMaxScenePoints),
                                               kMaxSceneRange};
        const auto stereo = core::disparityToPoints(map, calib, options, coloured ? &colours : nullptr);
        points.reserve(stereo.size());
        for (const core::StereoPoint& p : stereo)
            points.push_back({p.x, p.y, p.z, p.r, p.g, p.b});
    } catch (const core::Error& e) {
        qWarning().noquote() << QStringLiteral("no scene points for frame %1: %2")
                                    .arg(QString::fromStdString(frame.id), QString::fromUtf8(e.what()));
        points.clear();
    }
    return points;
}

} // namespace

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
    if (d.calib && !frame.disparityFile.empty())
        d.points = scenePoints(frame, *d.calib, d.image);
    return d;
}

} // namespace lnscope::app
