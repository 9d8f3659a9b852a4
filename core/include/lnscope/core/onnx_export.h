#pragma once
// Graph → ONNX: the mirror of onnx_import.h, through Debian's ONNX library (onnx::ModelProto).
// This writes the "dequantized ONNX" of `lnscope-cli convert`: a converted stage's float graph
// (ConvertedModel::graphForStage) as a plain float32 ONNX model that any ONNX runtime can run.
//
// What is written:
// - ir_version: the lowest IR version that carries the graph's opset (the Graph does not keep the
//   file's IR version): opset 7–8 → IR 3, 9 → 4, 10 → 5, 11 → 6, 12–14 → 7, 15–17 → 8.
//   Under IR 3 initializers are also listed as graph inputs, as that IR requires.
// - opset_import: the default domain at Graph::opset (the only domain the Graph keeps).
// - producer_name "lnscope", producer_version from the options (the original producer is not
//   kept); graph name (Graph::name, or "lnscope" when empty: ONNX requires a name).
// - every node in Graph order: name, op_type, inputs and outputs ("" for an omitted optional
//   one), attributes of every Attribute::Kind (int, float, string, ints, floats, strings, tensor).
// - every initializer (Constant nodes of the source became initializers on import and stay so)
//   as a TensorProto with raw_data: float32 → FLOAT, int64 → INT64, little-endian.
// - graph inputs and outputs with element type (FLOAT / INT64: the importer widened every
//   integer type to int64 and float16/double to float32) and, when known, their dims: dim_value
//   for a fixed dim, dim_param for a named symbolic one, neither for an unnamed unknown one.
//   A ValueInfo without a shape (unknown rank) is written without one: no shape is invented.
//   The onnx checker wants a shape on every main-graph input and output, so such a graph is
//   written faithfully but fails onnx::checker::check_model. Otherwise the export adds nothing
//   the checker refuses: an imported model that passed it passes it again after export.
// importOnnx() of the result gives back an equal Graph (except Graph::producer), and exporting
// that again gives the same bytes.
//
// Thread-safe: both functions only read the graph.

#include "lnscope/core/graph.h"

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>

namespace lnscope::core {

/// Protobuf's hard limit on a serialized message: a model must be smaller than 2 GiB.
constexpr int64_t kMaxOnnxBytes = (int64_t(1) << 31) - 1;

struct OnnxExportOptions
{
    std::string producerVersion;                 ///< producer_version (e.g. LNSCOPE_VERSION); "" → not written
    std::string docString;                       ///< model doc_string, e.g. "weights dequantized from lns8 by lnscope"
    std::map<std::string, std::string> metadata; ///< metadata_props, written in key order
    /// Upper bound on the serialized size in bytes; values above kMaxOnnxBytes are capped to it.
    int64_t maxBytes = kMaxOnnxBytes;
};

/// Serializes `graph` as an ONNX ModelProto (see the file comment for what is written).
/// Throws, with messages that start with "graph '<name>'" and name the node or tensor:
/// - UnsupportedError: the opset is outside kMinOpset..kMaxOpset (onnx_import.h: the exporter
///   writes only what the importer reads); a node in a non-default domain (the Graph does not
///   keep that domain's opset version, which ONNX requires);
/// - FormatError: what ONNX cannot hold — an empty op type, an attribute or initializer with an
///   empty name, an empty graph input/output name; and a model of more than options.maxBytes
///   (protobuf's 2 GiB limit), checked on the tensor bytes before anything is copied and on the
///   complete message before it is serialized.
std::string serializeOnnx(const Graph& graph, const OnnxExportOptions& options = {});

/// serializeOnnx() written to `path` atomically ("<path>.part", then renamed): readers never see
/// half a file and a failed write leaves no file behind (an existing file at path stays as it
/// was). The same errors as serializeOnnx(), with messages naming `path`; IoError naming `path`
/// when it cannot be written (missing folder, no permission, full disk).
void writeOnnx(const Graph& graph, const std::filesystem::path& path, const OnnxExportOptions& options = {});

} // namespace lnscope::core
