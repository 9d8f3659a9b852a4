#pragma once
// The parts of SegComparisonView (seg_comparison_view.h), private to lnscope_widgets:
//
//   SegImagePane        one zoomable image with a title chip, a marker on the hovered pixel and a
//                       placeholder text when it has no image; reports wheel / drag / hover /
//                       double-click, the view keeps the panes' viewports in sync;
//   SegPaneGrid         places four panes in 2×2 or 1×4 and shows the "no frame" placeholder;
//   SegDifferenceLegend the legend of the difference pane: the DiffMap colour ramp or the error
//                       categories with their colours and pixel counts;
//   composeClassImage   (seg_images.h) class colours, optionally over the camera image;
//   segFrameProblem     why a SegFrameData cannot be shown.
//
// GUI thread only, except segFrameProblem, composeClassImage and rgbToImage (pure functions).

#include "lnscope/core/seg_metrics.h"
#include "lnscope/widgets/image_viewport.h"
#include "lnscope/widgets/seg_comparison_view.h"
#include "lnscope/widgets/seg_images.h"

#include <QImage>
#include <QString>
#include <QWidget>

#include <array>
#include <cstdint>
#include <optional>
#include <vector>

namespace lnscope::widgets {

/// Why `frame` cannot be shown (predictions inconsistent, parts of different sizes), or "" when it
/// can. Does not throw.
QString segFrameProblem(const SegFrameData& frame);

class SegImagePane : public QWidget
{
    Q_OBJECT
public:
    explicit SegImagePane(const QString& title, QWidget* parent = nullptr);

    void setTitle(const QString& title);
    QString title() const { return m_title; }
    /// The image to show (null: the placeholder text instead).
    void setImage(const QImage& image);
    const QImage& image() const { return m_image; }
    void setPlaceholder(const QString& text);

    const ImageViewport& viewport() const { return m_viewport; }
    /// Sets the viewport without emitting viewportEdited().
    void setViewport(const ImageViewport& viewport);
    /// Marks an image pixel (the hovered one), or nothing.
    void setMarker(std::optional<QPoint> pixel);

signals:
    /// The user zoomed or panned in this pane; `viewport` is its new viewport.
    void viewportEdited(const lnscope::widgets::ImageViewport& viewport);
    /// The mouse is over image point `imagePx` (image pixel coordinates, may be outside the image).
    void hovered(QPointF imagePx);
    void left();
    void fitRequested();

protected:
    void paintEvent(QPaintEvent* event) override;
    void wheelEvent(QWheelEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    void mouseDoubleClickEvent(QMouseEvent* event) override;
    void leaveEvent(QEvent* event) override;

private:
    void drawMarker(QPainter& painter) const;
    void drawTitle(QPainter& painter) const;

    QString m_title;
    QString m_placeholder;
    QImage m_image;
    ImageViewport m_viewport;
    std::optional<QPoint> m_marker;
    std::optional<QPointF> m_dragFrom;
};

class SegPaneGrid : public QWidget
{
    Q_OBJECT
public:
    explicit SegPaneGrid(QWidget* parent = nullptr);

    /// The panes, in order; the grid takes ownership (they become its children).
    void setPanes(const std::array<SegImagePane*, 4>& panes);
    /// The image size that decides 2×2 or 1×4 (empty: decided by the grid's own shape).
    void setImageSize(QSize size);
    /// Shows `text` instead of the panes ("" shows the panes).
    void setPlaceholder(const QString& text);
    int columns() const { return m_columns; }
    /// The size of one pane.
    QSize paneSize() const;

    static constexpr int kGap = 4;

signals:
    void resized();

protected:
    void resizeEvent(QResizeEvent* event) override;
    void paintEvent(QPaintEvent* event) override;

private:
    void relayout();

    std::array<SegImagePane*, 4> m_panes{};
    QSize m_imageSize;
    QString m_placeholder;
    int m_columns = 2;
};

class SegDifferenceLegend : public QWidget
{
    Q_OBJECT
public:
    explicit SegDifferenceLegend(QWidget* parent = nullptr);

    /// The DiffMap ramp, with the frame's disagreeing pixel count and largest L1.
    void showRamp(int64_t disagreeingPixels, float maxL1);
    /// The error categories with their pixel counts.
    void showCategories(const std::array<int64_t, core::kSegErrorCategoryCount>& counts);

    QSize sizeHint() const override;
    /// All of sizeHint(): in a short view the class list above scrolls instead of the legend losing lines.
    QSize minimumSizeHint() const override { return sizeHint(); }

protected:
    void paintEvent(QPaintEvent* event) override;

private:
    void drawRamp(QPainter& painter) const;
    void drawCategories(QPainter& painter) const;

    bool m_ramp = true;
    int64_t m_disagreeing = 0;
    float m_maxL1 = 0.f;
    std::array<int64_t, core::kSegErrorCategoryCount> m_counts{};
};

} // namespace lnscope::widgets
