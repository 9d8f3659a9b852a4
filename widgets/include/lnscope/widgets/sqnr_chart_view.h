#pragma once
// SqnrChartView: what each conversion stage does to every converted layer's output, drawn from a
// core::ConversionReport — one line per compared stage (report.stages: "BNF", "CC", the weight
// format such as "LNS8", and "+act" when the model has calibrated activations; each cumulative,
// compared against float32), the converted layers (report.layers) on the x axis in graph order,
// the layer-output SQNR in dB (LayerReport::agreement) on the y axis.
//
//   exact     an infinite SQNR (the stage left the output bit-exact) is drawn at the top of the
//             axis, which is then labelled "exact" in the header;
//   undefined a NaN SQNR or a stage missing for a layer leaves the point out (the line joins its
//             neighbours);
//   diverging the first diverging layer of the last stage (LayerTableModel::divergingRow(): the
//             converted layer that writes, or feeds, the first tensor below the report's
//             threshold) is ringed in red and named in the legend and the header.
//
// Selection: setSelectedLayer() draws a vertical line at the layer and lists its SQNR at every
// stage in the header; clicking in the plot selects the nearest layer and emits
// layerClicked(node). Layer names on the axis are MemoryBudgetView::shortLayerNames(); the
// header names the full node. The view formats numbers, it computes none.
//
// Threading: GUI thread. Qt Charts stays private to lnscope_widgets (pimpl).

#include "lnscope/core/conversion_report.h"

#include <QString>
#include <QWidget>

#include <memory>

namespace lnscope::widgets {

class SqnrChartView : public QWidget
{
    Q_OBJECT
public:
    explicit SqnrChartView(QWidget* parent = nullptr);
    ~SqnrChartView() override;

    /// Shows `report` (a copy is kept). Keeps the selected layer when the new report has it.
    void setReport(const core::ConversionReport& report);
    /// Back to the empty state.
    void clear();
    bool hasReport() const;

    /// Highlights the layer named `node` ("" or an unknown node: no highlight).
    void setSelectedLayer(const QString& node);
    QString selectedLayer() const;
    /// Node of the ringed first diverging layer, or "" when no layer diverges.
    QString divergingLayer() const;
    /// The node whose column contains `viewPos` (a point of this widget), or "" outside the plot.
    QString layerAt(QPoint viewPos) const;
    /// Where the point of `node` at compared stage `stage` is drawn (widget pixels); null point
    /// when that point is not drawn.
    QPointF pointPosition(const QString& node, int stage) const;

    QSize sizeHint() const override;
    /// Below this height the header leaves out the sentence on what the chart shows (it stays in
    /// the header's tooltip), so that the chart keeps its room (e.g. in a 1280×800 window).
    static constexpr int kLongHeaderMinHeight = 360;

signals:
    /// The user clicked the column of `node` (the view has selected it already).
    void layerClicked(const QString& node);

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;

private:
    void rebuild();
    void addMarkers(double yMin, double yMax);
    /// What depends on the chart's height: the x axis title, the y tick interval and title.
    void fitAxes();
    void updateHeader();

    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace lnscope::widgets
