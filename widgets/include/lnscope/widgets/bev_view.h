#pragma once
// BevView: the 3-D boxes of one frame seen from above, drawn with QPainter from a BevData (KITTI
// objects of the ground truth, the float network and the converted network, and core's
// BoxMatching of float (a) vs converted (b), computed by the caller; the view formats numbers, it
// computes none).
//
//   ground       a metres grid (1, 5 or 10 m by zoom, numbers on the left and bottom edges, axis
//                titles with units), range rings every 10 m around the ego car, the ego car at the
//                origin facing +z (up on the screen);
//   boxes        footprints from core::bevFootprint(): ground truth thin grey, float solid blue,
//                converted dashed orange (Okabe–Ito, colour-blind safe), each with a heading line
//                from its centre to the middle of its front edge; DontCare objects are not drawn;
//   comparison   matched float/converted pairs linked by a purple line between their centres;
//                boxes found by only one network drawn thicker, with a diamond at their centre;
//   readout      hovering a box highlights it (and its pair) and shows its class, score, the BEV
//                IoU with its pair and the centre / size / heading deltas of the BoxPair;
//   legend       top right, with the number of boxes of each set.
//
// Frames: KITTI camera frame, BEV = the x–z plane in metres, x right, z forward (bev_transform.h).
//
// Mouse: wheel zooms around the cursor, left-drag pans, double-click fits, hovering reads a box.
// Keyboard (shortcuts()): + / − zoom around the centre, arrow keys pan, F fits every box and the
// ego car into the view. Until the user zooms or pans, the view keeps fitting (new boxes, resize).
//
// Threading: the widget is GUI-thread only; BevData is a plain value that can be built on a worker.
// BevView::paint() draws the same picture (without the hover readout) with any QPainter, on any
// thread (the comparison video paints on QImages in a worker).

#include "lnscope/core/det_metrics.h"
#include "lnscope/core/kitti_io.h"
#include "lnscope/widgets/bev_transform.h"

#include <QColor>
#include <QFont>
#include <QLineF>
#include <QList>
#include <QPair>
#include <QRectF>
#include <QString>
#include <QStringList>
#include <QWidget>

#include <optional>
#include <vector>

class QPainter;

namespace lnscope::widgets {

/// The boxes of one frame. matching indexes floatBoxes (a) and convertedBoxes (b); pairs or
/// indices out of range are ignored.
struct BevData
{
    std::vector<core::KittiObject> groundTruth;
    std::vector<core::KittiObject> floatBoxes;
    std::vector<core::KittiObject> convertedBoxes;
    core::BoxMatching matching; ///< core::matchBoxes(floatBoxes, convertedBoxes, …)
};

namespace detail {

/// What BevView draws and how, apart from the widget: the boxes, the map, the hovered box and the
/// font. Shared by the widget and BevView::paint(); not an API of its own (use BevView).
struct BevScene
{
    enum class BoxSet { GroundTruth, Float, Converted };
    /// One drawn box: which set, and its index in that set's vector.
    struct BoxRef
    {
        BoxSet set = BoxSet::GroundTruth;
        int index = -1;
        bool operator==(const BoxRef&) const = default;
    };

    BevData m_data;
    BevTransform m_transform; ///< its viewSize is the size drawn
    std::optional<BoxRef> m_hovered;
    QFont m_font;                    ///< numbers, titles, legend
    QColor m_textColour{20, 20, 20}; ///< legend text

    const std::vector<core::KittiObject>& set(BoxSet s) const;
    const core::KittiObject* object(BoxRef box) const;
    bool drawable(BoxRef box) const;
    /// Index into matching.pairs of the pair holding `box`, or −1.
    int pairOf(BoxRef box) const;
    bool isOnlyOne(BoxRef box) const;
    bool hasAnyBox() const;
    /// The link of matching.pairs[pairIndex] between the two centres, view pixels (null line for
    /// an invalid pair).
    QLineF pairLine(int pairIndex) const;
    /// m_transform fitted to every drawn box and the ego car in a view of `size`.
    BevTransform fitted(QSizeF size) const;

    /// Everything but the hover readout, in view pixels (0, 0)–viewSize.
    void paintScene(QPainter& painter) const;
    void drawGrid(QPainter& painter) const;
    void drawGridLabels(QPainter& painter, double spacing) const;
    void drawRangeRings(QPainter& painter) const;
    void drawEgo(QPainter& painter) const;
    void drawBoxSet(QPainter& painter, BoxSet s) const;
    void drawBox(QPainter& painter, BoxRef box) const;
    void drawPairLinks(QPainter& painter) const;
    void drawNoBoxesNote(QPainter& painter) const;
    QStringList legendLabels() const;
    /// Where the legend is drawn (top right), view pixels.
    QRectF legendRect() const;
    /// Where a readout of `lines` lines is drawn (bottom left, above the x numbers); width 0.
    QRectF readoutRect(int lines) const;
    void drawLegend(QPainter& painter) const;
};

} // namespace detail

class BevView
    : public QWidget
    , private detail::BevScene
{
    Q_OBJECT
public:
    using BoxSet = detail::BevScene::BoxSet;
    using BoxRef = detail::BevScene::BoxRef;

    /// How paint() draws: the map (its viewSize is replaced by the target's size) and the font.
    struct PaintOptions
    {
        BevTransform transform;
        QFont font;
        QColor textColour{20, 20, 20};
    };

    /// Draws `data` as the widget does — grid, range rings, ego car, boxes, pair links, legend, the
    /// "no boxes" note; no hover readout — into `target` (clipped to it) of any QPainter. Usable
    /// on any thread (paints only through `painter`).
    static void paint(QPainter& painter, const QRectF& target, const BevData& data, const PaintOptions& options);
    /// The map the widget's fit would choose for `data` in a view of `size` pixels.
    static BevTransform fittedTransform(const BevData& data, QSizeF size);

    explicit BevView(QWidget* parent = nullptr);
    ~BevView() override;

    /// Shows `data` (a copy is kept); fits unless the user has zoomed or panned.
    void setBoxes(const BevData& data);
    /// No boxes (the grid and the ego car stay, with a "no boxes" note).
    void clear();
    bool hasBoxes() const;
    const BevData& boxes() const { return m_data; }

    BevTransform bevTransform() const { return m_transform; }
    /// Sets the map (its viewSize is replaced by the widget's size); stops auto-fitting.
    void setBevTransform(const BevTransform& transform);
    /// Shows every box and the ego car, and keeps doing so until the user zooms or pans.
    void fitToView();
    /// Zooms by `factor` (> 1 zooms in) around the widget centre.
    void zoomBy(double factor);

    /// The box under a widget point (inside its footprint, or within a few pixels of its centre);
    /// of several, the one whose centre is nearest. Float and converted boxes before ground truth.
    std::optional<BoxRef> boxAt(QPointF widgetPx) const;
    /// The readout of a box (class, score, pair IoU and deltas); "" for an invalid reference.
    QString describe(BoxRef box) const;
    /// The box under the mouse, if any.
    std::optional<BoxRef> hoveredBox() const { return m_hovered; }
    /// The readout shown now ("" when no box is hovered).
    QString hoverText() const;
    /// The link of matching.pairs[pairIndex] between the two centres, widget pixels (null line
    /// for an invalid pair).
    QLineF pairLink(int pairIndex) const;

    /// The keyboard and mouse controls, (keys, what they do), for a shortcut list.
    static QList<QPair<QString, QString>> shortcuts();

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

signals:
    /// The user zoomed, panned or fitted.
    void transformChanged(const lnscope::widgets::BevTransform& transform);
    /// The hovered box changed (hoverText() has the readout).
    void hoveredBoxChanged();

protected:
    void paintEvent(QPaintEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;
    void wheelEvent(QWheelEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    void mouseDoubleClickEvent(QMouseEvent* event) override;
    void leaveEvent(QEvent* event) override;
    void keyPressEvent(QKeyEvent* event) override;

private:
    void changeTransform(const BevTransform& transform, bool userEdit);
    void setHovered(std::optional<BoxRef> box);
    void drawReadout(QPainter& painter) const;

    bool m_autoFit = true;
    std::optional<QPointF> m_dragFrom;
};

} // namespace lnscope::widgets
