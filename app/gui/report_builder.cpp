// The conversion report: what it shows (collect), how it is laid out (blocks of HTML text and
// figures drawn by the views), and the two writers (paginated PDF, self-contained HTML); see
// report_builder.h.

#include "report_builder.h"

#include "frame_compute.h"

#include "lnscope/core/evaluation_text.h"
#include "lnscope/core/file_io.h"
#include "lnscope/widgets/bev_view.h"
#include "lnscope/widgets/centroid_view.h"
#include "lnscope/widgets/layer_table_model.h"
#include "lnscope/widgets/memory_budget_view.h"
#include "lnscope/widgets/seg_comparison_view.h"
#include "lnscope/widgets/sqnr_chart_view.h"

#include <QAbstractTextDocumentLayout>
#include <QBuffer>
#include <QCoreApplication>
#include <QCryptographicHash>
#include <QFile>
#include <QImage>
#include <QLocale>
#include <QPageLayout>
#include <QPageSize>
#include <QPainter>
#include <QPdfWriter>
#include <QGraphicsView>
#include <QTextDocument>

#include <algorithm>
#include <cmath>
#include <functional>
#include <memory>

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
            plots.push_back(core::centroidPlot(*layer, *weight));
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

// ---- formatting --------------------------------------------------------------------------------

QString qs(const std::string& s)
{
    return QString::fromStdString(s).toHtmlEscaped();
}

QString qp(const fs::path& p)
{
    return QString::fromStdString(p.string()).toHtmlEscaped();
}

QString grouped(int64_t v)
{
    return QLocale(QLocale::English, QLocale::UnitedStates).toString(qlonglong(v));
}

QString bytesOfBits(int64_t bits)
{
    return grouped((bits + 7) / 8);
}

/// A table: header cells then rows; columns after the first are right-aligned numbers.
QString htmlTable(const QStringList& header, const std::vector<QStringList>& rows, int leftColumns = 1)
{
    QString h = QStringLiteral("<table width=\"100%\" cellspacing=\"0\" cellpadding=\"3\"><tr>");
    for (int c = 0; c < header.size(); ++c)
        h += QStringLiteral("<th align=\"%1\">%2</th>").arg(c < leftColumns ? "left" : "right", header[c]);
    h += QStringLiteral("</tr>");
    for (size_t r = 0; r < rows.size(); ++r) {
        h += r % 2 ? QStringLiteral("<tr class=\"odd\">") : QStringLiteral("<tr>");
        for (int c = 0; c < rows[r].size(); ++c)
            h += QStringLiteral("<td align=\"%1\">%2</td>").arg(c < leftColumns ? "left" : "right", rows[r][c]);
        h += QStringLiteral("</tr>");
    }
    return h + QStringLiteral("</table>");
}

/// A two-column key/value table.
QString htmlKeyValues(const std::vector<std::pair<QString, QString>>& items)
{
    QString h = QStringLiteral("<table class=\"kv\" cellspacing=\"0\" cellpadding=\"2\">");
    for (const auto& [k, v] : items)
        h += QStringLiteral("<tr><td class=\"key\">%1</td><td>%2</td></tr>").arg(k, v);
    return h + QStringLiteral("</table>");
}

QString swatch(const std::array<uint8_t, 3>& c)
{
    return QStringLiteral("<span style=\"background-color:%1\">&nbsp;&nbsp;&nbsp;</span>")
        .arg(QColor(c[0], c[1], c[2]).name());
}

QString shapeText(const core::ValueInfo& v)
{
    QStringList dims;
    for (const core::Dim& d : v.shape)
        dims << (d.value >= 0 ? QString::number(d.value) : QString::fromStdString(d.param.empty() ? "?" : d.param));
    return QStringLiteral("%1 %2 [%3]").arg(qs(v.name), core::dtypeName(v.dtype), dims.join(QStringLiteral("×")));
}

// ---- the report as blocks ------------------------------------------------------------------------

/// One piece of the report: HTML text, or a figure (a view configured for the report, drawn at
/// `size` logical pixels; `part` names the child drawn, empty for the whole view) with a title
/// above and a caption below. Blocks are never split, except text taller than a page (PDF).
struct Block
{
    QString html;
    std::function<std::unique_ptr<QWidget>()> makeView;
    QSize size;
    QString part;
    QString caption;
    bool newPage = false;
    double partAspect = 0.0; ///< > 0: the view's height is fitted so the part has this width / height
};

/// Width of every figure in logical pixels (one PDF device pixel, PdfReport::kDpi).
constexpr int kFigureWidth = 672;
constexpr QSize kChartSize(kFigureWidth, 400);
constexpr QSize kSqnrSize(kFigureWidth, 440);
constexpr QSize kSegViewSize(kFigureWidth + 180, 320); // + the class side panel, not drawn
constexpr QSize kBevSize(640, 440);

/// Letter spacing, however small, turns ligatures off: "ﬂoat" would not be found when searching
/// the PDF for "float".
void noLigatures(QFont& f)
{
    f.setLetterSpacing(QFont::AbsoluteSpacing, 0.1); // pixels; less rounds to 0 (QFixed)
}

/// The text of the report (9 pt on paper).
QFont reportFont()
{
    QFont f(QStringLiteral("DejaVu Sans"));
    f.setPointSizeF(9.0);
    noLigatures(f);
    return f;
}

/// The views' font: they are drawn 1:1 (PdfReport::kDpi), so this is its size on paper too.
QFont viewFont()
{
    QFont f(QStringLiteral("DejaVu Sans"));
    f.setPointSizeF(8.5);
    noLigatures(f);
    return f;
}

template <typename View>
std::function<std::unique_ptr<QWidget>()> viewFactory(std::function<void(View&)> setUp)
{
    return [setUp] {
        auto view = std::make_unique<View>();
        view->setFont(viewFont());
        setUp(*view);
        return std::unique_ptr<QWidget>(std::move(view));
    };
}

QString titlePage(const ReportData& d)
{
    QString h = QStringLiteral("<h1>LNScope conversion report</h1>");
    h += QStringLiteral("<p class=\"note\">LNScope %1 · generated %2</p>")
             .arg(d.version.toHtmlEscaped(), d.created.toString(QStringLiteral("yyyy-MM-dd HH:mm:ss t")));
    std::vector<QStringList> rows;
    for (const ReportModel& m : d.models)
        rows.push_back({m.slotName.toHtmlEscaped(), qs(m.modelPath.filename().string()), qs(m.task),
                        grouped(m.info.totalParameters),
                        m.report ? QString::number(m.report->budgets.back().ratio, 'f', 2) + QStringLiteral("×")
                                 : QStringLiteral("-")});
    h += QStringLiteral("<h2>Models</h2>");
    h += htmlTable({"slot", "model", "task", "parameters", "compression"}, rows, 3);
    for (const QString& missing : d.missingSlots)
        h += QStringLiteral("<p class=\"note\">No %1 model was open.</p>").arg(missing.toHtmlEscaped());
    h += QStringLiteral("<h2>Dataset</h2>");
    h += d.datasetRoot.empty() ? QStringLiteral("<p>No dataset.</p>")
                               : QStringLiteral("<p>%1 (%2 frames)</p>").arg(qp(d.datasetRoot)).arg(d.datasetFrames);
    const core::ConversionConfig& c = d.config;
    QStringList overrides;
    for (const auto& [node, k] : c.clustersPerLayer)
        overrides << QStringLiteral("%1: %2").arg(qs(node)).arg(k);
    h += QStringLiteral("<h2>Conversion settings</h2>");
    h += htmlKeyValues({
        {QStringLiteral("Stages"), QStringLiteral("batch-norm folding → cluster compression → %1 weights → %2 "
                                                  "activations")
                                       .arg(qs(c.weightFormat), c.activationFormat.empty()
                                                                    ? QStringLiteral("float32")
                                                                    : qs(c.activationFormat))},
        {QStringLiteral("Weight format"), qs(c.weightFormat)},
        {QStringLiteral("Activation format"), c.activationFormat.empty() ? QStringLiteral("float32 (kept)")
                                                                         : qs(c.activationFormat)},
        {QStringLiteral("Centroids K"), QStringLiteral("%1 per %2%3")
                                            .arg(c.clusters)
                                            .arg(c.sharedBook ? "kernel size (shared book)" : "layer")
                                            .arg(overrides.isEmpty() ? QString()
                                                                     : QStringLiteral("; overrides ") + overrides.join(", "))},
        {QStringLiteral("1×1 convolutions"), qs(core::toString(c.pointwise))},
        {QStringLiteral("Centroid refinement"),
         c.refine ? QStringLiteral("%1 error-feedback reassignment round(s), then least squares on the calibration "
                                   "frames%2")
                        .arg(c.reassignRounds)
                        .arg(c.biasCorrection ? QStringLiteral("; bias correction") : QString())
                  : QStringLiteral("off")},
        {QStringLiteral("Calibration frames"), QString::number(d.calibrationFrames)},
        {QStringLiteral("k-means"), QStringLiteral("seed %1, at most %2 Lloyd iterations").arg(c.seed).arg(c.maxIterations)},
    });
    return h;
}

QString modelSummary(const ReportModel& m)
{
    QString slot = m.slotName;
    if (!slot.isEmpty())
        slot[0] = slot[0].toUpper();
    QString h = QStringLiteral("<h1>%1 model: %2</h1>").arg(slot.toHtmlEscaped(), qs(m.modelPath.filename().string()));
    QStringList inputs, outputs, ops;
    for (const core::ValueInfo& v : m.info.inputs)
        inputs << shapeText(v);
    for (const core::ValueInfo& v : m.info.outputs)
        outputs << shapeText(v);
    for (const auto& [op, n] : m.info.opHistogram)
        ops << QStringLiteral("%1×%2").arg(qs(op)).arg(n);
    h += htmlKeyValues({
        {QStringLiteral("File"), qp(m.modelPath)},
        {QStringLiteral("SHA-256"), QStringLiteral("<span class=\"mono\">%1</span>").arg(qs(m.sha256))},
        {QStringLiteral("Producer, opset"), QStringLiteral("%1, opset %2").arg(qs(m.info.producer.empty() ? "-" : m.info.producer)).arg(m.info.opset)},
        {QStringLiteral("Adapter"), QStringLiteral("%1 (%2)").arg(qs(m.task), m.adapterPath.empty() ? QStringLiteral("default") : qp(m.adapterPath))},
        {QStringLiteral("Inputs"), inputs.join(QStringLiteral("<br>"))},
        {QStringLiteral("Outputs"), outputs.join(QStringLiteral("<br>"))},
        {QStringLiteral("Operators"), ops.join(QStringLiteral(", "))},
        {QStringLiteral("Parameters"), QStringLiteral("%1 (%2 bytes in float32)").arg(grouped(m.info.totalParameters), grouped(m.info.totalFloat32Bytes))},
    });
    for (const std::string& p : m.problems)
        h += QStringLiteral("<p class=\"warn\">Not shown: %1.</p>").arg(qs(p));
    return h;
}

QString compressionTable(const core::ConversionReport& r)
{
    QStringList header{QStringLiteral("stored (bytes)")};
    for (const core::BudgetReport& b : r.budgets)
        header << qs(core::stageLabel(b.stage, r.weightFormat));
    std::vector<QStringList> rows;
    const auto names = core::StorageTerms{}.named();
    for (size_t t = 0; t < names.size(); ++t) {
        QStringList row{qs(names[t].first)};
        for (const core::BudgetReport& b : r.budgets)
            row << bytesOfBits(b.total.named()[t].second);
        rows.push_back(row);
    }
    QStringList total{QStringLiteral("<b>total</b>")}, ratio{QStringLiteral("<b>compression ratio</b>")},
        weights{QStringLiteral("weight elements (ratio numerator ÷ 32 bits)")};
    for (const core::BudgetReport& b : r.budgets) {
        total << QStringLiteral("<b>%1</b>").arg(grouped(b.total.bytes()));
        ratio << QStringLiteral("<b>%1×</b>").arg(QString::number(b.ratio, 'f', 2));
        weights << grouped(b.floatWeights);
    }
    rows.push_back(total);
    rows.push_back(ratio);
    rows.push_back(weights);
    QString h = QStringLiteral("<h2>Compression</h2>") + htmlTable(header, rows);
    if (!r.activationMemory.empty()) {
        QStringList peaks;
        for (const core::ActivationMemory& a : r.activationMemory)
            peaks << QStringLiteral("%1: %2 bytes").arg(qs(a.format), grouped(a.peak.bytes));
        h += QStringLiteral("<p>Peak live activations: %1.</p>").arg(peaks.join(QStringLiteral(" · ")));
    }
    return h;
}

QString metricsSection(const ReportModel& m)
{
    QString h = QStringLiteral("<h2>Float vs converted on the dataset</h2>");
    if (!m.evaluation || !m.metrics)
        return h + QStringLiteral("<p>No evaluation (no dataset, or no converted network).</p>");
    const core::EvaluationCounts& c = *m.evaluation;
    h += QStringLiteral("<p>%1 frames (%2, %3)</p>")
             .arg(m.metrics->frames)
             .arg(qs(c.task), c.hasConverted ? QStringLiteral("float vs converted") : QStringLiteral("float only"));
    std::vector<QStringList> rows;
    for (const core::MetricRow& r : core::metricRows(c, *m.metrics)) {
        QString name = qs(r.name);
        if (r.perClass)
            name = QStringLiteral("&nbsp;&nbsp;&nbsp;&nbsp;") + name.trimmed();
        rows.push_back({name, qs(r.floatText), qs(r.convertedText), qs(r.deltaText)});
    }
    if (!rows.empty())
        h += htmlTable({"metric", "float", "converted", "delta"}, rows);
    QStringList notes;
    for (const std::string& n : core::metricNotes(c, *m.metrics))
        notes << qs(n);
    if (!notes.isEmpty())
        h += QStringLiteral("<p>%1</p>").arg(notes.join(QStringLiteral("<br>")));
    return h;
}

/// KITTI AP|R40 of float and converted: one row per class, metric (BEV, 3-D) and IoU threshold,
/// a float and a converted column per difficulty.
QString apTable(const core::EvaluationMetrics& m)
{
    struct Row
    {
        QString key;
        QStringList cells;
        std::array<int64_t, 3> objects{};
    };
    std::vector<Row> rows;
    for (size_t i = 0; i < m.floatAp.size() && i < m.convertedAp.size(); ++i) {
        const core::DetApResult& f = m.floatAp[i];
        const core::DetApResult& v = m.convertedAp[i];
        if (f.metric == core::DetMetric::Bbox2d)
            continue;
        const QString key = QStringLiteral("%1|%2|%3").arg(qs(f.className), core::detMetricName(f.metric)).arg(f.iouThreshold);
        auto it = std::find_if(rows.begin(), rows.end(), [&](const Row& r) { return r.key == key; });
        if (it == rows.end()) {
            rows.push_back({key, {qs(f.className), core::detMetricName(f.metric), QString::number(f.iouThreshold, 'f', 1)}, {}});
            rows.back().cells << QString() << QString() << QString() << QString() << QString() << QString() << QString();
            it = rows.end() - 1;
        }
        const int d = int(f.difficulty);
        if (d < 0 || d > 2)
            continue;
        it->objects[size_t(d)] = f.groundTruth;
        it->cells[4 + 2 * d] = qs(core::formatPercentText(f.apR40));
        it->cells[5 + 2 * d] = qs(core::formatPercentText(v.apR40));
    }
    std::vector<QStringList> table;
    for (Row& r : rows) {
        if (r.objects[0] + r.objects[1] + r.objects[2] == 0)
            continue;
        r.cells[3] = QStringLiteral("%1/%2/%3").arg(r.objects[0]).arg(r.objects[1]).arg(r.objects[2]);
        table.push_back(r.cells);
    }
    if (table.empty())
        return {};
    return QStringLiteral("<h3>KITTI AP|R40 (%) by class, metric and difficulty</h3>")
           + htmlTable({"class", "metric", "IoU", "objects E/M/H", "E float", "E conv.", "M float", "M conv.", "H float",
                        "H conv."},
                       table, 2)
           + QStringLiteral("<p class=\"note\">E, M, H: the easy, moderate and hard difficulties; objects: the "
                            "ground-truth boxes counted at each. A match needs an IoU above the threshold.</p>");
}

QString layerTable(const core::ConversionReport& r)
{
    widgets::LayerTableModel model; // the layer table's own formatting
    model.setReport(r);
    using K = widgets::LayerTableModel::ColumnKind;
    std::vector<int> columns{model.columnOf(K::Node), model.columnOf(K::Op), model.columnOf(K::Clusters),
                             model.columnOf(K::BitsPerWeight), model.columnOf(K::Bytes, int(r.budgets.size()) - 1)};
    for (size_t s = 0; s < r.stages.size(); ++s)
        columns.push_back(model.columnOf(K::Sqnr, int(s)));
    columns.push_back(model.columnOf(K::Sensitivity));
    columns.erase(std::remove(columns.begin(), columns.end(), -1), columns.end());
    QStringList header;
    for (int c : columns)
        header << model.headerData(c, Qt::Horizontal).toString().toHtmlEscaped();
    QStringList nodes;
    for (int row = 0; row < model.rowCount(); ++row)
        nodes << model.nodeAt(row);
    const QStringList names = widgets::MemoryBudgetView::shortLayerNames(nodes); // as on the charts' axes
    std::vector<QStringList> rows;
    for (int row = 0; row < model.rowCount(); ++row) {
        QStringList cells;
        for (int c : columns) {
            QString text = c == columns.front() ? names[row] : model.data(model.index(row, c)).toString();
            text = text.toHtmlEscaped();
            if (row == model.divergingRow())
                text = QStringLiteral("<b>%1</b>").arg(text);
            cells << text;
        }
        rows.push_back(cells);
    }
    header[0] = QStringLiteral("layer");
    QString h = QStringLiteral("<h3>Per layer</h3>") + htmlTable(header, rows, 2);
    h += QStringLiteral("<p class=\"note\">SQNR in dB of the layer output against float32 after each cumulative "
                        "stage; sensitivity: model-output SQNR with only that layer converted. Bold: the first "
                        "diverging layer.</p>");
    return h;
}

QString classLegend(const std::vector<core::ClassInfo>& classes)
{
    QStringList items;
    for (const core::ClassInfo& c : classes)
        items << swatch(c.color) + QStringLiteral("&nbsp;") + qs(c.name);
    return items.join(QStringLiteral(" &nbsp; "));
}

void addFrameBlocks(std::vector<Block>& blocks, const ReportModel& m)
{
    for (size_t i = 0; i < m.frames.size(); ++i) {
        const ReportFrame& f = m.frames[i];
        Block b;
        b.html = QStringLiteral("%1<h3>Frame %2 — %3</h3>")
                     .arg(i == 0 ? QStringLiteral("<h2>Where float and converted disagree most</h2>") : QString(),
                          qs(f.id), qs(f.summary));
        if (f.seg) {
            const widgets::SegFrameData data = *f.seg;
            b.makeView = viewFactory<widgets::SegComparisonView>([data](auto& v) { v.setFrame(data); });
            b.size = kSegViewSize;
            b.part = QStringLiteral("paneGrid"); // the four panes (2×2), without the controls
            b.partAspect = double(data.floatPrediction.width) / double(std::max(1, data.floatPrediction.height));
            b.caption = QStringLiteral("Float, converted, ground truth and their difference (black where both "
                                       "networks agree, brighter where their class probabilities differ more).<br>")
                        + classLegend(m.classes);
        } else if (f.boxes) {
            const widgets::BevData data = f.boxes->bev;
            b.makeView = viewFactory<widgets::BevView>([data](auto& v) { v.setBoxes(data); });
            b.size = kBevSize;
            b.caption = QStringLiteral("Bird's-eye view (x right, z forward, metres): ground truth grey, float "
                                       "blue, converted dashed orange; matched pairs linked.");
        }
        blocks.push_back(std::move(b));
    }
}

void addModelBlocks(std::vector<Block>& blocks, const ReportModel& m, bool first)
{
    blocks.push_back({modelSummary(m), {}, {}, {}, {}, !first});
    if (m.report) {
        const core::ConversionReport r = *m.report;
        blocks.push_back({compressionTable(r), {}, {}, {}, {}, false});
        blocks.push_back({QStringLiteral("<h3>Stored size per layer at every stage</h3>"),
                          viewFactory<widgets::MemoryBudgetView>([r](auto& v) {
                              v.setReport(r);
                              v.setStage(widgets::MemoryBudgetView::kAllStages);
                          }),
                          kChartSize, {}, {}, false});
        blocks.push_back({QStringLiteral("<h3>Storage terms per layer at the %1 stage</h3>")
                              .arg(qs(core::stageLabel(r.budgets.back().stage, r.weightFormat))),
                          viewFactory<widgets::MemoryBudgetView>([r](auto& v) { v.setReport(r); }), kChartSize, {}, {}, false});
    }
    QString metrics = metricsSection(m);
    if (m.metrics && m.task == "stereo3d")
        metrics += apTable(*m.metrics);
    blocks.push_back({metrics, {}, {}, {}, {}, true});
    if (m.report && !m.report->stages.empty()) {
        const core::ConversionReport r = *m.report;
        blocks.push_back({QStringLiteral("<h2>Per-layer SQNR</h2>"),
                          viewFactory<widgets::SqnrChartView>([r](auto& v) { v.setReport(r); }), kSqnrSize, {}, {}, false});
        blocks.push_back({layerTable(r), {}, {}, {}, {}, false});
    }
    addFrameBlocks(blocks, m);
    for (size_t i = 0; i < m.centroids.size(); ++i) {
        const core::CentroidPlot plot = m.centroids[i];
        const core::LayerReport* layer = m.report ? m.report->layer(plot.node) : nullptr;
        Block b;
        b.html = (i == 0 ? QStringLiteral("<h2>Centroids of the most compressed layers</h2>") : QString())
                 + QStringLiteral("<h3>%1 — K = %2, %3 kernels, %4 bits per weight</h3>")
                       .arg(qs(plot.node))
                       .arg(plot.clusters)
                       .arg(grouped(plot.kernels))
                       .arg(layer ? QString::number(layer->bitsPerWeight, 'f', 2) : QStringLiteral("-"));
        b.makeView = viewFactory<widgets::CentroidView>([plot](auto& v) { v.setPlot(plot); });
        b.size = kChartSize;
        b.newPage = i == 0;
        blocks.push_back(std::move(b));
    }
    if (!m.conversionNotes.empty()) {
        QStringList notes;
        for (const std::string& n : m.conversionNotes)
            notes << qs(n);
        blocks.push_back({QStringLiteral("<h3>Conversion notes</h3><p>%1</p>").arg(notes.join(QStringLiteral("<br>"))),
                          {}, {}, {}, {}, false});
    }
}

std::vector<Block> reportBlocks(const ReportData& d)
{
    std::vector<Block> blocks;
    blocks.push_back({titlePage(d), {}, {}, {}, {}, false});
    for (size_t i = 0; i < d.models.size(); ++i)
        addModelBlocks(blocks, d.models[i], i == 0);
    return blocks;
}

// One CSS for the PDF (QTextDocument's subset) and the HTML file.
const char* const kCss = R"(
body { font-family: 'DejaVu Sans', sans-serif; font-size: 9pt; color: #1b1b1b; }
h1 { font-size: 16pt; color: #1a3a5c; margin-top: 0px; margin-bottom: 6px; }
h2 { font-size: 12.5pt; color: #1a3a5c; margin-top: 10px; margin-bottom: 4px; }
h3 { font-size: 10pt; color: #2b2b2b; margin-top: 6px; margin-bottom: 3px; }
p { margin-top: 2px; margin-bottom: 4px; }
table { border-collapse: collapse; margin-bottom: 4px; }
th { background-color: #e4eaf0; font-weight: bold; border-bottom: 1px solid #8a9aab; padding: 2px 5px; }
td { padding: 2px 5px; border-bottom: 1px solid #e0e0e0; }
tr.odd td { background-color: #f6f8fa; }
table.kv td { border-bottom: none; }
td.key { color: #555555; padding-right: 12px; }
.note { color: #555555; font-size: 8pt; }
.warn { color: #9a3412; }
.mono { font-family: 'DejaVu Sans Mono', monospace; font-size: 8pt; }
.caption { color: #444444; font-size: 8pt; }
)";

/// Lays the figure's view out off screen at its size; returns the view and the part to draw.
struct PreparedFigure
{
    std::unique_ptr<QWidget> view;
    QWidget* part = nullptr;
};

void settle(QWidget* view, QSize size)
{
    view->resize(size);
    for (int i = 0; i < 3; ++i)
        QCoreApplication::processEvents();
}

PreparedFigure prepareFigure(const Block& b)
{
    PreparedFigure f;
    f.view = b.makeView();
    f.view->setAttribute(Qt::WA_DontShowOnScreen);
    f.view->resize(b.size);
    f.view->show();
    settle(f.view.get(), b.size);
    f.part = f.view.get();
    if (!b.part.isEmpty())
        if (auto* child = f.view->findChild<QWidget*>(b.part))
            f.part = child;
    if (b.partAspect > 0.0 && f.part != f.view.get()) {
        // A 2×2 grid of panes has the aspect of one pane: no bands around the images.
        const int extra = f.view->height() - f.part->height();
        settle(f.view.get(), QSize(b.size.width(), extra + int(std::lround(f.part->width() / b.partAspect)) + 6));
    }
    return f;
}

QString captionHtml(const QString& caption)
{
    return caption.isEmpty() ? QString() : QStringLiteral("<p class=\"caption\">%1</p>").arg(caption);
}

// ---- PDF ---------------------------------------------------------------------------------------

/// Swallows paint events (of the graphics views' viewports, drawn separately).
class PaintBlocker : public QObject
{
public:
    bool eventFilter(QObject*, QEvent* event) override { return event->type() == QEvent::Paint; }
};

/// Draws `part` with `painter` as vectors. QWidget::render() alone draws the charts (Qt Charts
/// are QGraphicsViews) with a system clip that the PDF engine misplaces, which cuts their
/// legends; so the views' viewports are left out of render() and their scenes drawn into the
/// same places with QGraphicsScene::render(), which clips correctly under any transform.
void renderVector(QPainter& painter, QWidget* part)
{
    PaintBlocker blocker;
    const QList<QGraphicsView*> views = part->findChildren<QGraphicsView*>();
    for (QGraphicsView* v : views)
        v->viewport()->installEventFilter(&blocker);
    painter.save();
    painter.setClipRect(QRect(QPoint(), part->size()), Qt::IntersectClip); // QPainter views draw past their edges
    part->render(&painter, QPoint(), QRegion(), QWidget::DrawChildren);
    painter.restore();
    for (QGraphicsView* v : views) {
        v->viewport()->removeEventFilter(&blocker);
        if (!v->scene() || !v->isVisibleTo(part))
            continue;
        const QRect viewport = v->viewport()->rect();
        const QRectF target(v->viewport()->mapTo(part, QPoint(0, 0)), viewport.size());
        painter.save();
        painter.setClipRect(target, Qt::IntersectClip);
        painter.fillRect(target, v->backgroundBrush().style() == Qt::NoBrush ? QBrush(Qt::white) : v->backgroundBrush());
        v->scene()->render(&painter, target, v->mapToScene(viewport).boundingRect(), Qt::IgnoreAspectRatio);
        painter.restore();
    }
}


class PdfReport
{
public:
    PdfReport(QIODevice* device, const ReportData& data) : m_writer(device), m_data(data)
    {
        m_writer.setPageSize(QPageSize(QPageSize::A4));
        m_writer.setPageMargins(QMarginsF(16, 14, 16, 12), QPageLayout::Millimeter); // 178 mm wide
        m_writer.setResolution(kDpi);
        m_writer.setTitle(QStringLiteral("LNScope conversion report"));
        m_writer.setCreator(QStringLiteral("LNScope %1").arg(data.version));
        m_width = m_writer.width();
        m_footer = mm(8);
        m_height = m_writer.height() - m_footer;
    }

    void write(const std::vector<Block>& blocks);

private:
    /// Device pixels per inch: the views' own (96), so they are drawn 1:1 — fonts and lines at the
    /// size they were laid out for; the content width (178 mm) is then just over kFigureWidth.
    static constexpr int kDpi = 96;
    double mm(double v) const { return v * kDpi / 25.4; }

    struct Item
    {
        std::unique_ptr<QTextDocument> title, caption;
        PreparedFigure figure;
        double scale = 1.0;
        double height = 0.0;
        int page = 0;
        int pages = 1;   ///< > 1: text broken over pages
        double y = 0.0;
        bool newPage = false;
    };

    std::unique_ptr<QTextDocument> document(const QString& html) const
    {
        auto doc = std::make_unique<QTextDocument>();
        doc->documentLayout()->setPaintDevice(&m_writer);
        doc->setDefaultFont(reportFont());
        doc->setDefaultStyleSheet(QString::fromLatin1(kCss));
        doc->setDocumentMargin(0);
        doc->setHtml(html);
        doc->setTextWidth(m_width);
        return doc;
    }

    Item measure(const Block& b);
    void paginate(std::vector<Item>& items) const;
    void paintItem(QPainter& painter, Item& item);
    void paintFooter(QPainter& painter, int page, int pages) const;

    mutable QPdfWriter m_writer;
    const ReportData& m_data;
    double m_width = 0, m_height = 0, m_footer = 0;
};

PdfReport::Item PdfReport::measure(const Block& b)
{
    Item item;
    item.newPage = b.newPage;
    if (!b.html.isEmpty()) {
        item.title = document(b.html);
        item.height += item.title->size().height();
    }
    if (b.makeView) {
        item.figure = prepareFigure(b);
        const QSize s = item.figure.part->size();
        item.scale = std::min({1.0, m_width / s.width(), 0.75 * m_height / s.height()});
        item.height += s.height() * item.scale + mm(1.5);
        if (!b.caption.isEmpty()) {
            item.caption = document(captionHtml(b.caption));
            item.height += item.caption->size().height();
        }
    }
    return item;
}

void PdfReport::paginate(std::vector<Item>& items) const
{
    int page = 0;
    double y = 0;
    for (Item& item : items) {
        if ((item.newPage && y > 0) || (y > 0 && y + item.height > m_height)) {
            ++page;
            y = 0;
        }
        item.page = page;
        item.y = y;
        if (item.height > m_height && item.title && !item.figure.view) {
            // Text taller than a page: let the document break it into whole lines per page.
            item.title->setPageSize(QSizeF(m_width, m_height));
            item.pages = item.title->pageCount();
            page += item.pages - 1;
            y = m_height; // the rest of the last page is not measured: start the next block on a new page
        } else {
            y += item.height;
        }
        y += mm(3);
    }
}

void PdfReport::paintItem(QPainter& painter, Item& item)
{
    painter.save();
    painter.translate(0, item.y);
    if (item.title) {
        item.title->drawContents(&painter);
        painter.translate(0, item.title->size().height());
    }
    if (item.figure.view) {
        QWidget* part = item.figure.part;
        const double w = part->width() * item.scale;
        painter.save();
        painter.translate((m_width - w) / 2.0, 0);
        painter.scale(item.scale, item.scale);
        renderVector(painter, part);
        painter.restore();
        painter.translate(0, part->height() * item.scale + mm(1.5));
        if (item.caption)
            item.caption->drawContents(&painter);
    }
    painter.restore();
}

void PdfReport::paintFooter(QPainter& painter, int page, int pages) const
{
    painter.save();
    QFont f = reportFont();
    f.setPointSizeF(7.5);
    painter.setFont(f);
    painter.setPen(QColor(110, 110, 110));
    const QRectF area(0, m_height + mm(2), m_width, m_footer - mm(2));
    painter.drawLine(QPointF(0, area.top()), QPointF(m_width, area.top()));
    const QString left = QStringLiteral("LNScope %1 conversion report · %2")
                             .arg(m_data.version, m_data.created.toString(QStringLiteral("yyyy-MM-dd HH:mm")));
    painter.drawText(area, Qt::AlignLeft | Qt::AlignVCenter, left);
    painter.drawText(area, Qt::AlignRight | Qt::AlignVCenter, QStringLiteral("page %1 of %2").arg(page + 1).arg(pages));
    painter.restore();
}

void PdfReport::write(const std::vector<Block>& blocks)
{
    std::vector<Item> items;
    for (const Block& b : blocks)
        items.push_back(measure(b));
    paginate(items);
    int pages = 1;
    for (const Item& item : items)
        pages = std::max(pages, item.page + item.pages);
    QPainter painter;
    if (!painter.begin(&m_writer))
        throw core::IoError("cannot start the PDF");
    int page = 0;
    paintFooter(painter, 0, pages);
    for (Item& item : items) {
        while (page < item.page) {
            m_writer.newPage();
            paintFooter(painter, ++page, pages);
        }
        if (item.pages > 1) {
            for (int p = 0; p < item.pages; ++p) {
                if (p > 0) {
                    m_writer.newPage();
                    paintFooter(painter, ++page, pages);
                }
                painter.save();
                painter.translate(0, -p * m_height);
                item.title->drawContents(&painter, QRectF(0, p * m_height, m_width, m_height));
                painter.restore();
            }
            continue;
        }
        paintItem(painter, item);
        item.figure = {}; // done with the view
    }
    painter.end();
}

// ---- HTML --------------------------------------------------------------------------------------

QString pngDataUri(QWidget* part)
{
    constexpr double kPixelRatio = 2.0;
    QImage image(part->size() * kPixelRatio, QImage::Format_ARGB32_Premultiplied);
    image.setDevicePixelRatio(kPixelRatio);
    image.fill(Qt::white);
    {
        QPainter painter(&image);
        part->render(&painter, QPoint(), QRegion(), QWidget::DrawChildren);
    }
    QByteArray png;
    QBuffer buffer(&png);
    buffer.open(QIODevice::WriteOnly);
    image.save(&buffer, "PNG");
    return QStringLiteral("data:image/png;base64,") + QString::fromLatin1(png.toBase64());
}

QString htmlReport(const ReportData& data, const std::vector<Block>& blocks)
{
    QString h = QStringLiteral("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                               "<title>LNScope conversion report</title><style>%1"
                               "body { max-width: 60em; margin: 1.5em auto; padding: 0 1em; font-size: 10.5pt; }"
                               "section.page { border-top: 2px solid #1a3a5c; margin-top: 2em; padding-top: 0.5em; }"
                               "img { max-width: 100%; height: auto; display: block; margin: 0.3em auto; }"
                               "footer { color: #666; font-size: 8pt; border-top: 1px solid #ccc; margin-top: 2em; }"
                               "</style></head><body>\n")
                    .arg(QString::fromLatin1(kCss));
    for (const Block& b : blocks) {
        h += b.newPage ? QStringLiteral("<section class=\"page\">\n") : QStringLiteral("<section>\n");
        h += b.html;
        if (b.makeView) {
            const PreparedFigure f = prepareFigure(b);
            h += QStringLiteral("\n<img width=\"%1\" height=\"%2\" alt=\"%3\" src=\"%4\">")
                     .arg(f.part->width())
                     .arg(f.part->height())
                     .arg(QString::fromLatin1(f.view->metaObject()->className()).section(QStringLiteral("::"), -1),
                          pngDataUri(f.part));
            h += captionHtml(b.caption);
        }
        h += QStringLiteral("\n</section>\n");
    }
    h += QStringLiteral("<footer>LNScope %1 · generated %2</footer>\n</body></html>\n")
             .arg(data.version.toHtmlEscaped(), data.created.toString(QStringLiteral("yyyy-MM-dd HH:mm:ss t")));
    return h;
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

void writeReport(const ReportData& data, const ReportOptions& options)
{
    const QString ext = QString::fromStdString(options.out.extension().string()).toLower();
    if (!isReportExtension(options.out))
        throw core::IoError(options.out.string() + ": unknown report format '" + ext.toStdString()
                            + "' (the name must end in .pdf or .html)");
    const std::vector<Block> blocks = reportBlocks(data);
    QByteArray bytes;
    if (ext == QLatin1String(".pdf")) {
        QBuffer buffer(&bytes);
        buffer.open(QIODevice::WriteOnly);
        PdfReport(&buffer, data).write(blocks);
    } else {
        bytes = htmlReport(data, blocks).toUtf8();
    }
    core::writeFileAtomically(options.out, std::string_view(bytes.constData(), size_t(bytes.size())));
}

} // namespace lnscope::app
