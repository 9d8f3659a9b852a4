#pragma once
// Naive references for the conv, GEMM and pool kernels (STYLE.md 8): direct loops over every
// output and every tap, accumulated in double, with all geometry passed explicitly (pads already
// resolved), so they share no code with the optimized kernels or with ops_util's window maths.

#include "lnscope/core/tensor.h"

#include <cstdint>
#include <string>
#include <vector>

namespace lnscope::test::naive {

using Ints = std::vector<int64_t>;

/// Explicit geometry of a sliding window over the spatial dims (one entry per spatial dim).
struct WindowParams
{
    Ints kernel;
    Ints strides;
    Ints dilations;
    Ints padBegin;
    Ints padEnd;
};

/// Resolves ONNX auto_pad ("NOTSET" keeps `pads` = [begin..., end...]) for a Conv/pool input of
/// spatial size `in`; ceilMode applies to NOTSET/VALID (pools). Returns the output spatial size.
Ints resolveWindow(const Ints& in, WindowParams& w, const std::string& autoPad, const Ints& pads, bool ceilMode = false);

/// Conv: x [N][C][spatial...], w [M][C/group][k...], optional bias [M]. Output size from the
/// explicit window (floor mode).
core::Tensor conv(const core::Tensor& x, const core::Tensor& w, const core::Tensor* bias, const WindowParams& p,
                  int64_t group);

/// ConvTranspose: x [N][C][spatial...], w [C][M/group][k...]; out[o] += x[i]·w[k] where
/// o = i·s − padBegin + k·d, for an explicit output spatial size `outSize`.
core::Tensor convTranspose(const core::Tensor& x, const core::Tensor& w, const core::Tensor* bias,
                           const WindowParams& p, int64_t group, const Ints& outSize);

/// Gemm: alpha·op(A)·op(B) + beta·C, C (optional) broadcast to [M, N].
core::Tensor gemm(const core::Tensor& a, const core::Tensor& b, const core::Tensor* c, float alpha, float beta,
                  bool transA, bool transB);

/// numpy.matmul semantics (1-D operands, broadcast batch dims).
core::Tensor matmul(const core::Tensor& a, const core::Tensor& b);

/// MaxPool with explicit output size; `indices` (if not null) receives flat indices into x
/// (row-major spatial, or column-major when columnMajor).
core::Tensor maxPool(const core::Tensor& x, const WindowParams& p, const Ints& outSize, core::Tensor* indices = nullptr,
                     bool columnMajor = false);

/// AveragePool; padded taps (inside [−padBegin, in + padEnd)) count in the divisor only with
/// countIncludePad.
core::Tensor averagePool(const core::Tensor& x, const WindowParams& p, const Ints& outSize, bool countIncludePad);

/// Global pools: output [N][C][1...].
core::Tensor globalPool(const core::Tensor& x, bool max);

} // namespace lnscope::test::naive
