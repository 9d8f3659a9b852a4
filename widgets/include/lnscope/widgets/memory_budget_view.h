#pragma once
// MemoryBudgetView: what every layer stores, drawn from a core::ConversionReport's `budgets`
// (one core::BudgetReport per storage stage: float32, BNF, CC, the weight format).
//
//   one stage   a stacked bar per layer (graph order) of its storage terms, StorageTerms::named():
//               kernel indices, per-kernel scales, codebook LUTs, uncompressed weights, biases,
//               batch-norm parameters (terms that are zero in every layer are left out);
//   all stages  the total stored size of each layer at every stage, side by side.
//
// Above the chart: the stage selector, the total size, the compression ratio and, word for word,
// what that ratio counts (BudgetReport::counts). When the report has an on-chip fit
// (ConversionReport::fit), the budget is a dashed horizontal line and the header says how many
// layers fit. Sizes are shown in bytes, KiB or MiB (axis title says which); long layer names are
// shortened on the axis (shortLayerNames) and shown in full in the header of a selected layer.
// Every layer name stays whole on the axis in a small pane too: names turn upright when there are
// more than 8 layers or the plot is too narrow for them side by side, and the plot then leaves a
// few pixels beside the outer bars for the first and the last name. The legend, on the right, names the storage
// terms briefly ("indices", "scales", "codebooks", "raw weights", "biases", "BN params",
// "budget") so that it needs no cutting in a pane of a 1280×800 window; hovering an entry shows
// its full name. The bar sets keep the full names as their labels.
//
// Selection: setSelectedLayer() fades every other layer's bar; clicking a bar selects it and
// emits layerClicked(node). The view formats numbers, it computes none.
//
// Threading: GUI thread. Qt Charts stays private to lnscope_widgets (pimpl).

#include "lnscope/core/conversion_report.h"

#include <QString>
#include <QStringList>
#include <QWidget>

#include <memory>

namespace lnscope::widgets {

class MemoryBudgetView : public QWidget
{
    Q_OBJECT
public:
    /// setStage() value for the per-layer totals of every stage side by side.
    static constexpr int kAllStages = -1;

    explicit MemoryBudgetView(QWidget* parent = nullptr);
    ~MemoryBudgetView() override;

    /// Shows `report` (a copy is kept). Keeps the chosen stage when the new report has it, else
    /// shows the last storage stage (the weight format). Keeps the selected layer if it exists.
    void setReport(const core::ConversionReport& report);
    /// Back to the empty state.
    void clear();
    bool hasReport() const;

    /// Index into report.budgets, or kAllStages. Out-of-range indices are ignored.
    void setStage(int budgetIndex);
    int stage() const;

    /// Highlights the layer named `node` ("" or an unknown node: no highlight).
    void setSelectedLayer(const QString& node);
    QString selectedLayer() const;

    /// The axis names of `nodes`: the meaningful end of each ONNX path (a trailing op name such
    /// as "Conv" dropped, and a container followed by its own child: "/enc1/enc1.0/Conv" →
    /// "enc1.0"), with as many leading components as needed to keep names distinct, cut to
    /// `maxChars` with a "…" in the middle. Always distinct.
    static QStringList shortLayerNames(const QStringList& nodes, int maxChars = 16);

    QSize sizeHint() const override;
    /// Below this height the note on what the ratio counts folds into the header's tooltip, so
    /// that the chart keeps its room (e.g. in a 1280×800 window).
    static constexpr int kCountsNoteMinHeight = 360;

signals:
    /// A bar of `node` was clicked (the view has selected it already).
    void layerClicked(const QString& node);

protected:
    void resizeEvent(QResizeEvent* event) override;

private:
    void rebuild();
    void buildStageChart(int stage);
    void buildAllStagesChart();
    void updateHeader();
    void applySelection();
    void nameLegendEntries();
    void fitLayerLabels();
    void onBarClicked(int index);

    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace lnscope::widgets
