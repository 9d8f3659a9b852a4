#pragma once
// The workbench document: which models, adapters and dataset are open, the conversion settings,
// and the results of the background jobs (conversion + report, evaluation over the dataset, the
// current frame's comparison). Owns no numerics: every number comes from core through a
// JobRunner (DESIGN.md: app wires documents, jobs and views together).
//
// Two model slots: the segmentation model (its frames feed the segmentation comparison) and the
// stereo 3-D model (the boxes views). Each is converted with the same settings; the layer table,
// centroid and memory views show the slot chosen as "active".

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
#include <optional>

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
    core::ConversionConfig& config() { return m_config; }
    int calibrationFrames() const { return m_calibrationFrames; }
    void setCalibrationFrames(int n) { m_calibrationFrames = n; }

    /// Converts every open slot (then evaluates it over the dataset) in the background.
    void convertAll();
    void cancel();
    bool busy() const;
    widgets::JobRunner* runner() { return &m_runner; }

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

private:
    static ModelSlot loadSlot(const QString& name, const std::filesystem::path& model, const std::filesystem::path& adapter);
    void runNext();
    void queueConvert(Slot slot);
    void queueEvaluate(Slot slot);
    void queueFrame(int index);

    ModelSlot m_slots[2];
    std::optional<core::Dataset> m_dataset;
    core::ConversionConfig m_config;
    int m_calibrationFrames = 4;
    int m_frame = 0;
    widgets::JobRunner m_runner;
    std::vector<std::function<void()>> m_queue; ///< jobs waiting for the runner, in order
    bool m_userCancelled = false;               ///< the running job was cancelled by cancel()
};

} // namespace lnscope::app
