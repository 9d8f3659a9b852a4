#pragma once
// SegComparisonView: one segmentation frame of the float and the converted network side by side,
// drawn from a SegFrameData (core's SegPrediction ×2, LabelMap, DiffMap, SegErrorMap, class list,
// all computed by the caller; the view formats numbers, it computes none).
//
//   four panes   float | converted | ground truth | difference, in a 2×2 grid or a 1×4 row,
//                whichever shows the image larger in the widget (paneColumns());
//   class panes  class colours over the camera image with an opacity (overlay mode) or class
//                colours alone; classes can be hidden one by one from the legend (a hidden class
//                shows the camera image in overlay mode, a dark background otherwise);
//   difference   the DiffMap image (black where float and converted agree, brighter where their
//                probabilities differ more) or the SegErrorMap (each network's errors against the
//                ground truth, with its category legend and pixel counts);
//   readout      under the panes: pixel (x, y), float class + probability, converted class +
//                probability, label class (or "ignore"), the L1 difference, the error category.
//
// All panes share one ImageViewport (image pixels → pane pixels): zooming or panning one pane
// moves all four, and the hovered pixel is marked in every pane.
//
// Mouse: wheel zooms around the cursor, left-drag pans, double-click fits, hovering reads a pixel.
// Keyboard (shortcuts(), for the app's shortcut list): + / − zoom around the pane centre, arrow
// keys pan, F fits the image to the panes, O toggles overlay / class colours only, D toggles the
// difference mode (float vs converted ↔ errors vs ground truth, when there is ground truth).
//
// Empty state: "no frame" in the pane area until setFrame(). A frame whose parts do not have the
// same size shows that reason instead of the panes (nothing throws). A camera image of another
// size than the predictions is scaled to theirs.
//
// Threading: GUI thread only; SegFrameData is a plain value that can be built on a worker.

#include "lnscope/core/seg_labels.h"
#include "lnscope/core/seg_metrics.h"
#include "lnscope/widgets/image_viewport.h"

#include <QImage>
#include <QList>
#include <QPair>
#include <QString>
#include <QWidget>

#include <memory>
#include <optional>
#include <vector>

namespace lnscope::widgets {

/// Everything one frame's comparison shows. All maps are width × height of the predictions.
struct SegFrameData
{
    QImage image;                              ///< camera image (any format); may be null (no overlay)
    core::SegPrediction floatPrediction;       ///< the float (reference) network
    core::SegPrediction convertedPrediction;   ///< the converted network
    std::optional<core::LabelMap> groundTruth; ///< class ids, kIgnoreLabel = not labelled
    core::DiffMap difference;                  ///< core::differenceMap(float, converted)
    std::optional<core::SegErrorMap> errors;   ///< core::errorMap(float, converted, groundTruth)
    std::vector<core::ClassInfo> classes;      ///< names and colours by id (ids not listed: grey)
};

class SegComparisonView : public QWidget
{
    Q_OBJECT
public:
    enum class Pane { Float, Converted, GroundTruth, Difference };
    static constexpr int kPaneCount = 4;
    enum class DifferenceMode { FloatVsConverted, ErrorsVsGroundTruth };

    explicit SegComparisonView(QWidget* parent = nullptr);
    ~SegComparisonView() override;

    /// Shows `frame` (a copy is kept). Keeps the zoom when the image size is unchanged and the
    /// user has zoomed, else fits. Keeps hidden classes, overlay mode and opacity; falls back to
    /// FloatVsConverted when the frame has no error map.
    void setFrame(const SegFrameData& frame);
    /// Back to the "no frame" state.
    void clear();
    bool hasFrame() const;
    /// Why the last frame is not shown ("" when it is, or when there is none).
    QString frameProblem() const;

    /// The viewport of one pane (they are kept equal).
    ImageViewport viewport(Pane pane) const;
    /// Sets the viewport of every pane.
    void setViewport(const ImageViewport& viewport);
    /// Fits the image into the panes (and keeps fitting when the widget is resized, until the
    /// user zooms or pans).
    void fitToView();
    /// Zooms every pane by `factor` around the pane centre.
    void zoomBy(double factor);
    /// The pane widget (for event forwarding and tests), never null.
    QWidget* paneWidget(Pane pane) const;
    /// 2 (2×2) or 4 (1×4): the current pane arrangement.
    int paneColumnCount() const;

    void setOverlayEnabled(bool on);
    bool overlayEnabled() const;
    /// Opacity of the class colours over the camera image in overlay mode, 0..1.
    void setOverlayOpacity(double opacity);
    double overlayOpacity() const;

    void setClassVisible(int classId, bool visible);
    bool isClassVisible(int classId) const;

    /// ErrorsVsGroundTruth is ignored when the frame has no error map.
    void setDifferenceMode(DifferenceMode mode);
    DifferenceMode differenceMode() const;

    /// The readout of an image pixel, as shown under the panes after hovering it ("" outside the
    /// image or without a frame).
    QString readout(QPoint imagePixel) const;
    /// The text under the panes now.
    QString hoverText() const;

    /// 2 or 4 columns for panes showing an image of size `image` in `area` (pixels): the
    /// arrangement that shows the image larger; 2×2 on ties. Without an image, 1×4 only when the
    /// area is more than 2.5 times as wide as high.
    static int paneColumns(QSize area, QSize image);
    /// The keyboard and mouse controls, (keys, what they do), for a shortcut list.
    static QList<QPair<QString, QString>> shortcuts();

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

signals:
    /// The user zoomed, panned or fitted (any pane); `viewport` is now every pane's.
    void viewportChanged(const lnscope::widgets::ImageViewport& viewport);

protected:
    void keyPressEvent(QKeyEvent* event) override;
    void changeEvent(QEvent* event) override;

private:
    void buildUi();
    QWidget* buildToolBar();
    QWidget* buildSidePanel();
    void rebuildClassLegend();
    void recompose();
    void updateDifferencePane();
    void updateControls();
    void applyViewport(const ImageViewport& viewport, bool userEdit);
    void onPaneHovered(QPointF imagePx);
    void onPaneLeft();
    void onGridResized();

    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace lnscope::widgets
