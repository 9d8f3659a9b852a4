#pragma once
// The float-vs-converted comparison video: one video frame per dataset frame, for demos and for
// scrubbing through a conversion's effect.
//
// Layout (1720 × 520 pixels for 640 × 192 camera images; panels scale to 640 pixels wide):
//
//   header    "LNScope — float vs converted", the frame id and its number, the models
//   panels    column "segmentation": the float network's classes over the camera image on top,
//             the converted network's below; column "stereo 3-D boxes": the ground truth and the
//             float boxes projected on the camera image on top, the ground truth and the converted
//             boxes below (CameraBoxView::paint); beside them the bird's-eye view of all three
//             (BevView::paint, framed once for the whole video from the ground truth). With only a
//             segmentation model the side column shows the difference map and the errors against
//             the ground truth; with only a stereo model the segmentation column is left out.
//   footer    this frame's and the running figures: pixel agreement and mIoU (float and
//             converted, against the labels) so far; boxes matched / found by one network so far.
//
// The figures are those of core (seg_metrics.h, det_metrics.h) on the frames written so far, the
// frames are those of frame_compute.h: the same as the window's.

#include "workbench.h"

#include "lnscope/core/progress.h"

#include <filesystem>

namespace lnscope::app {

struct VideoOptions
{
    std::filesystem::path out; ///< .avi (Motion JPEG) or .mp4 (MPEG-4 part 2, "mp4v"), by extension
    double fps = 4;            ///< frames per second, > 0
    int maxFrames = 0;         ///< at most this many dataset frames, from the first; 0 = all
};

/// Worker-thread safe (paints only on QImage). Writes every dataset frame (up to maxFrames): the
/// float result on top and the converted below (segmentation overlays on the camera image; the
/// stereo boxes projected on it), the BEV beside them, the frame id and running metrics. Writes
/// to "<stem>.part<ext>" in the same folder and renames it to `out` at the end: a cancelled or
/// failed export leaves no partial file. Progress (fraction of frames written, stage = frame id)
/// and cancellation through `progress` (may be null; throws core::Cancelled).
/// Returns the number of frames written.
/// Throws core::UnsupportedError for an extension other than .avi / .mp4, fps not > 0 or an input
/// without a dataset or without a converted segmentation / stereo 3-D model; core::IoError naming
/// the file when its folder is missing or not writable, when OpenCV cannot open the writer or
/// the rename fails; and what the frame computation throws (naming the frame's file).
int exportVideo(const ExportInput& input, const VideoOptions& options, core::Progress* progress);

} // namespace lnscope::app
