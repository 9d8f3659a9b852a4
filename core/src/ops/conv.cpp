// Conv and ConvTranspose, 1-D to 3-D, float32.
//
// Every spatial rank is run as 3-D with leading size-1 dims, so one set of loops serves all.
// Conv: depthwise convs (one input channel per group) use a direct kernel; 1×1 stride-1 unpadded
// convs multiply W by the input as is; everything else is im2col + Eigen GEMM. Work is split
// into static contiguous ranges (core::parallelFor) with single-threaded Eigen products inside,
// so results are deterministic for a given thread count. ConvTranspose: GEMM (Wᵀ·X) then col2im,
// parallel over output channels.

#include "lnscope/core/parallel.h"
#include "ops_util.h"

#include "lnscope/core/detail/eigen.h"
#include <algorithm>
#include <cstring>

namespace lnscope::core {

namespace {

using ops::Window;
using MatR = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using MapR = Eigen::Map<MatR>;
using CMapR = Eigen::Map<const MatR>;

constexpr int kMaxSpatial = 3;

/// A Window seen as 3-D (leading dims of size 1 for 1-D/2-D). Index 0 = depth, 2 = width.
struct Geom3
{
    int64_t in[3] = {1, 1, 1};
    int64_t out[3] = {1, 1, 1};
    int64_t k[3] = {1, 1, 1};
    int64_t s[3] = {1, 1, 1};
    int64_t d[3] = {1, 1, 1};
    int64_t p[3] = {0, 0, 0}; ///< padding at the beginning

    int64_t inPlane() const { return in[0] * in[1] * in[2]; }
    int64_t outPlane() const { return out[0] * out[1] * out[2]; }
    int64_t kernelSize() const { return k[0] * k[1] * k[2]; }
};

Geom3 toGeom3(const Window& w)
{
    const size_t n = w.kernel.size();
    if (n < 1 || n > kMaxSpatial)
        throw UnsupportedError("only 1-D, 2-D and 3-D convolutions are supported, got " + std::to_string(n) + " spatial dims");
    Geom3 g;
    const size_t off = kMaxSpatial - n;
    for (size_t i = 0; i < n; ++i) {
        g.in[off + i] = w.inSize[i];
        g.out[off + i] = w.outSize[i];
        g.k[off + i] = w.kernel[i];
        g.s[off + i] = w.strides[i];
        g.d[off + i] = w.dilations[i];
        g.p[off + i] = w.padBegin[i];
    }
    return g;
}

/// Range [lo, hi) of output positions o whose input o·s − p + off lies in [0, in).
void validRange(int64_t in, int64_t out, int64_t s, int64_t p, int64_t off, int64_t& lo, int64_t& hi)
{
    const int64_t a = p - off; // need o·s ≥ a and o·s ≤ in − 1 + a
    lo = a <= 0 ? 0 : (a + s - 1) / s;
    const int64_t b = in - 1 + a;
    hi = b < 0 ? 0 : std::min(out, b / s + 1);
    lo = std::min(lo, hi);
}

/// Scratch buffer owned by the calling thread, grown as needed and kept: convs run layer after
/// layer with similar sizes, so this avoids a multi-megabyte allocation (and its page faults)
/// per call. Each slot is independent.
float* scratch(int slot, size_t n)
{
    thread_local std::vector<float> buffers[2];
    auto& b = buffers[slot];
    if (b.size() < n)
        b.resize(n);
    return b.data();
}

/// Fills one im2col row (input channel plane `plane`, kernel tap kidx) for output positions
/// [first, first + count): the row of the conceptual [C·K × S] matrix, restricted to a column tile.
void im2colRow(const float* plane, int64_t kidx, const Geom3& g, int64_t first, int64_t count, float* dst)
{
    const int64_t kw = kidx % g.k[2];
    const int64_t kh = (kidx / g.k[2]) % g.k[1];
    const int64_t kd = kidx / (g.k[2] * g.k[1]);
    int64_t wLo, wHi;
    validRange(g.in[2], g.out[2], g.s[2], g.p[2], kw * g.d[2], wLo, wHi);
    const int64_t wOff = kw * g.d[2] - g.p[2];
    int64_t ow = first % g.out[2];
    int64_t oh = (first / g.out[2]) % g.out[1];
    int64_t od = first / (g.out[2] * g.out[1]);
    for (int64_t done = 0; done < count;) {
        // One stretch of an output row: [ow, ow + seg).
        const int64_t seg = std::min(g.out[2] - ow, count - done);
        float* row = dst + done - ow; // row[ow'] for ow' in [ow, ow + seg)
        const int64_t id = od * g.s[0] - g.p[0] + kd * g.d[0];
        const int64_t ih = oh * g.s[1] - g.p[1] + kh * g.d[1];
        if (id < 0 || id >= g.in[0] || ih < 0 || ih >= g.in[1]) {
            std::fill(row + ow, row + ow + seg, 0.f);
        } else {
            const float* src = plane + (id * g.in[1] + ih) * g.in[2] + wOff;
            const int64_t lo = std::clamp(wLo, ow, ow + seg), hi = std::clamp(wHi, lo, ow + seg);
            std::fill(row + ow, row + lo, 0.f);
            if (g.s[2] == 1) {
                std::memcpy(row + lo, src + lo, sizeof(float) * static_cast<size_t>(hi - lo));
            } else {
                for (int64_t o = lo; o < hi; ++o)
                    row[o] = src[o * g.s[2]];
            }
            std::fill(row + hi, row + ow + seg, 0.f);
        }
        done += seg;
        ow = 0;
        if (++oh == g.out[1]) {
            oh = 0;
            ++od;
        }
    }
}

/// im2col of `channels` input planes for output positions [first, first + count): rows
/// (c, kd, kh, kw), `count` columns. Runs on the calling thread.
void im2colTile(const float* x, int64_t channels, const Geom3& g, int64_t first, int64_t count, float* cols)
{
    const int64_t K = g.kernelSize();
    for (int64_t r = 0; r < channels * K; ++r)
        im2colRow(x + (r / K) * g.inPlane(), r % K, g, first, count, cols + r * count);
}

/// Full im2col ([C·K × S]), parallel over rows.
void im2col(const float* x, int64_t channels, const Geom3& g, float* cols, int threads)
{
    const int64_t K = g.kernelSize();
    const int64_t S = g.outPlane();
    parallelFor(channels * K, threads, [&](int64_t r0, int64_t r1) {
        for (int64_t r = r0; r < r1; ++r)
            im2colRow(x + (r / K) * g.inPlane(), r % K, g, 0, S, cols + r * S);
    });
}

/// Copies one input plane (2-D, depth 1) into `dst` with `g`'s zero padding, sized for the
/// outputs' full windows: rows (out_h−1)·s_h + k_h, cols (out_w−1)·s_w + k_w (dilation 1).
void padPlane(const float* src, const Geom3& g, float* dst, int64_t rows, int64_t cols)
{
    for (int64_t r = 0; r < rows; ++r) {
        float* d = dst + r * cols;
        const int64_t ih = r - g.p[1];
        if (ih < 0 || ih >= g.in[1]) {
            std::fill(d, d + cols, 0.f);
            continue;
        }
        const int64_t lo = std::min(cols, g.p[2]);
        const int64_t hi = std::clamp<int64_t>(g.p[2] + g.in[2], lo, cols);
        std::fill(d, d + lo, 0.f);
        std::memcpy(d + lo, src + ih * g.in[2], sizeof(float) * static_cast<size_t>(hi - lo));
        std::fill(d + hi, d + cols, 0.f);
    }
}

/// One depthwise output plane for a K×K kernel with stride S and dilation 1, read from a padded
/// plane: the taps unroll and the loop over output columns vectorizes.
template <int K, int S>
void depthwisePlane(const float* padded, int64_t padCols, const float* w, float b, float* out, int64_t outH, int64_t outW)
{
    for (int64_t oh = 0; oh < outH; ++oh) {
        const float* r = padded + oh * S * padCols;
        float* o = out + oh * outW;
        for (int64_t ow = 0; ow < outW; ++ow) {
            float acc = b;
            for (int kh = 0; kh < K; ++kh)
                for (int kw = 0; kw < K; ++kw)
                    acc += w[kh * K + kw] * r[kh * padCols + ow * S + kw];
            o[ow] = acc;
        }
    }
}

using DepthwisePlaneFn = void (*)(const float*, int64_t, const float*, float, float*, int64_t, int64_t);

/// The unrolled kernel for 2-D square 3×3/5×5 kernels, stride 1 or 2, no dilation; else nullptr.
DepthwisePlaneFn fastDepthwise(const Geom3& g)
{
    if (g.k[0] != 1 || g.k[1] != g.k[2] || g.d[1] != 1 || g.d[2] != 1 || g.s[1] != g.s[2])
        return nullptr;
    const int64_t k = g.k[1], s = g.s[1];
    if (k == 3 && s == 1)
        return depthwisePlane<3, 1>;
    if (k == 3 && s == 2)
        return depthwisePlane<3, 2>;
    if (k == 5 && s == 1)
        return depthwisePlane<5, 1>;
    if (k == 5 && s == 2)
        return depthwisePlane<5, 2>;
    return nullptr;
}

/// Depthwise conv through fastDepthwise(): parallel over N·C_out planes, each padded first.
void fastDepthwiseConv(DepthwisePlaneFn fn, const float* x, const float* w, const float* bias, float* y, int64_t batch,
                       int64_t cin, int64_t cout, const Geom3& g, int threads)
{
    const int64_t mult = cout / cin;
    const int64_t K = g.kernelSize();
    const int64_t rows = (g.out[1] - 1) * g.s[1] + g.k[1];
    const int64_t cols = (g.out[2] - 1) * g.s[2] + g.k[2];
    parallelFor(batch * cout, threads, [&](int64_t p0, int64_t p1) {
        float* padded = scratch(1, static_cast<size_t>(rows * cols));
        int64_t paddedChannel = -1; // with a channel multiplier, consecutive planes share an input
        for (int64_t p = p0; p < p1; ++p) {
            const int64_t n = p / cout, oc = p % cout;
            const int64_t ic = n * cin + oc / mult;
            if (ic != paddedChannel) {
                padPlane(x + ic * g.inPlane(), g, padded, rows, cols);
                paddedChannel = ic;
            }
            fn(padded, cols, w + oc * K, bias ? bias[oc] : 0.f, y + p * g.outPlane(), g.out[1], g.out[2]);
        }
    });
}

/// Depthwise conv: one input channel per group; output channel oc reads input channel
/// oc / multiplier. Direct loops, parallel over N·C_out planes.
void depthwiseConv(const float* x, const float* w, const float* bias, float* y, int64_t batch, int64_t cin,
                   int64_t cout, const Geom3& g, int threads)
{
    const int64_t mult = cout / cin;
    const int64_t K = g.kernelSize();
    parallelFor(batch * cout, threads, [&](int64_t p0, int64_t p1) {
        int64_t lo[64], hi[64]; // valid width range per kw (kernel widths > 64 use the slow path below)
        const bool table = g.k[2] <= 64;
        if (table)
            for (int64_t kw = 0; kw < g.k[2]; ++kw)
                validRange(g.in[2], g.out[2], g.s[2], g.p[2], kw * g.d[2], lo[kw], hi[kw]);
        for (int64_t p = p0; p < p1; ++p) {
            const int64_t n = p / cout, oc = p % cout;
            const float* plane = x + (n * cin + oc / mult) * g.inPlane();
            const float* wk = w + oc * K;
            float* out = y + p * g.outPlane();
            const float b = bias ? bias[oc] : 0.f;
            for (int64_t od = 0; od < g.out[0]; ++od) {
                for (int64_t oh = 0; oh < g.out[1]; ++oh) {
                    float* orow = out + (od * g.out[1] + oh) * g.out[2];
                    std::fill(orow, orow + g.out[2], b);
                    for (int64_t kd = 0; kd < g.k[0]; ++kd) {
                        const int64_t id = od * g.s[0] - g.p[0] + kd * g.d[0];
                        if (id < 0 || id >= g.in[0])
                            continue;
                        for (int64_t kh = 0; kh < g.k[1]; ++kh) {
                            const int64_t ih = oh * g.s[1] - g.p[1] + kh * g.d[1];
                            if (ih < 0 || ih >= g.in[1])
                                continue;
                            const float* irow = plane + (id * g.in[1] + ih) * g.in[2];
                            const float* wrow = wk + (kd * g.k[1] + kh) * g.k[2];
                            for (int64_t kw = 0; kw < g.k[2]; ++kw) {
                                int64_t l, h;
                                if (table) {
                                    l = lo[kw];
                                    h = hi[kw];
                                } else {
                                    validRange(g.in[2], g.out[2], g.s[2], g.p[2], kw * g.d[2], l, h);
                                }
                                const float wv = wrow[kw];
                                const float* src = irow + kw * g.d[2] - g.p[2];
                                if (g.s[2] == 1) {
                                    for (int64_t ow = l; ow < h; ++ow)
                                        orow[ow] += wv * src[ow];
                                } else {
                                    const int64_t s = g.s[2];
                                    for (int64_t ow = l; ow < h; ++ow)
                                        orow[ow] += wv * src[ow * s];
                                }
                            }
                        }
                    }
                }
            }
        }
    });
}

/// rows × cols block of a row-major matrix with row stride `stride`: row m += bias[m].
void addBiasRows(float* y, int64_t stride, const float* bias, int64_t rows, int64_t cols)
{
    for (int64_t m = 0; m < rows; ++m) {
        float* r = y + m * stride;
        const float b = bias[m];
        for (int64_t j = 0; j < cols; ++j)
            r[j] += b;
    }
}

using StridedMap = Eigen::Map<MatR, 0, Eigen::OuterStride<>>;
using CStridedMap = Eigen::Map<const MatR, 0, Eigen::OuterStride<>>;

/// Bytes of im2col columns a thread builds at once: fits in L2 next to Eigen's packed panels.
constexpr int64_t kTileBytes = 512 * 1024;
/// Columns per thread below which a conv splits its output channels instead of its positions.
constexpr int64_t kMinColumnsPerThread = 96;

/// One image and group of a GEMM conv: Y[Cog × S] = W[Cog × Cg·K] · cols[Cg·K × S] (+ bias).
/// Eigen always runs single-threaded here (inside parallelFor, or with threads = 1): our own
/// static split needs one barrier per conv, where Eigen's threaded GEMM spin-waits between its
/// threads many times per product, which stalls badly when the machine is oversubscribed.
struct GemmConvUnit
{
    const float* x;    ///< Cg input planes
    const float* w;    ///< [Cog][Cg·K]
    const float* bias; ///< [Cog] or nullptr
    float* y;          ///< Cog output planes
    int64_t cg, cog;
    const Geom3* g;
    bool direct; ///< 1×1, stride 1, no padding: the input planes are the column matrix

    int64_t depth() const { return cg * g->kernelSize(); }

    /// Output positions [first, first + count), tiled so the im2col block stays in cache.
    void columns(int64_t first, int64_t count) const
    {
        const int64_t S = g->outPlane();
        const int64_t tile = direct ? count : std::clamp<int64_t>(kTileBytes / 4 / depth() / 16 * 16, 64, 2048);
        float* cols = direct ? nullptr : scratch(0, static_cast<size_t>(depth() * std::min(tile, count)));
        const CMapR wm(w, cog, depth());
        for (int64_t t0 = first; t0 < first + count; t0 += tile) {
            const int64_t tn = std::min(tile, first + count - t0);
            StridedMap ym(y + t0, cog, tn, Eigen::OuterStride<>(S));
            if (direct) {
                ym.noalias() = wm * CStridedMap(x + t0, depth(), tn, Eigen::OuterStride<>(S));
            } else {
                im2colTile(x, cg, *g, t0, tn, cols);
                ym.noalias() = wm * CMapR(cols, depth(), tn);
            }
            if (bias)
                addBiasRows(y + t0, S, bias, cog, tn);
        }
    }

    /// Output channels [m0, m1) over all positions, from a finished column matrix.
    void channels(const float* cols, int64_t m0, int64_t m1) const
    {
        const int64_t S = g->outPlane();
        MapR ym(y + m0 * S, m1 - m0, S);
        ym.noalias() = CMapR(w + m0 * depth(), m1 - m0, depth()) * CMapR(cols, depth(), S);
        if (bias)
            addBiasRows(y + m0 * S, S, bias + m0, m1 - m0, S);
    }

    void run(int threads) const
    {
        const int64_t S = g->outPlane();
        if (threads <= 1 || S >= kMinColumnsPerThread * threads) {
            parallelFor(S, threads, [&](int64_t c0, int64_t c1) { columns(c0, c1 - c0); });
            return;
        }
        // Few positions (deep layers): split the output channels over one shared column matrix.
        const float* cols = x;
        if (!direct) {
            float* buffer = scratch(1, static_cast<size_t>(depth() * S));
            im2col(x, cg, *g, buffer, threads);
            cols = buffer;
        }
        parallelFor(cog, threads, [&](int64_t m0, int64_t m1) { channels(cols, m0, m1); });
    }
};

/// Conv through GEMM, unit by unit (image × group); many small units run in parallel instead.
void gemmConv(const float* x, const float* w, const float* bias, float* y, int64_t batch, int64_t cin, int64_t cout,
              int64_t group, const Geom3& g, int threads)
{
    const int64_t cg = cin / group, cog = cout / group;
    const bool direct = g.kernelSize() == 1 && g.s[0] == 1 && g.s[1] == 1 && g.s[2] == 1 && g.p[0] == 0 && g.p[1] == 0
                        && g.p[2] == 0 && g.outPlane() == g.inPlane();
    const int64_t units = batch * group;
    auto unit = [&](int64_t u) {
        const int64_t n = u / group, gi = u % group;
        return GemmConvUnit{x + (n * cin + gi * cg) * g.inPlane(), w + gi * cog * cg * g.kernelSize(),
                            bias ? bias + gi * cog : nullptr, y + (n * cout + gi * cog) * g.outPlane(), cg, cog, &g, direct};
    };
    // Whole units per thread when they divide evenly or are plentiful (grouped convs, batches).
    if (threads > 1 && (units % threads == 0 || units >= 4 * threads)) {
        parallelFor(units, threads, [&](int64_t u0, int64_t u1) {
            for (int64_t u = u0; u < u1; ++u)
                unit(u).run(1);
        });
        return;
    }
    for (int64_t u = 0; u < units; ++u)
        unit(u).run(threads);
}

struct ConvShapes
{
    int64_t batch = 0, cin = 0, cout = 0, group = 1;
    std::vector<int64_t> kernel; ///< from W
};

ConvShapes checkConvShapes(const Node& node, const Tensor& x, const Tensor& w, const Tensor* b, bool transpose)
{
    if (!x.isFloat() || !w.isFloat() || (b && !b->isFloat()))
        throw UnsupportedError("only float32 inputs are supported");
    if (x.rank() < 3)
        throw ShapeError("X must have rank ≥ 3 (N, C, spatial...), got " + shapeToString(x.shape()));
    if (w.rank() != x.rank())
        throw ShapeError("W must have the rank of X (" + std::to_string(x.rank()) + "), got shape " + shapeToString(w.shape()));
    ConvShapes s;
    s.batch = x.dim(0);
    s.cin = x.dim(1);
    s.group = node.attrInt("group", 1);
    if (s.group < 1)
        throw ShapeError("group must be ≥ 1, got " + std::to_string(s.group));
    s.kernel.assign(w.shape().begin() + 2, w.shape().end());
    const auto attrKernel = node.attrInts("kernel_shape");
    if (!attrKernel.empty() && attrKernel != s.kernel)
        throw ShapeError("kernel_shape " + shapeToString(attrKernel) + " does not match W " + shapeToString(w.shape()));
    if (s.cin % s.group != 0)
        throw ShapeError("group " + std::to_string(s.group) + " does not divide the " + std::to_string(s.cin)
                         + " input channels of X " + shapeToString(x.shape()));
    if (transpose) {
        if (w.dim(0) != s.cin)
            throw ShapeError("W " + shapeToString(w.shape()) + " must have " + std::to_string(s.cin)
                             + " input channels (dim 0) for X " + shapeToString(x.shape()));
        s.cout = w.dim(1) * s.group;
    } else {
        s.cout = w.dim(0);
        if (s.cout % s.group != 0)
            throw ShapeError("group " + std::to_string(s.group) + " does not divide the " + std::to_string(s.cout)
                             + " output channels of W " + shapeToString(w.shape()));
        if (w.dim(1) * s.group != s.cin)
            throw ShapeError("W " + shapeToString(w.shape()) + " expects " + std::to_string(w.dim(1) * s.group)
                             + " input channels (group " + std::to_string(s.group) + "), X " + shapeToString(x.shape())
                             + " has " + std::to_string(s.cin));
    }
    if (b && (b->rank() != 1 || b->dim(0) != s.cout))
        throw ShapeError("bias B must have shape [" + std::to_string(s.cout) + "], got " + shapeToString(b->shape()));
    return s;
}

Shape outputShape(const ConvShapes& s, const Window& w)
{
    Shape shape{s.batch, s.cout};
    shape.insert(shape.end(), w.outSize.begin(), w.outSize.end());
    return shape;
}

std::vector<Tensor> runConv(const Node& node, OpInputs inputs, const OpContext& ctx)
{
    const Tensor& x = ops::input(inputs, 0, "X");
    const Tensor& w = ops::input(inputs, 1, "W");
    const Tensor* b = ops::optionalInput(inputs, 2);
    const ConvShapes s = checkConvShapes(node, x, w, b, false);
    const Window win = ops::convWindow(node, x.shape(), s.kernel, false);
    const Geom3 g = toGeom3(win);
    Tensor y(DType::Float32, outputShape(s, win));
    if (y.empty() || x.empty())
        return ops::single(std::move(y));
    const float* bias = b ? b->f() : nullptr;
    setGemmThreads(ctx.threads); // our kernels split the work; Eigen must not add threads when threads = 1
    if (s.group == s.cin && s.group > 1) {
        if (const DepthwisePlaneFn fn = fastDepthwise(g))
            fastDepthwiseConv(fn, x.f(), w.f(), bias, y.f(), s.batch, s.cin, s.cout, g, ctx.threads);
        else
            depthwiseConv(x.f(), w.f(), bias, y.f(), s.batch, s.cin, s.cout, g, ctx.threads);
    } else {
        gemmConv(x.f(), w.f(), bias, y.f(), s.batch, s.cin, s.cout, s.group, g, ctx.threads);
    }
    std::vector<Tensor> out;
    out.push_back(std::move(y));
    return out;
}

/// col2im for ConvTranspose: scatters cols[(oc, k) × input positions] into output planes that
/// start as the bias. Parallel over output channels (each plane is written by one thread).
void col2im(const float* cols, int64_t channels, const Geom3& g, const float* bias, float* y, int threads)
{
    // Here g.in is the ConvTranspose input (the "output" side of the equivalent conv), g.out the result.
    const int64_t K = g.kernelSize();
    const int64_t S = g.inPlane();
    parallelFor(channels, threads, [&](int64_t c0, int64_t c1) {
        for (int64_t c = c0; c < c1; ++c) {
            float* plane = y + c * g.outPlane();
            std::fill(plane, plane + g.outPlane(), bias ? bias[c] : 0.f);
            for (int64_t kidx = 0; kidx < K; ++kidx) {
                const int64_t kw = kidx % g.k[2];
                const int64_t kh = (kidx / g.k[2]) % g.k[1];
                const int64_t kd = kidx / (g.k[2] * g.k[1]);
                const float* row = cols + (c * K + kidx) * S;
                // Output o = i·s − p + k·dil must lie in [0, out): valid input range per axis.
                int64_t wLo, wHi;
                validRange(g.out[2], g.in[2], g.s[2], g.p[2], kw * g.d[2], wLo, wHi);
                const int64_t wOff = kw * g.d[2] - g.p[2];
                for (int64_t id = 0; id < g.in[0]; ++id) {
                    const int64_t od = id * g.s[0] - g.p[0] + kd * g.d[0];
                    if (od < 0 || od >= g.out[0])
                        continue;
                    for (int64_t ih = 0; ih < g.in[1]; ++ih) {
                        const int64_t oh = ih * g.s[1] - g.p[1] + kh * g.d[1];
                        if (oh < 0 || oh >= g.out[1])
                            continue;
                        const float* src = row + (id * g.in[1] + ih) * g.in[2];
                        float* dst = plane + (od * g.out[1] + oh) * g.out[2];
                        for (int64_t iw = wLo; iw < wHi; ++iw)
                            dst[iw * g.s[2] + wOff] += src[iw];
                    }
                }
            }
        }
    });
}

/// ConvTranspose: per image and group, cols[Cog·K × S_in] = W_gᵀ · X_g, then col2im.
std::vector<Tensor> runConvTranspose(const Node& node, OpInputs inputs, const OpContext& ctx)
{
    const Tensor& x = ops::input(inputs, 0, "X");
    const Tensor& w = ops::input(inputs, 1, "W");
    const Tensor* b = ops::optionalInput(inputs, 2);
    const ConvShapes s = checkConvShapes(node, x, w, b, true);
    const ops::TransposeWindow win = ops::convTransposeWindow(node, x.shape(), s.kernel);
    const Geom3 g = toGeom3(win);
    Tensor y(DType::Float32, outputShape(s, win));
    if (y.empty() || x.empty())
        return ops::single(std::move(y));
    setGemmThreads(ctx.threads);
    const int64_t cg = s.cin / s.group, cog = s.cout / s.group;
    const int64_t K = g.kernelSize();
    const int64_t S = g.inPlane();
    float* cols = scratch(0, static_cast<size_t>(cog * K * S));
    for (int64_t n = 0; n < s.batch; ++n) {
        for (int64_t gi = 0; gi < s.group; ++gi) {
            const CMapR wm(w.f() + gi * cg * cog * K, cg, cog * K);
            const CMapR xm(x.f() + (n * s.cin + gi * cg) * S, cg, S);
            parallelFor(cog * K, ctx.threads, [&](int64_t r0, int64_t r1) {
                MapR(cols + r0 * S, r1 - r0, S).noalias() = wm.middleCols(r0, r1 - r0).transpose() * xm;
            });
            col2im(cols, cog, g, b ? b->f() + gi * cog : nullptr, y.f() + (n * s.cout + gi * cog) * g.outPlane(),
                   ctx.threads);
        }
    }
    std::vector<Tensor> out;
    out.push_back(std::move(y));
    return out;
}

void validateConv(const Node& node, int64_t /*opset*/)
{
    opcheck::inputCount(node, 2, 3);
    opcheck::outputCount(node, 1, 1);
    ops::validateWindowAttrs(node);
}

} // namespace

void registerConvOps(OpRegistry& registry)
{
    registry.add({"Conv", 1, validateConv, runConv});
    registry.add({"ConvTranspose", 1, validateConv, runConvTranspose});
}

} // namespace lnscope::core
