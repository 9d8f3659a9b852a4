#pragma once
// The emulated LNS executor (DESIGN.md "data flow": Executor(emulated LNS, ConvertedModel);
// spec/numerics.md §3.2): runs a ConvertedModel as the accelerator would, so that the error of
// each conversion stage is measured on the same inputs as the float model.
//
// Stages are cumulative and chosen per run (EmulatorOptions):
//   weights = BatchNormFolded | ClusterCompressed (float centroids) | Lns8 (the weight format's
//   decoded codes) — the graph of ConvertedModel::graphForStage(); and, on top,
//   quantizeActivations = every activation tensor the accelerator stores is held in the
//   activation format with its calibrated per-tensor parameter (ActivationQuant).
//
// Which tensors are activations (activationTensors()): the graph inputs and every float output
// of a node, except the output of a MAC node (Conv, ConvTranspose, Gemm, MatMul) whose only reader
// is an element-wise activation (Relu, LeakyRelu, PRelu, Clip, Sigmoid, HardSigmoid, HardSwish,
// Tanh): the accelerator applies the activation to the accumulator and encodes once (§3.2 step
// 4). Non-MAC ops (adds, pooling, resize, concat) work on decoded values and their outputs are
// encoded once (§3.2 step 5). Int64 tensors (shapes, indices) stay as they are.
//
// Two paths over the same codes (EmulatorOptions::path):
//   Fast   decode → float GEMM → re-encode: the float executor's kernels on decoded weights, with
//          every activation tensor fake-quantized (encode + decode) after it is produced.
//   Exact  every Conv (2-D, any group count) and Gemm (transA = 0, alpha = beta = 1) that is a
//          converted layer runs on the codes through lnsGemmExact/lnsGemmExactWide (the
//          accelerator's integer datapath: log adds, 2^F-entry LUT, exact accumulation —
//          cluster-compressed weights as L_scale + L_centroid); other layers (ConvTranspose,
//          MatMul, Gemm with other attributes) run as in Fast and are listed in notes(). Needs an
//          LNS weight format, quantized activations in an LNS format with the same F and total
//          bits, and weights = Lns8. Bit-reproducible for every thread count.
// Bound between the paths per MAC output (lns_datapath.h): |y_exact − y_fast| ≤
// (2^−16 + (K + 4)·2^−24)·Σ|a·w| on the same codes; once outputs are re-encoded a difference can
// move a value across a rounding boundary (one LNS step, 9 % at F = 3) and propagate.
//
// Threading: an LnsEmulator is immutable after construction; run() may be called from several
// threads at once (each call uses up to options.threads workers). Results are deterministic for a
// given thread count (Exact: for every thread count).

#include "lnscope/core/converted_model.h"
#include "lnscope/core/executor.h"
#include "lnscope/core/memory_budget.h"
#include "lnscope/core/number_format.h"
#include "lnscope/core/progress.h"

#include <memory>
#include <string>
#include <vector>

namespace lnscope::core {

enum class LnsPath { Fast, Exact };
const char* toString(LnsPath path);

struct EmulatorOptions
{
    Stage weights = Stage::Lns8;     ///< BatchNormFolded, ClusterCompressed or Lns8 (Float32 is refused)
    bool quantizeActivations = true; ///< hold activations in ConvertedModel::activations.format
    LnsPath path = LnsPath::Fast;
    bool mitchell = false;           ///< Exact path only: Mitchell's antilog instead of the LUT
    int threads = 2;
};

/// Names of the activation tensors of `graph` (see the header comment), in production order.
std::vector<std::string> activationTensors(const Graph& graph);

/// Per-tensor activation parameters from calibration inputs (each map a full set of graph inputs):
/// runs `graph` in float and chooses each activation tensor's parameter from its values over all
/// inputs — AbsMax: the largest |x| (LNS: B = ceil(2^F·log2 absmax) − Lmax); MinMse (LNS only,
/// other formats fall back to AbsMax): the bias in B_absmax − 2^F … B_absmax with the least
/// squared error over all inputs (a second pass; ties keep the larger bias). A tensor that is 0
/// everywhere gets the format's default parameter. Throws FormatError for an empty calibration
/// set, whatever Executor::run throws (ShapeError for inputs that do not fit, naming the input),
/// Cancelled when progress is cancelled.
ActivationQuant calibrateActivations(const Graph& graph, const std::vector<TensorMap>& calibration,
                                     const NumberFormat& format, ParamRule rule, int threads,
                                     Progress* progress = nullptr);

class LnsEmulator
{
public:
    /// Prepares the stage graph and, for the Exact path, every converted layer's weight codes.
    /// Throws UnsupportedError when the options do not fit the model (Exact with a non-LNS format,
    /// weights ≠ Lns8, or activation/weight formats with different F; Mitchell on the Fast path;
    /// weights = Float32), FormatError when activations are to be quantized but the model has no
    /// activation calibration, and whatever graphForStage() throws.
    LnsEmulator(const ConvertedModel& model, EmulatorOptions options);
    ~LnsEmulator();
    LnsEmulator(LnsEmulator&&) noexcept;
    LnsEmulator& operator=(LnsEmulator&&) noexcept;

    /// Runs the model. The tap sees every node's outputs as the accelerator holds them (quantized
    /// activations are the decoded values). Throws as Executor::run.
    TensorMap run(const TensorMap& inputs, const TapFn& tap = {}, Progress* progress = nullptr) const;

    /// Runs node `nodeIndex` of graph() alone on `inputs` (its non-constant inputs, in order; the
    /// constant ones come from the graph) with this emulator's kernel for it — the Exact path's
    /// integer datapath for converted Conv/Gemm layers, the float kernel otherwise — and returns
    /// its outputs without re-encoding them: for per-layer studies such as the exact-vs-fast bound.
    /// The inputs should already be quantized (as a run's tap sees them). Throws ShapeError for a
    /// bad index or input count, and whatever the kernel throws.
    std::vector<Tensor> runNode(int nodeIndex, const std::vector<Tensor>& inputs) const;

    const Graph& graph() const;
    const EmulatorOptions& options() const;
    /// What runs differently from the request, one line each (e.g. layers the Exact path leaves to
    /// the decoded-weight kernels).
    const std::vector<std::string>& notes() const;

private:
    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace lnscope::core
