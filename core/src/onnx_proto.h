#pragma once
// Internal: conversions between onnx::TensorProto and Tensor, shared by the importer and tensor_io.

#include "lnscope/core/tensor.h"

#include <filesystem>
#include <onnx/onnx_pb.h>
#include <string>

namespace lnscope::core::detail {

/// Decodes a TensorProto, validating dims and data lengths. Integer and bool types become Int64,
/// float16/double become Float32. `context` prefixes messages ("model.onnx: initializer 'w'").
/// External data is read relative to `baseDir` and must stay inside it (empty: refused).
Tensor tensorFromProto(const onnx::TensorProto& proto, const std::string& context,
                       const std::filesystem::path& baseDir, int64_t maxBytes);

void tensorToProto(const Tensor& tensor, onnx::TensorProto& proto);

/// DType for an ONNX element type; throws UnsupportedError for strings, complex, bfloat16 etc.
DType dtypeFromOnnx(int32_t elemType, const std::string& context);

} // namespace lnscope::core::detail
