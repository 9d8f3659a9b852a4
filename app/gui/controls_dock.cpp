#include "controls_dock.h"

#include "layer_k_dialog.h"

#include "lnscope/core/error.h"
#include "lnscope/core/number_format.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QMessageBox>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollArea>
#include <QSpinBox>

#include <cmath>

namespace lnscope::app {

ControlsDock::ControlsDock(Workbench* workbench, QWidget* parent)
    : QDockWidget(tr("Controls"), parent), m_workbench(workbench)
{
    setObjectName(QStringLiteral("controlsDock"));
    // Scrolls rather than clips on short screens.
    auto* scroll = new QScrollArea;
    scroll->setWidget(createForm());
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    setWidget(scroll);
    connect(m_workbench, &Workbench::slotChanged, this, &ControlsDock::refreshModels);
    connect(m_workbench, &Workbench::datasetChanged, this, &ControlsDock::refreshDataset);
    connect(m_workbench, &Workbench::staleChanged, this, &ControlsDock::updateStaleState);
    connectProgress();
}

QWidget* ControlsDock::createForm()
{
    auto* box = new QWidget;
    auto* form = new QFormLayout(box);
    m_modelLabel = new QLabel(tr("no model"));
    m_modelLabel->setWordWrap(true);
    m_datasetLabel = new QLabel(tr("no dataset"));
    m_datasetLabel->setWordWrap(true);
    auto* openSeg = new QPushButton(tr("Open segmentation model…"));
    auto* openStereo = new QPushButton(tr("Open stereo 3-D model…"));
    auto* openData = new QPushButton(tr("Open dataset…"));
    connect(openSeg, &QPushButton::clicked, this, [this] { emit openModelRequested(Workbench::Segmentation); });
    connect(openStereo, &QPushButton::clicked, this, [this] { emit openModelRequested(Workbench::Stereo); });
    connect(openData, &QPushButton::clicked, this, &ControlsDock::openDatasetRequested);
    m_format = new QComboBox;
    for (const std::string& name : core::NumberFormatRegistry::builtin().names())
        m_format->addItem(QString::fromStdString(name));
    m_clusters = new QSpinBox;
    m_clusters->setRange(1, 65536);
    m_clusters->setValue(64);
    m_layerK = new QPushButton(tr("Per-layer K…"));
    m_layerK->setToolTip(tr("K for single layers of the model chosen under \"Layers of\""));
    connect(m_layerK, &QPushButton::clicked, this, &ControlsDock::openLayerKDialog);
    m_layerKLabel = new QLabel;
    m_layerKLabel->setWordWrap(true);
    m_pointwise = new QComboBox;
    m_pointwise->addItems({QStringLiteral("keep"), QStringLiteral("scalar"), QStringLiteral("subvector")});
    m_refine = new QCheckBox(tr("least-squares centroid refinement"));
    m_refine->setChecked(true);
    m_scaleFormat = new QComboBox;
    m_scaleFormat->addItem(tr("weight format"), QString());
    m_scaleFormat->addItem(tr("lns6 (6 bits, Q2.3)"), QStringLiteral("lns6"));
    m_scaleFormat->setToolTip(tr("Format of the per-kernel scales. lns6 stores 6 instead of 8 bits per kernel and "
                                 "keeps scale x centroid an add of log codes (LNS weights with F = 3 only)."));
    m_correctUpstream = new QCheckBox(tr("refine towards the float activations"));
    m_correctUpstream->setToolTip(tr("With refinement: each layer aims at the float layer on the float model's input, "
                                     "so it also corrects the error the layers before it pass on."));
    m_roundingFeedback = new QCheckBox(tr("round centroids with error feedback"));
    m_roundingFeedback->setToolTip(tr("With refinement: each centroid entry's rounding error to the weight format is "
                                      "compensated by the entries still to be rounded. Helps layers whose outputs are "
                                      "small differences of large terms (the first layers on RGB)."));
    m_calibFrames = new QSpinBox;
    m_calibFrames->setRange(1, 1000);
    m_calibFrames->setValue(4);
    m_activeModel = new QComboBox;
    m_activeModel->addItems({tr("segmentation"), tr("stereo 3-D")});
    connect(m_activeModel, &QComboBox::currentIndexChanged, this, [this](int slot) {
        updateLayerKLabel();
        emit activeSlotChanged(slot);
    });
    m_convert = new QPushButton(tr("&Convert"));
    m_convert->setDefault(true);
    connect(m_convert, &QPushButton::clicked, this, [this] {
        if (m_workbench->anyStale())
            m_workbench->convertAll();
        else
            m_workbench->convertAgain();
    });
    m_cancel = new QPushButton(tr("Cancel"));
    m_cancel->setEnabled(false);
    connect(m_cancel, &QPushButton::clicked, m_workbench, &Workbench::cancel);
    m_progress = new QProgressBar;
    m_progress->setRange(0, 1000);
    m_progress->setTextVisible(false);
    m_progressText = new QLabel(tr("Ready"));
    m_progressText->setWordWrap(true);
    m_staleLabel = new QLabel;
    m_staleLabel->setWordWrap(true);
    m_staleLabel->setStyleSheet(QStringLiteral("color: #9a6700;"));
    // Every change goes to the document at once, so the window can say what it made stale.
    connect(m_format, &QComboBox::currentIndexChanged, this, &ControlsDock::applySettingsToConfig);
    connect(m_clusters, &QSpinBox::valueChanged, this, &ControlsDock::applySettingsToConfig);
    connect(m_pointwise, &QComboBox::currentIndexChanged, this, &ControlsDock::applySettingsToConfig);
    connect(m_refine, &QCheckBox::toggled, this, &ControlsDock::applySettingsToConfig);
    connect(m_scaleFormat, &QComboBox::currentIndexChanged, this, &ControlsDock::applySettingsToConfig);
    connect(m_correctUpstream, &QCheckBox::toggled, this, &ControlsDock::applySettingsToConfig);
    connect(m_roundingFeedback, &QCheckBox::toggled, this, &ControlsDock::applySettingsToConfig);
    connect(m_calibFrames, &QSpinBox::valueChanged, this, &ControlsDock::applySettingsToConfig);

    form->addRow(tr("Models"), m_modelLabel);
    form->addRow(openSeg);
    form->addRow(openStereo);
    form->addRow(tr("Dataset"), m_datasetLabel);
    form->addRow(openData);
    form->addRow(tr("Weight format"), m_format);
    form->addRow(tr("Centroids K"), m_clusters);
    auto* kRow = new QHBoxLayout;
    kRow->addWidget(m_layerK);
    kRow->addWidget(m_layerKLabel, 1);
    form->addRow(kRow);
    form->addRow(tr("1×1 convs"), m_pointwise);
    form->addRow(tr("Scales"), m_scaleFormat);
    form->addRow(m_refine);
    form->addRow(m_correctUpstream);
    form->addRow(m_roundingFeedback);
    form->addRow(tr("Calibration frames"), m_calibFrames);
    form->addRow(tr("Layers of"), m_activeModel);
    auto* buttons = new QHBoxLayout;
    buttons->addWidget(m_convert);
    buttons->addWidget(m_cancel);
    form->addRow(buttons);
    form->addRow(m_staleLabel);
    form->addRow(m_progress);
    form->addRow(m_progressText);
    return box;
}

void ControlsDock::connectProgress()
{
    widgets::JobRunner* runner = m_workbench->runner();
    connect(runner, &widgets::JobRunner::started, this, [this](int, const QString& label) {
        m_cancel->setEnabled(true);
        m_progressText->setText(label);
    });
    connect(runner, &widgets::JobRunner::progress, this, [this](double f, const QString& stage, double remaining) {
        m_progress->setValue(int(std::lround(1000 * f)));
        QString text = m_workbench->runner()->label();
        if (!stage.isEmpty())
            text += QStringLiteral(" — ") + stage;
        if (remaining >= 0)
            text += tr(" (%1 s left)").arg(int(std::ceil(remaining)));
        m_progressText->setText(text);
    });
    connect(m_workbench, &Workbench::jobsFinished, this, [this] {
        m_cancel->setEnabled(false);
        m_progress->setValue(1000);
        m_progressText->setText(tr("Ready"));
    });
}

int ControlsDock::activeSlot() const
{
    return m_activeModel->currentIndex();
}

void ControlsDock::setActiveSlot(int slot)
{
    m_activeModel->setCurrentIndex(slot);
}

void ControlsDock::refreshModels()
{
    QStringList models;
    for (int s : {0, 1}) {
        const ModelSlot& m = m_workbench->slot(Workbench::Slot(s));
        if (m.isOpen())
            models << QStringLiteral("%1: %2 (%3)")
                          .arg(m.name, QString::fromStdString(m.modelPath.filename().string()),
                               QString::fromStdString(m.adapter.task));
    }
    m_modelLabel->setText(models.isEmpty() ? tr("no model") : models.join('\n'));
    updateLayerKLabel();
}

void ControlsDock::refreshDataset()
{
    const auto& dataset = m_workbench->dataset();
    // The last two folders (a full path has no place to wrap); the whole path as the tooltip.
    const QString root = dataset ? QString::fromStdString(dataset->root.string()) : QString();
    const QStringList parts = root.split(QLatin1Char('/'), Qt::SkipEmptyParts);
    m_datasetLabel->setText(dataset ? tr("%1 (%2 frames)")
                                          .arg(parts.mid(std::max<qsizetype>(0, parts.size() - 2)).join('/'))
                                          .arg(dataset->frames.size())
                                    : tr("no dataset"));
    m_datasetLabel->setToolTip(root);
}

void ControlsDock::showConfig(const core::ConversionConfig& c, int calibrationFrames)
{
    // The document has these settings already: no round trip through applySettingsToConfig().
    const QSignalBlocker b1(m_format), b2(m_clusters), b3(m_pointwise), b4(m_refine), b5(m_calibFrames),
        b6(m_scaleFormat), b7(m_correctUpstream), b8(m_roundingFeedback);
    m_format->setCurrentText(QString::fromStdString(c.weightFormat));
    m_clusters->setValue(c.clusters);
    m_pointwise->setCurrentIndex(c.pointwise == core::PointwisePolicy::Keep            ? 0
                                 : c.pointwise == core::PointwisePolicy::ScalarSharing ? 1
                                                                                       : 2);
    m_refine->setChecked(c.refine);
    m_scaleFormat->setCurrentIndex(std::max(0, m_scaleFormat->findData(QString::fromStdString(c.scaleFormat))));
    m_correctUpstream->setChecked(c.correctUpstream);
    m_correctUpstream->setEnabled(c.refine);
    m_roundingFeedback->setChecked(c.roundingFeedback);
    m_roundingFeedback->setEnabled(c.refine);
    m_calibFrames->setValue(calibrationFrames);
    updateLayerKLabel();
}

void ControlsDock::applySettingsToConfig()
{
    core::ConversionConfig c = m_workbench->config();
    c.weightFormat = m_format->currentText().toStdString();
    c.clusters = m_clusters->value();
    c.pointwise = m_pointwise->currentIndex() == 0   ? core::PointwisePolicy::Keep
                  : m_pointwise->currentIndex() == 1 ? core::PointwisePolicy::ScalarSharing
                                                     : core::PointwisePolicy::SubVector;
    c.refine = m_refine->isChecked();
    c.scaleFormat = m_scaleFormat->currentData().toString().toStdString();
    try { // scales that cannot add to these weights' log codes fall back to the weight format
        const auto& registry = core::NumberFormatRegistry::builtin();
        core::checkScaleFormat(registry.get(c.weightFormat), registry.get(c.scaleFormatName()));
    } catch (const core::Error&) {
        c.scaleFormat.clear();
        const QSignalBlocker block(m_scaleFormat);
        m_scaleFormat->setCurrentIndex(0);
    }
    c.correctUpstream = m_correctUpstream->isChecked();
    m_correctUpstream->setEnabled(c.refine);
    c.roundingFeedback = m_roundingFeedback->isChecked();
    m_roundingFeedback->setEnabled(c.refine);
    m_workbench->setConfig(c);
    m_workbench->setCalibrationFrames(m_calibFrames->value());
    updateLayerKLabel();
}

void ControlsDock::updateStaleState()
{
    const QString reason = m_workbench->staleReason();
    m_convert->setText(reason.isEmpty() ? tr("&Convert again") : tr("&Convert (%1)").arg(reason));
    m_convert->setToolTip(reason.isEmpty() ? tr("Everything is up to date: convert and evaluate again from scratch")
                                           : tr("Runs only what the changes made out of date"));
    QStringList stale;
    for (Workbench::Slot s : {Workbench::Segmentation, Workbench::Stereo})
        if (m_workbench->conversionStale(s))
            stale << tr("%1 conversion").arg(m_workbench->slot(s).name);
    for (Workbench::Slot s : {Workbench::Segmentation, Workbench::Stereo})
        if (m_workbench->evaluationStale(s) && !m_workbench->conversionStale(s))
            stale << tr("%1 evaluation").arg(m_workbench->slot(s).name);
    m_staleLabel->setText(stale.isEmpty() ? QString() : tr("Out of date: %1").arg(stale.join(QStringLiteral(", "))));
    m_staleLabel->setVisible(!stale.isEmpty());
}

void ControlsDock::updateLayerKLabel()
{
    const ModelSlot& m = m_workbench->slot(Workbench::Slot(activeSlot()));
    m_layerK->setEnabled(m.isOpen());
    const auto overrides = m_workbench->effectiveConfig(Workbench::Slot(activeSlot())).clustersPerLayer;
    m_layerKLabel->setText(overrides.empty()        ? tr("same K for every layer")
                           : overrides.size() == 1 ? tr("1 layer with its own K")
                                                   : tr("%1 layers with their own K").arg(overrides.size()));
}

void ControlsDock::openLayerKDialog()
{
    const ModelSlot& m = m_workbench->slot(Workbench::Slot(activeSlot()));
    if (!m.isOpen())
        return;
    const core::ConversionConfig& c = m_workbench->config();
    if (c.sharedBook) {
        QMessageBox::information(this, tr("Per-layer K"), tr("The conversion uses shared books: one K for all layers."));
        return;
    }
    LayerKDialog dialog(m.name, compressibleLayers(*m.graph, c.pointwise), c.clusters, c.clustersPerLayer, this);
    if (dialog.exec() == QDialog::Accepted)
        setLayerK(dialog.overrides());
}

void ControlsDock::setLayerK(const std::map<std::string, int>& overrides)
{
    const ModelSlot& m = m_workbench->slot(Workbench::Slot(activeSlot()));
    if (!m.isOpen())
        return;
    core::ConversionConfig c = m_workbench->config();
    c.clustersPerLayer = LayerKDialog::merge(c.clustersPerLayer, compressibleLayers(*m.graph, c.pointwise), overrides);
    m_workbench->setConfig(c);
    updateLayerKLabel();
}

} // namespace lnscope::app
