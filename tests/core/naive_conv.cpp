#include "naive_conv.h"

#include <algorithm>
#include <limits>
#include <stdexcept>

namespace lnscope::test::naive {

using core::Shape;
using core::Tensor;

namespace {

/// Advances a multi-index over `dims` in row-major order; false after the last one.
bool next(Ints& idx, const Ints& dims)
{
    for (size_t i = idx.size(); i-- > 0;) {
        if (++idx[i] < dims[i])
            return true;
        idx[i] = 0;
    }
    return false;
}

/// Row-major flat offset of a multi-index.
int64_t flat(const Ints& idx, const Ints& dims)
{
    int64_t f = 0;
    for (size_t i = 0; i < idx.size(); ++i)
        f = f * dims[i] + idx[i];
    return f;
}

Ints spatialOf(const Tensor& t)
{
    return Ints(t.shape().begin() + 2, t.shape().end());
}

int64_t product(const Ints& v)
{
    int64_t p = 1;
    for (int64_t x : v)
        p *= x;
    return p;
}

Tensor toFloat(const Shape& shape, const std::vector<double>& v)
{
    std::vector<float> f(v.begin(), v.end());
    return Tensor::fromFloats(shape, std::move(f));
}

Shape concat(Shape head, const Ints& tail)
{
    head.insert(head.end(), tail.begin(), tail.end());
    return head;
}

} // namespace

Ints resolveWindow(const Ints& in, WindowParams& w, const std::string& autoPad, const Ints& pads, bool ceilMode)
{
    const size_t n = in.size();
    if (w.strides.empty())
        w.strides.assign(n, 1);
    if (w.dilations.empty())
        w.dilations.assign(n, 1);
    w.padBegin.assign(n, 0);
    w.padEnd.assign(n, 0);
    Ints out(n);
    for (size_t i = 0; i < n; ++i) {
        const int64_t ek = (w.kernel[i] - 1) * w.dilations[i] + 1;
        const int64_t s = w.strides[i];
        if (autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER") {
            out[i] = (in[i] + s - 1) / s; // ceil(in / s)
            const int64_t total = std::max<int64_t>(0, (out[i] - 1) * s + ek - in[i]);
            w.padBegin[i] = autoPad == "SAME_UPPER" ? total / 2 : total - total / 2;
            w.padEnd[i] = total - w.padBegin[i];
            continue;
        }
        if (autoPad == "NOTSET" && !pads.empty()) {
            w.padBegin[i] = pads[i];
            w.padEnd[i] = pads[i + n];
        }
        const int64_t span = in[i] + w.padBegin[i] + w.padEnd[i] - ek;
        out[i] = (ceilMode ? (span + s - 1) / s : span / s) + 1;
        if (ceilMode && (out[i] - 1) * s >= in[i] + w.padBegin[i]) // last window must start inside
            --out[i];
    }
    return out;
}

Tensor conv(const Tensor& x, const Tensor& w, const Tensor* bias, const WindowParams& p, int64_t group)
{
    const int64_t batch = x.dim(0), cin = x.dim(1), cout = w.dim(0);
    const int64_t cg = cin / group, mg = cout / group;
    const Ints in = spatialOf(x), kernel = spatialOf(w);
    const size_t n = in.size();
    Ints out(n);
    for (size_t i = 0; i < n; ++i)
        out[i] = (in[i] + p.padBegin[i] + p.padEnd[i] - ((kernel[i] - 1) * p.dilations[i] + 1)) / p.strides[i] + 1;
    const Shape outShape = concat({batch, cout}, out);
    std::vector<double> y(static_cast<size_t>(core::shapeNumel(outShape)), 0.0);
    const int64_t inPlane = product(in), outPlane = product(out), kSize = product(kernel);
    for (int64_t b = 0; b < batch; ++b)
        for (int64_t m = 0; m < cout; ++m) {
            Ints o(n, 0);
            do {
                double sum = bias ? bias->f()[m] : 0.0;
                for (int64_t c = 0; c < cg; ++c) {
                    const int64_t ic = (m / mg) * cg + c;
                    Ints k(n, 0);
                    do {
                        Ints pos(n);
                        bool inside = true;
                        for (size_t i = 0; i < n; ++i) {
                            pos[i] = o[i] * p.strides[i] - p.padBegin[i] + k[i] * p.dilations[i];
                            inside = inside && pos[i] >= 0 && pos[i] < in[i];
                        }
                        if (inside)
                            sum += double(x.f()[(b * cin + ic) * inPlane + flat(pos, in)])
                                   * double(w.f()[(m * cg + c) * kSize + flat(k, kernel)]);
                    } while (next(k, kernel));
                }
                y[static_cast<size_t>((b * cout + m) * outPlane + flat(o, out))] = sum;
            } while (next(o, out));
        }
    return toFloat(outShape, y);
}

Tensor convTranspose(const Tensor& x, const Tensor& w, const Tensor* bias, const WindowParams& p, int64_t group,
                     const Ints& outSize)
{
    const int64_t batch = x.dim(0), cin = x.dim(1), mg = w.dim(1), cout = mg * group;
    const int64_t cg = cin / group;
    const Ints in = spatialOf(x), kernel = spatialOf(w);
    const size_t n = in.size();
    const Shape outShape = concat({batch, cout}, outSize);
    std::vector<double> y(static_cast<size_t>(core::shapeNumel(outShape)), 0.0);
    const int64_t inPlane = product(in), outPlane = product(outSize), kSize = product(kernel);
    for (int64_t b = 0; b < batch; ++b)
        for (int64_t c = 0; c < cin; ++c) {
            Ints i(n, 0);
            do {
                const double xv = x.f()[(b * cin + c) * inPlane + flat(i, in)];
                for (int64_t mo = 0; mo < mg; ++mo) {
                    const int64_t m = (c / cg) * mg + mo;
                    Ints k(n, 0);
                    do {
                        Ints o(n);
                        bool inside = true;
                        for (size_t d = 0; d < n; ++d) {
                            o[d] = i[d] * p.strides[d] - p.padBegin[d] + k[d] * p.dilations[d];
                            inside = inside && o[d] >= 0 && o[d] < outSize[d];
                        }
                        if (inside)
                            y[static_cast<size_t>((b * cout + m) * outPlane + flat(o, outSize))]
                                += xv * double(w.f()[(c * mg + mo) * kSize + flat(k, kernel)]);
                    } while (next(k, kernel));
                }
            } while (next(i, in));
        }
    if (bias)
        for (size_t e = 0; e < y.size(); ++e)
            y[e] += bias->f()[(static_cast<int64_t>(e) / outPlane) % cout];
    return toFloat(outShape, y);
}

Tensor gemm(const Tensor& a, const Tensor& b, const Tensor* c, float alpha, float beta, bool transA, bool transB)
{
    const int64_t m = transA ? a.dim(1) : a.dim(0), k = transA ? a.dim(0) : a.dim(1);
    const int64_t n = transB ? b.dim(0) : b.dim(1);
    auto av = [&](int64_t i, int64_t j) { return double(transA ? a.f()[j * m + i] : a.f()[i * k + j]); };
    auto bv = [&](int64_t i, int64_t j) { return double(transB ? b.f()[j * k + i] : b.f()[i * n + j]); };
    std::vector<double> y(static_cast<size_t>(m * n));
    for (int64_t i = 0; i < m; ++i)
        for (int64_t j = 0; j < n; ++j) {
            double sum = 0.0;
            for (int64_t q = 0; q < k; ++q)
                sum += av(i, q) * bv(q, j);
            double cv = 0.0;
            if (c) {
                const Shape& cs = c->shape();
                const int64_t rows = cs.size() == 2 ? cs[0] : 1, cols = cs.empty() ? 1 : cs.back();
                cv = c->f()[(rows == 1 ? 0 : i) * cols + (cols == 1 ? 0 : j)];
            }
            y[static_cast<size_t>(i * n + j)] = double(alpha) * sum + double(beta) * cv;
        }
    return toFloat({m, n}, y);
}

Tensor matmul(const Tensor& a, const Tensor& b)
{
    Shape as = a.shape(), bs = b.shape();
    const bool aVec = as.size() == 1, bVec = bs.size() == 1;
    if (aVec)
        as.insert(as.begin(), 1);
    if (bVec)
        bs.push_back(1);
    const int64_t m = as[as.size() - 2], k = as.back(), n = bs.back();
    // Broadcast batch dims, right-aligned.
    const size_t ra = as.size() - 2, rb = bs.size() - 2, r = std::max(ra, rb);
    Ints batch(r), aB(r, 1), bB(r, 1);
    for (size_t i = 0; i < ra; ++i)
        aB[r - ra + i] = as[i];
    for (size_t i = 0; i < rb; ++i)
        bB[r - rb + i] = bs[i];
    for (size_t i = 0; i < r; ++i) {
        if (aB[i] != bB[i] && aB[i] != 1 && bB[i] != 1)
            throw std::invalid_argument("batch dims do not broadcast");
        batch[i] = std::max(aB[i], bB[i]);
    }
    Shape outShape = batch;
    if (!aVec)
        outShape.push_back(m);
    if (!bVec)
        outShape.push_back(n);
    std::vector<double> y(static_cast<size_t>(product(batch) * m * n));
    Ints idx(r, 0);
    int64_t bi = 0;
    do {
        Ints ia(r), ib(r);
        for (size_t i = 0; i < r; ++i) {
            ia[i] = aB[i] == 1 ? 0 : idx[i];
            ib[i] = bB[i] == 1 ? 0 : idx[i];
        }
        const int64_t offA = flat(ia, aB) * m * k, offB = flat(ib, bB) * k * n;
        for (int64_t i = 0; i < m; ++i)
            for (int64_t j = 0; j < n; ++j) {
                double sum = 0.0;
                for (int64_t q = 0; q < k; ++q)
                    sum += double(a.f()[offA + i * k + q]) * double(b.f()[offB + q * n + j]);
                y[static_cast<size_t>((bi * m + i) * n + j)] = sum;
            }
        ++bi;
    } while (r > 0 && next(idx, batch));
    return toFloat(outShape, y);
}

namespace {
/// Walks every window of a pool: fn(plane, outFlat, taps) where taps lists (inFlat, inside).
template <typename Fn>
void forEachWindow(const Tensor& x, const WindowParams& p, const Ints& outSize, Fn&& fn)
{
    const Ints in = spatialOf(x);
    const size_t n = in.size();
    const int64_t planes = x.dim(0) * x.dim(1);
    for (int64_t plane = 0; plane < planes; ++plane) {
        Ints o(n, 0);
        do {
            std::vector<std::pair<Ints, bool>> taps; // position, inside the unpadded input
            int64_t padded = 0;
            Ints k(n, 0);
            do {
                Ints pos(n);
                bool inside = true, insidePadded = true;
                for (size_t i = 0; i < n; ++i) {
                    pos[i] = o[i] * p.strides[i] - p.padBegin[i] + k[i] * p.dilations[i];
                    inside = inside && pos[i] >= 0 && pos[i] < in[i];
                    insidePadded = insidePadded && pos[i] >= -p.padBegin[i] && pos[i] < in[i] + p.padEnd[i];
                }
                if (inside)
                    taps.emplace_back(pos, true);
                padded += insidePadded ? 1 : 0;
            } while (next(k, p.kernel));
            fn(plane, flat(o, outSize), taps, padded);
        } while (next(o, outSize));
    }
}
} // namespace

Tensor maxPool(const Tensor& x, const WindowParams& p, const Ints& outSize, Tensor* indices, bool columnMajor)
{
    const Ints in = spatialOf(x);
    const Shape outShape = concat({x.dim(0), x.dim(1)}, outSize);
    const int64_t inPlane = product(in), outPlane = product(outSize);
    std::vector<double> y(static_cast<size_t>(core::shapeNumel(outShape)));
    std::vector<int64_t> idx(y.size(), -1);
    Ints reversed(in.rbegin(), in.rend());
    forEachWindow(x, p, outSize, [&](int64_t plane, int64_t o, const auto& taps, int64_t) {
        double best = -std::numeric_limits<double>::infinity();
        for (const auto& [pos, inside] : taps) {
            const double v = x.f()[plane * inPlane + flat(pos, in)];
            if (v > best) {
                best = v;
                const Ints rpos(pos.rbegin(), pos.rend());
                idx[static_cast<size_t>(plane * outPlane + o)]
                    = plane * inPlane + (columnMajor ? flat(rpos, reversed) : flat(pos, in));
            }
        }
        y[static_cast<size_t>(plane * outPlane + o)] = best;
    });
    if (indices)
        *indices = Tensor::fromInts(outShape, idx);
    return toFloat(outShape, y);
}

Tensor averagePool(const Tensor& x, const WindowParams& p, const Ints& outSize, bool countIncludePad)
{
    const Ints in = spatialOf(x);
    const Shape outShape = concat({x.dim(0), x.dim(1)}, outSize);
    const int64_t inPlane = product(in), outPlane = product(outSize);
    std::vector<double> y(static_cast<size_t>(core::shapeNumel(outShape)));
    forEachWindow(x, p, outSize, [&](int64_t plane, int64_t o, const auto& taps, int64_t padded) {
        double sum = 0.0;
        for (const auto& [pos, inside] : taps)
            sum += x.f()[plane * inPlane + flat(pos, in)];
        const double count = countIncludePad ? double(padded) : double(taps.size());
        y[static_cast<size_t>(plane * outPlane + o)] = sum / count;
    });
    return toFloat(outShape, y);
}

Tensor globalPool(const Tensor& x, bool max)
{
    Shape outShape = x.shape();
    std::fill(outShape.begin() + 2, outShape.end(), 1);
    const int64_t planes = x.dim(0) * x.dim(1), plane = x.numel() / planes;
    std::vector<double> y(static_cast<size_t>(planes));
    for (int64_t p = 0; p < planes; ++p) {
        double acc = max ? -std::numeric_limits<double>::infinity() : 0.0;
        for (int64_t i = 0; i < plane; ++i)
            acc = max ? std::max(acc, double(x.f()[p * plane + i])) : acc + x.f()[p * plane + i];
        y[static_cast<size_t>(p)] = max ? acc : acc / double(plane);
    }
    return toFloat(outShape, y);
}

} // namespace lnscope::test::naive
