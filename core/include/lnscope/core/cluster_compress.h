#pragma once
// Cluster compression of convolution weights (spec/numerics.md §2, after Son, Nah & Lee, ECCV 2018).
//
// Unit: each 2-D kernel W[o][i][:][:] of a conv weight [O, I, kh, kw] with kh·kw > 1, flattened
// row-major to d = kh·kw values. Every kernel w gets a scale m = ‖w‖₂ · sign(w_center) with
// sign(0) := +1 and the unit-norm direction w / m is clustered with core::kmeans(). Centre:
// element (kh/2, kw/2) (integer division). For even kernels there is no true centre; this picks
// the lower-right one of the central 2×2 block — any fixed choice works, because the sign only
// resolves the ±w ambiguity so that w and −w share one centroid.
// All-zero kernels are left out of k-means and stored as scale 0, index 0.
// Reconstruction: W[o][i] = m[o][i] · C[idx[o][i]].
//
// Codebook scope: per layer, K_l = min(K, N_l) with N_l = the number of non-zero kernels; or one
// book shared by several layers of the same d (compressSharedBook()).
//
// 1×1 convs and Gemm ([O, I] weights, I = the input-feature axis, i.e. ONNX Gemm with transB = 1 or
// torch Linear; transpose first otherwise) are a policy (PointwisePolicy): kept in float (the
// default), scalar weight sharing, or vector quantization of sub-vectors along the input axis.
//
// Determinism: every output byte depends only on the weights and the options' clusters,
// maxIterations, seed, pointwise policy and subVectorLength — not on `threads` (see kmeans.h).
//
// Threading: functions are re-entrant; each call uses up to options.threads threads inside
// core::kmeans(). Results are plain values that may be moved to other threads.

#include "lnscope/core/error.h"
#include "lnscope/core/kmeans.h"
#include "lnscope/core/progress.h"
#include "lnscope/core/tensor.h"

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace lnscope::core {

/// What to do with layers whose kernels are single weights (1×1 convs, Gemm).
enum class PointwisePolicy
{
    Keep,          ///< leave uncompressed (default): compress functions refuse such layers
    ScalarSharing, ///< k-means over the scalar weights (d = 1, K values, no scales)
    SubVector,     ///< VQ of length-d sub-vectors along the input axis (no scales)
};

const char* toString(PointwisePolicy policy);

/// How a CompressedKernels maps units to weights.
enum class ClusterUnit
{
    Kernel,    ///< one unit per 2-D kernel W[o][i], d = kh·kw, with a per-kernel scale
    Scalar,    ///< one unit per weight, d = 1, scales empty (implicitly 1)
    SubVector, ///< units are consecutive d-long pieces of each row W[o][:] (the row's last piece
               ///< padded with zeros when I % d ≠ 0: the pad takes part in k-means as zeros and is
               ///< dropped on reconstruction), scales empty (implicitly 1)
};

struct ClusterOptions
{
    int clusters = 64;          ///< K (≥ 1); a book holds min(K, units) centroids
    int maxIterations = 50;     ///< Lloyd iterations, as KMeansOptions::maxIterations
    uint32_t seed = 1;          ///< k-means++ seed; same seed → same bytes
    int threads = 2;            ///< worker threads for k-means; results do not depend on it
    PointwisePolicy pointwise = PointwisePolicy::Keep; ///< used by compressConvWeights() on 1×1 convs
    int subVectorLength = 9;    ///< d for PointwisePolicy::SubVector (≥ 1)
    Progress* progress = nullptr; ///< optional; passed to k-means (cancellation → Cancelled)
};

/// Number of bits of one index into a book of `clusters` centroids: ⌈log2 K⌉, but at least 1.
/// Why at least 1: K = 1 (a layer with a single non-zero kernel, or none) would need 0 bits; a
/// fixed minimum keeps packBits()/unpackBits() free of a zero-width special case at the cost of
/// N_l bits in that rare case. Storage accounting should use this value.
int indexBitsFor(int clusters);

/// One compressed weight tensor. Plain value type.
struct CompressedKernels
{
    Shape weightShape;              ///< shape of the original weight
    ClusterUnit unit = ClusterUnit::Kernel;
    int d = 0;                      ///< values per unit (kh·kw, 1, or the sub-vector length)
    int clusters = 0;               ///< K_l: rows of `centroids` (0 when every kernel is zero)
    std::vector<float> centroids;   ///< clusters × d, row-major; unit-norm directions for Kernel
    std::vector<uint32_t> indices;  ///< per unit, in weight order (o-major, then i / position)
    std::vector<float> scales;      ///< per unit m (weight units) for Kernel; empty otherwise
    int indexBits = 1;              ///< indexBitsFor(clusters)
    int64_t nonZeroUnits = 0;       ///< N_l: units that took part in k-means
    /// Σ ‖x − c‖² over the clustered units, in the clustered space (w/m for Kernel, so unitless).
    /// For a shared book: this layer's part only.
    double inertia = 0.0;
    int iterations = 0;             ///< Lloyd updates of the (possibly shared) k-means run
    KMeansStop stop = KMeansStop::MaxIterations;

    /// Number of units (kernels, weights or sub-vectors).
    size_t unitCount() const { return indices.size(); }
    /// The approximated weight, float32 of weightShape. Throws FormatError when the fields are
    /// inconsistent (sizes, an index ≥ clusters).
    Tensor reconstruct() const;
    /// indices packed with packBits(indices, indexBits): ⌈units·indexBits / 8⌉ bytes.
    std::vector<uint8_t> packedIndices() const;
    /// 10·log10(Σw² / Σ(w − ŵ)²) in dB over all weights, sums in double; +inf when the
    /// reconstruction is exact. Throws ShapeError when `original` has another shape, FormatError
    /// when it is not float32.
    double weightSqnrDb(const Tensor& original) const;
};

/// Compresses a conv weight [O, I, kh, kw] with kh·kw > 1 using a per-layer book.
/// A 1×1 conv is handed to compressPointwise() when options.pointwise ≠ Keep.
/// Throws FormatError for rank ≠ 4, a non-float tensor, non-finite weights, clusters < 1,
/// maxIterations < 0; UnsupportedError for kh·kw == 1 with PointwisePolicy::Keep;
/// Cancelled when options.progress is cancelled.
CompressedKernels compressConvWeights(const Tensor& weight, const ClusterOptions& options);

/// One book over the kernels of all `layers` (each [O, I, kh, kw], all with the same d = kh·kw > 1;
/// kernel shapes may differ as long as kh·kw agrees). K = min(options.clusters, Σ N_l). Returns one
/// CompressedKernels per layer, in order, each with a copy of the shared centroids.
/// Throws as compressConvWeights(), plus FormatError for an empty list, a null pointer or a
/// different d.
std::vector<CompressedKernels> compressSharedBook(const std::vector<const Tensor*>& layers,
                                                  const ClusterOptions& options);

/// Compresses a 1×1 conv weight [O, I, 1, 1] or a Gemm weight [O, I] with ScalarSharing or
/// SubVector (options.subVectorLength). Throws FormatError for other shapes, non-float tensors,
/// non-finite weights or bad options; UnsupportedError for PointwisePolicy::Keep; Cancelled.
CompressedKernels compressPointwise(const Tensor& weight, PointwisePolicy policy, const ClusterOptions& options);

/// Packs values of `bits` bits each (1 ≤ bits ≤ 32) LSB-first: bit b of value k goes to bit
/// (k·bits + b) % 8 of byte (k·bits + b) / 8. Returns ⌈count·bits / 8⌉ bytes; unused high bits of
/// the last byte are 0. Throws FormatError for bits out of range or a value ≥ 2^bits.
std::vector<uint8_t> packBits(std::span<const uint32_t> values, int bits);

/// Inverse of packBits(): the first `count` values. Throws FormatError for bits out of range or
/// when `data` holds fewer than ⌈count·bits / 8⌉ bytes.
std::vector<uint32_t> unpackBits(std::span<const uint8_t> data, int bits, size_t count);

} // namespace lnscope::core
