#pragma once
// Shared test helpers: paths, seeded random data (std::mt19937 only — no std::*_distribution,
// whose output differs between standard libraries, STYLE.md 8) and tensor assertions.

#include "lnscope/core/compare.h"
#include "lnscope/core/graph.h"
#include "lnscope/core/error.h"
#include "lnscope/core/tensor.h"

#include <QString>
#include <QTest>
#include <cstdint>
#include <filesystem>
#include <random>
#include <string>

namespace lnscope::test {

/// The repository root (LNSCOPE_SOURCE_DIR from ctest, else the compile-time path).
std::filesystem::path sourceDir();
/// <root>/datasets
std::filesystem::path datasetsDir();
/// A fresh empty folder under the system temp dir, removed by the caller if wanted.
std::filesystem::path makeTempDir(const std::string& prefix);

/// Writes bytes to path as is (fixtures, including malformed ones); returns path.
std::filesystem::path writeBytes(const std::filesystem::path& path, const std::string& bytes);
/// Writes text to dir/name byte for byte (no newline translation); returns the path.
std::filesystem::path writeText(const std::filesystem::path& dir, const std::string& name, const std::string& text);

/// Runs fn and returns the message of the FormatError it throws, or says what happened instead
/// ("no exception", "wrong exception type: ..."), for asserting on the part that matters.
template <typename Fn>
QString formatErrorOf(Fn fn)
{
    try {
        fn();
    } catch (const core::FormatError& e) {
        return QString::fromStdString(e.what());
    } catch (const std::exception& e) {
        return QStringLiteral("wrong exception type: ") + e.what();
    }
    return QStringLiteral("no exception");
}

/// Uniform float in [lo, hi) from a mt19937 (portable across standard libraries).
inline float uniform(std::mt19937& rng, float lo, float hi)
{
    return lo + (hi - lo) * static_cast<float>(static_cast<double>(rng()) / 4294967296.0);
}

/// Integer in [lo, hi] from a mt19937.
inline int64_t uniformInt(std::mt19937& rng, int64_t lo, int64_t hi)
{
    return lo + static_cast<int64_t>(rng() % static_cast<uint32_t>(hi - lo + 1));
}

/// A node of `opType` with inputs "in0".. and outputs "out0".., named `name` (default
/// "node_<opType>"): for calling a registered kernel directly.
core::Node makeNode(const std::string& opType, size_t inputCount, size_t outputCount = 1, const std::string& name = {});

/// Float tensor with uniform values in [lo, hi).
core::Tensor randomTensor(const core::Shape& shape, uint32_t seed, float lo = -1.f, float hi = 1.f);

/// QVERIFY-friendly tensor check: returns "" when ok, else the comparison's message.
std::string tensorMismatch(const core::Tensor& actual, const core::Tensor& expected, const core::Tolerance& tol = {});

} // namespace lnscope::test

/// Fails the test with the first mismatching index, mean |Δ| and max |Δ|.
#define LNSCOPE_COMPARE_TENSORS(actual, expected, tol)                                                 \
    do {                                                                                               \
        const std::string lnscopeMismatch_ = lnscope::test::tensorMismatch((actual), (expected), (tol)); \
        if (!lnscopeMismatch_.empty())                                                                 \
            QFAIL(lnscopeMismatch_.c_str());                                                           \
    } while (false)
