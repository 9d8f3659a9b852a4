#pragma once
// The story of one conversion as plain values (STYLE.md 3): what every layer costs at each stage
// (memory_budget.h terms), what each stage changes in every layer's output and in the model's
// outputs on the same evaluation inputs (tensor_metrics.h), the per-layer sensitivity sweep, the
// peak live activation memory in each format and whether the model fits an on-chip budget. The
// CLI's `convert` prints it, the workbench's layer table and memory view draw it, and the report
// exporter writes it — one computation for all three.
//
// Stages compared against the float32 model (each a cumulative conversion, numerics.md §2–§3):
//   "BNF"   batch norms folded                      (float executor on the folded graph)
//   "CC"    + cluster compression, float centroids  (float executor)
//   format  + weights in the weight format, e.g. "LNS8" (float executor on decoded weights)
//   "+act"  + activations in the activation format  (emulated LNS executor, options.path) —
//           only when the model has calibrated activation parameters.
// Storage is reported for the four storage stages Float32, BatchNormFolded, ClusterCompressed and
// the weight format (Stage::Lns8 stands for whatever weight format the model uses).
//
// Threading: buildConversionReport() runs on the calling thread with up to options.threads
// workers; the result is a plain value.

#include "lnscope/core/converted_model.h"
#include "lnscope/core/lns_emulator.h"
#include "lnscope/core/memory_budget.h"
#include "lnscope/core/progress.h"
#include "lnscope/core/tensor_metrics.h"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace lnscope::core {

/// One compared stage: every layer output and model output against float32.
struct StageAgreement
{
    std::string label;          ///< "BNF", "CC", the weight format ("LNS8", "fp8_e4m3"…), "+act"
    Stage weights = Stage::BatchNormFolded;
    bool activations = false;   ///< activations quantized (the emulated stage)
    std::vector<LayerAgreement> layers; ///< float32 graph order (compareLayers)
    std::map<std::string, Agreement> outputs; ///< by graph output name
    int firstDiverging = -1;    ///< index into layers of the first below the threshold, or -1
};

/// One converted layer (Conv, ConvTranspose, Gemm, MatMul with a constant weight).
struct LayerReport
{
    std::string node, op;
    std::string tensor;          ///< its output tensor in the folded graph (shared with float32)
    Shape weightShape;
    bool clustered = false;
    int64_t clusters = 0;        ///< K_l (0 when not clustered)
    int64_t weights = 0;         ///< weight elements
    double bitsPerWeight = 0.0;  ///< stored bits / weights at the weight-format stage
    std::vector<int64_t> bytes;  ///< per ConversionReport::budgets entry
    std::vector<std::optional<Agreement>> agreement; ///< per ConversionReport::stages entry
    std::optional<double> sensitivityDb; ///< model-output SQNR with only this layer converted
    bool refined = false;
    double refineSqnrBeforeDb = 0.0, refineSqnrAfterDb = 0.0; ///< layer output, when refined
};

struct ActivationMemory
{
    std::string format;          ///< "float32" or the activation format
    int bytesPerElement = 4;
    ActivationPeak peak;
};

struct ConversionReportOptions
{
    int threads = 2;
    LnsPath path = LnsPath::Fast;  ///< path of the "+act" stage
    bool sensitivity = false;      ///< run the one-layer-at-a-time sweep (one run per layer)
    double divergeDb = 30.0;       ///< threshold for StageAgreement::firstDiverging
    int64_t onChipBudgetBytes = 0; ///< > 0: fill ConversionReport::fit for the weight-format stage
};

struct ConversionReport
{
    std::string weightFormat;
    int weightBits = 8;
    std::vector<BudgetReport> budgets;  ///< Float32, BatchNormFolded, ClusterCompressed, weight format
    std::vector<StageAgreement> stages; ///< BNF, CC, weight format, then "+act" when calibrated
    std::vector<LayerReport> layers;    ///< converted layers, folded-graph order
    std::vector<ActivationMemory> activationMemory; ///< float32, then the activation format
    std::optional<FitReport> fit;
    std::vector<std::string> notes;     ///< the model's notes plus the emulator's

    /// Index into stages of a label, or -1.
    int stageIndex(const std::string& label) const;
    const LayerReport* layer(const std::string& node) const;
};

/// Storage of `model` at its four storage stages (budgets as the converted model stores them:
/// per-kernel scales and centroids in the weight format's width, uncompressed layers named).
std::vector<BudgetReport> conversionBudgets(const ConvertedModel& model);

/// Label of a storage stage for a model with `weightFormat` ("float32", "BNF", "CC", "LNS8" or the
/// format's name).
std::string stageLabel(Stage stage, const std::string& weightFormat);

/// Everything above on `evaluation` (one or more full input maps). Throws FormatError for an
/// empty evaluation list, whatever the executors throw, Cancelled when progress is cancelled.
ConversionReport buildConversionReport(const ConvertedModel& model, const std::vector<TensorMap>& evaluation,
                                       const ConversionReportOptions& options, Progress* progress = nullptr);

} // namespace lnscope::core
