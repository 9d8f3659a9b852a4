#pragma once
// One frame of the comparison video (video_exporter.h): its layout, its panels (the views' own
// painting: seg_images.h, CameraBoxView::paint, BevView::paint) and the running figures in its
// footer. Drawing only — the file is video_exporter.cpp's. Paints on QImages: any thread.

#include "lnscope/core/dataset.h"
#include "lnscope/core/seg_metrics.h"
#include "lnscope/widgets/bev_transform.h"
#include "lnscope/widgets/box_frame.h"
#include "lnscope/widgets/seg_comparison_view.h"

#include <QImage>
#include <QRect>
#include <QSize>
#include <QString>

#include <cmath>
#include <cstdint>
#include <optional>

namespace lnscope::app::video {

/// Figures over the frames written so far (core's accumulators, as the evaluation).
struct RunningFigures
{
    int frames = 0;
    std::optional<core::SegConfusion> segFloat, segConverted;
    std::optional<core::PixelAgreementAccumulator> agreement;
    int64_t pairs = 0, onlyFloat = 0, onlyConverted = 0;
    double centreSum = 0;

    /// Adds a frame's segmentation; returns its pixel agreement (NaN when nothing was compared).
    double addSeg(const widgets::SegFrameData& d);
    /// Adds a frame's box matching.
    void addBoxes(const widgets::BoxFrameData& d);
};

/// What one video frame shows.
struct FrameContent
{
    QString id;
    int number = 0, count = 0; ///< 1-based frame number, of count
    std::optional<widgets::SegFrameData> seg;
    std::optional<widgets::BoxFrameData> boxes;
    double frameAgreement = NAN;
};

/// Where everything goes in a video frame (pixels); panels that a model does not need are empty.
struct Layout
{
    QSize frame;
    QRect header, footer;
    QRect segTitle, segTop, segBottom;
    QRect boxTitle, boxTop, boxBottom;
    QRect sideTitle, side; ///< BEV (with a stereo model), or difference + errors (segmentation only)
    QRect sideTop, sideBottom;
    int footerLines = 0;
};

/// The layout for camera images of `image` pixels with the segmentation and / or the stereo column
/// (even width and height, as video encoders want).
Layout makeLayout(QSize image, bool seg, bool boxes);

/// Draws video frames of one video.
class FramePainter
{
public:
    /// `models`: the model names for the header. With boxes, the bird's-eye view is framed once
    /// for the whole video on the ground truth of the first `frames` frames of `dataset`.
    FramePainter(QSize imageSize, bool seg, bool boxes, const QString& models, const core::Dataset& dataset,
                 size_t frames);

    /// The size of every frame (pixels, even).
    QSize frameSize() const { return m_layout.frame; }
    const Layout& layout() const { return m_layout; }

    /// Draws one frame into `image` (frameSize(), RGB32).
    void paint(QImage& image, const FrameContent& content, const RunningFigures& running) const;

private:
    void paintHeader(QPainter& painter, const FrameContent& c) const;
    void paintSeg(QPainter& painter, const widgets::SegFrameData& d) const;
    void paintBoxes(QPainter& painter, const widgets::BoxFrameData& d) const;
    void paintFooter(QPainter& painter, const FrameContent& c, const RunningFigures& running) const;

    Layout m_layout;
    QString m_models;
    widgets::BevTransform m_bevTransform;
};

} // namespace lnscope::app::video
