#pragma once
// CentroidView: the cluster centroids of one cluster-compressed layer, drawn from a
// core::CentroidPlot (numerics in core/centroid_plot.h; this view only draws and formats):
//
//   left         a scatter of the layer's normalized kernels on their first two principal axes,
//                coloured by cluster (QualitativePalette, cycling for K above its size; for such
//                a large K the points are drawn small and semi-transparent); the centroids as large
//                markers with a dark outline; when the layer was refined, the k-means centroids as
//                hollow markers joined to the refined ones by thin lines (all in one path item on
//                the chart, kLinksItemKey, not a series per line; a centroid the refinement did
//                not move gets none). The axis titles give the share of the variance each axis
//                explains.
//   right, top   the occupancy histogram: kernels per cluster, most used first (byOccupancy),
//                each bar in its cluster's colour.
//   right, below the most used centroids (topTiles(), default 12) as kh×kw heat tiles on a
//                diverging blue–white–red scale symmetric around 0 (DivergingColorMap; ± the
//                largest |value| among the tiles shown), framed in their cluster's colour.
//
// Without a plot (clear()) it shows a placeholder asking for a cluster-compressed layer.
//
// Narrower than kCompactWidth or lower than kCompactHeight (a view of the 1280×800 or 1600×1000
// window, or of presentation mode with its larger font) the view is compact: the right column gets
// as much width as the scatter, the scatter's legend (the header says what hollow markers are) and
// the histogram's x labels and title are left out (its bars are in the order and colours of the
// tiles), its y axis gets at most three ticks, and the tiles' colour bar takes one line. Tiles too
// small for a label under them go without, compact or not (their tooltip has it).
//
// Threading: GUI thread. Qt Charts stays private to lnscope_widgets (pimpl).

#include "lnscope/core/centroid_plot.h"

#include <QPoint>
#include <QRectF>
#include <QWidget>

#include <memory>

namespace lnscope::widgets {

/// Where the heat tiles go: a grid of `count` tiles of kh×kw square cells fitted into `area`
/// (widget pixels: x right, y down), cells as large as possible in whole pixels, `gap` pixels
/// between tiles and a label strip of `labelHeight` pixels under each tile; the grid is centred
/// horizontally and starts at the top of `area`. Tile i sits at column i % columns, row
/// i / columns. A pure mapping with its inverse (tileAt, cellAt), tested without pixels.
struct HeatTileLayout
{
    QRectF area;
    int count = 0;
    int kh = 1, kw = 1;
    double gap = 6.0;
    double labelHeight = 0.0;
    int columns = 0, rows = 0;
    double cell = 0.0; ///< side of one cell in pixels; 0 when nothing fits
    QPointF origin;    ///< top-left corner of tile 0

    static HeatTileLayout fit(const QRectF& area, int count, int kh, int kw, double labelHeight, double gap = 6.0);

    /// The heat square of tile i (kw·cell × kh·cell); empty for an invalid i or when nothing fits.
    QRectF tile(int i) const;
    /// The cell (row, col) of tile i (row 0 at the top, col 0 at the left).
    QRectF cellRect(int i, int row, int col) const;
    /// The label strip under tile i.
    QRectF labelRect(int i) const;
    /// The tile whose heat square contains p, or -1.
    int tileAt(const QPointF& p) const;
    /// (col, row) of the cell of tile i that contains p, or (-1, -1).
    QPoint cellAt(int i, const QPointF& p) const;
};

class CentroidView : public QWidget
{
    Q_OBJECT
public:
    static constexpr int kDefaultTopTiles = 12;
    /// The scatter's links are one QGraphicsPathItem, a child of its chart with
    /// data(kLinksItemKey) == "centroidLinks": a moveTo/lineTo pair per link, k-means centroid to
    /// refined one, in chart coordinates (QChart::mapToPosition).
    static constexpr int kLinksItemKey = 0x4c4e53;

    explicit CentroidView(QWidget* parent = nullptr);
    ~CentroidView() override;

    /// Shows `plot` (a copy is kept).
    void setPlot(const core::CentroidPlot& plot);
    /// Shows the placeholder ("select a cluster-compressed layer").
    void clear();
    bool hasPlot() const;
    const core::CentroidPlot& plot() const;

    /// How many of the most used centroids are drawn as tiles (≥ 0).
    void setTopTiles(int count);
    int topTiles() const;
    /// Cluster ids of the tiles drawn, most used first.
    std::vector<int> tileClusters() const;

    QSize sizeHint() const override;
    /// Narrower or lower than this (pixels, for a font kCompactFontHeight pixels high; scaled
    /// for a larger one) the view is compact.
    static constexpr int kCompactWidth = 600, kCompactHeight = 420, kCompactFontHeight = 16;
    bool isCompact() const;

protected:
    void resizeEvent(QResizeEvent* event) override;

private:
    void applyCompactness();
    void buildScatter();
    void buildOccupancy();
    void updateTiles();
    void updateHeader();

    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace lnscope::widgets
