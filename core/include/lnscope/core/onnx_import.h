#pragma once
// ONNX → Graph, through Debian's ONNX library (onnx::ModelProto). The importer validates
// everything itself: the library's checker misses much (DESIGN.md).

#include "lnscope/core/graph.h"

#include <filesystem>
#include <string>

namespace lnscope::core {

struct ImportOptions
{
    /// Check that every op is registered (and report all unsupported nodes at once).
    bool requireSupportedOps = true;
    /// Upper bound on the total bytes of tensor data a model may hold.
    int64_t maxTensorBytes = int64_t(4) << 30;
};

/// Reads and validates a model file. Throws IoError (unreadable file), FormatError (malformed:
/// message names the file, node/tensor and reason), UnsupportedError (unsupported ops, listed
/// all at once with node name, op type and opset; unsupported data types).
/// External data is read only from files inside the model's folder.
Graph importOnnx(const std::filesystem::path& path, const ImportOptions& options = {});

/// Same, from bytes in memory; `name` is used in messages, `baseDir` resolves external data
/// (empty: external data is refused).
Graph importOnnxBytes(const std::string& bytes, const std::string& name,
                      const std::filesystem::path& baseDir = {}, const ImportOptions& options = {});

/// Lowest and highest default-domain opset accepted.
constexpr int64_t kMinOpset = 7;
constexpr int64_t kMaxOpset = 17;

} // namespace lnscope::core
