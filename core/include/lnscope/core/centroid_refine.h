#pragma once
// Centroid refinement for cluster-compressed convolutions (spec/numerics.md §2, "Refinement").
//
// k-means minimizes the weight error; what matters is the layer's output error. With the cluster
// indices and per-kernel scales fixed, every conv output is linear in the K·d centroid entries:
//   y[o, p] = Σ_k Σ_t C[k, t] · Σ_{i : idx[o,i] = k} m[o,i] · X[i, p, t]
// so the centroids that minimize ‖y_float − y_approx‖² over calibration activations solve the
// normal equations AᵀA c = Aᵀb. They are regularized towards the k-means centroids c₀:
//   minimize ‖A c − b‖² + λ_abs ‖c − c₀‖²,   λ_abs = lambda · trace(AᵀA) / n
// (n = rows of the system, i.e. used clusters × d), which keeps poorly observed directions near
// their k-means value. Solved in closed form (Eigen LDLT, in double) for δ = c − c₀; directions
// with a zero pivot keep δ = 0, i.e. the k-means value. Clusters that no kernel with a non-zero
// scale uses are left out of the system and keep their k-means centroid bit for bit.
//
// How AᵀA is accumulated: A never exists. Per conv group, the patch second-moment matrix
// S = Σ_p x(p) x(p)ᵀ over the im2col patches x(p) (length I_g·d, zeros where padded) is built with
// blocked GEMMs; then for every output channel o with M_o the (K·d × I_g·d) scatter matrix of its
// indices and scales, AᵀA += M_o S M_oᵀ, Aᵀb += M_o S w_o and ‖y_float‖² += w_oᵀ S w_o. Cost:
// P · (I_g·d)² for S plus O · (I_g·d)² for the aggregation, independent of K; memory (I_g·d)²
// doubles (2304² · 8 B = 42 MB for 256 input channels of 3×3). Output errors for the SQNR figures
// are evaluated exactly the same way: Σ_o e_oᵀ S e_o with e_o = w_o − ŵ_o, in double.
//
// Positions: output positions p = (n, oy, ox). When there are more than maxPositions, the
// positions j · P / maxPositions (j = 0 … maxPositions − 1, integer division) are used: a
// deterministic stride. SQNR figures are over the positions used (all when P ≤ maxPositions).
// The bias is not modelled: it cancels in the error, and the SQNR signal is the bias-free output.
//
// Re-quantization of the centroids to the weight format is the caller's: RefineOptions::requantize
// is applied to the solved centroids and sqnrAfterDb is measured after it. With
// RefineOptions::roundingFor the entries are rounded with error feedback first (GPTQ's rule on
// the centroid entries): taken one at a time, largest diagonal of AᵀA first, each rounding error
// e_j is compensated by the entries still to be rounded, δc_F = −H⁻¹_Fj / H⁻¹_jj · e_j with H⁻¹ the
// inverse of the remaining (damped) normal matrix, computed for all steps from one Cholesky factor
// H⁻¹ = UᵀU: c_F −= e_j / U_jj · U_jF. Where rounding to nearest adds Σ e_j² H_jj (uncorrelated),
// feedback lets the entries that share correlated inputs cancel each other's rounding; it matters
// most where outputs are small differences of large terms (the first layers on RGB input).
//
// Determinism: the result depends only on the inputs and options, not on `threads` (work is split
// into fixed tiles). Threading: re-entrant; uses up to options.threads threads. The result is a
// plain value.

#include "lnscope/core/cluster_compress.h"
#include "lnscope/core/error.h"
#include "lnscope/core/tensor.h"

#include <array>
#include <cstdint>
#include <functional>
#include <vector>

namespace lnscope::core {

/// 2-D conv geometry as in ONNX Conv (explicit pads; auto_pad must be resolved by the caller).
struct ConvGeometry
{
    std::array<int64_t, 2> strides{1, 1};    ///< (y, x), ≥ 1
    std::array<int64_t, 4> pads{0, 0, 0, 0}; ///< ONNX order: y begin, x begin, y end, x end; ≥ 0
    std::array<int64_t, 2> dilations{1, 1}; ///< (y, x), ≥ 1
    int64_t group = 1;                       ///< ≥ 1; divides C and O (C == I · group)
};

struct RefineOptions
{
    /// Tikhonov weight relative to the mean diagonal of AᵀA (trace / n); ≥ 0. 0 = plain least
    /// squares (unobserved directions still keep their k-means value).
    double lambda = 1e-6;
    /// Upper bound on the output positions (n, oy, ox) used; ≥ 1. Every position yields O rows.
    int64_t maxPositions = 200000;
    int threads = 2;
    /// Optional: applied to the solved centroids (clusters × d, row-major) before the final SQNR,
    /// e.g. rounding to the weight format. Must keep the size.
    std::function<void(std::vector<float>& centroids)> requantize;
    /// Error-feedback reassignment rounds (0 = keep the given indices and scales: the plain
    /// centroid solve). Each round first re-chooses every kernel's centroid and scale by the
    /// output error, in input-channel order, feeding each kernel's error forward into the kernels
    /// of the same output channel still to come (the GPTQ order, OBS compensation; GPTVQ for
    /// vectors), then solves the centroids for the new assignment. Kernels with scale 0 (all-zero
    /// kernels) stay excluded.
    int reassignRounds = 0;
    /// Reassignment: dampening of the Hessian, relative to its mean diagonal (> 0).
    double damp = 0.01;
    /// Optional: applied to the reassigned scales (one per kernel, weight order) before each
    /// centroid solve, e.g. rounding them to the weight format so that the centroids absorb it.
    std::function<void(std::vector<float>& scales)> requantizeScales;
    /// Optional: the float model's input of this layer (same shape as calibInput, which then holds
    /// the input the converted layers before it produce). The target becomes the float layer on
    /// the float input, so the layer also corrects the error that reaches it: every step runs on
    /// T with rows t_o = (S_xx + δI)⁻¹ (S_xz w_o + δ w_o) (S_xz = Σ x zᵀ over the same patches,
    /// δ = targetDamp · mean diag S_xx), which differs from ‖W z − Ŵ x‖² only by a constant.
    /// The SQNR figures are then against T x. nullptr: the target is the float layer on calibInput.
    const Tensor* referenceInput = nullptr;
    /// Damping of the target solve, relative to the mean diagonal of S_xx (> 0).
    double targetDamp = 0.01;
    /// Optional, with requantize: the element-wise rounding requantize applies to these solved
    /// centroids (its parameters chosen from them, e.g. a weight format's bias from their absmax).
    /// When set, the centroids of the used clusters are rounded with error feedback (see the top
    /// of this header; unused clusters round plainly), and requantize is then applied to the
    /// result, which it must leave on its grid. The rounding may return any value (saturation).
    std::function<std::function<float(float)>(const std::vector<float>& centroids)> roundingFor;
    /// Error-feedback rounding: dampening of the normal matrix, relative to its mean diagonal (> 0).
    double roundingDamp = 0.01;
};

struct RefineResult
{
    std::vector<float> centroids;   ///< clusters × d, row-major; the refined (and re-quantized) book
    std::vector<float> solvedCentroids; ///< the float solution, before any rounding (= centroids without requantize)
    std::vector<uint32_t> indices;  ///< per kernel: the given ones, or the reassigned ones
    std::vector<float> scales;      ///< per kernel: the given ones, or the reassigned (re-quantized) ones
    double sqnrBeforeDb = 0.0;      ///< output SQNR with the given (k-means) centroids, indices, scales, dB
    double sqnrRefinedDb = 0.0;     ///< with the solved centroids (and reassignment), before requantize, dB
    double sqnrAfterDb = 0.0;       ///< with the returned centroids (after requantize), dB
    /// With roundingFor: the SQNR requantize alone (rounding to nearest) would give, dB; else = sqnrAfterDb.
    double sqnrNearestDb = 0.0;
    int64_t positionsUsed = 0;      ///< output positions (n, oy, ox) accumulated
    int64_t positionsTotal = 0;     ///< N · OH · OW
    int usedClusters = 0;           ///< clusters taking part in the solve
    double lambdaAbs = 0.0;         ///< lambda · trace(AᵀA) / n as applied
};

/// Output SQNR in dB: 20·log10(‖y‖ / ‖y − ŷ‖) from energies; +inf when the error energy is 0,
/// −inf when the signal is 0 but the error is not.
double outputSqnrDb(double signalEnergy, double errorEnergy);

/// Refines the centroids of `ck` (unit Kernel, from compressConvWeights() of `floatWeight`)
/// against the float layer on `calibInput`.
/// floatWeight: float32 [O, I, kh, kw]; calibInput: float32 [N, C, H, W] (the activations that
/// enter the layer) with C == I · geom.group.
/// Throws ShapeError when ranks or channel counts disagree (weight vs ck, weight vs input, group)
/// or the output would be empty; FormatError for non-float tensors, a non-Kernel unit, inconsistent
/// ck fields, bad options or geometry, a requantize hook that changes the size. A layer whose
/// kernels are all zero (no used cluster) returns the centroids unchanged.
RefineResult refineCentroids(const CompressedKernels& ck, const Tensor& floatWeight, const Tensor& calibInput,
                             const ConvGeometry& geom, const RefineOptions& options = {});

} // namespace lnscope::core
