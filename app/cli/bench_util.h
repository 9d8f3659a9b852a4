#pragma once
// Shared pieces of the `bench` modes: a series of timings and a stopwatch.

#include <algorithm>
#include <chrono>
#include <vector>

namespace lnscope::app {

/// Repeated measurements of one engine (any unit); min/median/max of a non-empty series.
struct Timings
{
    std::vector<double> values;
    double min() const { return *std::min_element(values.begin(), values.end()); }
    double max() const { return *std::max_element(values.begin(), values.end()); }
    double median() const
    {
        std::vector<double> v = values;
        std::sort(v.begin(), v.end());
        const size_t n = v.size();
        return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
    }
};

/// Wall-clock milliseconds of one call of fn.
template <typename Fn>
double timeMs(Fn&& fn)
{
    const auto start = std::chrono::steady_clock::now();
    fn();
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
}

} // namespace lnscope::app
