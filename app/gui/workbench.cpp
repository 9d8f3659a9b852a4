#include "workbench.h"

#include "frame_compute.h"

#include "lnscope/core/onnx_import.h"

namespace lnscope::app {

namespace fs = std::filesystem;

namespace {

/// What a conversion job hands back to the GUI thread.
struct ConversionResult
{
    std::shared_ptr<const core::ConvertedModel> converted;
    std::shared_ptr<const core::LnsEmulator> emulator;
    core::ConversionReport report;
};

QString fileName(const fs::path& p)
{
    return QString::fromStdString(p.filename().string());
}

} // namespace

Workbench::Workbench(QObject* parent) : QObject(parent)
{
    m_slots[Segmentation].name = tr("segmentation");
    m_slots[Stereo].name = tr("stereo 3-D");
    m_config.refine = true; // the default conversion: BNF + per-layer CC + LNS8 Q4.3 + refinement
    auto next = [this] { runNext(); };
    connect(&m_runner, &widgets::JobRunner::finished, this, next);
    connect(&m_runner, &widgets::JobRunner::failed, this, [this](int, const QString& why) {
        emit message(tr("%1 failed: %2").arg(m_runner.label(), why));
        runNext();
    });
    connect(&m_runner, &widgets::JobRunner::cancelled, this, [this] {
        if (!m_userCancelled) { // superseded by a new request (convertAll): carry on with the queue
            runNext();
            return;
        }
        m_userCancelled = false;
        m_queue.clear();
        emit message(tr("Cancelled"));
        emit jobsFinished();
    });
}

ModelSlot Workbench::loadSlot(const QString& name, const fs::path& model, const fs::path& adapter)
{
    ModelSlot slot;
    slot.name = name;
    slot.modelPath = model;
    slot.adapterPath = adapter;
    auto graph = std::make_shared<core::Graph>(core::importOnnx(model));
    const core::AdapterConfig config = adapter.empty() ? core::defaultAdapterFor(*graph) : core::readAdapterConfig(adapter);
    slot.adapter = core::bindAdapter(config, *graph);
    slot.graph = std::move(graph);
    return slot;
}

void Workbench::openModel(Slot s, const fs::path& model, const fs::path& adapter)
{
    m_slots[s] = loadSlot(m_slots[s].name, model, adapter);
    emit slotChanged(s);
}

void Workbench::applySession(const core::Session& session)
{
    // Load everything first; only then replace the current state (never half-applied).
    ModelSlot seg, stereo;
    seg.name = m_slots[Segmentation].name;
    stereo.name = m_slots[Stereo].name;
    if (!session.segmentationModel.empty())
        seg = loadSlot(seg.name, session.segmentationModel, session.segmentationAdapter);
    if (!session.stereoModel.empty())
        stereo = loadSlot(stereo.name, session.stereoModel, session.stereoAdapter);
    std::optional<core::Dataset> dataset;
    if (!session.dataset.empty())
        dataset = core::openDataset(session.dataset);
    cancel();
    m_slots[Segmentation] = std::move(seg);
    m_slots[Stereo] = std::move(stereo);
    m_dataset = std::move(dataset);
    m_config = session.conversion;
    m_calibrationFrames = session.calibrationFrames;
    m_frame = std::clamp(session.frame, 0, std::max(0, frameCount() - 1));
    emit datasetChanged();
    emit slotChanged(Segmentation);
    emit slotChanged(Stereo);
}

core::Session Workbench::session() const
{
    core::Session s;
    s.segmentationModel = m_slots[Segmentation].modelPath;
    s.segmentationAdapter = m_slots[Segmentation].adapterPath;
    s.stereoModel = m_slots[Stereo].modelPath;
    s.stereoAdapter = m_slots[Stereo].adapterPath;
    s.dataset = m_dataset ? m_dataset->root : fs::path();
    s.conversion = m_config;
    s.calibrationFrames = m_calibrationFrames;
    s.frame = m_frame;
    return s;
}

ExportInput Workbench::exportInput() const
{
    return {m_slots[Segmentation], m_slots[Stereo], m_dataset, m_config, m_calibrationFrames, m_config.threads};
}

void Workbench::openDataset(const fs::path& root)
{
    m_dataset = core::openDataset(root);
    m_frame = 0;
    for (ModelSlot& s : m_slots)
        s.evaluation.reset();
    emit datasetChanged();
}

QString Workbench::openDemo(const fs::path& datasets)
{
    const fs::path models = datasets / "models";
    QStringList opened;
    if (fs::exists(models / "synth_segnet.onnx")) {
        openModel(Segmentation, models / "synth_segnet.onnx", models / "synth_segnet.adapter.json");
        opened << fileName(models / "synth_segnet.onnx");
    } else {
        openModel(Segmentation, models / "tiny_segnet.onnx", {});
        opened << fileName(models / "tiny_segnet.onnx") + tr(" (untrained; dense adapter)");
    }
    if (fs::exists(models / "synth_stereo3d.onnx")) {
        openModel(Stereo, models / "synth_stereo3d.onnx", models / "synth_stereo3d.adapter.json");
        opened << fileName(models / "synth_stereo3d.onnx");
    }
    openDataset(datasets / "synthdrive" / "val");
    return tr("Demo: %1 on %2").arg(opened.join(", "), QStringLiteral("synthdrive/val"));
}

int Workbench::frameCount() const
{
    return m_dataset ? static_cast<int>(m_dataset->frames.size()) : 0;
}

bool Workbench::busy() const
{
    return m_runner.isRunning() || !m_queue.empty();
}

void Workbench::cancel()
{
    m_queue.clear();
    if (m_runner.isRunning()) {
        m_userCancelled = true;
        m_runner.cancel();
    }
}

void Workbench::convertAll()
{
    m_queue.clear();
    for (int s : {Segmentation, Stereo})
        if (m_slots[s].isOpen()) {
            queueConvert(Slot(s));
            if (m_dataset)
                queueEvaluate(Slot(s));
        }
    if (m_dataset)
        queueFrame(m_frame);
    m_runner.cancel();
    if (!m_runner.isRunning())
        runNext();
}

void Workbench::showFrame(int index)
{
    if (frameCount() == 0)
        return;
    m_frame = std::clamp(index, 0, frameCount() - 1);
    if (m_runner.isRunning()) {
        // Conversions keep running; the frame joins the queue (replacing an older frame request).
        queueFrame(m_frame);
        return;
    }
    queueFrame(m_frame);
    runNext();
}

int Workbench::worstFrame() const
{
    for (int s : {Segmentation, Stereo})
        if (m_slots[s].evaluation) {
            const core::EvaluationMetrics m = core::summarize(*m_slots[s].evaluation);
            if (m.worstFrame >= 0 && m_dataset) {
                const std::string& id = m_slots[s].evaluation->frameList[size_t(m.worstFrame)].id;
                for (size_t i = 0; i < m_dataset->frames.size(); ++i)
                    if (m_dataset->frames[i].id == id)
                        return static_cast<int>(i);
            }
        }
    return -1;
}

void Workbench::runNext()
{
    if (m_runner.isRunning())
        return;
    if (m_queue.empty()) {
        emit jobsFinished();
        return;
    }
    auto job = std::move(m_queue.front());
    m_queue.erase(m_queue.begin());
    job();
}

void Workbench::queueConvert(Slot s)
{
    m_queue.push_back([this, s] {
        const ModelSlot& slot = m_slots[s];
        auto graph = slot.graph;
        const core::AdapterConfig adapter = slot.adapter;
        const std::optional<core::Dataset> dataset = m_dataset;
        const core::ConversionConfig config = m_config;
        const int frames = m_calibrationFrames;
        m_runner.run<ConversionResult>(
            tr("Converting the %1 model").arg(slot.name),
            [=](core::Progress& p) {
                const core::TaskAdapter& task = core::adapterFor(adapter);
                std::vector<core::TensorMap> calibration;
                if (dataset)
                    for (size_t i = 0; i < dataset->frames.size() && int(i) < frames; ++i)
                        calibration.push_back(task.makeInputs(adapter, dataset->frames[i]));
                if (calibration.empty())
                    throw core::FormatError("no dataset open: the conversion calibrates on its frames");
                core::ScaledProgress convertPart(&p, 0.0, 0.7), reportPart(&p, 0.7, 1.0);
                ConversionResult r;
                auto converted = std::make_shared<core::ConvertedModel>(
                    core::convertModel(*graph, config, calibration, &convertPart));
                core::ConversionReportOptions options;
                options.threads = config.threads;
                options.sensitivity = true;
                r.report = core::buildConversionReport(*converted, {calibration.front()}, options, &reportPart);
                if (!converted->activations.params.empty())
                    r.emulator = std::make_shared<core::LnsEmulator>(*converted, core::EmulatorOptions{});
                r.converted = std::move(converted);
                return r;
            },
            [this, s](ConversionResult r) {
                m_slots[s].converted = std::move(r.converted);
                m_slots[s].emulator = std::move(r.emulator);
                m_slots[s].report = std::move(r.report);
                m_slots[s].evaluation.reset();
                emit slotChanged(s);
            });
    });
}

void Workbench::queueEvaluate(Slot s)
{
    m_queue.push_back([this, s] {
        const ModelSlot& slot = m_slots[s];
        if (!slot.emulator || !m_dataset) {
            runNext();
            return;
        }
        auto graph = slot.graph;
        auto emulator = slot.emulator;
        const core::AdapterConfig adapter = slot.adapter;
        const core::Dataset dataset = *m_dataset;
        const int threads = m_config.threads;
        m_runner.run<core::EvaluationCounts>(
            tr("Evaluating the %1 model on %n frame(s)", nullptr, int(dataset.frames.size())).arg(slot.name),
            [=](core::Progress& p) { return core::evaluateDataset(*graph, adapter, emulator.get(), dataset, {}, threads, &p); },
            [this, s](core::EvaluationCounts c) {
                m_slots[s].evaluation = std::move(c);
                emit slotChanged(s);
            });
    });
}

void Workbench::queueFrame(int index)
{
    // Only the latest frame request matters: drop queued ones (they are cheap to redo).
    m_queue.push_back([this, index] {
        if (!m_dataset || index >= frameCount() || index != m_frame) {
            runNext();
            return;
        }
        const core::Frame frame = m_dataset->frames[size_t(index)];
        const ModelSlot& seg = m_slots[Segmentation];
        const ModelSlot& st = m_slots[Stereo];
        struct FrameResult
        {
            std::optional<widgets::SegFrameData> seg;
            std::optional<widgets::BoxFrameData> boxes;
        };
        const FrameModel segModel{seg.graph, seg.emulator, seg.adapter};
        const FrameModel boxModel{st.graph, st.emulator, st.adapter};
        const int threads = m_config.threads;
        m_runner.run<FrameResult>(
            tr("Frame %1").arg(QString::fromStdString(frame.id)),
            [=](core::Progress&) {
                FrameResult r;
                if (segModel.ready("segmentation"))
                    r.seg = computeSegFrame(segModel, frame, threads);
                if (boxModel.ready("stereo3d"))
                    r.boxes = computeBoxFrame(boxModel, frame, threads);
                return r;
            },
            [this, index](FrameResult r) {
                if (r.seg)
                    emit segFrameReady(index, *r.seg);
                if (r.boxes)
                    emit boxFrameReady(index, *r.boxes);
            });
    });
}

} // namespace lnscope::app
