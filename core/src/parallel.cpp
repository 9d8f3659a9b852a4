#include "lnscope/core/parallel.h"

#include <Eigen/Core>
#include <algorithm>
#include <omp.h>

namespace lnscope::core {

void parallelFor(int64_t n, int threads, const std::function<void(int64_t, int64_t)>& body)
{
    if (n <= 0)
        return;
    const int t = static_cast<int>(std::clamp<int64_t>(threads, 1, n));
    if (t == 1) {
        body(0, n);
        return;
    }
#pragma omp parallel for num_threads(t) schedule(static, 1)
    for (int k = 0; k < t; ++k) {
        const int64_t begin = n * k / t;
        const int64_t end = n * (k + 1) / t;
        if (begin < end)
            body(begin, end);
    }
}

void setGemmThreads(int threads)
{
    Eigen::setNbThreads(std::max(1, threads));
}

} // namespace lnscope::core
