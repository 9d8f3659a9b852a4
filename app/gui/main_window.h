#pragma once
// The LNScope workbench window: float and converted side by side. A Controls dock (models,
// dataset, conversion settings with per-layer K, Convert with progress / remaining time / Cancel),
// four views in two rows of splitters (segmentation comparison, bird's-eye boxes, cluster
// centroids, memory budget; any one can be maximized with Ctrl+1…4 and restored with Esc; each
// exports as an image from its title bar or context menu), a Layers dock (the sortable layer table;
// selecting a row selects the layer in the centroid and memory views), a Metrics dock (float vs
// converted with a badge per metric against its tolerance) and a Frames dock (per-frame agreement,
// Page Up / Page Down, W = the frame where the networks disagree most). Below 1500 pixels of
// width the default layout puts Metrics in a tab beside Controls and Frames under them, so the
// views keep room (a saved layout wins). Window state, layout and
// recent files (File → Open Recent) persist in QSettings. Settings changes mark what they
// invalidate (the Convert button says why); Convert runs only that. View → Presentation (F5) is a
// full-screen, self-advancing mode for demos (presentation.h); views export as PNG, the vector
// ones as SVG too; File → Export report / video run through the document's jobs
// (export_actions.h). The window owns no numerics (DESIGN.md): results come from the
// Workbench's background jobs.
//
// The window wires its parts together; each part has its own file: the view grid (view_grid.h,
// panels in view_panel.h), the Controls dock (controls_dock.h), the Metrics panel
// (metrics_panel.h). The Layers and Frames docks, menus, sessions and dialogs are here.

#include "recent_files.h"
#include "workbench.h"

#include <QList>
#include <QMainWindow>
#include <QPair>

#include <map>
#include <string>

class QLabel;
class QListWidget;
class QMenu;
class QPushButton;
class QTableView;

namespace lnscope::widgets {
class BevView;
class BoxView3D;
class CameraBoxView;
class SqnrChartView;
class CentroidView;
class LayerSortProxyModel;
class LayerTableModel;
class MemoryBudgetView;
class SegComparisonView;
} // namespace lnscope::widgets

namespace lnscope::app {

class ControlsDock;
class ExportActions;
class MetricsPanel;
class Presentation;
class ViewGrid;

class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    explicit MainWindow(QWidget* parent = nullptr);
    ~MainWindow() override;

    Workbench* workbench() { return &m_workbench; }
    /// Opens the bundled demo and starts the default conversion.
    void openDemo();

    // For tests and screenshots.
    widgets::SegComparisonView* segView() const;
    widgets::BevView* bevView() const;
    widgets::CentroidView* centroidView() const;
    widgets::MemoryBudgetView* memoryView() const;
    widgets::BoxView3D* boxView3d() const;
    widgets::CameraBoxView* cameraBoxView() const;
    widgets::SqnrChartView* sqnrView() const;
    widgets::LayerTableModel* layerModel() const { return m_layerModel; }
    QTableView* layerTable() const { return m_layerTable; }
    QListWidget* frameList() const { return m_frameList; }
    /// Saves the session (models, dataset, settings, view state) atomically. Throws core::IoError.
    void saveSession(const QString& path);
    /// Reads and applies a session, then converts. Throws the core errors (the window is unchanged then).
    void openSession(const QString& path);
    /// Maximizes view 0..3, or restores the grid with -1.
    void maximizeView(int index);
    int maximizedView() const;
    /// Selects frame `index` in the frame list, which shows it.
    void goToFrame(int index);

    /// Opens a recent file. When its files are gone it is removed from the list. Returns "" on
    /// success, else the message to show (the caller shows it: the menu in a message box).
    QString openRecent(const RecentEntry& entry);
    QMenu* recentMenu() const { return m_recentMenu; }

    /// View 0..3 (segmentation, boxes, centroids, memory) and whether it can be saved as SVG.
    QWidget* viewWidget(int index) const;
    /// Whether view `index` draws vectors (SVG export): the bird's-eye view and the charts; the
    /// segmentation images, the 3-D scene and the camera image do not. Panels with tabs answer
    /// for the tab shown.
    bool viewIsVector(int index) const;
    /// Saves view `index` as PNG or SVG (by the suffix). Throws the core errors naming the file.
    void exportView(int index, const QString& path);

    /// The per-layer K of the active model's layers, replacing its entries in the settings
    /// (0 = the global K). What the dialog's OK does.
    void setLayerK(const std::map<std::string, int>& overridesOfActiveModel);
    QPushButton* convertButton() const;
    QLabel* staleLabel() const;
    Presentation* presentation() const { return m_presentation; }
    ExportActions* exports() const { return m_exports; }

public slots:
    void showAbout();
    void showShortcuts();
    /// The keyboard shortcuts as (keys, what) rows: what showShortcuts() lists.
    QList<QPair<QString, QString>> shortcutRows() const;
    void nextFrame();
    void previousFrame();
    void worstFrame();

protected:
    void closeEvent(QCloseEvent* event) override;
    void showEvent(QShowEvent* event) override;

private:
    void createViews();
    void createLayersDock();
    void createFramesDock();
    void createMenus();
    void startConversion();
    void refreshSlot(int slot);
    void refreshFrames();
    void selectLayer(const QString& node);
    int activeSlot() const;
    void openModelDialog(Workbench::Slot slot);
    void openDatasetDialog();
    void openSessionDialog();
    void saveSessionDialog();
    void exportViewDialog(int index);
    void rebuildRecentMenu();
    void restoreSettings();
    void applyDefaultLayout();

    Workbench m_workbench;
    ViewGrid* m_grid = nullptr;         ///< the central widget: the four view panels
    ControlsDock* m_controls = nullptr; ///< models, dataset, settings, Convert
    MetricsPanel* m_metrics = nullptr;  ///< in the Metrics dock
    widgets::LayerTableModel* m_layerModel = nullptr;
    widgets::LayerSortProxyModel* m_layerProxy = nullptr;
    QTableView* m_layerTable = nullptr;
    QListWidget* m_frameList = nullptr;
    QMenu* m_recentMenu = nullptr;
    Presentation* m_presentation = nullptr;
    ExportActions* m_exports = nullptr;
    bool m_layoutRestored = false; ///< the saved dock layout was applied
    bool m_layoutDone = false;     ///< shown once (the default layout is applied at the first show)
};

} // namespace lnscope::app
