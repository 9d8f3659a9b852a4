#pragma once
// The workbench window's central widget: the four view panels (ViewPanel) in two rows of
// splitters — segmentation comparison | boxes (bird's-eye, 3-D and camera tabs), cluster centroids
// | charts (memory budget and per-layer SQNR tabs). Any one panel can be maximized (the others and
// the other row hide); the splitter sizes persist with the window (saveSizes / restoreSizes).
//
// Threading: GUI thread.

#include <QVariantList>
#include <QWidget>

#include <vector>

class QSplitter;

namespace lnscope::widgets {
class BevView;
class BoxView3D;
class CameraBoxView;
class CentroidView;
class MemoryBudgetView;
class SegComparisonView;
class SqnrChartView;
} // namespace lnscope::widgets

namespace lnscope::app {

class ViewPanel;

class ViewGrid : public QWidget
{
    Q_OBJECT
public:
    /// The panels, in grid order (row by row).
    enum Panel { Segmentation = 0, Boxes = 1, Centroids = 2, Charts = 3, PanelCount = 4 };

    explicit ViewGrid(QWidget* parent = nullptr);

    widgets::SegComparisonView* segView() const { return m_segView; }
    widgets::BevView* bevView() const { return m_bevView; }
    widgets::BoxView3D* boxView3d() const { return m_box3dView; }
    widgets::CameraBoxView* cameraBoxView() const { return m_cameraView; }
    widgets::CentroidView* centroidView() const { return m_centroidView; }
    widgets::MemoryBudgetView* memoryView() const { return m_memoryView; }
    widgets::SqnrChartView* sqnrView() const { return m_sqnrView; }

    ViewPanel* panel(int index) const;
    /// View of panel 0..3; for panels with tabs, the tab shown. Null for another index.
    QWidget* viewWidget(int index) const;
    /// Whether viewWidget(index) draws vectors (SVG export): the bird's-eye view and the charts;
    /// the segmentation images, the 3-D scene and the camera image do not.
    bool viewIsVector(int index) const;

    /// Shows only panel `index` (0..3), or all of them with -1 (any other value).
    void maximize(int index);
    int maximized() const { return m_maximized; }

    /// Splitter proportions for a window's first show (a saved state replaces them).
    void applyDefaultSizes();
    /// The splitter states, for QSettings; restoreSizes() ignores a list of another shape.
    QVariantList saveSizes() const;
    void restoreSizes(const QVariantList& states);

signals:
    /// The panel's title bar asked to maximize or restore it.
    void maximizeToggled(int index);
    /// The panel's title bar or context menu asked to export it as an image.
    void exportRequested(int index);

private:
    QSplitter* row(int index) const;

    widgets::SegComparisonView* m_segView = nullptr;
    widgets::BevView* m_bevView = nullptr;
    widgets::CentroidView* m_centroidView = nullptr;
    widgets::MemoryBudgetView* m_memoryView = nullptr;
    widgets::BoxView3D* m_box3dView = nullptr;      ///< tab of the boxes panel
    widgets::CameraBoxView* m_cameraView = nullptr; ///< tab of the boxes panel
    widgets::SqnrChartView* m_sqnrView = nullptr;   ///< tab of the charts panel
    QSplitter* m_rows = nullptr;                    ///< two rows (QSplitter each) of two panels
    std::vector<ViewPanel*> m_panels;
    int m_maximized = -1;
};

} // namespace lnscope::app
