#pragma once
// Deterministic data-parallel loops over a fixed number of threads (a small process-wide pool in
// which the calling thread works too). Work is split into contiguous chunks whose boundaries
// depend only on (n, threads), so results do not depend on scheduling.

#include <cstdint>
#include <functional>

namespace lnscope::core {

/// Calls body(begin, end) on disjoint contiguous ranges covering [0, n), using up to `threads`
/// threads (the caller included). The number of ranges is min(n, 4·threads); do not assume one
/// range per thread. `body` must not throw. Safe to call from several threads and nested.
void parallelFor(int64_t n, int threads, const std::function<void(int64_t begin, int64_t end)>& body);

/// Eigen's own GEMM threading is kept off (kernels split work with parallelFor instead); kept so
/// callers state their intent in one place.
void setGemmThreads(int threads);

} // namespace lnscope::core
