// The conversion report: what it shows (collected on a worker) and writing it as PDF or HTML;
// see report_builder.h. The layout is in report_blocks.cpp, the figures in report_figures.cpp,
// the writers in report_pdf.cpp and report_html.cpp.

#include "report_builder.h"

#include "frame_compute.h"
#include "report_blocks.h"
#include "report_html.h"
#include "report_pdf.h"

#include "lnscope/core/evaluation_text.h"
#include "lnscope/core/file_io.h"

#include <QCryptographicHash>
#include <QFile>

#include <algorithm>
#include <cmath>

namespace lnscope::app {

namespace fs = std::filesystem;

namespace {

// ---- collect (worker thread) -------------------------------------------------------------------

std::string sha256Of(const fs::path& path)
{
    QFile file(QString::fromStdString(path.string()));
    if (!file.open(QIODevice::ReadOnly))
        throw core::IoError(path.string() + ": cannot open for reading");
    QCryptographicHash hash(QCryptographicHash::Sha256);
    if (!hash.addData(&file))
        throw core::IoError(path.string() + ": read failed");
    return hash.result().toHex().toStdString();
}

std::string frameSummary(const core::FrameSummary& f, const std::string& task)
{
    std::string s;
    if (!std::isnan(f.pixelAgreement))
        s = "pixel agreement " + core::formatPercentText(f.pixelAgreement) + " %";
    if (task == "stereo3d")
        s = std::to_string(f.matchedBoxes) + " boxes matched, " + std::to_string(f.onlyFloat) + " only float, "
            + std::to_string(f.onlyConverted) + " only converted";
    if (!std::isnan(f.outputSqnrDb))
        s += (s.empty() ? "" : ", ") + std::string("output SQNR ") + core::formatDbText(f.outputSqnrDb) + " dB";
    return s;
}

/// Kernels plotted per centroid plot in the report (evenly strided; the window plots up to 4000):
/// as dense a cloud on paper, a smaller PDF, and a view that the GUI thread records quickly.
constexpr int kReportPlotPoints = 1000;

/// The clustered layers with the fewest stored bits per weight, as centroid plots.
std::vector<core::CentroidPlot> mostCompressed(const ModelSlot& slot, int count, std::vector<std::string>& problems)
{
    std::vector<const core::LayerReport*> layers;
    for (const core::LayerReport& l : slot.report->layers)
        if (l.clustered)
            layers.push_back(&l);
    std::stable_sort(layers.begin(), layers.end(),
                     [](const auto* a, const auto* b) { return a->bitsPerWeight < b->bitsPerWeight; });
    std::vector<core::CentroidPlot> plots;
    for (const core::LayerReport* l : layers) {
        if (int(plots.size()) >= count)
            break;
        const core::ConvertedLayer* layer = slot.converted->layer(l->node);
        const core::Tensor* weight = layer ? slot.converted->folded.initializer(layer->weightName) : nullptr;
        if (!weight)
            continue;
        try {
            plots.push_back(core::centroidPlot(*layer, *weight, kReportPlotPoints));
        } catch (const core::UnsupportedError& e) {
            problems.push_back("no centroid plot for " + l->node + ": " + e.what());
        }
    }
    return plots;
}

/// The frames of most disagreement, computed for the views.
std::vector<ReportFrame> disagreeingFrames(const ModelSlot& slot, const ExportInput& input, int count,
                                           core::Progress* progress)
{
    std::vector<ReportFrame> frames;
    const FrameModel model{slot.graph, slot.emulator, slot.adapter};
    const bool seg = model.ready("segmentation"), boxes = model.ready("stereo3d");
    if (!slot.evaluation || !input.dataset || !(seg || boxes) || count <= 0)
        return frames;
    const std::vector<size_t> ranked = core::framesByDisagreement(*slot.evaluation);
    const size_t n = std::min(ranked.size(), size_t(count));
    for (size_t i = 0; i < n; ++i) {
        progress->checkCancelled();
        const core::FrameSummary& summary = slot.evaluation->frameList[ranked[i]];
        const core::Frame* frame = input.dataset->findFrame(summary.id);
        if (!frame)
            continue;
        progress->report(double(i) / double(n), "frame " + summary.id);
        ReportFrame f{summary.id, frameSummary(summary, slot.adapter.task), {}, {}};
        if (seg)
            f.seg = computeSegFrame(model, *frame, input.threads);
        else
            f.boxes = computeBoxFrame(model, *frame, input.threads);
        frames.push_back(std::move(f));
    }
    return frames;
}

ReportModel collectModel(const ModelSlot& slot, const ExportInput& input, const ReportOptions& options,
                         core::Progress* progress)
{
    ReportModel m;
    m.slotName = slot.name;
    std::error_code ec; // the report names files wherever it is read: absolute paths
    m.modelPath = fs::absolute(slot.modelPath, ec);
    m.adapterPath = slot.adapterPath.empty() ? fs::path() : fs::absolute(slot.adapterPath, ec);
    if (ec) {
        m.modelPath = slot.modelPath;
        m.adapterPath = slot.adapterPath;
    }
    m.sha256 = sha256Of(slot.modelPath);
    m.task = slot.adapter.task;
    m.info = core::describeModel(*slot.graph);
    m.report = slot.report;
    m.evaluation = slot.evaluation;
    if (slot.adapter.task == "segmentation")
        m.classes = slot.adapter.segmentation.classes;
    else if (input.dataset)
        m.classes = input.dataset->classes;
    if (slot.evaluation)
        m.metrics = core::summarize(*slot.evaluation, m.classes);
    if (!slot.converted)
        m.problems.push_back("the model was not converted (see the messages of the conversion job)");
    else
        m.conversionNotes = slot.converted->notes;
    if (slot.converted && !slot.emulator)
        m.problems.push_back("no converted network to run: the model has no calibrated activations");
    if (!input.dataset)
        m.problems.push_back("no dataset: no metrics and no frames");
    else if (!slot.evaluation)
        m.problems.push_back("no evaluation over the dataset");
    if (slot.converted && slot.report && options.centroidLayers > 0)
        m.centroids = mostCompressed(slot, options.centroidLayers, m.problems);
    m.frames = disagreeingFrames(slot, input, options.disagreeFrames, progress);
    return m;
}

} // namespace

bool isReportExtension(const fs::path& out)
{
    const QString ext = QString::fromStdString(out.extension().string()).toLower();
    return ext == QLatin1String(".pdf") || ext == QLatin1String(".html") || ext == QLatin1String(".htm");
}

ReportData collectReportData(const ExportInput& input, const ReportOptions& options, core::Progress* progress)
{
    core::Progress none;
    core::Progress* p = progress ? progress : &none;
    ReportData d;
    d.version = options.version;
    d.created = QDateTime::currentDateTime();
    d.config = input.config;
    d.calibrationFrames = input.calibrationFrames;
    if (input.dataset) {
        std::error_code ec;
        d.datasetRoot = fs::absolute(input.dataset->root, ec);
        if (ec)
            d.datasetRoot = input.dataset->root;
        d.datasetFrames = input.dataset->frames.size();
    }
    std::vector<const ModelSlot*> open;
    for (const ModelSlot* slot : {&input.segmentation, &input.stereo})
        if (slot->isOpen())
            open.push_back(slot);
        else
            d.missingSlots.push_back(slot->name);
    for (size_t i = 0; i < open.size(); ++i) {
        p->checkCancelled();
        core::ScaledProgress part(p, double(i) / double(open.size()), double(i + 1) / double(open.size()));
        d.models.push_back(collectModel(*open[i], input, options, &part));
    }
    p->report(1.0, "report data");
    return d;
}

void writeReport(const ReportData& data, const ReportOptions& options, core::Progress* progress)
{
    const QString ext = QString::fromStdString(options.out.extension().string()).toLower();
    if (!isReportExtension(options.out))
        throw core::IoError(options.out.string() + ": unknown report format '" + ext.toStdString()
                            + "' (the name must end in .pdf or .html)");
    const std::vector<report::Block> blocks = report::reportBlocks(data);
    const QByteArray bytes = ext == QLatin1String(".pdf") ? report::pdfReport(data, blocks, progress)
                                                          : report::htmlReport(data, blocks, progress).toUtf8();
    if (progress)
        progress->checkCancelled(); // a cancel that came with the last page: no file
    core::writeFileAtomically(options.out, std::string_view(bytes.constData(), size_t(bytes.size())));
}

} // namespace lnscope::app
