// The k-means assignment kernel: see kmeans_kernel.h.

#include "kmeans_kernel.h"

#include "lnscope/core/parallel.h"

#include <algorithm>
#include <atomic>
#include <limits>

namespace lnscope::core::detail {

namespace {

constexpr int kTile = 32;               // centroids per kernel tile: two 16-lane vectors
constexpr float kUnitRoundoff = 0x1p-24f;

float squaredNorm(const float* a, int dim)
{
    double s = 0.0;
    for (int k = 0; k < dim; ++k)
        s += static_cast<double>(a[k]) * a[k];
    return static_cast<float>(s);
}

/// Float proposal for one point: clamped (≥ 0) best and second-best distances and the index of
/// the best (lowest index among equal float values).
struct Proposal
{
    int32_t index = 0;
    float best = 0.f;
    float second = 0.f;
};

#if defined(__AVX512F__)
/// Every lane := the minimum over the 16 lanes.
inline __m512 allMin(__m512 v)
{
    v = min16(v, _mm512_mask_shuffle_f32x4(v, 0xFFFF, v, v, _MM_SHUFFLE(1, 0, 3, 2)));
    v = min16(v, _mm512_mask_shuffle_f32x4(v, 0xFFFF, v, v, _MM_SHUFFLE(2, 3, 0, 1)));
    v = min16(v, _mm512_mask_permute_ps(v, 0xFFFF, v, _MM_SHUFFLE(1, 0, 3, 2)));
    v = min16(v, _mm512_mask_permute_ps(v, 0xFFFF, v, _MM_SHUFFLE(2, 3, 0, 1)));
    return v;
}

void proposeFour(const float* const rows[4], const float xnorm[4], const Panel& p, Proposal out[4])
{
    const __m512 inf = _mm512_set1_ps(std::numeric_limits<float>::infinity());
    __m512 best[4];
    __m512 second[4];
    __m512i bestIndex[4];
    for (int r = 0; r < 4; ++r) {
        best[r] = inf;
        second[r] = inf;
        bestIndex[r] = _mm512_set1_epi32(-1);
    }
    const __m512i sixteen = _mm512_set1_epi32(16);
    __m512i index0 = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    const float* x0 = rows[0];
    const float* x1 = rows[1];
    const float* x2 = rows[2];
    const float* x3 = rows[3];
    for (int c = 0; c < p.padded; c += kTile) {
        const __m512 n0 = _mm512_loadu_ps(p.norms.data() + c);
        const __m512 n1 = _mm512_loadu_ps(p.norms.data() + c + 16);
        __m512 a00 = n0, a01 = n1, a10 = n0, a11 = n1, a20 = n0, a21 = n1, a30 = n0, a31 = n1;
        const float* w = p.weights.data() + c;
        for (int k = 0; k < p.dim; ++k, w += p.padded) {
            const __m512 w0 = _mm512_loadu_ps(w);
            const __m512 w1 = _mm512_loadu_ps(w + 16);
            __m512 b = _mm512_set1_ps(x0[k]);
            a00 = _mm512_fmadd_ps(b, w0, a00);
            a01 = _mm512_fmadd_ps(b, w1, a01);
            b = _mm512_set1_ps(x1[k]);
            a10 = _mm512_fmadd_ps(b, w0, a10);
            a11 = _mm512_fmadd_ps(b, w1, a11);
            b = _mm512_set1_ps(x2[k]);
            a20 = _mm512_fmadd_ps(b, w0, a20);
            a21 = _mm512_fmadd_ps(b, w1, a21);
            b = _mm512_set1_ps(x3[k]);
            a30 = _mm512_fmadd_ps(b, w0, a30);
            a31 = _mm512_fmadd_ps(b, w1, a31);
        }
        const __m512i index1 = _mm512_add_epi32(index0, sixteen);
        const __m512 acc[4][2] = {{a00, a01}, {a10, a11}, {a20, a21}, {a30, a31}};
        for (int r = 0; r < 4; ++r) {
            for (int h = 0; h < 2; ++h) {
                const __m512 v = acc[r][h];
                // Strict <: within a lane indices grow, so equal values keep the lower index.
                const __mmask16 better = _mm512_cmp_ps_mask(v, best[r], _CMP_LT_OQ);
                second[r] = min16(second[r], max16(best[r], v));
                best[r] = _mm512_mask_mov_ps(best[r], better, v);
                bestIndex[r] = _mm512_mask_mov_epi32(bestIndex[r], better, h == 0 ? index0 : index1);
            }
        }
        index0 = _mm512_add_epi32(index1, sixteen);
    }
    // The lowest lane holding the minimum wins. If another lane holds the same value the
    // runner-up equals the best and the row is re-decided in double, so lane order is enough.
    alignas(64) int32_t laneIndex[16];
    for (int r = 0; r < 4; ++r) {
        const __m512 b = allMin(best[r]);
        const __mmask16 atBest = _mm512_cmp_ps_mask(best[r], b, _CMP_EQ_OQ);
        const unsigned bits = atBest ? atBest : 1u; // never 0: the data and centres are finite
        const auto winner = static_cast<__mmask16>(bits & (0u - bits)); // lowest set bit
        const __m512 others = _mm512_mask_mov_ps(best[r], winner, inf);
        const __m512 s = allMin(min16(second[r], others));
        _mm512_store_si512(laneIndex, bestIndex[r]);
        out[r].index = laneIndex[__builtin_ctz(static_cast<unsigned>(winner))];
        out[r].best = std::max(_mm512_cvtss_f32(b) + xnorm[r], 0.f);
        out[r].second = std::max(_mm512_cvtss_f32(s) + xnorm[r], 0.f);
    }
}
#else
void proposeFour(const float* const rows[4], const float xnorm[4], const Panel& p, Proposal out[4])
{
    const float inf = std::numeric_limits<float>::infinity();
    for (int r = 0; r < 4; ++r) {
        float best = inf;
        float second = inf;
        int32_t index = 0;
        for (int c0 = 0; c0 < p.padded; c0 += kTile) {
            float v[kTile];
            std::copy_n(p.norms.data() + c0, kTile, v);
            for (int k = 0; k < p.dim; ++k) {
                const float* w = p.weights.data() + static_cast<size_t>(k) * p.padded + c0;
                for (int t = 0; t < kTile; ++t)
                    v[t] += rows[r][k] * w[t];
            }
            for (int t = 0; t < kTile; ++t) {
                if (v[t] < best) {
                    second = best;
                    best = v[t];
                    index = c0 + t;
                } else if (v[t] < second) {
                    second = v[t];
                }
            }
        }
        out[r] = {index, std::max(best + xnorm[r], 0.f), std::max(second + xnorm[r], 0.f)};
    }
}
#endif

int32_t exactNearest(const float* x, const float* centres, int clusters, int dim, double* distance)
{
    double best = std::numeric_limits<double>::infinity();
    int32_t index = 0;
    for (int c = 0; c < clusters; ++c) {
        const double d2 = squaredDistanceD(x, centres + static_cast<size_t>(c) * dim, dim);
        if (d2 < best) {
            best = d2;
            index = c;
        }
    }
    *distance = best;
    return index;
}

} // namespace

Panel makePanel(const float* centres, int clusters, int dim)
{
    Panel p;
    p.clusters = clusters;
    p.padded = (clusters + kTile - 1) / kTile * kTile;
    p.dim = dim;
    p.weights.assign(static_cast<size_t>(p.padded) * dim, 0.f);
    p.norms.assign(static_cast<size_t>(p.padded), std::numeric_limits<float>::infinity());
    for (int c = 0; c < clusters; ++c) {
        const float* centre = centres + static_cast<size_t>(c) * dim;
        for (int k = 0; k < dim; ++k)
            p.weights[static_cast<size_t>(k) * p.padded + c] = -2.f * centre[k];
        p.norms[c] = squaredNorm(centre, dim);
        p.maxNorm = std::max(p.maxNorm, p.norms[c]);
    }
    return p;
}

AssignStats assignAll(PointView pts, const std::vector<float>& xnorms, const float* centres, const Panel& panel,
                      const int32_t* previous, int32_t* labels, double* distances, int threads)
{
    const int dim = pts.dim;
    const float marginScale = 8.f * static_cast<float>(dim + 2) * kUnitRoundoff;
    std::atomic<int64_t> changed{0};
    std::atomic<int64_t> rechecks{0};
    parallelFor(pts.count, threads, [&](int64_t begin, int64_t end) {
        int64_t localChanged = 0;
        int64_t localRechecks = 0;
        for (int64_t i = begin; i < end; i += 4) {
            const int rows = static_cast<int>(std::min<int64_t>(4, end - i));
            const float* x[4];
            float xn[4];
            for (int r = 0; r < 4; ++r) { // a short tail repeats its last row
                const int64_t row = i + std::min(r, rows - 1);
                x[r] = pts.row(row);
                xn[r] = xnorms[row];
            }
            Proposal prop[4];
            proposeFour(x, xn, panel, prop);
            for (int r = 0; r < rows; ++r) {
                const int64_t row = i + r;
                int32_t label = prop[r].index;
                double d2 = 0.0;
                if (prop[r].second - prop[r].best <= marginScale * (xn[r] + panel.maxNorm)) {
                    label = exactNearest(x[r], centres, panel.clusters, dim, &d2);
                    ++localRechecks;
                } else {
                    d2 = squaredDistanceD(x[r], centres + static_cast<size_t>(label) * dim, dim);
                }
                labels[row] = label;
                distances[row] = d2;
                if (previous && previous[row] != label)
                    ++localChanged;
            }
        }
        changed += localChanged;
        rechecks += localRechecks;
    });
    return {changed.load(), rechecks.load()};
}

std::vector<float> pointNorms(PointView pts, int threads)
{
    std::vector<float> norms(static_cast<size_t>(pts.count));
    parallelFor(pts.count, threads, [&](int64_t begin, int64_t end) {
        for (int64_t i = begin; i < end; ++i)
            norms[i] = squaredNorm(pts.row(i), pts.dim);
    });
    return norms;
}

} // namespace lnscope::core::detail
