#pragma once
// Float vs converted on a dataset (issue "Evaluation at scale"): one pass over the frames runs the
// float model and, when given, the converted model on the emulated LNS executor; the task adapter
// turns both outputs into results, and the task metrics accumulate:
//   segmentation  mIoU of each network against the labels (SegConfusion), pixel agreement and
//                 mIoU of converted vs float (PixelAgreementAccumulator, on labelled pixels);
//   stereo3d      KITTI AP of each network (DetAccumulator) and float/converted box matching
//                 (matched pairs with centre, size, heading and score deltas; boxes found by one);
//   every task    agreement of the raw model outputs (SQNR over all outputs and frames).
// Everything accumulated is an additive count (EvaluationCounts), so a dataset can be split into
// shards (shardIndices), evaluated as separate jobs and merged (EvaluationCounts::merge, or
// `lnscope-cli merge` on their JSON) into exactly the metrics of one pass. Per-frame summaries are
// kept for navigation (the frame where the networks disagree most).
//
// Threading: evaluateDataset() runs frames in order on the calling thread; each model run uses up
// to `threads` workers. Results are plain values.

#include "lnscope/core/dataset.h"
#include "lnscope/core/det_metrics.h"
#include "lnscope/core/executor.h"
#include "lnscope/core/json.h"
#include "lnscope/core/lns_emulator.h"
#include "lnscope/core/progress.h"
#include "lnscope/core/seg_metrics.h"
#include "lnscope/core/task_adapter.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace lnscope::core {

/// One frame, for lists and navigation. NaN where a value does not apply.
struct FrameSummary
{
    std::string id;
    double outputSqnrDb = 0.0;       ///< converted vs float over all float outputs (NaN without converted)
    double pixelAgreement = 0.0;     ///< segmentation: share of labelled pixels where the argmaxes agree
    double floatPixelAccuracy = 0.0; ///< segmentation: float vs labels
    double convertedPixelAccuracy = 0.0;
    int64_t floatBoxes = 0, convertedBoxes = 0, groundTruthBoxes = 0; ///< stereo3d
    int64_t matchedBoxes = 0, onlyFloat = 0, onlyConverted = 0;       ///< stereo3d, float vs converted
    bool operator==(const FrameSummary&) const = default;
};

/// Additive sums of a float-vs-converted box matching (det_metrics.h matchBoxes).
struct BoxDeltaSums
{
    int64_t pairs = 0, onlyFloat = 0, onlyConverted = 0;
    double centre = 0, absDh = 0, absDw = 0, absDl = 0, absHeading = 0, absScore = 0; ///< Σ over pairs
    bool operator==(const BoxDeltaSums&) const = default;
};

/// Additive sums of an output comparison (SQNR = 10·log10(xx / ee)).
struct OutputSums
{
    int64_t count = 0;
    double xx = 0, ee = 0, maxAbs = 0;
    bool operator==(const OutputSums&) const = default;
};

struct EvaluationCounts
{
    std::string task;            ///< the adapter's task
    bool hasConverted = false;   ///< a converted model took part
    int64_t frames = 0;
    std::optional<SegConfusion> segFloat, segConverted;   ///< vs labels (segmentation with labels)
    std::optional<PixelAgreementAccumulator> segAgreement; ///< converted vs float (segmentation)
    std::optional<DetAccumulator> detFloat, detConverted;  ///< vs labels (stereo3d with labels)
    BoxDeltaSums boxes;          ///< float vs converted (stereo3d)
    OutputSums outputs;          ///< converted vs float, all float outputs
    std::vector<FrameSummary> frameList;

    /// Adds another shard. Throws FormatError when task, hasConverted or the accumulators' shapes
    /// differ, or when a frame id appears in both.
    void merge(const EvaluationCounts& other);
    /// {"kind":"lnscope_evaluation_counts","version":1,...}; fromJson is strict (FormatError).
    JsonValue toJson() const;
    static EvaluationCounts fromJson(const JsonValue& json);
    bool operator==(const EvaluationCounts&) const = default;
};

/// Headline metrics from the counts (NaN where undefined or not applicable).
struct EvaluationMetrics
{
    int64_t frames = 0;
    double floatMiou = 0, convertedMiou = 0;      ///< segmentation vs labels, in [0, 1]
    std::vector<std::string> classNames;          ///< segmentation
    std::vector<double> floatClassIou, convertedClassIou; ///< NaN for absent classes
    double pixelAgreement = 0, miouConvertedVsFloat = 0;
    double floatCarBevAp50 = 0, convertedCarBevAp50 = 0; ///< AP|R40, Car, Moderate, IoU 0.5 (loose table)
    double floatCarBevAp70 = 0, convertedCarBevAp70 = 0; ///< AP|R40, Car, Moderate, IoU 0.7 (strict table)
    double floatCar3dAp50 = 0, convertedCar3dAp50 = 0;
    std::vector<DetApResult> floatAp, convertedAp; ///< every cell
    BoxDeltaSums boxes;
    double outputSqnrDb = 0;
    int worstFrame = -1; ///< index into frameList of the frame where the networks disagree most
};
EvaluationMetrics summarize(const EvaluationCounts& counts, const std::vector<ClassInfo>& classes = {});

/// Evaluates frames `frameIndices` of `dataset` (all when empty) with `model` under `adapter`
/// (bound to the model, bindAdapter) and, when `converted` is given, the converted model. Labels
/// are used when the dataset has them. `floatOutputs` names model outputs that the converted run
/// takes from the float run instead (a diagnosis: how much of the converted metrics' loss comes
/// from the other outputs); a name that is not an output is a FormatError. Throws what the
/// adapter, the loaders and the executors throw (naming the frame), Cancelled when progress is
/// cancelled.
EvaluationCounts evaluateDataset(const Graph& model, const AdapterConfig& adapter, const LnsEmulator* converted,
                                 const Dataset& dataset, const std::vector<size_t>& frameIndices, int threads,
                                 Progress* progress = nullptr, const std::vector<std::string>& floatOutputs = {});

} // namespace lnscope::core
