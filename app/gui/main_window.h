#pragma once
// The LNScope workbench window: float and converted side by side. A Controls dock (models,
// dataset, conversion settings, Convert with progress / remaining time / Cancel), four views in a
// 2×2 grid (segmentation comparison, bird's-eye boxes, cluster centroids, memory budget; any one
// can be maximized with Ctrl+1…4 and restored with Esc), a Layers dock (the sortable layer table;
// selecting a row selects the layer in the centroid and memory views), a Metrics dock (float vs
// converted with a badge per metric against its tolerance) and a Frames dock (per-frame agreement,
// Page Up / Page Down, W = the frame where the networks disagree most). Window state, layout and
// recent files persist in QSettings. The window owns no numerics (DESIGN.md): results come from
// the Workbench's background jobs.

#include "workbench.h"

#include <QMainWindow>

class QCheckBox;
class QComboBox;
class QLabel;
class QListWidget;
class QProgressBar;
class QPushButton;
class QSpinBox;
class QTableView;

namespace lnscope::widgets {
class BevView;
class CentroidView;
class LayerSortProxyModel;
class LayerTableModel;
class MemoryBudgetView;
class SegComparisonView;
} // namespace lnscope::widgets

namespace lnscope::app {

class ViewPanel;

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
    widgets::SegComparisonView* segView() const { return m_segView; }
    widgets::BevView* bevView() const { return m_bevView; }
    widgets::CentroidView* centroidView() const { return m_centroidView; }
    widgets::MemoryBudgetView* memoryView() const { return m_memoryView; }
    widgets::LayerTableModel* layerModel() const { return m_layerModel; }
    QTableView* layerTable() const { return m_layerTable; }
    QListWidget* frameList() const { return m_frameList; }
    /// Saves the session (models, dataset, settings, view state) atomically. Throws core::IoError.
    void saveSession(const QString& path);
    /// Reads and applies a session, then converts. Throws the core errors (the window is unchanged then).
    void openSession(const QString& path);
    /// Maximizes view 0..3, or restores the grid with -1.
    void maximizeView(int index);
    int maximizedView() const { return m_maximized; }

public slots:
    void showAbout();
    void showShortcuts();
    void nextFrame();
    void previousFrame();
    void worstFrame();

protected:
    void closeEvent(QCloseEvent* event) override;

private:
    void createViews();
    void createControlsDock();
    void createLayersDock();
    void createMetricsDock();
    void createFramesDock();
    void createMenus();
    void applySettingsToConfig();
    void showConfig(const core::ConversionConfig& config, int calibrationFrames);
    void startConversion();
    void refreshSlot(int slot);
    void refreshMetrics();
    void refreshFrames();
    void selectLayer(const QString& node);
    int activeSlot() const;
    void openModelDialog(Workbench::Slot slot);
    void openDatasetDialog();
    void addRecent(const QString& path);
    void restoreSettings();

    Workbench m_workbench;
    widgets::SegComparisonView* m_segView = nullptr;
    widgets::BevView* m_bevView = nullptr;
    widgets::CentroidView* m_centroidView = nullptr;
    widgets::MemoryBudgetView* m_memoryView = nullptr;
    widgets::LayerTableModel* m_layerModel = nullptr;
    widgets::LayerSortProxyModel* m_layerProxy = nullptr;
    QTableView* m_layerTable = nullptr;
    QListWidget* m_frameList = nullptr;
    QLabel* m_metrics = nullptr;
    QLabel* m_modelLabel = nullptr;
    QLabel* m_datasetLabel = nullptr;
    QComboBox* m_format = nullptr;
    QSpinBox* m_clusters = nullptr;
    QComboBox* m_pointwise = nullptr;
    QCheckBox* m_refine = nullptr;
    QSpinBox* m_calibFrames = nullptr;
    QComboBox* m_activeModel = nullptr;
    QPushButton* m_convert = nullptr;
    QPushButton* m_cancel = nullptr;
    QProgressBar* m_progress = nullptr;
    QLabel* m_progressText = nullptr;
    std::vector<ViewPanel*> m_panels;
    int m_maximized = -1;
};

} // namespace lnscope::app
