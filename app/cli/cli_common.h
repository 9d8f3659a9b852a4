#pragma once
// Pieces shared by the lnscope-cli commands: loading models and inputs with messages that name
// the file, formatting shapes, and summarising tensors.

#include "cli_args.h"
#include "json_writer.h"

#include "lnscope/core/error.h"
#include "lnscope/core/executor.h"
#include "lnscope/core/graph.h"
#include "lnscope/core/tensor.h"

#include <array>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace lnscope::app {

/// One subcommand: main() lists these in the top-level help and dispatches on `name`.
struct Command
{
    const char* name;
    const char* summary; ///< one line for the top-level help
    const char* usage;   ///< the full help text (-h/--help, and after a usage error)
    /// Runs the command on its arguments (without the command name); returns the exit code.
    /// Throws UsageError (exit 2), core errors (exit 1), anything else (exit 3).
    int (*run)(const std::vector<std::string>& args);
};

extern const Command kInfoCommand;
extern const Command kRunCommand;
extern const Command kConvertCommand;
extern const Command kBenchCommand;
extern const Command kCompareCommand;
extern const Command kSynthCommand;
extern const Command kEvaluateCommand;
extern const Command kMergeCommand;
extern const Command kReportCommand;
extern const Command kVideoCommand;

/// Imports a model. `requireSupportedOps` = false lets `info` describe models we cannot run.
/// Throws what importOnnx throws (messages name the file).
core::Graph loadModel(const std::filesystem::path& path, bool requireSupportedOps);

/// "[N, 3, 224, 224]"; symbolic dims by name, unknown ones as "?", no shape at all as "unknown".
std::string dimsToString(const core::ValueInfo& info);
/// The dims as a JSON array of numbers and names (null for an unknown dim); null without a shape.
Json dimsToJson(const core::ValueInfo& info);
Json shapeToJson(const core::Shape& shape);

struct TensorStats
{
    int64_t count = 0;
    int64_t nonFinite = 0; ///< NaN and ±Inf elements, left out of min/max/mean
    double min = 0.0;
    double max = 0.0;
    double mean = 0.0;
};
TensorStats tensorStats(const core::Tensor& tensor);

struct ClassCount
{
    int64_t classIndex = 0;
    int64_t count = 0;
};
/// For N×C×H×W (and N×C) float tensors with C ≥ 2: how many positions take each class as the
/// argmax over C (ties to the lowest index), most frequent first. Empty for other tensors.
std::vector<ClassCount> argmaxHistogram(const core::Tensor& tensor);

/// How images are turned into tensors (--size, --mean, --std, --bgr).
struct ImageArgs
{
    std::optional<std::array<int, 2>> size; ///< width, height
    std::array<float, 3> mean{0.f, 0.f, 0.f};
    std::array<float, 3> std{1.f, 1.f, 1.f};
    bool bgr = false;
};
std::vector<OptionSpec> imageOptionSpecs();
/// Reads the image options; UsageError on malformed values or a zero std.
ImageArgs imageArgsFrom(const ParsedArgs& args);

struct ModelInput
{
    std::string name;   ///< the graph input it feeds
    std::string source; ///< the file, or a description ("seeded random, seed 1")
    core::Tensor tensor;
};

/// Resolves `--input [NAME=]FILE` values to the graph's inputs and reads them: `.pb` files as
/// ONNX TensorProto, anything else as an image. Unnamed files go to the unnamed graph inputs in
/// order. Throws UsageError when files and inputs do not pair up, core errors naming the file
/// when a file is unreadable or does not fit its input.
std::vector<ModelInput> loadInputs(const core::Graph& graph, const std::filesystem::path& modelPath,
                                   const std::vector<std::string>& inputArgs, const ImageArgs& imageArgs);

/// Every input file of a folder (sorted by name; hidden files skipped) or one file, for a model
/// with one input: .pb tensors as they are, images at their own size unless --size — an image of
/// another size than the model input is bad input naming the file. `what` names the data in
/// errors ("calibration"). Throws IoError for a missing or empty folder, UnsupportedError for a
/// model with several inputs, core errors naming the file otherwise.
std::vector<ModelInput> loadInputFolder(const core::Graph& graph, const std::filesystem::path& model,
                                        const std::filesystem::path& source, const ImageArgs& image,
                                        const std::string& what);

/// A seeded random tensor in [0, 1) with the input's shape (unknown batch dims → 1, unknown
/// spatial dims → imageArgs.size or 224). Throws ShapeError when the model gives no shape.
ModelInput randomInput(const core::ValueInfo& info, uint32_t seed, const ImageArgs& imageArgs);

/// Throws ShapeError naming `source` and the input when `tensor` cannot feed `info`.
void checkInputFits(const core::ValueInfo& info, const core::Tensor& tensor, const std::string& source);

core::TensorMap toTensorMap(const std::vector<ModelInput>& inputs);

/// Runs `fn`, re-throwing core errors (same type) with "context: " in front, so that messages
/// from the executor (which name the node) also name the model file.
template <typename Fn>
auto withContext(const std::string& context, Fn&& fn) -> decltype(fn())
{
    try {
        return fn();
    } catch (const core::Cancelled&) {
        throw;
    } catch (const core::IoError& e) {
        throw core::IoError(context + ": " + e.what());
    } catch (const core::FormatError& e) {
        throw core::FormatError(context + ": " + e.what());
    } catch (const core::UnsupportedError& e) {
        throw core::UnsupportedError(context + ": " + e.what());
    } catch (const core::ShapeError& e) {
        throw core::ShapeError(context + ": " + e.what());
    }
}

/// "out/prob.pb"-safe file stem for a tensor name (path separators and odd characters → '_').
std::string safeFileStem(const std::string& tensorName);

} // namespace lnscope::app
