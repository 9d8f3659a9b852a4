#include "lnscope/core/cluster_compress.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

namespace lnscope::core {

namespace {

constexpr int kMaxPackBits = 32;

[[noreturn]] void failFormat(const std::string& what) { throw FormatError("cluster compression: " + what); }

void validateOptions(const ClusterOptions& options)
{
    if (options.clusters < 1)
        failFormat("clusters must be ≥ 1, got " + std::to_string(options.clusters));
    if (options.maxIterations < 0)
        failFormat("maxIterations must be ≥ 0, got " + std::to_string(options.maxIterations));
}

void requireFloat(const Tensor& weight)
{
    if (!weight.isFloat())
        failFormat(std::string("weight must be float, got ") + dtypeName(weight.dtype()));
}

/// Kernel-unit view of a conv weight [O, I, kh, kw].
void requireConvWeight(const Tensor& weight)
{
    if (weight.rank() != 4)
        failFormat("conv weight must have rank 4 [O, I, kh, kw], got " + shapeToString(weight.shape()));
    requireFloat(weight);
}

/// Normalized directions of the non-zero kernels plus one scale per kernel (0 for zero kernels).
struct KernelPoints
{
    int d = 0;
    std::vector<float> points;     ///< nonZero × d: w / m
    std::vector<int64_t> unitOf;   ///< per point: its kernel index
    std::vector<float> scales;     ///< per kernel: m (0 for all-zero kernels)
};

KernelPoints normalizeKernels(const Tensor& weight)
{
    const int64_t kh = weight.dim(2);
    const int64_t kw = weight.dim(3);
    const int d = static_cast<int>(kh * kw);
    // (kh/2, kw/2): the true centre for odd sizes, the lower-right of the central 2×2 for even.
    const int64_t centre = (kh / 2) * kw + kw / 2;
    const int64_t units = weight.dim(0) * weight.dim(1);
    const float* w = weight.f();

    KernelPoints out;
    out.d = d;
    out.scales.assign(static_cast<size_t>(units), 0.f);
    out.points.reserve(static_cast<size_t>(units * d));
    for (int64_t u = 0; u < units; ++u) {
        const float* k = w + u * d;
        double norm2 = 0.0;
        for (int j = 0; j < d; ++j)
            norm2 += double(k[j]) * double(k[j]);
        if (!std::isfinite(norm2))
            failFormat("kernel [" + std::to_string(u / weight.dim(1)) + "][" + std::to_string(u % weight.dim(1))
                       + "] has a non-finite weight");
        if (norm2 == 0.0)
            continue; // all-zero kernel: scale 0, index 0, not clustered
        const double m = std::sqrt(norm2) * (k[centre] < 0.f ? -1.0 : 1.0);
        out.scales[static_cast<size_t>(u)] = static_cast<float>(m);
        for (int j = 0; j < d; ++j)
            out.points.push_back(static_cast<float>(double(k[j]) / m));
        out.unitOf.push_back(u);
    }
    return out;
}

KMeansOptions kmeansOptions(const ClusterOptions& options)
{
    KMeansOptions k;
    k.clusters = options.clusters;
    k.maxIterations = options.maxIterations;
    k.seed = options.seed;
    k.threads = options.threads;
    k.progress = options.progress;
    return k;
}

void copyStats(CompressedKernels& out, const KMeansResult& km)
{
    out.clusters = km.clusters;
    out.centroids = km.centroids;
    out.indexBits = indexBitsFor(km.clusters);
    out.inertia = km.inertia;
    out.iterations = km.iterations;
    out.stop = km.stop;
}

/// Σ ‖x − c_label‖² in double, point order (a shared book's per-layer part of the inertia).
double inertiaOf(std::span<const float> points, int d, std::span<const float> centroids,
                 std::span<const int32_t> labels)
{
    double sum = 0.0;
    for (size_t p = 0; p < labels.size(); ++p) {
        const float* x = points.data() + p * static_cast<size_t>(d);
        const float* c = centroids.data() + static_cast<size_t>(labels[p]) * static_cast<size_t>(d);
        for (int j = 0; j < d; ++j) {
            const double diff = double(x[j]) - double(c[j]);
            sum += diff * diff;
        }
    }
    return sum;
}

CompressedKernels kernelResult(const Tensor& weight, KernelPoints&& kp)
{
    CompressedKernels out;
    out.weightShape = weight.shape();
    out.unit = ClusterUnit::Kernel;
    out.d = kp.d;
    out.indices.assign(kp.scales.size(), 0u);
    out.scales = std::move(kp.scales);
    out.nonZeroUnits = static_cast<int64_t>(kp.unitOf.size());
    return out;
}

void checkPointwiseShape(const Tensor& weight)
{
    const bool gemm = weight.rank() == 2;
    const bool conv1x1 = weight.rank() == 4 && weight.dim(2) == 1 && weight.dim(3) == 1;
    if (!gemm && !conv1x1)
        failFormat("pointwise weight must be [O, I, 1, 1] or [O, I], got " + shapeToString(weight.shape()));
    requireFloat(weight);
    for (float v : weight.floats())
        if (!std::isfinite(v))
            failFormat("pointwise weight has a non-finite value");
}

CompressedKernels compressScalar(const Tensor& weight, const ClusterOptions& options)
{
    const std::span<const float> values = weight.floats();
    const KMeansResult km = kmeans(values, 1, kmeansOptions(options));
    CompressedKernels out;
    out.weightShape = weight.shape();
    out.unit = ClusterUnit::Scalar;
    out.d = 1;
    out.nonZeroUnits = weight.numel();
    out.indices.assign(km.labels.begin(), km.labels.end());
    copyStats(out, km);
    return out;
}

CompressedKernels compressSubVectors(const Tensor& weight, const ClusterOptions& options)
{
    const int d = options.subVectorLength;
    if (d < 1)
        failFormat("subVectorLength must be ≥ 1, got " + std::to_string(d));
    const int64_t rows = weight.dim(0);
    const int64_t cols = weight.dim(1);
    const int64_t pieces = (cols + d - 1) / d;
    std::vector<float> points(static_cast<size_t>(rows * pieces * d), 0.f); // pad stays 0
    const float* w = weight.f();
    for (int64_t r = 0; r < rows; ++r)
        std::copy(w + r * cols, w + (r + 1) * cols, points.begin() + r * pieces * d);

    const KMeansResult km = kmeans(points, d, kmeansOptions(options));
    CompressedKernels out;
    out.weightShape = weight.shape();
    out.unit = ClusterUnit::SubVector;
    out.d = d;
    out.nonZeroUnits = rows * pieces;
    out.indices.assign(km.labels.begin(), km.labels.end());
    copyStats(out, km);
    return out;
}

} // namespace

const char* toString(PointwisePolicy policy)
{
    switch (policy) {
    case PointwisePolicy::Keep: return "keep";
    case PointwisePolicy::ScalarSharing: return "scalar-sharing";
    case PointwisePolicy::SubVector: return "sub-vector";
    }
    return "?";
}

int indexBitsFor(int clusters)
{
    int bits = 1;
    while (bits < 32 && (uint64_t(1) << bits) < static_cast<uint64_t>(std::max(clusters, 1)))
        ++bits;
    return bits;
}

CompressedKernels compressConvWeights(const Tensor& weight, const ClusterOptions& options)
{
    requireConvWeight(weight);
    validateOptions(options);
    if (weight.dim(2) * weight.dim(3) == 1) {
        if (options.pointwise == PointwisePolicy::Keep)
            throw UnsupportedError("cluster compression: 1×1 conv " + shapeToString(weight.shape())
                                   + " is kept uncompressed (pointwise policy 'keep')");
        return compressPointwise(weight, options.pointwise, options);
    }
    KernelPoints kp = normalizeKernels(weight);
    const int d = kp.d;
    if (kp.unitOf.empty()) {
        CompressedKernels out = kernelResult(weight, std::move(kp));
        out.indexBits = indexBitsFor(0);
        return out;
    }
    const KMeansResult km = kmeans(kp.points, d, kmeansOptions(options));
    std::vector<int64_t> unitOf = std::move(kp.unitOf);
    CompressedKernels out = kernelResult(weight, std::move(kp));
    out.nonZeroUnits = static_cast<int64_t>(unitOf.size());
    for (size_t p = 0; p < unitOf.size(); ++p)
        out.indices[static_cast<size_t>(unitOf[p])] = static_cast<uint32_t>(km.labels[p]);
    copyStats(out, km);
    return out;
}

std::vector<CompressedKernels> compressSharedBook(const std::vector<const Tensor*>& layers,
                                                  const ClusterOptions& options)
{
    if (layers.empty())
        failFormat("shared book needs at least one layer");
    validateOptions(options);
    std::vector<KernelPoints> parts;
    parts.reserve(layers.size());
    std::vector<float> all;
    for (size_t l = 0; l < layers.size(); ++l) {
        if (!layers[l])
            failFormat("shared book: layer " + std::to_string(l) + " is null");
        const Tensor& w = *layers[l];
        requireConvWeight(w);
        const int64_t d = w.dim(2) * w.dim(3);
        if (d == 1)
            throw UnsupportedError("cluster compression: shared book over 1×1 layer " + std::to_string(l));
        if (!parts.empty() && d != parts.front().d)
            failFormat("shared book: layer " + std::to_string(l) + " has d = " + std::to_string(d) + ", layer 0 has "
                       + std::to_string(parts.front().d));
        parts.push_back(normalizeKernels(w));
        all.insert(all.end(), parts.back().points.begin(), parts.back().points.end());
    }
    const int d = parts.front().d;

    std::vector<CompressedKernels> results;
    results.reserve(layers.size());
    if (all.empty()) { // every kernel of every layer is zero
        for (size_t l = 0; l < layers.size(); ++l)
            results.push_back(kernelResult(*layers[l], std::move(parts[l])));
        return results;
    }
    const KMeansResult km = kmeans(all, d, kmeansOptions(options));
    size_t offset = 0; // first point of the current layer in `all`
    for (size_t l = 0; l < layers.size(); ++l) {
        const std::vector<int64_t> unitOf = parts[l].unitOf;
        const std::vector<float> points = std::move(parts[l].points);
        CompressedKernels out = kernelResult(*layers[l], std::move(parts[l]));
        const std::span<const int32_t> labels(km.labels.data() + offset, unitOf.size());
        for (size_t p = 0; p < unitOf.size(); ++p)
            out.indices[static_cast<size_t>(unitOf[p])] = static_cast<uint32_t>(labels[p]);
        copyStats(out, km);
        out.inertia = inertiaOf(points, d, km.centroids, labels);
        offset += unitOf.size();
        results.push_back(std::move(out));
    }
    return results;
}

CompressedKernels compressPointwise(const Tensor& weight, PointwisePolicy policy, const ClusterOptions& options)
{
    checkPointwiseShape(weight);
    validateOptions(options);
    switch (policy) {
    case PointwisePolicy::Keep:
        throw UnsupportedError("cluster compression: pointwise policy 'keep' leaves " + shapeToString(weight.shape())
                               + " uncompressed");
    case PointwisePolicy::ScalarSharing: return compressScalar(weight, options);
    case PointwisePolicy::SubVector: return compressSubVectors(weight, options);
    }
    throw UnsupportedError("cluster compression: unknown pointwise policy");
}

Tensor CompressedKernels::reconstruct() const
{
    Tensor out(DType::Float32, weightShape);
    const int64_t n = out.numel();
    if (d < 1 || clusters < 0 || centroids.size() != static_cast<size_t>(clusters) * static_cast<size_t>(d))
        failFormat("compressed weight: centroids do not match clusters × d");
    for (uint32_t idx : indices)
        if (idx >= static_cast<uint32_t>(std::max(clusters, 1)))
            failFormat("compressed weight: index " + std::to_string(idx) + " ≥ clusters " + std::to_string(clusters));
    float* w = out.f();
    const float* c = centroids.data();
    switch (unit) {
    case ClusterUnit::Kernel: {
        if (indices.size() * static_cast<size_t>(d) != static_cast<size_t>(n) || scales.size() != indices.size())
            failFormat("compressed weight: kernel count does not match " + shapeToString(weightShape));
        for (size_t u = 0; u < indices.size(); ++u) {
            if (scales[u] == 0.f)
                continue; // all-zero kernel (also the only case allowed with clusters == 0)
            if (clusters == 0)
                failFormat("compressed weight: non-zero scale without centroids");
            const float* cu = c + static_cast<size_t>(indices[u]) * d;
            for (int j = 0; j < d; ++j)
                w[u * d + j] = scales[u] * cu[j];
        }
        break;
    }
    case ClusterUnit::Scalar:
        if (indices.size() != static_cast<size_t>(n) || (n > 0 && clusters == 0))
            failFormat("compressed weight: index count does not match " + shapeToString(weightShape));
        for (int64_t i = 0; i < n; ++i)
            w[i] = c[indices[static_cast<size_t>(i)]];
        break;
    case ClusterUnit::SubVector: {
        const int64_t rows = weightShape.empty() ? 0 : weightShape[0];
        const int64_t cols = rows > 0 ? n / rows : 0;
        const int64_t pieces = (cols + d - 1) / d;
        if (indices.size() != static_cast<size_t>(rows * pieces) || (n > 0 && clusters == 0))
            failFormat("compressed weight: sub-vector count does not match " + shapeToString(weightShape));
        for (int64_t r = 0; r < rows; ++r)
            for (int64_t p = 0; p < pieces; ++p) {
                const float* cu = c + static_cast<size_t>(indices[static_cast<size_t>(r * pieces + p)]) * d;
                const int64_t len = std::min<int64_t>(d, cols - p * d); // drop the pad
                std::copy(cu, cu + len, w + r * cols + p * d);
            }
        break;
    }
    }
    return out;
}

std::vector<uint8_t> CompressedKernels::packedIndices() const { return packBits(indices, indexBits); }

double CompressedKernels::weightSqnrDb(const Tensor& original) const
{
    if (!original.isFloat())
        failFormat("SQNR needs a float weight");
    if (original.shape() != weightShape)
        throw ShapeError("cluster compression: SQNR of " + shapeToString(original.shape()) + " against compressed "
                         + shapeToString(weightShape));
    const Tensor approx = reconstruct();
    const std::span<const float> a = original.floats();
    const std::span<const float> b = approx.floats();
    double signal = 0.0;
    double noise = 0.0;
    for (size_t i = 0; i < a.size(); ++i) {
        signal += double(a[i]) * double(a[i]);
        const double e = double(a[i]) - double(b[i]);
        noise += e * e;
    }
    if (noise == 0.0)
        return std::numeric_limits<double>::infinity();
    return 10.0 * std::log10(signal / noise);
}

std::vector<uint8_t> packBits(std::span<const uint32_t> values, int bits)
{
    if (bits < 1 || bits > kMaxPackBits)
        failFormat("packBits: bits must be in [1, 32], got " + std::to_string(bits));
    const uint64_t limit = uint64_t(1) << bits;
    std::vector<uint8_t> out((values.size() * static_cast<size_t>(bits) + 7) / 8, 0);
    uint64_t acc = 0;   // pending bits, LSB first
    int pending = 0;    // number of valid bits in acc (< 8 between values)
    size_t byte = 0;
    for (size_t k = 0; k < values.size(); ++k) {
        if (values[k] >= limit)
            failFormat("packBits: value " + std::to_string(values[k]) + " at " + std::to_string(k) + " does not fit in "
                       + std::to_string(bits) + " bits");
        acc |= uint64_t(values[k]) << pending;
        pending += bits;
        while (pending >= 8) {
            out[byte++] = static_cast<uint8_t>(acc & 0xFFu);
            acc >>= 8;
            pending -= 8;
        }
    }
    if (pending > 0)
        out[byte] = static_cast<uint8_t>(acc & 0xFFu);
    return out;
}

std::vector<uint32_t> unpackBits(std::span<const uint8_t> data, int bits, size_t count)
{
    if (bits < 1 || bits > kMaxPackBits)
        failFormat("unpackBits: bits must be in [1, 32], got " + std::to_string(bits));
    const size_t need = (count * static_cast<size_t>(bits) + 7) / 8;
    if (data.size() < need)
        failFormat("unpackBits: " + std::to_string(count) + " values of " + std::to_string(bits) + " bits need "
                   + std::to_string(need) + " bytes, got " + std::to_string(data.size()));
    const uint64_t mask = (uint64_t(1) << bits) - 1;
    std::vector<uint32_t> out(count);
    uint64_t acc = 0;
    int pending = 0;
    size_t byte = 0;
    for (size_t k = 0; k < count; ++k) {
        while (pending < bits) {
            acc |= uint64_t(data[byte++]) << pending;
            pending += 8;
        }
        out[k] = static_cast<uint32_t>(acc & mask);
        acc >>= bits;
        pending -= bits;
    }
    return out;
}

} // namespace lnscope::core
