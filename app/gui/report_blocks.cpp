// The conversion report as blocks of HTML text and figures; see report_blocks.h.

#include "report_blocks.h"

#include "lnscope/core/evaluation_text.h"
#include "lnscope/widgets/bev_view.h"
#include "lnscope/widgets/centroid_view.h"
#include "lnscope/widgets/layer_table_model.h"
#include "lnscope/widgets/memory_budget_view.h"
#include "lnscope/widgets/seg_comparison_view.h"
#include "lnscope/widgets/sqnr_chart_view.h"

#include <QColor>
#include <QLocale>
#include <QPainter>
#include <QWidget>

#include <algorithm>
#include <array>
#include <cmath>
#include <functional>
#include <memory>

namespace lnscope::app::report {

namespace fs = std::filesystem;

namespace {

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

// ---- figures -------------------------------------------------------------------------------------

/// Width of every figure in logical pixels (one PDF device pixel, PdfReport::kDpi).
constexpr int kFigureWidth = 672;
/// The plots alone (the views' headers and controls are not drawn).
constexpr QSize kMemorySize(kFigureWidth, 340);
constexpr QSize kSqnrSize(kFigureWidth, 400);
constexpr QSize kCentroidSize(kFigureWidth, 370);
constexpr QSize kSegPanesSize(kFigureWidth, 200); // the height follows the image's aspect
constexpr QSize kBevSize(640, 440);

/// A figure drawn by a view; `part` names the child drawn (the plot), empty for the whole view.
template <typename View>
FigureSpec viewFigure(QSize size, const QString& part, std::function<void(View&)> setUp)
{
    FigureSpec f;
    f.size = size;
    f.makeView = [] {
        auto view = std::make_unique<View>();
        view->setFont(viewFont());
        return std::unique_ptr<QWidget>(std::move(view));
    };
    f.setUp = [setUp = std::move(setUp)](QWidget& view) { setUp(static_cast<View&>(view)); };
    f.part = part;
    f.name = QString::fromLatin1(View::staticMetaObject.className()).section(QStringLiteral("::"), -1);
    return f;
}

FigureSpec memoryFigure(const core::ConversionReport& r, int stage)
{
    return viewFigure<widgets::MemoryBudgetView>(kMemorySize, QStringLiteral("budgetChart"), [r, stage](auto& v) {
        v.setReport(r);
        v.setStage(stage);
    });
}

FigureSpec sqnrFigure(const core::ConversionReport& r)
{
    return viewFigure<widgets::SqnrChartView>(kSqnrSize, QStringLiteral("sqnrChart"),
                                              [r](auto& v) { v.setReport(r); });
}

FigureSpec centroidFigure(const core::CentroidPlot& plot)
{
    // The scatter, the occupancy and the tiles; the header repeats the block's title.
    FigureSpec f = viewFigure<widgets::CentroidView>(kCentroidSize, {}, [plot](auto& v) { v.setPlot(plot); });
    f.hide = QStringList{QStringLiteral("centroidHeader")};
    return f;
}

FigureSpec segFigure(const widgets::SegFrameData& data)
{
    // The four panes (2×2), without the toolbar, the class panel and the readout.
    FigureSpec f = viewFigure<widgets::SegComparisonView>(kSegPanesSize, QStringLiteral("paneGrid"),
                                                          [data](auto& v) { v.setFrame(data); });
    f.partAspect = double(data.floatPrediction.width) / double(std::max(1, data.floatPrediction.height));
    return f;
}

FigureSpec bevFigure(const widgets::BevData& data)
{
    // BevView's own painting (as the widget fits it), on the writer's thread: no widget needed.
    FigureSpec f;
    f.size = kBevSize;
    f.name = QStringLiteral("BevView");
    f.paint = [data](QPainter& painter, QSizeF size) {
        widgets::BevView::PaintOptions options;
        options.transform = widgets::BevView::fittedTransform(data, size);
        options.font = viewFont();
        widgets::BevView::paint(painter, QRectF(QPointF(0, 0), size), data, options);
    };
    return f;
}

Block textBlock(const QString& html, bool newPage = false)
{
    Block b;
    b.html = html;
    b.newPage = newPage;
    return b;
}

Block figureBlock(const QString& html, FigureSpec figure, const QString& caption = {})
{
    Block b;
    b.html = html;
    b.figure = std::move(figure);
    b.caption = caption;
    return b;
}

// ---- text ----------------------------------------------------------------------------------------

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
        {QStringLiteral("Per-kernel scales"), c.scaleFormat.empty() ? QStringLiteral("weight format")
                                                                    : qs(c.scaleFormat)},
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
                        .arg((c.correctUpstream ? QStringLiteral("; aimed at the float model's activations")
                                                : QString())
                             + (c.biasCorrection ? QStringLiteral("; bias correction") : QString())
                             + (c.roundingFeedback ? QStringLiteral("; centroids rounded with error feedback")
                                                   : QString()))
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
        const QString title = QStringLiteral("%1<h3>Frame %2 — %3</h3>")
                                  .arg(i == 0 ? QStringLiteral("<h2>Where float and converted disagree most</h2>") : QString(),
                                       qs(f.id), qs(f.summary));
        if (f.seg)
            blocks.push_back(figureBlock(title, segFigure(*f.seg),
                                         QStringLiteral("Float, converted, ground truth and their difference (black where "
                                                        "both networks agree, brighter where their class probabilities "
                                                        "differ more).<br>")
                                             + classLegend(m.classes)));
        else if (f.boxes)
            blocks.push_back(figureBlock(title, bevFigure(f.boxes->bev),
                                         QStringLiteral("Bird's-eye view (x right, z forward, metres): ground truth grey, "
                                                        "float blue, converted dashed orange; matched pairs linked.")));
        else
            blocks.push_back(textBlock(title));
    }
}

void addCentroidBlocks(std::vector<Block>& blocks, const ReportModel& m)
{
    for (size_t i = 0; i < m.centroids.size(); ++i) {
        const core::CentroidPlot& plot = m.centroids[i];
        const core::LayerReport* layer = m.report ? m.report->layer(plot.node) : nullptr;
        const QString title = (i == 0 ? QStringLiteral("<h2>Centroids of the most compressed layers</h2>") : QString())
                              + QStringLiteral("<h3>%1 — K = %2, %3 kernels, %4 bits per weight</h3>")
                                    .arg(qs(plot.node))
                                    .arg(plot.clusters)
                                    .arg(grouped(plot.kernels))
                                    .arg(layer ? QString::number(layer->bitsPerWeight, 'f', 2) : QStringLiteral("-"));
        QString caption = QStringLiteral("The layer's %1×%2 kernels (unit norm) on their first two principal axes, "
                                         "coloured by cluster; the centroids as large markers")
                              .arg(plot.kh)
                              .arg(plot.kw);
        caption += plot.centroidsBefore.empty() ? QStringLiteral(" (not refined).")
                                                : QStringLiteral(", hollow before refinement.");
        if (int64_t(plot.points.size()) < plot.kernels)
            caption += QStringLiteral(" %1 of the kernels plotted.").arg(grouped(int64_t(plot.points.size())));
        caption += QStringLiteral(" Right: kernels per cluster, and the most used centroids.");
        Block b = figureBlock(title, centroidFigure(plot), caption);
        b.newPage = i == 0;
        blocks.push_back(std::move(b));
    }
}

void addModelBlocks(std::vector<Block>& blocks, const ReportModel& m, bool first)
{
    blocks.push_back(textBlock(modelSummary(m), !first));
    if (m.report) {
        const core::ConversionReport& r = *m.report;
        blocks.push_back(textBlock(compressionTable(r)));
        blocks.push_back(figureBlock(QStringLiteral("<h3>Stored size per layer at every stage</h3>"),
                                     memoryFigure(r, widgets::MemoryBudgetView::kAllStages)));
        const int last = int(r.budgets.size()) - 1;
        blocks.push_back(figureBlock(QStringLiteral("<h3>Storage terms per layer at the %1 stage</h3>")
                                         .arg(qs(core::stageLabel(r.budgets.back().stage, r.weightFormat))),
                                     memoryFigure(r, last)));
    }
    QString metrics = metricsSection(m);
    if (m.metrics && m.task == "stereo3d")
        metrics += apTable(*m.metrics);
    blocks.push_back(textBlock(metrics, true));
    if (m.report && !m.report->stages.empty()) {
        const core::ConversionReport& r = *m.report;
        blocks.push_back(figureBlock(QStringLiteral("<h2>Per-layer SQNR</h2>"), sqnrFigure(r),
                                     QStringLiteral("Layer-output SQNR against float32 after each cumulative stage; the "
                                                    "first diverging layer of the last stage is ringed in red. A stage "
                                                    "that leaves a layer's output exact is drawn at the top of the axis.")));
        blocks.push_back(textBlock(layerTable(r)));
    }
    addFrameBlocks(blocks, m);
    addCentroidBlocks(blocks, m);
    if (!m.conversionNotes.empty()) {
        QStringList notes;
        for (const std::string& n : m.conversionNotes)
            notes << qs(n);
        blocks.push_back(textBlock(QStringLiteral("<h3>Conversion notes</h3><p>%1</p>").arg(notes.join(QStringLiteral("<br>")))));
    }
}

} // namespace

std::vector<Block> reportBlocks(const ReportData& d)
{
    std::vector<Block> blocks;
    blocks.push_back(textBlock(titlePage(d)));
    for (size_t i = 0; i < d.models.size(); ++i)
        addModelBlocks(blocks, d.models[i], i == 0);
    return blocks;
}

QString reportCss()
{
    return QStringLiteral(R"(
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
)");
}

QFont reportFont()
{
    QFont f(QStringLiteral("DejaVu Sans"));
    f.setPointSizeF(9.0);
    noLigatures(f);
    return f;
}

QString captionHtml(const QString& caption)
{
    return caption.isEmpty() ? QString() : QStringLiteral("<p class=\"caption\">%1</p>").arg(caption);
}

} // namespace lnscope::app::report
