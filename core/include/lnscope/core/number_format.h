#pragma once
// Number formats of the LNS conversion and its comparison formats (spec/numerics.md §3),
// registered by name (STYLE.md 6).
//
// A format turns a float32 value into an integer code and back, given a per-block parameter:
//   LNS   value = (−1)^s · 2^((L + B) / 2^F)  — parameter: integer bias B in 1/2^F units of log2
//   INT8  value = code · scale                 — parameter: linear scale (> 0)
//   FP8   value = fp8(code) · scale            — parameter: linear scale (> 0)
//   FP16, BF16, float32                        — no parameter (IEEE values as they are)
// A block is a whole tensor (activations) or one slice along axis 0 (weights: output channels).
//
// Threading: formats are immutable after construction; every member is const and may be called
// from any number of threads at once. The builtin registry is built on first use (thread-safe)
// and read-only afterwards. Tensor-level calls run on the calling thread.
//
// Errors: tensor-level calls throw UnsupportedError for non-float tensors, ShapeError for a
// per-channel request on a scalar or a parameter count that does not match, FormatError for an
// invalid parameter (scale not finite and > 0). Single-value and span calls never throw; they
// expect a valid parameter (checkParam()).

#include "lnscope/core/tensor.h"

#include <cmath>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace lnscope::core {

/// What a format's QuantParam means.
enum class ParamKind {
    None,  ///< the format takes no parameter (FP16, BF16, float32); QuantParam is ignored
    Bias,  ///< QuantParam::bias: integer log2 bias in 1/2^F units (LNS)
    Scale, ///< QuantParam::scale: linear multiplier applied after decoding (INT8, FP8)
};

/// One block's parameter. Only the member named by the format's ParamKind is read.
struct QuantParam
{
    int32_t bias = 0;   ///< LNS: B in 1/2^F units, value = 2^((L + B) / 2^F)
    double scale = 1.0; ///< INT8/FP8: value = decoded code × scale; finite and > 0
    bool operator==(const QuantParam& other) const = default;
};

/// How parameters are shared across a tensor.
enum class Granularity {
    PerTensor,  ///< one parameter for the whole tensor (activations)
    PerChannel, ///< one parameter per slice along axis 0 (weights: output channels)
};

/// How a parameter is chosen from data.
enum class ParamRule {
    AbsMax, ///< from the largest finite |x| (per format, see paramForAbsMax())
    MinMse, ///< LNS: the bias in B_absmax − 2^F … B_absmax with the least squared error
            ///< (ties keep the larger bias). Other formats: same as AbsMax (the spec defines
            ///< no search for them).
};

/// Codes of a tensor with the parameters that decode them.
struct QuantizedTensor
{
    std::string format;             ///< registry name of the format that wrote the codes
    Shape shape;
    Granularity granularity = Granularity::PerTensor;
    std::vector<QuantParam> params; ///< 1 (PerTensor) or shape[0] (PerChannel)
    std::vector<uint32_t> codes;    ///< one per element, row-major, in the low bits() bits
};

/// Abstract number format. Codes are held in uint32_t; only the low bits() bits are used
/// (decode ignores higher bits).
class NumberFormat
{
public:
    virtual ~NumberFormat() = default;

    const std::string& name() const { return m_name; }
    int bits() const { return m_bits; }
    virtual ParamKind paramKind() const = 0;

    /// The parameter used when a block has no finite non-zero value (B = 0, scale = 1).
    QuantParam defaultParam() const { return {}; }
    /// Parameter for a block whose largest finite |x| is `absMax` (≥ 0). absMax = 0 gives
    /// defaultParam(). LNS: B = ceil(2^F·log2 absMax) − Lmax (exact for float inputs);
    /// INT8: scale = absMax / 127; FP8: scale = absMax / max normal.
    virtual QuantParam paramForAbsMax(float absMax) const = 0;
    /// Parameter for a block of values (non-finite values are ignored when choosing).
    virtual QuantParam chooseParam(std::span<const float> values, ParamRule rule) const;
    /// Throws FormatError naming the format when `param` cannot be used.
    virtual void checkParam(const QuantParam& param) const;

    /// Code of one value. LNS, FP16, BF16 and float32 are exact per the spec's rounding rule
    /// for every float input; INT8/FP8 round x / scale computed in double (one rounding, then
    /// round half to even on the format's grid).
    virtual uint32_t encode(float x, const QuantParam& param) const = 0;
    /// Value of one code, as a double (exact for every format but LNS, whose values are
    /// irrational: there it is the nearest double to 2^((L + B) / 2^F)).
    virtual double decode(uint32_t code, const QuantParam& param) const = 0;
    /// Bulk forms (what tensors use): element i of the output from element i of the input,
    /// for i < min(sizes) (the sizes should match; nothing past the shorter one is touched).
    virtual void encode(std::span<const float> values, const QuantParam& param, std::span<uint32_t> codes) const = 0;
    /// Decoded values rounded to float32 (the nearest float to the exact value).
    virtual void decode(std::span<const uint32_t> codes, const QuantParam& param, std::span<float> values) const = 0;
    /// encode then decode, element by element; `out` may alias `values`. Formats may override it
    /// with a fused loop (LNS: one decode table per call) that gives the same values.
    virtual void fakeQuantize(std::span<const float> values, const QuantParam& param, std::span<float> out) const;

    /// One parameter per block of `tensor` (1 for PerTensor, dim(0) for PerChannel).
    std::vector<QuantParam> chooseParams(const Tensor& tensor, Granularity granularity,
                                         ParamRule rule = ParamRule::AbsMax) const;
    QuantizedTensor quantize(const Tensor& tensor, Granularity granularity,
                             ParamRule rule = ParamRule::AbsMax) const;
    QuantizedTensor quantize(const Tensor& tensor, Granularity granularity,
                             std::vector<QuantParam> params) const;
    /// Float tensor of the decoded codes. Throws FormatError when `q` was written by another
    /// format or its sizes do not fit together.
    Tensor dequantize(const QuantizedTensor& q) const;
    /// dequantize(quantize(tensor)) without keeping the codes: what the emulator runs.
    Tensor fakeQuantize(const Tensor& tensor, Granularity granularity, ParamRule rule = ParamRule::AbsMax) const;
    Tensor fakeQuantize(const Tensor& tensor, Granularity granularity, std::span<const QuantParam> params) const;

protected:
    NumberFormat(std::string name, int bits) : m_name(std::move(name)), m_bits(bits) {}

private:
    std::string m_name;
    int m_bits;
};

/// Formats by name. builtin() holds, in this order: "lns8" (Q4.3), "lns8_q3.4", "lns8_q5.2",
/// "fp8_e4m3", "fp8_e5m2", "int8", "fp16", "bf16", "float32" (identity).
class NumberFormatRegistry
{
public:
    /// The process-wide registry of built-in formats. Thread-safe after first use.
    static const NumberFormatRegistry& builtin();

    /// Adds a format, replacing one of the same name (which keeps its place in names()).
    void add(std::shared_ptr<const NumberFormat> format);
    /// nullptr when no format has that name.
    const NumberFormat* find(std::string_view name) const;
    /// Throws UnsupportedError naming the format and listing the known ones.
    const NumberFormat& get(std::string_view name) const;
    /// Names in registration order.
    std::vector<std::string> names() const;

private:
    std::vector<std::shared_ptr<const NumberFormat>> m_formats;
};

/// Registers the built-in formats (lns_format.cpp, ieee_formats.cpp, int8_format.cpp).
void registerBuiltinNumberFormats(NumberFormatRegistry& registry);

/// Largest finite |x| of `values` (0 when there is none).
float finiteAbsMax(std::span<const float> values);

/// Round half to even of a double, independent of the floating-point rounding mode. Inline and
/// branch-free in the common case: it sits in the inner loop of INT8/FP8/FP16 encoding, where
/// std::nearbyint would depend on the rounding mode and std::floor is a libm call on x86-64.
inline double roundHalfEven(double x)
{
    const double a = std::fabs(x);
    if (!(a < 4503599627370496.0)) // ≥ 2^52: already an integer (or inf / NaN)
        return x;
    const auto whole = static_cast<int64_t>(a);                 // truncation, exact
    const double fraction = a - static_cast<double>(whole);     // exact
    const int64_t up = static_cast<int64_t>(fraction > 0.5) | (static_cast<int64_t>(fraction == 0.5) & (whole & 1));
    return std::copysign(static_cast<double>(whole + up), x);
}

} // namespace lnscope::core
