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

std::vector<CompressibleLayer> compressibleLayers(const core::Graph& graph, core::PointwisePolicy pointwise)
{
    // The rule of convertModel(): Conv layers with a 4-D weight of their own; 1×1 kernels only
    // when the pointwise policy compresses them. (Batch-norm folding keeps the Conv node names.)
    std::vector<CompressibleLayer> layers;
    for (const core::Node& node : graph.nodes) {
        if (node.opType != "Conv" || !node.hasInput(1))
            continue;
        const core::Tensor* w = graph.initializer(node.input(1));
        if (!w || w->shape().size() != 4 || graph.consumersOf(node.input(1)).size() != 1)
            continue;
        const bool spatial = w->shape()[2] * w->shape()[3] > 1;
        if (spatial || pointwise != core::PointwisePolicy::Keep)
            layers.push_back({node.name, w->shape()});
    }
    return layers;
}

Workbench::Workbench(QObject* parent) : QObject(parent)
{
    m_slots[Segmentation].name = tr("segmentation");
    m_slots[Stereo].name = tr("stereo 3-D");
    m_config.refine = true; // the default conversion: BNF + per-layer CC + LNS8 Q4.3 + refinement
    connect(&m_runner, &widgets::JobRunner::finished, this, [this] {
        m_running.reset();
        runNext();
    });
    connect(&m_runner, &widgets::JobRunner::failed, this, [this](int, const QString& why) {
        if (m_running && m_running->onFailure)
            m_running->onFailure();
        m_running.reset();
        emit message(tr("%1 failed: %2").arg(m_runner.label(), why));
        runNext();
    });
    connect(&m_runner, &widgets::JobRunner::cancelled, this, [this] {
        // Cancelled by cancel() (which dropped every request) or superseded because its inputs
        // changed; either way go on with whatever was asked for since.
        m_running.reset();
        if (m_userCancelled) {
            m_userCancelled = false;
            emit message(tr("Cancelled"));
        }
        runNext();
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
    m_modelGeneration[s] = m_nextGeneration++;
    m_converted[s].reset();
    m_evaluated[s].reset();
    emit slotChanged(s);
    emit staleChanged();
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
    for (int s : {Segmentation, Stereo}) {
        m_modelGeneration[s] = m_nextGeneration++;
        m_converted[s].reset();
        m_evaluated[s].reset();
    }
    m_datasetGeneration = m_nextGeneration++;
    m_frameShown.reset();
    emit datasetChanged();
    emit slotChanged(Segmentation);
    emit slotChanged(Stereo);
    emit staleChanged();
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
    m_datasetGeneration = m_nextGeneration++;
    m_frame = 0;
    for (ModelSlot& s : m_slots)
        s.evaluation.reset();
    emit datasetChanged();
    emit staleChanged();
}

void Workbench::setConfig(const core::ConversionConfig& config)
{
    m_config = config;
    emit staleChanged(); // also when equal: config() may have been edited in place before
}

void Workbench::setCalibrationFrames(int n)
{
    if (n == m_calibrationFrames)
        return;
    m_calibrationFrames = n;
    emit staleChanged();
}

core::ConversionConfig Workbench::effectiveConfig(Slot s) const
{
    core::ConversionConfig c = m_config;
    c.clustersPerLayer.clear();
    if (m_config.clustersPerLayer.empty() || !m_slots[s].isOpen() || m_config.sharedBook)
        return c;
    for (const CompressibleLayer& l : compressibleLayers(*m_slots[s].graph, m_config.pointwise))
        if (auto k = m_config.clustersPerLayer.find(l.node); k != m_config.clustersPerLayer.end())
            c.clustersPerLayer.insert(*k);
    return c;
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
    return m_runner.isRunning() || !m_tasks.empty() || (m_wantUpdate && anyStale()) || (m_wantFrame && frameStale());
}

Workbench::ConversionInputs Workbench::conversionInputs(Slot s) const
{
    ConversionInputs in;
    in.model = m_modelGeneration[s];
    in.config = effectiveConfig(s);
    in.config.threads = 0; // results do not depend on it
    if (m_dataset)
        for (size_t i = 0; i < m_dataset->frames.size() && int(i) < m_calibrationFrames; ++i) {
            in.calibration.push_back(m_dataset->frames[i].leftImage);
            in.calibration.push_back(m_dataset->frames[i].rightImage);
        }
    return in;
}

Workbench::EvaluationInputs Workbench::evaluationInputs(Slot s) const
{
    return {m_conversionGeneration[s], m_datasetGeneration};
}

Workbench::FrameInputs Workbench::frameInputs() const
{
    FrameInputs in;
    in.dataset = m_datasetGeneration;
    in.frame = m_frame;
    for (int s : {Segmentation, Stereo}) {
        in.conversion[s] = m_conversionGeneration[s];
        in.model[s] = m_modelGeneration[s];
    }
    return in;
}

bool Workbench::conversionStale(Slot s) const
{
    return m_slots[s].isOpen() && m_converted[s] != conversionInputs(s);
}

bool Workbench::evaluationStale(Slot s) const
{
    return m_slots[s].emulator && m_dataset && m_evaluated[s] != evaluationInputs(s);
}

bool Workbench::frameStale() const
{
    return frameCount() > 0 && m_frameShown != frameInputs();
}

bool Workbench::anyStale() const
{
    for (Slot s : {Segmentation, Stereo})
        if (conversionStale(s) || evaluationStale(s))
            return true;
    return frameStale();
}

QString Workbench::staleReason() const
{
    for (Slot s : {Segmentation, Stereo}) {
        if (!conversionStale(s))
            continue;
        if (!m_converted[s])
            return tr("not converted");
        if (m_converted[s]->model != m_modelGeneration[s])
            return tr("model changed");
        if (m_converted[s]->calibration != conversionInputs(s).calibration && m_converted[s]->config == conversionInputs(s).config)
            return tr("calibration frames changed");
        return tr("settings changed");
    }
    for (Slot s : {Segmentation, Stereo})
        if (evaluationStale(s))
            return m_evaluated[s] && m_evaluated[s]->dataset != m_datasetGeneration ? tr("dataset changed") : tr("not evaluated");
    return QString();
}

void Workbench::cancel()
{
    m_wantUpdate = false;
    m_wantFrame = false;
    m_tasks.clear();
    if (m_runner.isRunning()) {
        m_userCancelled = true;
        m_runner.cancel();
    }
}

void Workbench::convertAll()
{
    for (int s : {Segmentation, Stereo}) { // the user asks again: retry what failed
        m_conversionFailed[s].reset();
        m_evaluationFailed[s].reset();
    }
    m_frameFailed.reset();
    m_wantUpdate = true;
    noteUnusedOverrides();
    if (m_runner.isRunning()) {
        if (m_running && m_running->stillNeeded && !m_running->stillNeeded())
            m_runner.cancel(); // superseded: the cancelled handler goes on with what is stale
        return;
    }
    runNext();
}

void Workbench::convertAgain()
{
    for (int s : {Segmentation, Stereo}) {
        m_converted[s].reset();
        m_evaluated[s].reset();
    }
    m_frameShown.reset();
    emit staleChanged();
    convertAll();
}

QStringList Workbench::unusedLayerOverrides() const
{
    QStringList unused;
    for (const auto& [node, k] : m_config.clustersPerLayer) {
        bool used = false;
        for (Slot s : {Segmentation, Stereo})
            used = used || effectiveConfig(s).clustersPerLayer.count(node) != 0;
        if (!used)
            unused << QString::fromStdString(node);
    }
    return unused;
}

void Workbench::noteUnusedOverrides()
{
    const QStringList unused = unusedLayerOverrides();
    if (!unused.isEmpty())
        emit message(tr("Per-layer K ignored for %1: not a compressible layer of an open model").arg(unused.join(", ")));
}

void Workbench::runTask(std::function<void()> start)
{
    m_tasks.push_back(std::move(start));
    if (!m_runner.isRunning())
        runNext();
}

void Workbench::showFrame(int index)
{
    if (frameCount() == 0)
        return;
    m_frame = std::clamp(index, 0, frameCount() - 1);
    m_frameFailed.reset();
    m_wantFrame = true;
    emit staleChanged();
    if (!m_runner.isRunning()) // else it runs after the current job
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
    if (startNextJob())
        return;
    if (!m_tasks.empty()) {
        auto start = std::move(m_tasks.front());
        m_tasks.erase(m_tasks.begin());
        m_running = RunningJob{};
        start();
        if (m_runner.isRunning())
            return;
        m_running.reset();
        runNext();
        return;
    }
    m_wantUpdate = false;
    m_wantFrame = false;
    emit staleChanged();
    emit jobsFinished();
}

bool Workbench::startNextJob()
{
    // Conversions first (everything else depends on them), then the frame the user looks at,
    // then the evaluations (the longest jobs).
    if (m_wantUpdate)
        for (Slot s : {Segmentation, Stereo})
            if (conversionStale(s) && m_conversionFailed[s] != conversionInputs(s)) {
                startConvert(s);
                return true;
            }
    if ((m_wantUpdate || m_wantFrame) && frameStale() && m_frameFailed != frameInputs()) {
        startFrame();
        return true;
    }
    if (m_wantUpdate)
        for (Slot s : {Segmentation, Stereo})
            if (evaluationStale(s) && m_evaluationFailed[s] != evaluationInputs(s)) {
                startEvaluate(s);
                return true;
            }
    return false;
}

void Workbench::startConvert(Slot s)
{
    const ModelSlot& slot = m_slots[s];
    const ConversionInputs inputs = conversionInputs(s);
    auto graph = slot.graph;
    const core::AdapterConfig adapter = slot.adapter;
    std::vector<core::Frame> frames;
    if (m_dataset)
        frames.assign(m_dataset->frames.begin(),
                      m_dataset->frames.begin() + std::min<ptrdiff_t>(m_calibrationFrames, ptrdiff_t(m_dataset->frames.size())));
    core::ConversionConfig config = effectiveConfig(s);
    m_running = RunningJob{[this, s, inputs] { m_conversionFailed[s] = inputs; },
                           [this, s, inputs] { return conversionInputs(s) == inputs; }};
    m_runner.run<ConversionResult>(
        tr("Converting the %1 model").arg(slot.name),
        [=](core::Progress& p) {
            const core::TaskAdapter& task = core::adapterFor(adapter);
            std::vector<core::TensorMap> calibration;
            for (const core::Frame& f : frames)
                calibration.push_back(task.makeInputs(adapter, f));
            if (calibration.empty())
                throw core::FormatError("no dataset open: the conversion calibrates on its frames");
            core::ScaledProgress convertPart(&p, 0.0, 0.7), reportPart(&p, 0.7, 1.0);
            ConversionResult r;
            auto converted = std::make_shared<core::ConvertedModel>(core::convertModel(*graph, config, calibration, &convertPart));
            core::ConversionReportOptions options;
            options.threads = config.threads;
            options.sensitivity = true;
            r.report = core::buildConversionReport(*converted, {calibration.front()}, options, &reportPart);
            if (!converted->activations.params.empty())
                r.emulator = std::make_shared<core::LnsEmulator>(*converted, core::EmulatorOptions{});
            r.converted = std::move(converted);
            return r;
        },
        [this, s, inputs](ConversionResult r) {
            if (inputs.model != m_modelGeneration[s])
                return; // the slot holds another model now
            m_slots[s].converted = std::move(r.converted);
            m_slots[s].emulator = std::move(r.emulator);
            m_slots[s].report = std::move(r.report);
            m_slots[s].evaluation.reset();
            m_converted[s] = inputs;
            m_conversionGeneration[s] = m_nextGeneration++;
            m_evaluated[s].reset();
            emit slotChanged(s);
            emit staleChanged();
        });
}

void Workbench::startEvaluate(Slot s)
{
    const ModelSlot& slot = m_slots[s];
    const EvaluationInputs inputs = evaluationInputs(s);
    auto graph = slot.graph;
    auto emulator = slot.emulator;
    const core::AdapterConfig adapter = slot.adapter;
    const core::Dataset dataset = *m_dataset;
    const int threads = m_config.threads;
    m_running = RunningJob{[this, s, inputs] { m_evaluationFailed[s] = inputs; },
                           [this, s, inputs] { return evaluationInputs(s) == inputs; }};
    m_runner.run<core::EvaluationCounts>(
        tr("Evaluating the %1 model on %n frame(s)", nullptr, int(dataset.frames.size())).arg(slot.name),
        [=](core::Progress& p) { return core::evaluateDataset(*graph, adapter, emulator.get(), dataset, {}, threads, &p); },
        [this, s, inputs](core::EvaluationCounts c) {
            if (inputs != evaluationInputs(s))
                return; // evaluated another conversion or dataset than the current ones
            m_slots[s].evaluation = std::move(c);
            m_evaluated[s] = inputs;
            emit slotChanged(s);
            emit staleChanged();
        });
}

void Workbench::startFrame()
{
    const FrameInputs inputs = frameInputs();
    const int index = m_frame;
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
    m_running = RunningJob{[this, inputs] { m_frameFailed = inputs; }, [] { return true; }};
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
        [this, index, inputs](FrameResult r) {
            if (inputs.dataset != m_datasetGeneration)
                return; // a frame of another dataset
            m_frameShown = inputs;
            if (r.seg)
                emit segFrameReady(index, *r.seg);
            if (r.boxes)
                emit boxFrameReady(index, *r.boxes);
            emit staleChanged();
        });
}

} // namespace lnscope::app
