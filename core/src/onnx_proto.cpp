#include "onnx_proto.h"

#include "lnscope/core/error.h"

#include <algorithm>
#include <charconv>
#include <cstring>
#include <utility>
#include <fstream>
#include <limits>

namespace lnscope::core::detail {

namespace fs = std::filesystem;
using onnx::TensorProto;

namespace {

int64_t elementSize(int32_t type)
{
    switch (type) {
    case TensorProto::FLOAT: return 4;
    case TensorProto::DOUBLE: return 8;
    case TensorProto::FLOAT16: return 2;
    case TensorProto::INT64: return 8;
    case TensorProto::UINT64: return 8;
    case TensorProto::INT32: return 4;
    case TensorProto::UINT32: return 4;
    case TensorProto::INT16: return 2;
    case TensorProto::UINT16: return 2;
    case TensorProto::INT8: return 1;
    case TensorProto::UINT8: return 1;
    case TensorProto::BOOL: return 1;
    default: return 0;
    }
}

float halfToFloat(uint16_t h)
{
    const uint32_t sign = uint32_t(h & 0x8000u) << 16;
    const uint32_t exp = (h >> 10) & 0x1Fu;
    uint32_t mant = h & 0x3FFu;
    uint32_t bits;
    if (exp == 0) {
        if (mant == 0) {
            bits = sign;
        } else { // subnormal: normalise
            int e = -1;
            do {
                ++e;
                mant <<= 1;
            } while ((mant & 0x400u) == 0);
            bits = sign | uint32_t(127 - 15 - e) << 23 | (mant & 0x3FFu) << 13;
        }
    } else if (exp == 31) {
        bits = sign | 0x7F800000u | mant << 13;
    } else {
        bits = sign | (exp + 127 - 15) << 23 | mant << 13;
    }
    float f;
    std::memcpy(&f, &bits, 4);
    return f;
}

template <typename T>
T loadLE(const char* p)
{
    T v;
    std::memcpy(&v, p, sizeof(T)); // x86-64 and every Debian target we build for are little-endian
    return v;
}

/// Converts raw little-endian bytes of `type` into the tensor's storage.
void fromRaw(Tensor& t, int32_t type, const char* p)
{
    const int64_t n = t.numel();
    const int64_t es = elementSize(type);
    if (t.isFloat()) {
        auto out = t.floats();
        for (int64_t i = 0; i < n; ++i) {
            const char* q = p + i * es;
            out[i] = type == TensorProto::FLOAT    ? loadLE<float>(q)
                     : type == TensorProto::DOUBLE ? static_cast<float>(loadLE<double>(q))
                                                   : halfToFloat(loadLE<uint16_t>(q));
        }
        return;
    }
    auto out = t.ints();
    for (int64_t i = 0; i < n; ++i) {
        const char* q = p + i * es;
        switch (type) {
        case TensorProto::INT64: out[i] = loadLE<int64_t>(q); break;
        case TensorProto::UINT64: out[i] = static_cast<int64_t>(loadLE<uint64_t>(q)); break;
        case TensorProto::INT32: out[i] = loadLE<int32_t>(q); break;
        case TensorProto::UINT32: out[i] = loadLE<uint32_t>(q); break;
        case TensorProto::INT16: out[i] = loadLE<int16_t>(q); break;
        case TensorProto::UINT16: out[i] = loadLE<uint16_t>(q); break;
        case TensorProto::INT8: out[i] = loadLE<int8_t>(q); break;
        case TensorProto::UINT8: out[i] = loadLE<uint8_t>(q); break;
        case TensorProto::BOOL: out[i] = loadLE<uint8_t>(q) != 0; break;
        default: break;
        }
    }
}

/// The typed repeated field that holds a tensor's values when it has no raw_data, and its length.
std::pair<const char*, int64_t> typedFieldCount(const TensorProto& proto)
{
    switch (proto.data_type()) {
    case TensorProto::FLOAT: return {"float_data", proto.float_data_size()};
    case TensorProto::DOUBLE: return {"double_data", proto.double_data_size()};
    case TensorProto::INT64: return {"int64_data", proto.int64_data_size()};
    case TensorProto::UINT64:
    case TensorProto::UINT32: return {"uint64_data", proto.uint64_data_size()};
    default: return {"int32_data", proto.int32_data_size()}; // float16, int32/16/8, uint16/8, bool
    }
}

/// Parses a whole decimal external-data field ("12abc" and "" are errors, unlike std::stoll).
int64_t parseExternalNumber(const std::string& key, const std::string& value, const std::string& context)
{
    int64_t v = 0;
    const char* end = value.data() + value.size();
    const auto [ptr, ec] = std::from_chars(value.data(), end, v);
    if (value.empty() || ec != std::errc() || ptr != end)
        throw FormatError(context + ": external data field '" + key + "' is not a number: '" + value + "'");
    return v;
}

std::string readExternal(const TensorProto& proto, const std::string& context, const fs::path& baseDir, int64_t bytes)
{
    std::string location;
    int64_t offset = 0;
    int64_t length = -1;
    for (const auto& kv : proto.external_data()) {
        if (kv.key() == "location")
            location = kv.value();
        else if (kv.key() == "offset")
            offset = parseExternalNumber(kv.key(), kv.value(), context);
        else if (kv.key() == "length")
            length = parseExternalNumber(kv.key(), kv.value(), context);
    }
    if (location.empty())
        throw FormatError(context + ": external data has no location");
    if (baseDir.empty())
        throw FormatError(context + ": external data '" + location + "' cannot be resolved (model not read from a file)");
    const fs::path rel(location);
    if (rel.is_absolute() || rel.has_root_name() || rel.has_root_directory())
        throw FormatError(context + ": external data path '" + location + "' is absolute; it must be inside the model's folder");
    for (const auto& part : rel)
        if (part == "..")
            throw FormatError(context + ": external data path '" + location + "' leaves the model's folder");
    // Canonical paths resolve symlinks, so a link inside the folder that points out is caught too.
    std::error_code ec, baseEc;
    const fs::path base = fs::weakly_canonical(baseDir, baseEc);
    const fs::path full = fs::weakly_canonical(baseDir / rel, ec);
    const std::string baseStr = base.string() + "/";
    if (ec || baseEc || full.string().compare(0, baseStr.size(), baseStr) != 0)
        throw FormatError(context + ": external data path '" + location + "' resolves outside the model's folder");
    if (!fs::is_regular_file(full, ec))
        throw IoError(context + ": external data file '" + location + "' does not exist or is not a regular file");
    const auto size = static_cast<int64_t>(fs::file_size(full, ec));
    if (offset < 0)
        throw FormatError(context + ": external data offset " + std::to_string(offset) + " is negative");
    if (length >= 0 && length != bytes)
        throw FormatError(context + ": external data length " + std::to_string(length) + " does not match the "
                          + std::to_string(bytes) + " bytes the shape needs");
    if (ec || offset > size || bytes > size - offset)
        throw FormatError(context + ": external data '" + location + "' reads past the end of the file (offset "
                          + std::to_string(offset) + " + " + std::to_string(bytes) + " bytes > " + std::to_string(size) + ")");
    std::ifstream in(full, std::ios::binary);
    in.seekg(offset);
    std::string data(static_cast<size_t>(bytes), '\0');
    if (!in.read(data.data(), bytes))
        throw IoError(context + ": cannot read external data file '" + location + "'");
    return data;
}

} // namespace

DType dtypeFromOnnx(int32_t elemType, const std::string& context)
{
    switch (elemType) {
    case TensorProto::FLOAT:
    case TensorProto::DOUBLE:
    case TensorProto::FLOAT16: return DType::Float32;
    case TensorProto::INT64:
    case TensorProto::UINT64:
    case TensorProto::INT32:
    case TensorProto::UINT32:
    case TensorProto::INT16:
    case TensorProto::UINT16:
    case TensorProto::INT8:
    case TensorProto::UINT8:
    case TensorProto::BOOL: return DType::Int64;
    case TensorProto::UNDEFINED: throw FormatError(context + ": element type is undefined");
    default:
        throw UnsupportedError(context + ": element type " + std::to_string(elemType) + " ("
                               + TensorProto::DataType_Name(static_cast<TensorProto::DataType>(elemType)) + ") is not supported");
    }
}

Tensor tensorFromProto(const TensorProto& proto, const std::string& context, const fs::path& baseDir, int64_t maxBytes)
{
    const int32_t type = proto.data_type();
    const DType dtype = dtypeFromOnnx(type, context);
    Shape shape;
    for (int64_t d : proto.dims()) {
        if (d < 0)
            throw FormatError(context + ": negative dimension " + std::to_string(d));
        shape.push_back(d);
    }
    int64_t numel = 1;
    for (int64_t d : shape) {
        if (d != 0 && numel > std::numeric_limits<int64_t>::max() / 8 / d)
            throw FormatError(context + ": element count of shape " + shapeToString(shape) + " overflows");
        numel *= d;
    }
    const int64_t es = elementSize(type);
    const int64_t bytes = numel * es; // in the file
    // In memory every element widens to float32 or int64 (an int8 tensor takes 8× its file size),
    // so the limit applies to the larger of the two.
    const int64_t memBytes = numel * (dtype == DType::Float32 ? 4 : 8);
    if (std::max(bytes, memBytes) > maxBytes)
        throw FormatError(context + ": shape " + shapeToString(shape) + " needs " + std::to_string(std::max(bytes, memBytes))
                          + " bytes, more than the limit of " + std::to_string(maxBytes));
    if (proto.has_segment())
        throw UnsupportedError(context + ": segmented tensors are not supported");

    // Every length is checked before the tensor is allocated: a header may claim gigabytes that
    // the file does not hold, and zero-filling them first would cost that memory for nothing.
    auto wrongCount = [&](const char* field, int64_t got) {
        return FormatError(context + ": " + field + " holds " + std::to_string(got) + " values but shape "
                           + shapeToString(shape) + " needs " + std::to_string(numel));
    };

    if (proto.data_location() == TensorProto::EXTERNAL) {
        const std::string raw = readExternal(proto, context, baseDir, bytes);
        Tensor t(dtype, shape);
        fromRaw(t, type, raw.data());
        return t;
    }
    if (proto.has_raw_data()) {
        const std::string& raw = proto.raw_data();
        if (static_cast<int64_t>(raw.size()) != bytes)
            throw FormatError(context + ": raw_data has " + std::to_string(raw.size()) + " bytes but shape "
                              + shapeToString(shape) + " of " + TensorProto::DataType_Name(static_cast<TensorProto::DataType>(type))
                              + " needs " + std::to_string(bytes));
        Tensor t(dtype, shape);
        fromRaw(t, type, raw.data());
        return t;
    }
    const auto [field, count] = typedFieldCount(proto);
    if (count != numel)
        throw wrongCount(field, count);
    Tensor t(dtype, shape);
    switch (type) {
    case TensorProto::FLOAT: {
        std::copy(proto.float_data().begin(), proto.float_data().end(), t.floats().begin());
        break;
    }
    case TensorProto::DOUBLE: {
        auto out = t.floats();
        for (int64_t i = 0; i < numel; ++i)
            out[i] = static_cast<float>(proto.double_data(static_cast<int>(i)));
        break;
    }
    case TensorProto::FLOAT16: {
        auto out = t.floats();
        for (int64_t i = 0; i < numel; ++i)
            out[i] = halfToFloat(static_cast<uint16_t>(proto.int32_data(static_cast<int>(i))));
        break;
    }
    case TensorProto::INT64: {
        std::copy(proto.int64_data().begin(), proto.int64_data().end(), t.ints().begin());
        break;
    }
    case TensorProto::UINT64:
    case TensorProto::UINT32: {
        auto out = t.ints();
        for (int64_t i = 0; i < numel; ++i)
            out[i] = static_cast<int64_t>(proto.uint64_data(static_cast<int>(i)));
        break;
    }
    default: { // int32, int16, int8, uint16, uint8, bool: int32_data
        auto out = t.ints();
        for (int64_t i = 0; i < numel; ++i)
            out[i] = type == TensorProto::BOOL ? proto.int32_data(static_cast<int>(i)) != 0 : proto.int32_data(static_cast<int>(i));
        break;
    }
    }
    return t;
}

void tensorToProto(const Tensor& tensor, TensorProto& proto)
{
    proto.clear_dims();
    for (int64_t d : tensor.shape())
        proto.add_dims(d);
    if (tensor.isFloat()) {
        proto.set_data_type(TensorProto::FLOAT);
        auto v = tensor.floats();
        proto.set_raw_data(std::string(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(float)));
    } else {
        proto.set_data_type(TensorProto::INT64);
        auto v = tensor.ints();
        proto.set_raw_data(std::string(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(int64_t)));
    }
}

} // namespace lnscope::core::detail
