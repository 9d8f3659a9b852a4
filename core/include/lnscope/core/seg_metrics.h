#pragma once
// Segmentation metrics (numerics.md §4 "mIoU", "Pixel agreement", "Difference map"): the
// segmentation task adapter's core (logits → class map and probabilities), a dataset-level
// confusion matrix with mIoU and pixel accuracy, float-vs-converted pixel agreement, and
// difference / error maps as RGB images.
//
// Images are row-major, pixel (x, y) at index y·width + x. Class ids are 8-bit; the ignore value
// (default kIgnoreLabel = 255) marks unlabelled pixels and is never a class.
//
// Dataset level: counts are accumulated over all pixels of all images and scores computed once
// at the end (never a mean of per-image scores). All accumulators are additive — merge() of the
// accumulators of two shards equals one pass over both — and round-trip through JSON (json.h) so
// `evaluate --shard` outputs can be merged later.
//
// Threading: free functions are pure; accumulators are copyable values, not thread-safe for
// concurrent mutation (give each worker its own and merge()).
// Errors: ShapeError for sizes or class ids that do not fit, FormatError for malformed JSON,
// documented per function; inner loops do not throw (inputs are checked before counting).

#include "lnscope/core/json.h"
#include "lnscope/core/seg_labels.h"
#include "lnscope/core/tensor.h"

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace lnscope::core {

/// One image's segmentation output as plain values.
struct SegPrediction
{
    int width = 0, height = 0, classes = 0;
    std::vector<uint8_t> classMap;    ///< argmax class per pixel, width·height
    std::vector<float> probabilities; ///< softmax, C×H×W: [(c·height + y)·width + x], sums to 1 per pixel
};

/// Turns N×C×H×W float32 logits into the prediction of batch item `batchIndex`.
/// argmax: ties go to the lowest class id. Softmax is computed stably (max subtracted, in double).
/// Non-finite logits: NaN never wins the argmax and gets probability 0; +∞ logits share the
/// probability equally; a pixel without any usable logit (all NaN or −∞) is class 0 with uniform
/// probabilities 1/C.
/// Throws ShapeError when the rank is not 4, batchIndex is outside 0..N−1, C is outside 1..255
/// (class ids 0..254; 255 is the ignore value) or H·W is 0; UnsupportedError for int64 logits.
SegPrediction segmentationFromLogits(const Tensor& logits, int batchIndex = 0);

/// The probability of the winning class per pixel (width·height values in [0, 1]): a confidence
/// map. Throws ShapeError when the prediction's vectors do not match its width/height/classes.
std::vector<float> maxProbability(const SegPrediction& prediction);

/// Checks that a prediction is consistent: width, height ≥ 0, classes in 1..255, classMap has
/// width·height entries each < classes, probabilities has classes·width·height entries (values
/// are not checked) — or is empty when !requireProbabilities (a prediction known only by its
/// class map). Throws ShapeError naming what does not fit (the first bad pixel (x, y) and value).
/// Every function taking a SegPrediction runs this first; only maxProbability and differenceMap
/// require probabilities.
void checkPrediction(const SegPrediction& prediction, bool requireProbabilities = true);

/// The class map of a prediction as a LabelMap (copies classMap).
LabelMap toLabelMap(const SegPrediction& prediction);

/// IoU figures of one class over everything accumulated.
struct SegClassScore
{
    int classId = 0;
    bool present = false;        ///< false when the class is absent from both labels and predictions
    double iou = 0.0;            ///< intersection / union; NaN when !present
    int64_t intersection = 0;    ///< pixels labelled c and predicted c
    int64_t unionCount = 0;      ///< pixels labelled c or predicted c
    int64_t labelPixels = 0;     ///< pixels labelled c (confusion row sum)
    int64_t predictedPixels = 0; ///< counted pixels predicted c (confusion column sum)
};

struct SegScores
{
    std::vector<SegClassScore> perClass; ///< one entry per class id 0..C−1
    double meanIoU = 0.0;                ///< mean of iou over present classes; NaN when none is present
    int classesCounted = 0;              ///< number of present classes (the mIoU's denominator)
    double pixelAccuracy = 0.0;          ///< correct / counted pixels; NaN when no pixel was counted
    int64_t pixels = 0;                  ///< pixels counted (labels that are not the ignore value)
    int64_t ignoredPixels = 0;           ///< pixels skipped because their label is the ignore value
};

/// C×C confusion counts, rows = label (reference), columns = prediction. Additive.
class SegConfusion
{
public:
    /// Throws ShapeError unless 1 ≤ classes ≤ 256 and ignoreValue ≥ classes (the ignore value
    /// must not be a class id).
    explicit SegConfusion(int classes, uint8_t ignoreValue = kIgnoreLabel);

    int classes() const { return m_classes; }
    uint8_t ignoreValue() const { return m_ignore; }

    /// Counts every pixel whose label is not the ignore value (the prediction there is not looked
    /// at otherwise). Throws ShapeError, before counting anything, when the sizes differ (naming
    /// both), or when a counted pixel has a label or prediction id ≥ classes (naming the first
    /// such pixel (x, y) and its value).
    void add(const LabelMap& labels, const LabelMap& prediction);
    /// Same with the prediction's class map; also ShapeError when prediction.classes differs
    /// from classes() or its classMap does not have width·height entries.
    void add(const LabelMap& labels, const SegPrediction& prediction);
    /// Adds the other's counts. Throws ShapeError when classes or ignore values differ.
    void merge(const SegConfusion& other);

    /// Pixels with label `label` predicted as `predicted` (both 0..C−1; std::out_of_range otherwise).
    int64_t count(int label, int predicted) const;
    int64_t countedPixels() const;
    int64_t ignoredPixels() const { return m_ignored; }
    SegScores scores() const;

    /// {"kind":"seg_confusion","version":1,"classes":C,"ignore":255,"ignored":n,
    ///  "counts":[[row 0],...]}. Counts must stay below 2^53 to round-trip exactly.
    JsonValue toJson() const;
    /// Strict reader of toJson()'s format: every member required, unknown members refused, counts
    /// non-negative integers below 2^53, C rows of C entries. Throws FormatError
    /// "seg confusion JSON: <field>: <reason>".
    static SegConfusion fromJson(const JsonValue& json);

    bool operator==(const SegConfusion& other) const = default;

private:
    void addUnchecked(const uint8_t* labels, const uint8_t* prediction, size_t count);

    int m_classes = 0;
    uint8_t m_ignore = kIgnoreLabel;
    int64_t m_ignored = 0;
    std::vector<int64_t> m_counts; ///< row-major C×C
};

/// Float-vs-converted agreement over the valid pixels.
struct PixelAgreement
{
    int64_t validPixels = 0;        ///< pixels compared
    int64_t agreeingPixels = 0;     ///< of those, where both argmaxes agree
    double agreement = 0.0;         ///< agreeingPixels / validPixels; NaN when validPixels = 0
    SegScores convertedVsReference; ///< the converted prediction scored against the float one
};

/// Accumulates pixel agreement of a converted network's prediction against the float
/// (reference) prediction, no labels needed. Internally a SegConfusion with rows = reference
/// argmax and columns = converted argmax, so the agreement is its pixel accuracy and the mIoU
/// of converted vs float is its mIoU. Additive.
class PixelAgreementAccumulator
{
public:
    /// Throws ShapeError like SegConfusion's constructor.
    explicit PixelAgreementAccumulator(int classes, uint8_t ignoreValue = kIgnoreLabel);

    /// All pixels are valid. Throws ShapeError when the predictions' sizes or class counts differ
    /// from each other or from classes().
    void add(const SegPrediction& reference, const SegPrediction& converted);
    /// Valid pixels are those whose ground-truth label is not the ignore value (labels ≥ classes
    /// are not checked here: only the ignore mask is used). Throws ShapeError as above, or when
    /// the label map's size differs.
    void add(const SegPrediction& reference, const SegPrediction& converted, const LabelMap& labels);
    /// Throws ShapeError when classes or ignore values differ.
    void merge(const PixelAgreementAccumulator& other);

    PixelAgreement result() const;
    const SegConfusion& confusion() const { return m_confusion; }

    /// {"kind":"seg_pixel_agreement","version":1,"confusion":{SegConfusion::toJson()}}
    JsonValue toJson() const;
    /// Strict, like SegConfusion::fromJson; FormatError "pixel agreement JSON: ...".
    static PixelAgreementAccumulator fromJson(const JsonValue& json);

    bool operator==(const PixelAgreementAccumulator& other) const = default;

private:
    SegConfusion m_confusion;
};

/// Per-pixel difference of two predictions of the same image.
struct DiffMap
{
    int width = 0, height = 0;
    std::vector<float> l1;         ///< Σ_c |p_a(c) − p_b(c)| per pixel, in [0, 2]
    std::vector<uint8_t> rgb;      ///< RGB8, width·height·3, row-major
    int64_t disagreeingPixels = 0; ///< pixels whose argmax differs
    float maxL1 = 0.f;             ///< largest l1 over all pixels
};

/// l1 for every pixel, and an image that is black (0,0,0) where the argmaxes agree (even if
/// l1 > 0) and diffRampColour(l1) where they differ.
/// Throws ShapeError when the sizes or class counts differ or a prediction is inconsistent.
DiffMap differenceMap(const SegPrediction& a, const SegPrediction& b);

/// The fixed ramp of difference maps, piecewise linear in t = clamp(l1 / 2, 0, 1) through
/// dark red (96,0,0) at t = 0, red (255,0,0) at 1/3, yellow (255,255,0) at 2/3 and white
/// (255,255,255) at 1: brightness rises monotonically with the difference, and even a tiny
/// difference is visibly non-black. NaN maps to white. Exposed for legends / colour bars.
std::array<uint8_t, 3> diffRampColour(float l1);

/// Per-pixel outcome of float (reference) and converted predictions against ground truth.
enum class SegErrorCategory : uint8_t {
    Ignore, ///< label is the ignore value
    BothRight,
    OnlyReferenceWrong, ///< the float prediction is wrong, the converted one right
    OnlyConvertedWrong, ///< the conversion broke a correct pixel
    BothWrong,
};
inline constexpr int kSegErrorCategoryCount = 5;

/// "ignore", "both right", "only float wrong", "only converted wrong", "both wrong".
const char* segErrorCategoryName(SegErrorCategory category);
/// Fixed colours (Okabe–Ito where it matters, colour-blind safe): ignore dark grey (48,48,48),
/// both right black, only float wrong blue (0,114,178), only converted wrong vermilion
/// (213,94,0), both wrong light grey (170,170,170).
std::array<uint8_t, 3> segErrorCategoryColour(SegErrorCategory category);

struct SegErrorMap
{
    int width = 0, height = 0;
    std::vector<SegErrorCategory> categories;             ///< width·height
    std::vector<uint8_t> rgb;                             ///< RGB8, width·height·3
    std::array<int64_t, kSegErrorCategoryCount> counts{}; ///< pixels per category (enum order)
};

/// Classifies every pixel by comparing both predictions' argmax with the label.
/// Throws ShapeError when sizes or class counts differ, or a label that is not the ignore value
/// is ≥ the class count (naming the pixel (x, y) and value).
SegErrorMap errorMap(const SegPrediction& reference, const SegPrediction& converted, const LabelMap& labels,
                     uint8_t ignoreValue = kIgnoreLabel);

} // namespace lnscope::core
