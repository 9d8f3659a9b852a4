#pragma once
// Deterministic data-parallel loops over a fixed number of threads (OpenMP underneath).
// Work is split into contiguous static chunks, so results do not depend on scheduling.

#include <cstdint>
#include <functional>

namespace lnscope::core {

/// Calls body(begin, end) on disjoint contiguous ranges covering [0, n), using up to `threads`
/// threads. `body` must not throw.
void parallelFor(int64_t n, int threads, const std::function<void(int64_t begin, int64_t end)>& body);

/// Sets the thread count Eigen's GEMM uses on the calling thread's subsequent products.
void setGemmThreads(int threads);

} // namespace lnscope::core
