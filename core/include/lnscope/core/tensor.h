#pragma once
// A dense, row-major (C order) tensor holding float32 or int64 elements.
// Value type: copies are deep, moves are cheap. Not thread-safe for concurrent mutation.

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace lnscope::core {

enum class DType { Float32, Int64 };

/// Name of a data type as in ONNX ("float", "int64").
const char* dtypeName(DType type);

using Shape = std::vector<int64_t>;

/// Largest tensor the executor will allocate: 2^30 elements (4 GiB of float32). Bigger requests
/// come from malformed attributes (pads of 2^20, huge Resize scales), not from real CNNs, and
/// are refused with ShapeError instead of exhausting memory or being OOM-killed.
constexpr int64_t kMaxTensorElements = int64_t(1) << 30;

/// Number of elements of a shape (1 for a scalar). Throws ShapeError on negative dims or overflow.
int64_t shapeNumel(const Shape& shape);

/// "[1, 3, 224, 224]"
std::string shapeToString(const Shape& shape);

class Tensor
{
public:
    Tensor() = default;
    /// Zero-filled tensor of the given type and shape. Throws ShapeError above kMaxTensorElements.
    Tensor(DType type, Shape shape);

    static Tensor fromFloats(Shape shape, std::vector<float> values);
    static Tensor fromInts(Shape shape, std::vector<int64_t> values);
    static Tensor scalar(float value) { return fromFloats({}, {value}); }
    static Tensor scalarInt(int64_t value) { return fromInts({}, {value}); }

    DType dtype() const { return m_dtype; }
    bool isFloat() const { return m_dtype == DType::Float32; }
    const Shape& shape() const { return m_shape; }
    int rank() const { return static_cast<int>(m_shape.size()); }
    int64_t dim(int axis) const { return m_shape.at(static_cast<size_t>(axis)); }
    int64_t numel() const { return m_numel; }
    bool empty() const { return m_numel == 0; }

    /// Element access; the dtype must match (checked with an exception: UnsupportedError).
    std::span<float> floats();
    std::span<const float> floats() const;
    std::span<int64_t> ints();
    std::span<const int64_t> ints() const;
    float* f() { return floats().data(); }
    const float* f() const { return floats().data(); }

    /// Element i converted to double / int64 whatever the dtype.
    double valueAsDouble(int64_t i) const;
    int64_t valueAsInt(int64_t i) const;
    /// All elements as int64 (floats truncated): for shape-like inputs (Reshape, Slice, ...).
    std::vector<int64_t> toInts() const;
    /// All elements as float.
    std::vector<float> toFloats() const;

    /// Same data, new shape with equal element count (ShapeError otherwise).
    Tensor reshaped(Shape shape) const &;
    Tensor reshaped(Shape shape) &&;

    bool operator==(const Tensor& other) const = default;

private:
    DType m_dtype = DType::Float32;
    Shape m_shape;
    int64_t m_numel = 0;
    std::vector<float> m_f;
    std::vector<int64_t> m_i;
};

/// Row-major strides (in elements) of a shape.
std::vector<int64_t> stridesOf(const Shape& shape);

} // namespace lnscope::core
