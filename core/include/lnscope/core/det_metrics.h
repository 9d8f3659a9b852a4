#pragma once
// 3-D detection metrics (numerics.md §4 "KITTI AP", "Float vs converted boxes"): box overlaps
// (image 2-D, bird's-eye view, 3-D), KITTI difficulty levels, average precision (AP|R40 and
// AP|R11) accumulated additively over frames and shards, and the matching of float vs converted
// detections.
//
// Frames: KITTI's rectified camera frame (kitti_io.h): x right, y down, z forward, metres.
// BEV is the camera x–z plane; a box's footprint is the rectangle (x, z, l, w, rotation_y) with
// the corners of boxCorners() 0–3 (length along the object's x axis, which rotation_y turns
// about camera y). The vertical extent of a box is [y − h, y] (y is the bottom, y points down).
// Image boxes are pixels (x1, y1, x2, y2); areas are (x2 − x1)·(y2 − y1) as in the devkit (no +1).
//
// Threading: free functions are pure; DetAccumulator is a copyable value, not thread-safe for
// concurrent mutation (one per worker, then merge()).
// Errors: documented per function; geometry functions do not throw.

#include "lnscope/core/json.h"
#include "lnscope/core/kitti_io.h"

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace lnscope::core {

// ---- geometry ------------------------------------------------------------------------------------

/// The BEV footprint (x, z) in metres, corners in the order of boxCorners() 0–3.
std::array<std::array<double, 2>, 4> bevFootprint(const KittiObject& object);

/// Area (m²) of the intersection of two BEV footprints, by Sutherland–Hodgman clipping of one
/// convex rectangle by the other: exact (up to rounding) for any angles. Boxes with l or w not
/// > 0 (or non-finite) have no footprint: 0.
double bevOverlapArea(const KittiObject& a, const KittiObject& b);

/// BEV IoU in [0, 1]: overlap / (l_a·w_a + l_b·w_b − overlap); 0 when either box is degenerate.
double bevIoU(const KittiObject& a, const KittiObject& b);

/// 3-D IoU in [0, 1]: BEV overlap × overlap of the vertical extents [y − h, y], over the union
/// volume; 0 when either box is degenerate (l, w or h not > 0).
double iou3d(const KittiObject& a, const KittiObject& b);

/// IoU of the image boxes (bbox); 0 when the union is empty.
double bboxIoU(const KittiObject& a, const KittiObject& b);

/// Angle wrapped to [−π, π] (radians).
double wrapAngle(double radians);

// ---- KITTI difficulty --------------------------------------------------------------------------

enum class KittiDifficulty { Easy, Moderate, Hard };
inline constexpr int kKittiDifficultyCount = 3;

/// The devkit's limits: Easy 40 px / occlusion 0 / truncation 0.15, Moderate 25 / 1 / 0.30,
/// Hard 25 / 2 / 0.50. Levels are cumulative (a Moderate object also counts for Hard).
struct DifficultyLimits
{
    double minHeight = 0;     ///< minimum 2-D box height y2 − y1, pixels
    int maxOcclusion = 0;     ///< occluded ≤ this
    double maxTruncation = 0; ///< truncated ≤ this
};
DifficultyLimits difficultyLimits(KittiDifficulty difficulty);
/// "easy", "moderate", "hard".
const char* difficultyName(KittiDifficulty difficulty);
/// Whether a ground-truth object is scored at this difficulty (height, occlusion, truncation).
bool meetsDifficulty(const KittiObject& groundTruth, KittiDifficulty difficulty);

// ---- average precision ------------------------------------------------------------------------

/// Which overlap a match is judged by.
enum class DetMetric { Bbox2d, Bev, Box3d };
inline constexpr int kDetMetricCount = 3;
/// "2d", "bev", "3d".
const char* detMetricName(DetMetric metric);

/// One evaluated class. Type names compare case-insensitively, as in the devkit.
struct DetClassSpec
{
    std::string name;                   ///< "Car"
    std::string neighbour;              ///< ground truth of this type is ignored, not missed ("Van"); "" for none
    std::array<double, 2> thresholds{}; ///< IoU thresholds of table 0 (strict) and table 1 (loose)

    bool operator==(const DetClassSpec&) const = default;
};

/// Car (neighbour Van) 0.7 / 0.5, Pedestrian (neighbour Person_sitting) 0.5 / 0.25,
/// Cyclist 0.5 / 0.25 — the same thresholds for every metric.
std::vector<DetClassSpec> kittiDetClasses();

/// A counted detection: its score and whether it matched a valid ground truth.
struct ScoredDetection
{
    float score = 0.f;
    bool truePositive = false;

    bool operator==(const ScoredDetection&) const = default;
};

struct ApValues
{
    double r40 = 0.0; ///< mean interpolated precision at recall 1/40, 2/40, …, 40/40
    double r11 = 0.0; ///< mean interpolated precision at recall 0, 0.1, …, 1
};

/// AP of detections against `groundTruth` valid objects. The PR curve has one point per distinct
/// score (equal scores enter together, so the order of ties does not matter): recall = TP/GT,
/// precision = TP/(TP + FP) over detections scoring ≥ that score. Interpolated precision at
/// recall r = the highest precision of any point with recall ≥ r (0 if none); recall levels are
/// compared exactly in integers. Both values are NaN when groundTruth ≤ 0 (undefined, not 0).
/// NaN scores rank last. Does not throw.
ApValues averagePrecision(std::vector<ScoredDetection> detections, int64_t groundTruth);

/// AP of one (class, difficulty, metric, table) cell.
struct DetApResult
{
    std::string className;
    KittiDifficulty difficulty = KittiDifficulty::Easy;
    DetMetric metric = DetMetric::Bev;
    int table = 0;             ///< 0 strict, 1 loose thresholds
    double iouThreshold = 0.0; ///< a match needs IoU > this (strict)
    int64_t groundTruth = 0;   ///< valid ground-truth objects (the recall denominator)
    int64_t detections = 0;    ///< counted detections (TP + FP)
    int64_t truePositives = 0;
    double apR40 = 0.0, apR11 = 0.0; ///< in [0, 1]; NaN when groundTruth = 0
};

/// KITTI AP accumulated frame by frame, additive across shards.
///
/// Per frame and per (class, difficulty, metric, table):
///  - ground truth of the class that meets the difficulty is *valid* (counted in the recall
///    denominator); ground truth of the class that does not, and of the neighbour class, is
///    *ignored*; other types play no part. DontCare objects are regions (below).
///  - detections of the class whose 2-D height is below the difficulty's minimum are dropped;
///    the rest are taken by score, descending (ties: input order), and each is matched greedily
///    to the unmatched valid ground truth with the highest IoU > threshold (strict) → TP; failing
///    that, to the unmatched ignored ground truth with the highest IoU > threshold → not counted;
///    failing that, for the 2-D metric only, a detection whose image box lies in a DontCare region
///    (intersection / detection area > threshold) is not counted; otherwise it is an FP.
///  - the cell keeps the number of valid ground truth and the (score, TP) list of counted
///    detections, so frames and shards simply add up and AP is computed once at the end.
///
/// Where this differs from the devkit (evaluate_object / evaluate_object_3d_offline) and why:
/// the devkit re-matches every frame at each of ≈41 score thresholds picked from the whole
/// dataset's TP scores, ground truth first (each takes the unassigned detection with the greatest
/// overlap). That needs every frame again once the thresholds are known, so it cannot be merged
/// from shards. The single score-ordered matching here (as in COCO / Pascal VOC) gives the same
/// result whenever no detection overlaps two candidate ground-truth boxes above the threshold,
/// which at KITTI's thresholds is nearly always. Smaller differences: a too-small detection is
/// dropped here, while the devkit lets it absorb an otherwise unmatched ground truth (neither TP
/// nor FN); the devkit also applies DontCare to BEV/3-D through the metric's overlap with
/// DontCare's placeholder box, which never overlaps, so only the 2-D metric uses DontCare in both.
class DetAccumulator
{
public:
    /// Throws FormatError when a class name is empty or repeated (case-insensitively) or a
    /// threshold is outside [0, 1].
    explicit DetAccumulator(std::vector<DetClassSpec> classes = kittiDetClasses());

    /// Adds one frame. Every detection needs a finite score; FormatError "detection N (Type): ..."
    /// otherwise, thrown before anything is added.
    void add(const std::vector<KittiObject>& groundTruth, const std::vector<KittiObject>& detections);
    /// Adds the other's frames. Throws ShapeError when the class specs differ.
    void merge(const DetAccumulator& other);

    /// One entry per cell, ordered by class (as given), difficulty, metric, table.
    std::vector<DetApResult> results() const;
    int64_t frames() const { return m_frames; }
    const std::vector<DetClassSpec>& classes() const { return m_classes; }

    /// {"kind":"kitti_det_ap","version":1,"frames":n,"classes":[{"name","neighbour","thresholds"}],
    ///  "cells":[{"class","difficulty","metric","table","groundTruth","scores":[…],"truePositive":[…]}]}
    /// with every cell, in results() order. Scores round-trip bit-exactly.
    JsonValue toJson() const;
    /// Strict reader of toJson()'s format: every member required, unknown members refused, cells
    /// complete and in order. Throws FormatError "det AP JSON: <field>: <reason>".
    static DetAccumulator fromJson(const JsonValue& json);

    bool operator==(const DetAccumulator& other) const = default;

private:
    struct Cell
    {
        int64_t groundTruth = 0;
        std::vector<ScoredDetection> detections;
        bool operator==(const Cell&) const = default;
    };

    size_t cellIndex(size_t cls, int difficulty, int metric, int table) const;
    void addClass(size_t cls, const std::vector<KittiObject>& groundTruth, const std::vector<KittiObject>& detections);

    std::vector<DetClassSpec> m_classes;
    std::vector<Cell> m_cells;
    int64_t m_frames = 0;
};

// ---- float vs converted ----------------------------------------------------------------------------

/// One matched pair; every delta is b − a.
struct BoxPair
{
    int indexA = -1, indexB = -1; ///< indices into the inputs
    double bevIoU = 0.0;
    double dx = 0, dy = 0, dz = 0; ///< location (bottom centre) difference, metres
    double centreDistance = 0;     ///< |(dx, dy, dz)|, metres
    double dh = 0, dw = 0, dl = 0; ///< size differences, metres
    double dHeading = 0;           ///< rotation_y difference wrapped to [−π, π], radians
    double dScore = 0;             ///< score difference; NaN when either box has no score
};

struct BoxMatching
{
    std::vector<BoxPair> pairs; ///< in matching order (descending BEV IoU)
    std::vector<int> onlyA;     ///< unmatched boxes of a, ascending (DontCare excluded)
    std::vector<int> onlyB;     ///< unmatched boxes of b, ascending (DontCare excluded)
};

/// Matches the boxes of two networks on one frame: over all same-type pairs (case-insensitive,
/// DontCare never) with BEV IoU > minBevIoU (strict), greedily by descending IoU, ties broken by
/// the lower index in a, then in b (deterministic). Does not throw.
BoxMatching matchBoxes(const std::vector<KittiObject>& a, const std::vector<KittiObject>& b, double minBevIoU);

} // namespace lnscope::core
