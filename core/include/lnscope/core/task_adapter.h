#pragma once
// Task adapters (spec/data.md "Models"; demo adapters in datasets/models/*.adapter.json): how a model's inputs are
// made from a dataset frame and how its outputs become a plain result — a segmentation, 3-D boxes,
// or, for any other model, the raw output tensors compared element-wise. Adapters register by task
// name (STYLE.md 6); the UI and CLI list TaskAdapterRegistry::builtin().names().
//
// Adapter files (JSON, version 1) — every member shown is required unless marked optional; any
// other member is refused:
//   {"task":"segmentation","version":1,
//    "input":{"name":"image","width":640,"height":192,"mean":[3],"std":[3],"order":"rgb"|"bgr"},
//    "output":"logits", "ignore":255 (optional, 0..255, not a class id),
//    "classes":[{"id":0,"name":"road","color":[r,g,b]}, ...] | "classes.json"}
//   {"task":"stereo3d","version":1,
//    "inputs":{"left":"left","right":"right"},
//    "input":{"width":640,"height":192,"mean":[3],"std":[3],"order":"rgb"},
//    "outputs":{"heatmap":…,"depthBins":…,"depthResidual":…,"size":…,"heading":…,"offset":…},
//    "stride":4, "depthBins":{"centres":[D],"widths":[D]},
//    "classes":[{"name":"Car","meanSize":[h,w,l]}, ...],
//    "scoreThreshold":0.3, "maxDetections":50, "nmsKernel":3   (these three optional, defaults shown)}
//   {"task":"dense","version":1, "input":{…} (optional; every member optional)}
// A string "classes" is a class list file (readClassList) relative to the adapter file's folder
// (absolute paths are taken as is). Segmentation class ids must be exactly 0..C−1 (any order;
// they are sorted by id): channel c of the logits is class id c. Sizes are pixels (1..16384),
// mean/std in [0, 1] image units (tensor = (x/255 − mean)/std), std > 0; meanSize and depth bin
// centres / widths are metres (sizes and widths > 0).
//
// Stereo decoding follows the heads contract shared with the training scripts (datasets/training/),
// identically in Python and C++: p = sigmoid(heatmap); a peak is a cell whose p equals the max of
// its nmsKernel×nmsKernel window (same padding) and p ≥ scoreThreshold; keep the maxDetections
// highest (ties: lower class, row, column). For a peak (c, y, x): k* = argmax depth_bins (ties →
// lower bin); Z = centres[k*] + residual[k*]·widths[k*]; u = (x + dx + 0.5)·S − 0.5,
// v = (y + dy + 0.5)·S − 0.5 (model-input pixels, projection of the box's geometric centre);
// dims = meanSize[c]·exp(size); with P2 rescaled to the model input (fx, cx, P2[0][3] by
// W_model/W_image; fy, cy, P2[1][3] by H_model/H_image): X = (u·Z − cx·Z − P2[0][3])/fx,
// Yc = (v·Z − cy·Z − P2[1][3])/fy, bottom y = Yc + h/2; α = atan2(sin, cos);
// ry = wrap(α + atan2(X, Z)) to [−π, π]; score = p.
// Decisions where the contract is silent, documented here:
//  - stride · (heatmap h, w) must be within one stride of the input size (h ∈ {⌊H/S⌋, ⌈H/S⌉});
//    anything else means a wrong stride or input size and is a ShapeError.
//  - p = sigmoid(logit) is computed and compared in double, as the training scripts' decode()
//    does (float32 would tie saturated cells); equal logits (quantized outputs) give equal p and
//    are all peaks. The KittiObject's score is p rounded to float. Non-finite values: a NaN cell is
//    never a peak and never suppresses a neighbour, a NaN depth-bin logit never wins the argmax
//    (NumPy would let NaN win both: only finite outputs decode identically in both languages).
//  - The X / Y formulas ignore P2's skew (P2[0][1]) and z translation (P2[2][3]), as the contract
//    says; they invert the projection exactly only when those are 0 (the synthetic rig).
//  - 2-D boxes: the corners of boxCorners() projected with the original P2, the projective depth
//    clamped to ≥ 1e-3 (corners behind the camera), clipped to [0, W−1] × [0, H−1] as KITTI labels
//    are — as the training scripts' project_box_2d. truncated = 0 and occluded = 0 (unknown for
//    detections; the KITTI readers refuse −1).
//  - Outputs are decoded for batch item 0 (the adapters build batches of one).
// Other adapters' decisions:
//  - Images are resized to the adapter's input size by readImageTensor (OpenCV INTER_AREA) only
//    when their size differs (the bundled frames are already at the models' size).
//  - Segmentation results are at the left image's size (the label maps' size): see
//    resizePrediction for how a model running at another size is scaled.
//  - Dense feeds the left image to one input; models with several inputs need their own adapter.
//
// Threading: configs and results are copyable values; adapters are stateless and const, so any
// number of threads may use one at once. Errors: documented per function; inner loops do not throw.

#include "lnscope/core/dataset.h"
#include "lnscope/core/executor.h"
#include "lnscope/core/json.h"
#include "lnscope/core/kitti_io.h"
#include "lnscope/core/seg_labels.h"
#include "lnscope/core/seg_metrics.h"
#include "lnscope/core/tensor_io.h"
#include "lnscope/core/tensor_metrics.h"

#include <array>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace lnscope::core {

// ---- adapter configuration -----------------------------------------------------------------------

/// Largest width or height an adapter accepts for a model input, pixels.
inline constexpr int kMaxAdapterImageSide = 16384;

/// How an image becomes a model input tensor (1×3×H×W float32).
struct AdapterInput
{
    std::string name; ///< graph input fed with the left image (segmentation, dense; unused by stereo3d)
    int width = 0;    ///< model input size, pixels; 0 = keep the image's size (dense only)
    int height = 0;
    std::array<float, 3> mean{0.f, 0.f, 0.f}; ///< per tensor channel, [0, 1] image units
    std::array<float, 3> std{1.f, 1.f, 1.f};
    bool rgb = true; ///< tensor channel order: RGB (true) or BGR

    /// The readImageTensor options (resize with INTER_AREA when width/height are set).
    ImageToTensorOptions imageOptions() const;
};

struct SegmentationConfig
{
    AdapterInput input;
    std::string output;             ///< N×C×H×W class logits
    uint8_t ignore = kIgnoreLabel;  ///< label value that is not scored
    std::vector<ClassInfo> classes; ///< sorted by id, ids 0..C−1
};

struct Stereo3dClass
{
    std::string name;                 ///< KITTI type written to results ("Car")
    std::array<double, 3> meanSize{}; ///< h, w, l in metres
};

struct Stereo3dConfig
{
    std::string source; ///< the adapter file, for messages ("" when built in code)
    AdapterInput input; ///< size and normalisation of both images; input.name is unused
    std::string leftInput = "left", rightInput = "right"; ///< graph input names
    /// Graph output names of the heads (stride S, h = H/S, w = W/S).
    std::string heatmap = "heatmap";              ///< 1×K×h×w logits, K = classes.size()
    std::string depthBins = "depth_bins";         ///< 1×D×h×w logits, D = binCentres.size()
    std::string depthResidual = "depth_residual"; ///< 1×D×h×w, units of the bin's width
    std::string size = "size";                    ///< 1×3×h×w log-ratios (h, w, l) to meanSize
    std::string heading = "heading";              ///< 1×2×h×w (sin α, cos α), not normalised
    std::string offset = "offset";                ///< 1×2×h×w sub-cell (dx, dy), cells
    int stride = 4;                               ///< input pixels per output cell
    std::vector<double> binCentres, binWidths;    ///< metres, D each
    std::vector<Stereo3dClass> classes;           ///< heatmap channel order
    double scoreThreshold = 0.3;                  ///< peaks need p ≥ this, in [0, 1]
    int maxDetections = 50;                       ///< ≥ 1
    int nmsKernel = 3;                            ///< odd ≥ 1: the max-pool window of peak finding
};

struct DenseConfig
{
    AdapterInput input; ///< name "" = the graph's first input (filled in by bindAdapter)
};

struct AdapterConfig
{
    std::string task = "dense"; ///< registry name: "segmentation", "stereo3d", "dense"
    int version = 1;
    std::filesystem::path source;    ///< the file it was read from, for messages ("" when built in code)
    SegmentationConfig segmentation; ///< used when task == "segmentation"
    Stereo3dConfig stereo3d;         ///< used when task == "stereo3d"
    DenseConfig dense;               ///< used when task == "dense"
};

/// Reads an adapter file (format above) with the builtin registry. Throws IoError for a missing or
/// unreadable file or class list; FormatError "<file>:<line>: <key>: <reason>" for JSON syntax,
/// unknown or missing members, wrong types and out-of-range values (key is a dotted path such as
/// "input.mean[2]" or "classes[1].meanSize"); UnsupportedError for an unknown task (listing the
/// registered ones) or a version other than 1.
AdapterConfig readAdapterConfig(const std::filesystem::path& path);
/// The same on text; `source` names it in messages and anchors a relative class list path.
AdapterConfig parseAdapterConfig(std::string_view json, const std::filesystem::path& source);

/// The dense adapter bound to a model: its first graph input, at that input's fixed H×W when the
/// input is N×C×H×W with fixed H and W (else the image's own size), mean 0, std 1, RGB.
AdapterConfig defaultAdapterFor(const Graph& graph);

/// Checks an adapter against a model before running it and fills what the model decides (dense:
/// an empty input name → the first graph input; size 0 → its fixed H×W). Checks that every named
/// input and output exists and, where the model declares shapes, their ranks and channel counts.
/// Throws FormatError "<adapter>: output \"x\" is not an output of the model (outputs: …)" or
/// ShapeError naming the tensor and both sizes.
AdapterConfig bindAdapter(const AdapterConfig& config, const Graph& graph);

// ---- results ------------------------------------------------------------------------------------

/// A task's result for one frame: a segmentation, boxes in the camera frame, or (dense) the model
/// outputs as they are, to be compared with compareDense.
using TaskResult = std::variant<SegPrediction, std::vector<KittiObject>, TensorMap>;

/// The prediction resized to width×height: nearest neighbour on the class map (pixel centres,
/// OpenCV INTER_NEAREST_EXACT) and bilinear on each probability plane (half-pixel centres, OpenCV
/// INTER_LINEAR, so each pixel's probabilities still sum to 1). The class map is therefore not
/// recomputed from the resized probabilities. Same size: a copy. Throws ShapeError for an
/// inconsistent prediction or a size outside 1..16384.
SegPrediction resizePrediction(const SegPrediction& prediction, int width, int height);

/// The segmentation adapter's decoding: config.output's logits (rank 4, C = classes) → argmax and
/// softmax of batch item 0 (segmentationFromLogits), resized to width×height when the model runs at
/// another size (resizePrediction). Throws FormatError when the output is missing (naming the
/// adapter file and tensor), ShapeError for a wrong rank or channel count.
SegPrediction decodeSegmentation(const TensorMap& outputs, const SegmentationConfig& config,
                                 const std::filesystem::path& source, int width, int height);

/// Decodes the stereo heads into boxes as the contract in the header comment says (with the decisions
/// listed there): peaks of sigmoid(heatmap) by max-pooling, at most maxDetections ordered by
/// score (ties: lower class, row, column); per peak depth from the argmax bin plus its residual,
/// the box centre from the offset and the calibration P2 rescaled from imageWidth×imageHeight
/// (pixels of the original image) to config.input's size, dims from meanSize·exp(size),
/// α = atan2(sin, cos), ry = wrap(α + atan2(X, Z)). Objects are in the camera frame (x right,
/// y down, z forward, metres; y = bottom of the box), type = class name, score = p, bbox in
/// original-image pixels. The same code serves float and converted outputs (no data-dependent
/// branches other than the rules above).
/// Throws FormatError when an output is missing (naming the adapter file and tensor) or P2 has no
/// usable focal length (fx or fy not finite and > 0); ShapeError for a head of the wrong rank,
/// channel count (K, D, 3, 2, 2) or spatial size; UnsupportedError for int64 heads; FormatError
/// for an invalid config (empty classes, D = 0, bin sizes differ, stride or input size ≤ 0, even
/// nmsKernel) or image size ≤ 0.
std::vector<KittiObject> decodeStereo3d(const TensorMap& outputs, const Stereo3dConfig& config, const KittiCalib& calib,
                                        int imageWidth, int imageHeight);

/// Element-wise comparison of one channel plane of a dense output.
struct DenseChannelDiff
{
    int channel = 0;
    Agreement agreement;        ///< a = reference (x), b = approximation (y), over all batch items
    int width = 0, height = 0;  ///< plane size
    std::vector<float> absDiff; ///< |a − b| of batch item 0, height·width, row-major (heatmap)
    float maxAbsDiff = 0.f;     ///< max of absDiff (NaN differences excluded)
};

struct DenseTensorDiff
{
    std::string name;
    Shape shape;
    Agreement agreement; ///< over the whole tensor
    std::vector<DenseChannelDiff> channels;
};

struct DenseComparison
{
    std::vector<DenseTensorDiff> tensors; ///< tensors present in both maps, by name
    std::vector<std::string> onlyInA, onlyInB;
};

/// Compares two output maps tensor by tensor (matched by name; a = reference). Shapes are read as
/// N×C×H×W: rank ≥ 4 → N = d0, C = d1, H = d2·…·d(r−2), W = d(r−1); rank 3 → C×H×W; rank 2 → one
/// H×W channel; rank 1 → one 1×W channel; rank 0 → one 1×1 channel. Throws ShapeError naming the
/// tensor when a pair's shapes differ.
DenseComparison compareDense(const TensorMap& a, const TensorMap& b);

// ---- registry -----------------------------------------------------------------------------------

/// One task. Implementations are stateless; every member is const and thread-safe.
class TaskAdapter
{
public:
    virtual ~TaskAdapter() = default;

    /// Registry name ("segmentation").
    virtual std::string name() const = 0;
    /// One line for lists ("class logits → segmentation, mIoU").
    virtual std::string description() const = 0;
    /// Reads the task's members of an adapter file (all but "task" and "version", which the caller
    /// has read) into config; file names the file in messages. Throws as readAdapterConfig.
    virtual void parse(const JsonValue& root, const std::filesystem::path& file, AdapterConfig& config) const = 0;
    /// bindAdapter's task part: checks config against the graph, fills what the model decides.
    virtual void bind(AdapterConfig& config, const Graph& graph) const = 0;
    /// The model inputs for a frame, images resized to the adapter's input size (readImageTensor).
    /// Throws IoError / FormatError naming the image, FormatError when the frame lacks a file the
    /// task needs (stereo3d: the right image).
    virtual TensorMap makeInputs(const AdapterConfig& config, const Frame& frame) const = 0;
    /// The result for a frame from the model outputs (segmentation: resized to the left image's size;
    /// stereo3d: boxes with the frame's calibration). Throws as decodeSegmentation / decodeStereo3d,
    /// and as the frame's loaders.
    virtual TaskResult interpret(const AdapterConfig& config, const TensorMap& outputs, const Frame& frame) const = 0;

protected:
    /// For bind(): checks the model input `name` fed with an image: FormatError when the model has
    /// no such input (listing its inputs); when it declares a shape, ShapeError unless it is
    /// N×3×H×W with H×W (where fixed) equal to input's size. A size of 0 is filled from fixed H×W.
    static void bindImageInput(AdapterInput& input, const std::string& name, const Graph& graph,
                               const std::string& adapter);
    /// For bind(): FormatError when the model has no output `name` (listing its outputs); when it
    /// declares a shape, ShapeError unless it has rank 4 and (where fixed) `channels` channels.
    static void bindOutput(const Graph& graph, const std::string& name, int64_t channels, const std::string& role,
                           const std::string& adapter);
    /// The source file for messages, or "<task> adapter" when there is none.
    static std::string adapterName(const std::filesystem::path& source, std::string_view task);
};

class TaskAdapterRegistry
{
public:
    /// "segmentation", "stereo3d", "dense", in that order. Thread-safe after first use.
    static const TaskAdapterRegistry& builtin();

    /// Adds an adapter, replacing one of the same name (which keeps its place in names()).
    void add(std::shared_ptr<const TaskAdapter> adapter);
    /// nullptr when no adapter has that name.
    const TaskAdapter* find(std::string_view name) const;
    /// Throws UnsupportedError naming the task and listing the registered ones.
    const TaskAdapter& get(std::string_view name) const;
    std::vector<std::string> names() const;

private:
    std::vector<std::shared_ptr<const TaskAdapter>> m_adapters;
};

/// TaskAdapterRegistry::builtin().get(config.task).
const TaskAdapter& adapterFor(const AdapterConfig& config);

// ---- strict reading of adapter files, for TaskAdapter::parse implementations ------------------------

namespace adapter_json {

/// How a JSON value appears in a message: numbers and strings quoted as written, else its kind.
std::string found(const JsonValue& v);
/// "a, b, c" ("none" for an empty list).
std::string joined(const std::vector<std::string>& names);

/// Throws FormatError "<file>:<line>: <key>: <reason>" (":<line>" left out when line is 0, "<key>: "
/// when key is empty). Keys are dotted paths: "input.mean[2]", "classes[1].meanSize".
[[noreturn]] void fail(const std::filesystem::path& file, size_t line, const std::string& key,
                       const std::string& reason);

/// The members of one JSON object. optional()/required() record the names asked for; finish()
/// refuses any other member, naming it and the expected ones. Keeps references: value and file
/// must outlive the reader.
class ObjectReader
{
public:
    /// key is the object's dotted path ("" for the file's root). FormatError when value is not an object.
    ObjectReader(const JsonValue& value, const std::filesystem::path& file, std::string key);

    std::string keyOf(std::string_view member) const;
    const JsonValue* optional(std::string_view member);
    /// FormatError "<key>: missing" when absent.
    const JsonValue& required(std::string_view member);
    void finish() const;

private:
    const JsonValue& m_value;
    const std::filesystem::path& m_file;
    std::string m_key;
    std::vector<std::string> m_known;
};

/// A non-empty string.
std::string readName(const JsonValue& v, const std::filesystem::path& file, const std::string& key);
/// An integer (written without fraction or exponent) in lo..hi.
int readInt(const JsonValue& v, const std::filesystem::path& file, const std::string& key, int lo, int hi);
/// A number in [lo, hi], or (lo, hi] when openLow.
double readNumber(const JsonValue& v, const std::filesystem::path& file, const std::string& key, double lo, double hi,
                  bool openLow = false);
/// An array of `count` numbers (count < 0: 1..4096 of them), each as readNumber.
std::vector<double> readNumbers(const JsonValue& v, const std::filesystem::path& file, const std::string& key,
                                int count, double lo, double hi, bool openLow = false);

/// Which members of "input" a task needs: segmentation all of name, width, height, mean, std,
/// order; stereo all but name (refused: "inputs" names the tensors); dense any of them.
enum class InputRules { Segmentation, Stereo, Dense };
AdapterInput readInput(const JsonValue& v, const std::filesystem::path& file, InputRules rules);

} // namespace adapter_json

} // namespace lnscope::core
