#pragma once
// The workbench window's Controls dock: the open models and dataset (with buttons that ask the
// window to open others), the conversion settings (weight format, K, per-layer K, 1×1 convs,
// refinement, calibration frames), which model's layers the layer views show ("Layers of"), and
// Convert / Cancel with the job's progress and what is out of date. Every settings change goes to
// the Workbench at once, so that the Convert button can say what it made stale; Convert runs only
// that (or everything again when nothing is stale). Owns no numerics.
//
// Threading: GUI thread.

#include "workbench.h"

#include <QDockWidget>

#include <map>
#include <string>

class QCheckBox;
class QComboBox;
class QLabel;
class QProgressBar;
class QPushButton;
class QSpinBox;

namespace lnscope::app {

class ControlsDock : public QDockWidget
{
    Q_OBJECT
public:
    /// The dock is named "controlsDock" (window state). `workbench` outlives it.
    ControlsDock(Workbench* workbench, QWidget* parent = nullptr);

    /// Shows settings the document has already (no round trip back to it).
    void showConfig(const core::ConversionConfig& config, int calibrationFrames);
    /// The slot chosen under "Layers of" (Workbench::Slot).
    int activeSlot() const;
    void setActiveSlot(int slot);
    /// The per-layer K of the active model's layers, replacing its entries in the settings
    /// (0 = the global K). What the dialog's OK does.
    void setLayerK(const std::map<std::string, int>& overridesOfActiveModel);
    QPushButton* convertButton() const { return m_convert; }
    QLabel* staleLabel() const { return m_staleLabel; }

signals:
    void openModelRequested(lnscope::app::Workbench::Slot slot);
    void openDatasetRequested();
    /// "Layers of" changed: the layer views should show this slot.
    void activeSlotChanged(int slot);

private:
    QWidget* createForm();
    void connectProgress();
    void refreshModels();  ///< on Workbench::slotChanged
    void refreshDataset(); ///< on Workbench::datasetChanged
    void applySettingsToConfig();
    void updateStaleState();
    void updateLayerKLabel();
    void openLayerKDialog();

    Workbench* m_workbench;
    QLabel* m_modelLabel = nullptr;
    QLabel* m_datasetLabel = nullptr;
    QComboBox* m_format = nullptr;
    QSpinBox* m_clusters = nullptr;
    QComboBox* m_pointwise = nullptr;
    QCheckBox* m_refine = nullptr;
    QComboBox* m_scaleFormat = nullptr;    ///< item data: ConversionConfig::scaleFormat ("" = weight format)
    QCheckBox* m_correctUpstream = nullptr;
    QCheckBox* m_roundingFeedback = nullptr;
    QPushButton* m_layerK = nullptr;
    QLabel* m_layerKLabel = nullptr;
    QSpinBox* m_calibFrames = nullptr;
    QComboBox* m_activeModel = nullptr;
    QPushButton* m_convert = nullptr;
    QPushButton* m_cancel = nullptr;
    QProgressBar* m_progress = nullptr;
    QLabel* m_progressText = nullptr;
    QLabel* m_staleLabel = nullptr;
};

} // namespace lnscope::app
