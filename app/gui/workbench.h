#pragma once
// The workbench document: which models, adapters and dataset are open, the conversion settings,
// and the results of the background jobs (conversion + report, evaluation over the dataset, the
// current frame's comparison). Owns no numerics: every number comes from core through a
// JobRunner (DESIGN.md: app wires documents, jobs and views together).
//
// Two model slots: the segmentation model (its frames feed the segmentation comparison) and the
// stereo 3-D model (the boxes views). Each is converted with the same settings; the layer table,
// centroid and memory views show the slot chosen as "active". Per-layer K overrides
// (ConversionConfig::clustersPerLayer) are one map by node name: each slot is converted with the
// entries that name one of its compressible layers (an override whose node both models have
// applies to both).
//
// Staleness: every result remembers what it was computed from — a conversion its model, its
// effective settings and the files of its calibration frames (the first N frames of the dataset);
// an evaluation its conversion and the dataset; the shown frame its index, the dataset and both
// conversions. A change makes stale exactly the results whose inputs it changed (a new K: both
// conversions; another dataset: evaluations and the frame, and the conversions only when their
// calibration frames are other files; another model in one slot: that slot). convertAll() runs only
// the stale jobs: conversions first, then the current frame, then evaluations. Results of a job
// whose inputs changed while it ran are still applied when they belong to the same model (they
// stay stale); results for a model that was replaced meanwhile are dropped.

#include "lnscope/core/conversion_report.h"
#include "lnscope/core/converted_model.h"
#include "lnscope/core/dataset.h"
#include "lnscope/core/evaluation.h"
#include "lnscope/core/lns_emulator.h"
#include "lnscope/core/session.h"
#include "lnscope/core/task_adapter.h"
#include "lnscope/widgets/box_frame.h"
#include "lnscope/widgets/job_runner.h"
#include "lnscope/widgets/seg_comparison_view.h"

#include <QObject>
#include <QString>

#include <filesystem>
#include <memory>
#include <functional>
#include <optional>
#include <vector>

namespace lnscope::app {

/// One model with its adapter and what its jobs produced.
struct ModelSlot
{
    QString name;                      ///< "segmentation", "stereo 3-D"
    std::filesystem::path modelPath, adapterPath;
    std::shared_ptr<const core::Graph> graph;
    core::AdapterConfig adapter;
    std::shared_ptr<const core::ConvertedModel> converted;
    std::shared_ptr<const core::LnsEmulator> emulator;
    std::optional<core::ConversionReport> report;
    std::optional<core::EvaluationCounts> evaluation;
    bool isOpen() const { return graph != nullptr; }
};

/// A compressible layer of a model: a Conv whose kernels cluster compression replaces (spatial
/// kernels; 1×1 kernels too unless the pointwise policy keeps them).
struct CompressibleLayer
{
    std::string node;   ///< node name (the key of ConversionConfig::clustersPerLayer)
    core::Shape weight; ///< [out, in, kh, kw]
    int64_t kernels() const { return weight[0] * weight[1]; }
};

/// The layers of `graph` that convertModel() cluster-compresses under `pointwise`, in graph order.
std::vector<CompressibleLayer> compressibleLayers(const core::Graph& graph, core::PointwisePolicy pointwise);

/// A snapshot of the document for the exporters (report, video): copies of the slots (their
/// results are shared, immutable), the dataset and the settings. Safe to read on a worker while
/// the workbench goes on.
struct ExportInput
{
    ModelSlot segmentation, stereo;
    std::optional<core::Dataset> dataset;
    core::ConversionConfig config;
    int calibrationFrames = 4;
    int threads = 0;
};

class Workbench : public QObject
{
    Q_OBJECT
public:
    enum Slot { Segmentation = 0, Stereo = 1 };

    explicit Workbench(QObject* parent = nullptr);

    /// Opens a model and its adapter into a slot (on the GUI thread: import is fast). Throws the
    /// core errors (naming the file) — the caller shows them.
    void openModel(Slot slot, const std::filesystem::path& model, const std::filesystem::path& adapter);
    void openDataset(const std::filesystem::path& root);
    /// The bundled demo: datasets/models/synth_*.onnx with their adapters and datasets/synthdrive/val
    /// (the tiny model with a dense adapter when the trained models are not there). Returns what
    /// it opened, for the status bar.
    QString openDemo(const std::filesystem::path& datasetsDir);

    /// Opens the session's models, adapters and dataset and takes its conversion settings — all or
    /// nothing: everything is loaded first, and only when all of it succeeded does it replace the
    /// current state. Throws the core errors (naming the file) otherwise.
    void applySession(const core::Session& session);
    /// The current models, dataset and settings as a session (view fields left default).
    core::Session session() const;

    const ModelSlot& slot(Slot s) const { return m_slots[s]; }
    /// The current state for the report and video writers.
    ExportInput exportInput() const;
    const std::optional<core::Dataset>& dataset() const { return m_dataset; }
    /// The settings. Changing them through this reference does not emit staleChanged(); prefer
    /// setConfig() from the UI.
    core::ConversionConfig& config() { return m_config; }
    const core::ConversionConfig& config() const { return m_config; }
    void setConfig(const core::ConversionConfig& config);
    int calibrationFrames() const { return m_calibrationFrames; }
    void setCalibrationFrames(int n);
    /// The settings slot `s` is converted with: config() with the per-layer K entries that name
    /// one of its compressible layers.
    core::ConversionConfig effectiveConfig(Slot s) const;
    /// Per-layer K entries of the settings that name no compressible layer of an open model.
    QStringList unusedLayerOverrides() const;

    /// Brings every open slot up to date in the background, running only what is stale
    /// (conversion, current frame, evaluation). A running job that is still needed goes on; one
    /// whose inputs changed is cancelled. Failed jobs are retried by the next call only.
    void convertAll();
    /// convertAll() after forgetting every result's inputs: converts and evaluates everything again.
    void convertAgain();
    void cancel();
    bool busy() const;
    widgets::JobRunner* runner() { return &m_runner; }

    /// What convertAll() would run now.
    bool conversionStale(Slot s) const;
    bool evaluationStale(Slot s) const;
    bool frameStale() const;
    bool anyStale() const;
    /// Why convertAll() has work, for the UI: "settings changed", "model changed", "dataset changed",
    /// "not converted", "not evaluated"; "" when everything is up to date.
    QString staleReason() const;

    /// Runs `work` on the runner once the jobs convertAll() or showFrame() asked for are done (before
    /// any later ones): for exports that need the finished results. `start` runs on the GUI
    /// thread when it is the task's turn and starts one job on runner() (it may read
    /// exportInput()); the task counts as busy() until that job ends.
    void runTask(std::function<void()> start);

    int frameCount() const;
    int currentFrame() const { return m_frame; }
    /// Computes the comparison of a frame in the background; frameReady() when done.
    void showFrame(int index);
    /// The frame where float and converted disagree most (segmentation, else stereo), or -1.
    int worstFrame() const;

signals:
    void slotChanged(int slot);      ///< opened, converted or evaluated
    void datasetChanged();
    void segFrameReady(int index, const lnscope::widgets::SegFrameData& data);
    void boxFrameReady(int index, const lnscope::widgets::BoxFrameData& data);
    void message(const QString& text); ///< errors and notes for the status bar / a dialog
    void jobsFinished();             ///< nothing is queued or running any more
    void staleChanged();             ///< a setting, model or dataset changed, or a result arrived

private:
    /// What a conversion was (or would be) computed from.
    struct ConversionInputs
    {
        uint64_t model = 0; ///< m_modelGeneration of the slot
        core::ConversionConfig config;
        std::vector<std::filesystem::path> calibration; ///< image files of the calibration frames
        bool operator==(const ConversionInputs&) const = default;
    };
    struct EvaluationInputs
    {
        uint64_t conversion = 0, dataset = 0;
        bool operator==(const EvaluationInputs&) const = default;
    };
    struct FrameInputs
    {
        uint64_t dataset = 0;
        int frame = 0;
        uint64_t conversion[2] = {0, 0}, model[2] = {0, 0};
        bool operator==(const FrameInputs&) const = default;
    };
    /// The job on the runner: what to remember when it fails, and whether it is still needed.
    struct RunningJob
    {
        std::function<void()> onFailure;
        std::function<bool()> stillNeeded;
    };

    static ModelSlot loadSlot(const QString& name, const std::filesystem::path& model, const std::filesystem::path& adapter);
    ConversionInputs conversionInputs(Slot s) const;
    EvaluationInputs evaluationInputs(Slot s) const;
    FrameInputs frameInputs() const;
    void runNext();
    bool startNextJob();
    void startConvert(Slot s);
    void startEvaluate(Slot s);
    void startFrame();
    void noteUnusedOverrides();

    ModelSlot m_slots[2];
    std::optional<core::Dataset> m_dataset;
    core::ConversionConfig m_config;
    int m_calibrationFrames = 4;
    int m_frame = 0;
    widgets::JobRunner m_runner;

    uint64_t m_nextGeneration = 1;                  ///< source of the generation numbers below
    uint64_t m_modelGeneration[2] = {0, 0};         ///< new on every open of the slot
    uint64_t m_conversionGeneration[2] = {0, 0};    ///< new on every conversion result
    uint64_t m_datasetGeneration = 0;               ///< new on every open of a dataset
    std::optional<ConversionInputs> m_converted[2]; ///< inputs of the slot's current conversion
    std::optional<EvaluationInputs> m_evaluated[2];
    std::optional<FrameInputs> m_frameShown;
    std::optional<ConversionInputs> m_conversionFailed[2]; ///< not retried until convertAll()
    std::optional<EvaluationInputs> m_evaluationFailed[2];
    std::optional<FrameInputs> m_frameFailed;
    bool m_wantUpdate = false; ///< convertAll() asked for everything stale
    bool m_wantFrame = false;  ///< showFrame() asked for the current frame
    std::vector<std::function<void()>> m_tasks; ///< runTask() starts, in order
    std::optional<RunningJob> m_running;
    bool m_userCancelled = false; ///< the running job was cancelled by cancel()
};

} // namespace lnscope::app
