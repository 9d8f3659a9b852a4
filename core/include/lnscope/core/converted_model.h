#pragma once
// The converted model and the whole-model conversion pass (DESIGN.md "data flow"; numerics.md
// §1–§3): batch-norm folding → cluster compression → optional centroid refinement → quantization
// of centroids, scales and uncompressed weights to one weight format. Staged: graphForStage()
// gives a float graph whose weights are the decoded values of a stage, so the float executor
// measures each stage's error on the same inputs (cumulative: BNF; + CC float centroids; + LNS
// weights). LNS *activations* (stage "+LNS activations") need the emulated executor and are not
// part of this file yet.
//
// What a ConvertedLayer holds is what the accelerator stores — the LUT as weight-format codes,
// bit-packed indices, per-kernel scales as weight-format codes, linear float biases — plus the
// float centroids and scales (CompressedKernels) from which those codes were made, so that the
// ClusterCompressed stage (float centroids) can be reproduced exactly.
//
// Quantization parameters (numerics.md §3: weights per output channel):
// - per-kernel scales m[o][i]: one parameter per output channel o (block = the scales of row o);
// - centroids: one parameter per book (the LUT is one table, indexed by every output channel;
//   centroids are unit-norm directions for Kernel units, so one parameter fits them all);
// - uncompressed weights: one parameter per output channel (Conv dim 0; Gemm dim 0 with
//   transB = 1, dim 1 otherwise; MatMul and ConvTranspose dim 1);
// - parameters are chosen with config.weightRule (AbsMax by default); biases stay float32
//   (linear, numerics.md §3.2).
// For LNS formats a CC weight decodes to scale · centroid, i.e. L_w = L_scale + L_centroid.
//
// Threading: convertModel() uses up to config.threads threads; results do not depend on it.
// Every type here is a plain value that may be moved across threads.

#include "lnscope/core/cluster_compress.h"
#include "lnscope/core/executor.h"
#include "lnscope/core/fold_batch_norm.h"
#include "lnscope/core/graph.h"
#include "lnscope/core/memory_budget.h" // Stage
#include "lnscope/core/number_format.h"
#include "lnscope/core/progress.h"

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace lnscope::core {

struct JsonValue;

struct ConversionConfig
{
    std::string weightFormat = "lns8";          ///< NumberFormatRegistry::builtin() name
    /// Format of the per-kernel scales m[o][i] ("" = weightFormat, the spec's default). A narrower
    /// LNS format with the weight format's fraction bits (e.g. "lns6", Q2.3) keeps the product
    /// scale · centroid an integer add of log codes (numerics.md §3.2) and stores
    /// bits(scaleFormat) instead of bits(weightFormat) per kernel. With an LNS weight format the
    /// scale format must be LNS with the same F (convertModel throws UnsupportedError otherwise).
    std::string scaleFormat;
    int clusters = 64;                          ///< K (≥ 1); per layer K_l = min(K, N_l)
    std::map<std::string, int> clustersPerLayer; ///< K overrides by node name (per-layer books only)
    bool sharedBook = false; ///< one book per kernel size (kh·kw) over all compressed convs
    PointwisePolicy pointwise = PointwisePolicy::Keep; ///< 1×1 convs; Gemm/MatMul are always kept
    bool refine = false;     ///< least-squares centroid refinement (needs calibration inputs)
    /// With refine: error-feedback reassignment rounds before each centroid solve (RefineOptions::
    /// reassignRounds; 0 = the plain centroid solve on the k-means assignment). Layers are then
    /// refined in graph order on the inputs the already converted layers produce.
    int reassignRounds = 2;
    /// With refine: empirical bias correction after quantization — layer by layer in graph order,
    /// each bias moves by the float-minus-converted mean output per channel over the calibration
    /// inputs (the converted model emulated with its activation format). Off (the default) keeps
    /// the folded biases: on the demo models it lowered the task metrics (segmentation mIoU −0.6,
    /// stereo BEV AP −13 points) although it matches every layer's channel means.
    bool biasCorrection = false;
    /// With refine and reassignment: each layer's target is the float layer on the *float* model's
    /// input (RefineOptions::referenceInput) instead of on the input the converted layers before
    /// it produce, so every layer also corrects the error that reaches it.
    bool correctUpstream = false;
    /// With refine: the refined centroids are rounded to the weight format with error feedback
    /// (RefineOptions::roundingFor: each entry's rounding error is compensated by the entries of
    /// the layer's book still to be rounded) instead of each to its nearest code.
    bool roundingFeedback = false;
    uint32_t seed = 1;       ///< k-means++ seed
    int threads = 2;         ///< worker threads; results do not depend on it
    int maxIterations = 50;  ///< Lloyd iterations per k-means run
    /// Refinement: upper bound on output positions (n, oy, ox) per layer (RefineOptions).
    int64_t refineMaxPositions = 200000;
    /// Format of the activations on the accelerator ("" keeps them float32); per tensor, chosen
    /// from the calibration inputs by activationRule (calibrateActivations, lns_emulator.h).
    /// How weight-format parameters (per output channel, per book) are chosen: AbsMax (spec
    /// default) or MinMse (LNS: the bias with the least squared error on the values themselves).
    ParamRule weightRule = ParamRule::AbsMax;
    std::string activationFormat = "lns8";
    ParamRule activationRule = ParamRule::AbsMax;

    bool operator==(const ConversionConfig& other) const = default;

    /// The format the per-kernel scales are stored in: scaleFormat, or weightFormat when empty.
    const std::string& scaleFormatName() const { return scaleFormat.empty() ? weightFormat : scaleFormat; }
};

/// Activation parameters of a converted model: one per activation tensor (lns_emulator.h).
struct ActivationQuant
{
    std::string format;                       ///< registry name; "" = activations stay float32
    std::map<std::string, QuantParam> params; ///< by tensor name in the folded graph
    int64_t frames = 0;                       ///< calibration inputs they were chosen from

    bool operator==(const ActivationQuant& other) const = default;
};

/// One layer with a weight initializer (Conv, ConvTranspose, Gemm, MatMul) of the folded graph.
struct ConvertedLayer
{
    std::string node;        ///< node name in the folded graph
    std::string op;          ///< op type in the folded graph
    std::string weightName;  ///< the weight initializer (input 1) in the folded graph
    Shape weightShape;
    int outputAxis = 0;      ///< axis of the weight along which output channels run
    std::string weightFormat;

    /// The node of an earlier layer with bit-identical folded weight, bias and attributes (a layer
    /// applied twice, e.g. a stereo model's shared feature extractor): converted once with it, on
    /// the inputs of both, and holding the same codes; stored once. "" for most layers.
    std::string tiedTo;

    bool clustered = false;
    /// Float centroids (refined when refined), float per-kernel scales, indices. Only when clustered.
    CompressedKernels kernels;
    std::string book;        ///< book id: the node name (per layer) or "d9" (shared, d = 9); "" unclustered
    std::vector<QuantParam> centroidParams; ///< one per book (size 1) when clustered
    std::vector<uint32_t> centroidCodes;    ///< clusters × d codes of the LUT
    std::string scaleFormat;                ///< format of scaleCodes (Kernel units; the weight format by default)
    std::vector<QuantParam> scaleParams;    ///< one per output channel (Kernel units only)
    std::vector<uint32_t> scaleCodes;       ///< one per kernel (Kernel units only), scaleFormat codes

    std::vector<QuantParam> weightParams;   ///< one per output channel when not clustered
    std::vector<uint32_t> weightCodes;      ///< one per weight, in the initializer's layout

    std::vector<float> bias; ///< linear float32 (folded) bias; empty when the layer has none

    bool refined = false;
    std::vector<float> centroidsBeforeRefine; ///< the k-means centroids, when refined (else empty)
    double refineSqnrBeforeDb = 0.0;  ///< layer output SQNR with k-means centroids (float), dB
    double refineSqnrRefinedDb = 0.0; ///< with the refined float centroids, dB
    double refineSqnrAfterDb = 0.0;   ///< with the refined centroids quantized to the format, dB

    /// The weight as the stage sees it: Float32/BatchNormFolded → `foldedWeight` as given;
    /// ClusterCompressed → kernels.reconstruct() (unclustered: `foldedWeight`); Lns8 → decoded
    /// codes (scale · centroid for clustered layers, product rounded to float32).
    /// Throws FormatError when the stored fields are inconsistent.
    Tensor weightForStage(Stage stage, const Tensor& foldedWeight) const;
};

struct ConvertedModel
{
    Graph original;                 ///< the model as imported (stage Float32)
    Graph folded;                   ///< after foldBatchNorm (stage BatchNormFolded)
    std::vector<BnFoldRecord> bnRecords;
    std::vector<ConvertedLayer> layers; ///< folded-graph node order
    ConversionConfig config;
    std::vector<std::string> notes; ///< what was skipped and why (e.g. refinement without data)
    ActivationQuant activations;    ///< empty params when converted without calibration inputs

    /// Float graph of a stage: the original for Float32, the folded graph for BatchNormFolded,
    /// and for the later stages the folded graph with every layer's weight initializer replaced
    /// by ConvertedLayer::weightForStage(). Runs on the float Executor.
    Graph graphForStage(Stage stage) const;
    const ConvertedLayer* layer(const std::string& node) const;
};

/// Converts `model`: foldBatchNorm; every Conv with kh·kw > 1 is cluster compressed (per-layer
/// book with K from clustersPerLayer or clusters, or one shared book per kernel size); 1×1 convs
/// per config.pointwise; Gemm, MatMul and ConvTranspose are kept (weights quantized only).
/// With config.refine, per-layer Kernel books are refined on the layer's float input activations
/// from `calibration` (each map a full set of graph inputs), one layer at a time: memory is one
/// layer's inputs over the calibration set. Empty calibration, or shared books, skip refinement
/// with a note in ConvertedModel::notes.
/// Progress: reported per layer ("compress <node>", "refine <node>", "quantize <node>").
/// Deterministic: same model, config and calibration → identical ConvertedModel and saved bytes.
/// Without refinement the result does not depend on config.threads; with refinement it may, since
/// the float executor capturing the calibration activations is deterministic per thread count.
/// Throws UnsupportedError for an unknown weight format; FormatError for bad K (< 1) or weights;
/// whatever foldBatchNorm/Executor throw; Cancelled when progress is cancelled.
ConvertedModel convertModel(const Graph& model, const ConversionConfig& config,
                            const std::vector<TensorMap>& calibration, Progress* progress = nullptr);

/// Throws UnsupportedError when per-kernel scales in `scaleFormat` cannot combine with centroids in
/// `weightFormat` the way the datapath does: an LNS weight format needs LNS scales with the same F.
void checkScaleFormat(const NumberFormat& weightFormat, const NumberFormat& scaleFormat);

/// Output change when a single layer is converted (the "sensitivity" sweep): per converted layer,
/// the folded graph with only that layer's weight at `stage` (ClusterCompressed or Lns8), all
/// others as folded, run on `inputs` and compared with the folded graph over every graph output.
struct LayerSensitivity
{
    std::string node;
    double outputSqnrDb = 0.0; ///< SQNR of the model outputs (dB; +inf when unchanged; NaN when undefined)
    double outputCosine = 0.0;
};

/// One float run per converted layer plus one reference run per input. Throws FormatError for an
/// empty input list or a stage before ClusterCompressed, whatever Executor::run throws, Cancelled.
std::vector<LayerSensitivity> layerSensitivity(const ConvertedModel& model, const std::vector<TensorMap>& inputs,
                                               Stage stage, int threads, Progress* progress = nullptr);

/// A 64-bit FNV-1a hash (hex, 16 digits) over the graph's nodes (names, ops, inputs, outputs,
/// attributes) and initializers (names, types, shapes, data): identifies the model a .lnsz was
/// converted from.
std::string modelHash(const Graph& graph);

/// Reads a conversion config file: a JSON object with any of the keys format, scaleFormat, clusters,
/// clustersPerLayer {node: K}, sharedBook, pointwise (keep|scalar|subvector), refine, reassign (rounds 0..16),
/// biasCorrection (bool), correctUpstream (bool), seed,
/// maxIterations, refineMaxPositions, weightRule (absmax|minmse), activationFormat ("float32" =
/// none), activationRule (absmax|minmse); absent keys keep ConversionConfig's defaults. Throws IoError when the file
/// cannot be read, FormatError naming the file (and line, or key) for malformed JSON, an unknown
/// key, an unknown format or policy, or K outside 1..65536. Node names are checked by
/// convertModel(), which knows the model.
ConversionConfig readConversionConfig(const std::filesystem::path& path);
/// The same on a parsed JSON value; `context` names its source in messages.
ConversionConfig parseConversionConfig(const JsonValue& root, const std::string& context);
/// A config file's JSON for `config` (every key written; parseConversionConfig reads it back equal,
/// bar `threads`, which is not part of a conversion's definition).
std::string conversionConfigJson(const ConversionConfig& config);

/// Saves through LnszWriter (atomic: temp file + rename). Layout (all sections little-endian):
///   "manifest"           Json   {format:"lnscope-converted", version:1, modelHash, config{...},
///                               notes[...], layers:[{node, op, weightName, weightShape, outputAxis,
///                               weightFormat, clustered, book, unit, d, clusters, indexBits,
///                               nonZeroUnits, inertia, iterations, stop, refined, refine SQNRs,
///                               centroidParams, scaleParams, weightParams ([bias, scale] pairs),
///                               units, biasLength}]}
///   per layer i (index in `layers`, so names stay short):
///   "L<i>.idx"           Bytes   bit-packed indices (packBits, indexBits each)
///   "L<i>.lut"           Bytes   centroid codes, ⌈bits/8⌉ bytes per code, little-endian
///   "L<i>.scl"           Bytes   scale codes, same width
///   "L<i>.w"             Bytes   weight codes of an unclustered layer, same width
///   "L<i>.cf"            Float32 float centroids (stage ClusterCompressed)
///   "L<i>.sf"            Float32 float per-kernel scales (stage ClusterCompressed)
///   "L<i>.cf0"           Float32 k-means centroids before refinement (refined layers only)
///   "L<i>.b"             Float32 bias
/// The folded graph itself is not stored: loadConverted() refolds the original model (foldBatchNorm
/// is deterministic) after checking its hash. config.threads is not saved (it does not shape the
/// result; a loaded config has the default). Throws IoError when the file cannot be written.
void saveConverted(const ConvertedModel& model, const std::filesystem::path& path);

/// Rebuilds a saved ConvertedModel against `originalModel` (which must hash to the saved
/// modelHash). graphForStage() of the result gives bit-identical outputs to the saved model's.
/// Throws IoError/UnsupportedError/FormatError from LnszReader; FormatError naming the file when
/// the manifest is malformed, the model hash differs, or a layer does not fit the refolded graph.
ConvertedModel loadConverted(const std::filesystem::path& path, const Graph& originalModel);

} // namespace lnscope::core
