#include "lnscope/core/compare.h"

#include <cmath>
#include <sstream>

namespace lnscope::core {

bool nearlyEqual(double a, double b, double absTol, double relTol)
{
    if (std::isnan(a) || std::isnan(b))
        return std::isnan(a) && std::isnan(b);
    if (std::isinf(a) || std::isinf(b))
        return a == b;
    return std::fabs(a - b) <= absTol + relTol * std::fabs(b);
}

TensorComparison compareTensors(const Tensor& actual, const Tensor& expected, const Tolerance& tol)
{
    TensorComparison c;
    c.shapeMatches = actual.shape() == expected.shape();
    c.dtypeMatches = actual.dtype() == expected.dtype();
    if (!c.shapeMatches) {
        c.message = "shape " + shapeToString(actual.shape()) + " differs from expected " + shapeToString(expected.shape());
        return c;
    }
    c.count = actual.numel();
    double sum = 0.0;
    for (int64_t i = 0; i < c.count; ++i) {
        const double a = actual.valueAsDouble(i);
        const double e = expected.valueAsDouble(i);
        const bool special = std::isnan(a) || std::isnan(e) || std::isinf(a) || std::isinf(e);
        const double d = special ? 0.0 : std::fabs(a - e);
        if (!nearlyEqual(a, e, tol.maxAbs, tol.relTol) && c.firstMismatch < 0) {
            c.firstMismatch = i;
            std::ostringstream s;
            s.precision(9);
            s << "element " << i << ": got " << a << ", expected " << e;
            c.message = s.str();
        }
        sum += d;
        c.maxAbs = std::max(c.maxAbs, d);
    }
    c.meanAbs = c.count ? sum / double(c.count) : 0.0;
    c.ok = c.firstMismatch < 0 && c.meanAbs <= tol.meanAbs;
    if (c.firstMismatch < 0 && !c.ok) {
        std::ostringstream s;
        s << "mean |diff| " << c.meanAbs << " exceeds " << tol.meanAbs;
        c.message = s.str();
    }
    if (!c.message.empty()) {
        std::ostringstream s;
        s << c.message << " (mean |diff| " << c.meanAbs << ", max |diff| " << c.maxAbs << ")";
        c.message = s.str();
    }
    return c;
}

} // namespace lnscope::core
