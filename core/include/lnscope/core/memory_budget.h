#pragma once
// Memory-budget model of numerics.md §2 "Storage": exact bit counts of a network's parameters,
// per layer and in total, at each conversion stage (float32 → BN folded → cluster compressed →
// LNS8), with every term named; an on-chip fit check; and the peak live activation bytes under
// the executor's freeing schedule.
//
// Units: every *Bits field is in bits, every *Bytes field / bytes() in bytes (ceil(bits / 8)).
//
//   bits_CC = Σ_l N_l · (⌈log2 K_l⌉ + b_scale) + Σ_books K·d·b_centroid + bits_uncompressed + bits_bias
//   ratio   = 32 · floatWeights / bits_total
//
// What the ratio counts (BudgetReport::counts says it in one sentence): the numerator is the
// number of conv/Gemm/MatMul *weight* elements only (no biases, no BN parameters) times 32 bits;
// the denominator is every stored bit of the stage: kernel indices, per-kernel scales, codebook
// LUTs, uncompressed weights, biases and (before folding) BN parameters. Layers are plain
// descriptions, so this works without running the conversion pass.
//
// Reference (numerics.md §2, reproduced in tests/core/test_memory_budget.cpp): torchvision
// ResNet-18, one shared 3×3 book with K = 256 and 32-bit centroids: 35.7× / 17.9× / 12.0× on the
// 3×3 convs for 0 / 8 / 16 scale bits. Whole model with stem, 1×1 and FC weights in float32,
// counting weights only (no biases): 11.7× / 8.9× / 7.2×. The spec prints 11.7× / 9.0× / 7.3×;
// its 9.0 and 7.3 come out only if the 73,728-bit shared LUT is left out of the whole-model
// count (11.70 / 8.96 / 7.26), although its 3×3 figures include that LUT (36.0× without it).
// This model always counts the LUT.

#include "lnscope/core/executor.h"
#include "lnscope/core/graph.h"

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace lnscope::core {

/// A layer with a weight tensor, as far as storage is concerned.
struct LayerShape
{
    std::string name;
    std::string op;                 ///< "Conv", "ConvTranspose", "Gemm", "MatMul"
    int64_t outChannels = 0;
    int64_t inChannelsPerGroup = 0; ///< Gemm/MatMul: input features
    int64_t kh = 1;                 ///< Gemm/MatMul: kh = kw = 1
    int64_t kw = 1;
    bool hasBias = false;           ///< the layer has its own bias input
    bool hasBatchNorm = false;      ///< a BatchNormalization follows and folds into this layer
    /// Name of an earlier layer whose stored weights (and bias/BN) this one reuses — a layer applied
    /// twice, e.g. a stereo model's shared feature extractor. It costs no bits and its weights are
    /// not counted again in the ratio. "" for most layers.
    std::string sharesWeightsOf;

    /// N_l: number of 2-D kernels W[o][i][:][:] (for Gemm: out × in scalars).
    int64_t kernelCount() const { return outChannels * inChannelsPerGroup; }
    /// d = kh · kw.
    int64_t kernelSize() const { return kh * kw; }
    int64_t weightCount() const { return kernelCount() * kernelSize(); }
};

enum class BookScope {
    PerLayer,            ///< one book per layer, K_l = min(K, N_l) (spec default)
    SharedPerKernelSize, ///< one book per kernel size (kh×kw) over all compressed layers
};

/// Conversion stages of the pipeline, in order.
enum class Stage {
    Float32,          ///< as imported: float32 weights and biases, BN kept (γ, β, μ, σ² in float32)
    BatchNormFolded,  ///< BN folded: a float32 bias appears on every layer that had a BN
    ClusterCompressed,///< CC with float32 centroids; uncompressed layers stay float32
    Lns8,             ///< CC with 8-bit LNS centroids and scales; uncompressed weights LNS8
};
const char* stageName(Stage stage);

struct StorageConfig
{
    int clusters = 256;                     ///< K, global
    std::map<std::string, int> clustersPerLayer; ///< per-layer K overrides (PerLayer scope only)
    BookScope bookScope = BookScope::PerLayer;
    int scaleBits = 8;      ///< b_scale per kernel: 0 (no scale) or a code width 2..32 (8: the weight format)
    int centroidBits = 32;  ///< b_centroid: 32 (float) or 8 (LNS8)
    int weightBits = 32;    ///< weights of uncompressed layers: 32 or 8
    int biasBits = 32;      ///< biases (including folded BN): 32 or 8
    /// 1×1 convs, Gemm and MatMul are uncompressed by default. When true they use scalar weight
    /// sharing (unit = one weight, d = 1, no per-unit scale since a scale per scalar saves nothing).
    bool compress1x1 = false;
    /// Layers kept uncompressed by name (e.g. the 7×7 stem, which is otherwise compressible).
    std::set<std::string> keepUncompressed;
    bool clusterCompress = true;  ///< false: every layer stores weightBits-bit weights
    bool batchNormFolded = true;  ///< false: BN parameters are stored (4 per channel, 32 bits)

    /// The config of a stage, derived from this one: Float32/BatchNormFolded turn compression off
    /// and use 32-bit weights and biases; ClusterCompressed keeps scaleBits and uses 32-bit
    /// centroids, weights and biases; Lns8 uses 8-bit centroids, uncompressed weights and scales
    /// (0 stays 0) and this config's biasBits (biases stay linear in the datapath, default 32).
    StorageConfig forStage(Stage stage) const;
};

/// Bit counts of one layer or of the whole model. Every field in bits.
struct StorageTerms
{
    int64_t indexBits = 0;              ///< Σ N_l · ⌈log2 K_l⌉
    int64_t scaleBits = 0;              ///< Σ N_l · b_scale
    int64_t lutBits = 0;                ///< Σ_books K · d · b_centroid
    int64_t uncompressedWeightBits = 0; ///< weights of uncompressed layers · weightBits
    int64_t biasBits = 0;               ///< bias elements (own or folded BN) · biasBits
    int64_t batchNormBits = 0;          ///< unfolded BN: 4 · channels · 32

    int64_t totalBits() const;
    /// ceil(totalBits / 8).
    int64_t bytes() const;
    StorageTerms& operator+=(const StorageTerms& other);

    /// Human names of the terms, in field order, with their bit counts (for tables and messages).
    std::vector<std::pair<std::string, int64_t>> named() const;
};

struct LayerBudget
{
    LayerShape shape;
    bool compressed = false;
    int64_t clusters = 0;        ///< K_l actually used (book size), 0 when uncompressed
    int64_t indexBitsPerUnit = 0;///< ⌈log2 K_l⌉; 0 for K_l = 1 (a single centroid needs no index)
    std::string book;            ///< book id: the layer name (per layer) or "3x3" (shared); "" uncompressed
    /// Bits of this layer. A shared book's LUT is attributed to the first layer (in input order)
    /// that reads it, so the layers sum to the total.
    StorageTerms terms;
    /// LUT bits of the whole book this layer reads (shared or its own): what must be on-chip
    /// together with the layer.
    int64_t bookLutBits = 0;
};

struct BudgetReport
{
    Stage stage = Stage::ClusterCompressed;
    std::vector<LayerBudget> layers;
    StorageTerms total;
    int64_t floatWeights = 0; ///< weight elements of all layers (no biases, no BN)
    double ratio = 0.0;       ///< 32 · floatWeights / total.totalBits()
    std::string counts;       ///< one sentence saying what the ratio counts
};

/// Storage of `layers` with exactly `config`. Throws FormatError for K < 1, negative shapes or
/// bit widths outside the documented values.
BudgetReport storageBudget(const std::vector<LayerShape>& layers, const StorageConfig& config,
                           Stage stage = Stage::ClusterCompressed);
/// The report of each stage (config.forStage), in pipeline order.
std::vector<BudgetReport> budgetByStage(const std::vector<LayerShape>& layers, const StorageConfig& config);

/// Conv, ConvTranspose, Gemm and MatMul nodes whose weight (input 1) is an initializer, in node
/// order. Conv with more than 2 spatial dims: kh = dim 2, kw = product of the remaining dims.
/// hasBatchNorm: the output's only reader is a BatchNormalization taking it as input 0.
std::vector<LayerShape> layerShapesFromGraph(const Graph& graph);

struct LayerFit
{
    std::string name;
    int64_t bytes = 0; ///< the layer's own bits plus its whole book's LUT, in bytes
    bool fits = false;
};

struct FitReport
{
    int64_t budgetBytes = 0;
    std::vector<LayerFit> layers;
    int64_t totalBytes = 0;
    bool totalFits = false;
};

/// Which layers fit an on-chip budget individually (layer + its book) and whether all do at once.
FitReport fits(const BudgetReport& report, int64_t budgetBytes);

struct ActivationPeak
{
    int64_t bytes = 0;    ///< elements · bytesPerElement at the peak
    int64_t elements = 0;
    int nodeIndex = -1;   ///< node at whose execution the peak occurs; -1 for an empty graph
    std::string nodeName;
};

/// Peak live activation memory when the Executor runs `graph` on `inputs`. Live set, as in
/// Executor::run: graph inputs and node outputs, each from its producer (graph inputs: from the
/// start) until after its last reader (graph outputs until the end; outputs nobody reads until
/// after their producer). The size is taken right after a node's outputs are stored, before the
/// node frees anything, so a node's inputs and outputs are counted together. Initializers are
/// parameters, not activations, and are not counted. Every tensor (int64 shape tensors included)
/// counts bytesPerElement per element. Throws what Executor::run throws.
ActivationPeak peakActivationBytes(const Graph& graph, const TensorMap& inputs, int bytesPerElement);

} // namespace lnscope::core
