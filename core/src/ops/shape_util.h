#pragma once
// Internal helpers shared by the shape ops (shape.cpp) and the data-movement ops
// (movement.cpp): element access for both element types (float32, int64), strided copies,
// and the validate() of ops that only check counts.

#include "lnscope/core/op_registry.h"
#include "lnscope/core/parallel.h"
#include "lnscope/core/tensor.h"

#include <algorithm>
#include <cstdint>
#include <functional>
#include <span>
#include <type_traits>
#include <vector>

namespace lnscope::core::ops {

template <typename T>
std::span<const T> elems(const Tensor& t)
{
    if constexpr (std::is_same_v<T, float>)
        return t.floats();
    else
        return t.ints();
}

template <typename T>
std::span<T> elems(Tensor& t)
{
    if constexpr (std::is_same_v<T, float>)
        return t.floats();
    else
        return t.ints();
}

/// Calls fn(T{}) with T = float or int64_t matching `type`.
template <typename Fn>
decltype(auto) visitType(DType type, Fn&& fn)
{
    if (type == DType::Float32)
        return fn(float{});
    return fn(int64_t{});
}

/// Copies a strided view of `src` (element offset `base`, per-axis strides, possibly negative)
/// into `dst`, which is dense row-major with shape `outShape`.
template <typename T>
void copyStrided(const T* src, int64_t base, const std::vector<int64_t>& srcStrides, const Shape& outShape, T* dst,
                 int threads)
{
    const int64_t n = shapeNumel(outShape);
    if (n == 0)
        return;
    const int r = static_cast<int>(outShape.size());
    if (r == 0) {
        dst[0] = src[base];
        return;
    }
    const int64_t inner = outShape[r - 1];
    const int64_t innerStride = srcStrides[r - 1];
    const int64_t rows = n / inner;
    parallelFor(rows, threads, [&](int64_t begin, int64_t end) {
        std::vector<int64_t> idx(static_cast<size_t>(r - 1), 0);
        int64_t off = base;
        for (int64_t rem = begin, d = r - 2; d >= 0; --d) {
            idx[d] = rem % outShape[d];
            rem /= outShape[d];
            off += idx[d] * srcStrides[d];
        }
        for (int64_t row = begin; row < end; ++row) {
            T* out = dst + row * inner;
            if (innerStride == 1) {
                std::copy(src + off, src + off + inner, out);
            } else {
                for (int64_t i = 0; i < inner; ++i)
                    out[i] = src[off + i * innerStride];
            }
            for (int d = r - 2; d >= 0; --d) {
                off += srcStrides[d];
                if (++idx[d] < outShape[d])
                    break;
                off -= srcStrides[d] * outShape[d];
                idx[d] = 0;
            }
        }
    });
}

inline int64_t product(const Shape& shape, size_t begin, size_t end)
{
    int64_t p = 1;
    for (size_t i = begin; i < end; ++i)
        p *= shape[i];
    return p;
}

/// float → int64 as Cast to int64 does: truncation toward zero, NaN → 0, saturating.
int64_t castFloatToInt64(double v);

/// validate() for ops whose only checks are input/output counts and the kinds of int attributes.
inline std::function<void(const Node&, int64_t)> counts(size_t minIn, size_t maxIn, std::vector<const char*> intAttrs = {})
{
    return [=](const Node& node, int64_t) {
        opcheck::inputCount(node, minIn, maxIn);
        opcheck::outputCount(node, 1, 1);
        for (const char* a : intAttrs)
            node.attrInt(a, 0); // throws FormatError on a wrong attribute kind
    };
}

} // namespace lnscope::core::ops
