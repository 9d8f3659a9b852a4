#include "lnscope/core/tensor.h"

#include "lnscope/core/error.h"

#include <limits>
#include <sstream>

namespace lnscope::core {

const char* dtypeName(DType type)
{
    switch (type) {
    case DType::Float32: return "float";
    case DType::Int64: return "int64";
    }
    return "?";
}

int64_t shapeNumel(const Shape& shape)
{
    int64_t n = 1;
    for (int64_t d : shape) {
        if (d < 0)
            throw ShapeError("negative dimension in shape " + shapeToString(shape));
        if (d != 0 && n > std::numeric_limits<int64_t>::max() / d)
            throw ShapeError("element count of shape " + shapeToString(shape) + " overflows");
        n *= d;
    }
    return n;
}

std::string shapeToString(const Shape& shape)
{
    std::ostringstream s;
    s << '[';
    for (size_t i = 0; i < shape.size(); ++i)
        s << (i ? ", " : "") << shape[i];
    s << ']';
    return s.str();
}

std::vector<int64_t> stridesOf(const Shape& shape)
{
    std::vector<int64_t> strides(shape.size(), 1);
    for (int i = static_cast<int>(shape.size()) - 2; i >= 0; --i)
        strides[i] = strides[i + 1] * shape[i + 1];
    return strides;
}

Tensor::Tensor(DType type, Shape shape)
    : m_dtype(type), m_shape(std::move(shape)), m_numel(shapeNumel(m_shape))
{
    if (m_numel > kMaxTensorElements)
        throw ShapeError("tensor of shape " + shapeToString(m_shape) + " has " + std::to_string(m_numel)
                         + " elements, more than the limit of " + std::to_string(kMaxTensorElements));
    if (m_dtype == DType::Float32)
        m_f.assign(static_cast<size_t>(m_numel), 0.f);
    else
        m_i.assign(static_cast<size_t>(m_numel), 0);
}

Tensor Tensor::fromFloats(Shape shape, std::vector<float> values)
{
    Tensor t;
    t.m_dtype = DType::Float32;
    t.m_numel = shapeNumel(shape);
    if (static_cast<int64_t>(values.size()) != t.m_numel)
        throw ShapeError("tensor of shape " + shapeToString(shape) + " needs " + std::to_string(t.m_numel)
                         + " values, got " + std::to_string(values.size()));
    t.m_shape = std::move(shape);
    t.m_f = std::move(values);
    return t;
}

Tensor Tensor::fromInts(Shape shape, std::vector<int64_t> values)
{
    Tensor t;
    t.m_dtype = DType::Int64;
    t.m_numel = shapeNumel(shape);
    if (static_cast<int64_t>(values.size()) != t.m_numel)
        throw ShapeError("tensor of shape " + shapeToString(shape) + " needs " + std::to_string(t.m_numel)
                         + " values, got " + std::to_string(values.size()));
    t.m_shape = std::move(shape);
    t.m_i = std::move(values);
    return t;
}

std::span<float> Tensor::floats()
{
    if (m_dtype != DType::Float32)
        throw UnsupportedError(std::string("expected a float tensor, got ") + dtypeName(m_dtype));
    return m_f;
}

std::span<const float> Tensor::floats() const
{
    if (m_dtype != DType::Float32)
        throw UnsupportedError(std::string("expected a float tensor, got ") + dtypeName(m_dtype));
    return m_f;
}

std::span<int64_t> Tensor::ints()
{
    if (m_dtype != DType::Int64)
        throw UnsupportedError(std::string("expected an int64 tensor, got ") + dtypeName(m_dtype));
    return m_i;
}

std::span<const int64_t> Tensor::ints() const
{
    if (m_dtype != DType::Int64)
        throw UnsupportedError(std::string("expected an int64 tensor, got ") + dtypeName(m_dtype));
    return m_i;
}

double Tensor::valueAsDouble(int64_t i) const
{
    return m_dtype == DType::Float32 ? double(m_f[static_cast<size_t>(i)]) : double(m_i[static_cast<size_t>(i)]);
}

int64_t Tensor::valueAsInt(int64_t i) const
{
    return m_dtype == DType::Int64 ? m_i[static_cast<size_t>(i)] : static_cast<int64_t>(m_f[static_cast<size_t>(i)]);
}

std::vector<int64_t> Tensor::toInts() const
{
    if (m_dtype == DType::Int64)
        return m_i;
    std::vector<int64_t> out(m_f.size());
    for (size_t i = 0; i < m_f.size(); ++i)
        out[i] = static_cast<int64_t>(m_f[i]);
    return out;
}

std::vector<float> Tensor::toFloats() const
{
    if (m_dtype == DType::Float32)
        return m_f;
    std::vector<float> out(m_i.size());
    for (size_t i = 0; i < m_i.size(); ++i)
        out[i] = static_cast<float>(m_i[i]);
    return out;
}

Tensor Tensor::reshaped(Shape shape) const &
{
    Tensor copy = *this;
    return std::move(copy).reshaped(std::move(shape));
}

Tensor Tensor::reshaped(Shape shape) &&
{
    if (shapeNumel(shape) != m_numel)
        throw ShapeError("cannot reshape " + shapeToString(m_shape) + " to " + shapeToString(shape));
    m_shape = std::move(shape);
    return std::move(*this);
}

} // namespace lnscope::core
