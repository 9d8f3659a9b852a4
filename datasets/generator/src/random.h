#pragma once
// The generator's random numbers: one std::mt19937 per frame, seeded from (seed, frame index), and
// small helpers of our own — std::uniform_*_distribution produce different numbers in different
// standard libraries (STYLE.md 8), which would make the dataset depend on the compiler.

#include <cstdint>
#include <random>
#include <vector>

namespace lnscope::synth::detail {

/// splitmix64's finaliser: spreads (seed, index) over the 32-bit mt19937 seed so that
/// neighbouring frames and neighbouring seeds get unrelated streams.
inline uint32_t frameSeed(uint32_t seed, int index)
{
    uint64_t z = (uint64_t(seed) << 32) ^ uint64_t(uint32_t(index)) ^ 0x5EEDD21E5C0FFEEull;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    z ^= z >> 31;
    return uint32_t(z ^ (z >> 32));
}

class Rng
{
public:
    explicit Rng(uint32_t seed) : m_engine(seed) {}

    /// [0, 1) with 32 bits of resolution.
    double unit() { return double(m_engine()) / 4294967296.0; }
    /// [lo, hi)
    double uniform(double lo, double hi) { return lo + (hi - lo) * unit(); }
    /// [lo, hi], both inclusive (modulo bias is irrelevant at these ranges).
    int integer(int lo, int hi) { return lo + int(m_engine() % uint32_t(hi - lo + 1)); }
    bool chance(double p) { return unit() < p; }
    /// Mean 0, roughly normal with standard deviation `sigma` (sum of four uniforms).
    double gauss(double sigma)
    {
        const double s = unit() + unit() + unit() + unit() - 2.0;
        return s * sigma * 1.7320508075688772; // the sum's sd is sqrt(4/12)
    }
    template <typename T>
    const T& pick(const std::vector<T>& items)
    {
        return items[size_t(integer(0, int(items.size()) - 1))];
    }
    uint32_t raw() { return m_engine(); }

private:
    std::mt19937 m_engine;
};

} // namespace lnscope::synth::detail
