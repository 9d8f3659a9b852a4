#pragma once
// Tolerances are data (STYLE.md 7): one nearlyEqual and one tensor comparison back the tests and
// the app's pass/fail badges.

#include "lnscope/core/tensor.h"

#include <cstdint>
#include <string>

namespace lnscope::core {

/// |a − b| ≤ absTol + relTol·|b|. NaN equals NaN; infinities must match exactly.
bool nearlyEqual(double a, double b, double absTol, double relTol);

struct Tolerance
{
    double meanAbs = 1e-5; ///< float32 defaults (STYLE.md 7)
    double maxAbs = 1e-4;
    double relTol = 0.0;   ///< per element, added to maxAbs scaled by |expected|
};

struct TensorComparison
{
    bool shapeMatches = false;
    bool dtypeMatches = false;
    bool ok = false;
    int64_t firstMismatch = -1; ///< flat index of the first element outside maxAbs/relTol, or -1
    double meanAbs = 0.0;
    double maxAbs = 0.0;
    int64_t count = 0;
    std::string message; ///< "" when ok; otherwise the reason with the first mismatch's values
};

/// Compares `actual` against `expected` element by element (both converted to double).
TensorComparison compareTensors(const Tensor& actual, const Tensor& expected, const Tolerance& tol = {});

} // namespace lnscope::core
