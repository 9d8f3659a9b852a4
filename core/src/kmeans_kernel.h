#pragma once
// Internal to core: the k-means assignment kernel (kmeans_kernel.cpp), a register-blocked GEMM
// (4 points × 32 centroids × d) fused with the argmin, so the N × K distance matrix is never
// written out. Shared with kmeans.cpp (seeding, update, Lloyd loop).

#include <cstdint>
#include <vector>

#if defined(__AVX512F__)
#include <immintrin.h>
#endif

namespace lnscope::core::detail {

struct PointView
{
    const float* data = nullptr;
    int64_t count = 0;
    int dim = 0;
    const float* row(int64_t i) const { return data + i * dim; }
};

/// The exact distance every label and the inertia are based on: double, index order.
inline double squaredDistanceD(const float* a, const float* b, int dim)
{
    double s = 0.0;
    for (int k = 0; k < dim; ++k) {
        const double t = static_cast<double>(a[k]) - static_cast<double>(b[k]);
        s += t * t;
    }
    return s;
}

#if defined(__AVX512F__)
// Full-mask forms: GCC 12's unmasked _mm512_min/max/shuffle/extract/convert trip -Wuninitialized
// through _mm512_undefined_*.
inline __m512 min16(__m512 a, __m512 b) { return _mm512_mask_min_ps(a, 0xFFFF, a, b); }
inline __m512 max16(__m512 a, __m512 b) { return _mm512_mask_max_ps(a, 0xFFFF, a, b); }
#endif

/// Centroids laid out for the kernel: weights[k][c] = −2·c_k (k-major, kPad columns) and
/// norms[c] = ‖c‖², so a distance is ‖x‖² + norms[c] + Σ_k x_k·weights[k][c]. Padding columns
/// have norm +inf and weight 0, so they are never nearest.
struct Panel
{
    int clusters = 0;
    int padded = 0;
    int dim = 0;
    std::vector<float> weights;
    std::vector<float> norms;
    float maxNorm = 0.f;
};

Panel makePanel(const float* centres, int clusters, int dim);

struct AssignStats
{
    int64_t changed = 0;
    int64_t rechecks = 0;
};

/// Labels every point with its exact nearest centre. The float proposal is trusted only when the
/// runner-up is farther than twice the kernel's error bound: a length-d FMA chain from a rounded
/// norm errs by ≤ (d+1)·u·(‖c‖² + 2|x·c|) ≤ 2(d+1)·u·(‖x‖² + max‖c‖²) per distance (u = 2⁻²⁴);
/// the margin below is twice the sum of two such bounds. Other rows are decided in double.
AssignStats assignAll(PointView pts, const std::vector<float>& xnorms, const float* centres, const Panel& panel,
                      const int32_t* previous, int32_t* labels, double* distances, int threads);

/// ‖x‖² of every point (accumulated in double, stored as float).
std::vector<float> pointNorms(PointView pts, int threads);

} // namespace lnscope::core::detail
