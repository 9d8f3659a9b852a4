#include "main_window.h"

#include "view_panel.h"

#include "lnscope/core/centroid_plot.h"
#include "lnscope/core/number_format.h"
#include "lnscope/widgets/bev_view.h"
#include "lnscope/widgets/centroid_view.h"
#include "lnscope/widgets/layer_table_model.h"
#include "lnscope/widgets/memory_budget_view.h"
#include "lnscope/widgets/seg_comparison_view.h"

#include <QApplication>
#include <QCheckBox>
#include <QCloseEvent>
#include <QComboBox>
#include <QDockWidget>
#include <QFileDialog>
#include <QFormLayout>
#include <QGridLayout>
#include <QHeaderView>
#include <QLabel>
#include <QListWidget>
#include <QMenuBar>
#include <QMessageBox>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QShortcut>
#include <QSpinBox>
#include <QStatusBar>
#include <QTableView>
#include <QVBoxLayout>

#include <cmath>

namespace lnscope::app {

namespace {

QString pct(double v)
{
    return std::isnan(v) ? QStringLiteral("–") : QString::number(100.0 * v, 'f', 2);
}

/// A coloured badge: ✔ within tolerance, ✖ outside, – unknown.
QString badge(bool known, bool ok)
{
    if (!known)
        return QStringLiteral("<span style='color:#888'>–</span>");
    return ok ? QStringLiteral("<span style='color:#1a7f37'>&#10004;</span>")
              : QStringLiteral("<span style='color:#cf222e'>&#10006;</span>");
}

} // namespace

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent)
{
    setWindowTitle(QStringLiteral("LNScope"));
    setObjectName(QStringLiteral("MainWindow"));
    setCorner(Qt::BottomLeftCorner, Qt::LeftDockWidgetArea);
    setCorner(Qt::BottomRightCorner, Qt::RightDockWidgetArea);
    createViews();
    createControlsDock();
    createLayersDock();
    createMetricsDock();
    createFramesDock();
    createMenus();

    connect(&m_workbench, &Workbench::slotChanged, this, &MainWindow::refreshSlot);
    connect(&m_workbench, &Workbench::datasetChanged, this, &MainWindow::refreshFrames);
    connect(&m_workbench, &Workbench::message, this, [this](const QString& text) { statusBar()->showMessage(text, 10000); });
    connect(&m_workbench, &Workbench::segFrameReady, this, [this](int, const widgets::SegFrameData& d) { m_segView->setFrame(d); });
    connect(&m_workbench, &Workbench::boxFrameReady, this, [this](int, const widgets::BoxFrameData& d) { m_bevView->setBoxes(d.bev); });
    widgets::JobRunner* runner = m_workbench.runner();
    connect(runner, &widgets::JobRunner::started, this, [this](int, const QString& label) {
        m_cancel->setEnabled(true);
        m_progressText->setText(label);
    });
    connect(runner, &widgets::JobRunner::progress, this, [this](double f, const QString& stage, double remaining) {
        m_progress->setValue(int(std::lround(1000 * f)));
        QString text = m_workbench.runner()->label();
        if (!stage.isEmpty())
            text += QStringLiteral(" — ") + stage;
        if (remaining >= 0)
            text += tr(" (%1 s left)").arg(int(std::ceil(remaining)));
        m_progressText->setText(text);
    });
    connect(&m_workbench, &Workbench::jobsFinished, this, [this] {
        m_cancel->setEnabled(false);
        m_progress->setValue(1000);
        m_progressText->setText(tr("Ready"));
    });
    // Default proportions (a saved layout replaces them): the four views get most of the window.
    resizeDocks({findChild<QDockWidget*>("layersDock")}, {190}, Qt::Vertical);
    resizeDocks({findChild<QDockWidget*>("controlsDock"), findChild<QDockWidget*>("metricsDock")}, {270, 290},
                Qt::Horizontal);
    restoreSettings();
}

MainWindow::~MainWindow() = default;

// ---- construction ---------------------------------------------------------------------------

void MainWindow::createViews()
{
    m_segView = new widgets::SegComparisonView;
    m_bevView = new widgets::BevView;
    m_centroidView = new widgets::CentroidView;
    m_memoryView = new widgets::MemoryBudgetView;
    auto* grid = new QGridLayout;
    grid->setContentsMargins(2, 2, 2, 2);
    grid->setSpacing(3);
    const QString titles[] = {tr("Segmentation: float | converted | ground truth | difference"),
                              tr("Boxes: bird's-eye view"), tr("Cluster centroids"), tr("Memory budget")};
    QWidget* views[] = {m_segView, m_bevView, m_centroidView, m_memoryView};
    for (int i = 0; i < 4; ++i) {
        auto* panel = new ViewPanel(titles[i], views[i]);
        panel->setObjectName(QStringLiteral("view%1").arg(i));
        connect(panel, &ViewPanel::maximizeToggled, this, [this, i] { maximizeView(m_maximized == i ? -1 : i); });
        grid->addWidget(panel, i / 2, i % 2);
        m_panels.push_back(panel);
    }
    grid->setColumnStretch(0, 3);
    grid->setColumnStretch(1, 2);
    auto* central = new QWidget;
    central->setLayout(grid);
    setCentralWidget(central);
    for (int i = 0; i < 4; ++i) {
        auto* sc = new QShortcut(QKeySequence(Qt::CTRL | Qt::Key(Qt::Key_1 + i)), this);
        connect(sc, &QShortcut::activated, this, [this, i] { maximizeView(m_maximized == i ? -1 : i); });
    }
    auto* restore = new QShortcut(QKeySequence(Qt::Key_Escape), this);
    connect(restore, &QShortcut::activated, this, [this] { maximizeView(-1); });
    connect(m_memoryView, &widgets::MemoryBudgetView::layerClicked, this, &MainWindow::selectLayer);
}

void MainWindow::createControlsDock()
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
    connect(openSeg, &QPushButton::clicked, this, [this] { openModelDialog(Workbench::Segmentation); });
    connect(openStereo, &QPushButton::clicked, this, [this] { openModelDialog(Workbench::Stereo); });
    connect(openData, &QPushButton::clicked, this, &MainWindow::openDatasetDialog);
    m_format = new QComboBox;
    for (const std::string& name : core::NumberFormatRegistry::builtin().names())
        m_format->addItem(QString::fromStdString(name));
    m_clusters = new QSpinBox;
    m_clusters->setRange(1, 65536);
    m_clusters->setValue(64);
    m_pointwise = new QComboBox;
    m_pointwise->addItems({QStringLiteral("keep"), QStringLiteral("scalar"), QStringLiteral("subvector")});
    m_refine = new QCheckBox(tr("least-squares centroid refinement"));
    m_refine->setChecked(true);
    m_calibFrames = new QSpinBox;
    m_calibFrames->setRange(1, 1000);
    m_calibFrames->setValue(4);
    m_activeModel = new QComboBox;
    m_activeModel->addItems({tr("segmentation"), tr("stereo 3-D")});
    connect(m_activeModel, &QComboBox::currentIndexChanged, this, [this](int) { refreshSlot(activeSlot()); });
    m_convert = new QPushButton(tr("&Convert"));
    m_convert->setDefault(true);
    connect(m_convert, &QPushButton::clicked, this, &MainWindow::startConversion);
    m_cancel = new QPushButton(tr("Cancel"));
    m_cancel->setEnabled(false);
    connect(m_cancel, &QPushButton::clicked, &m_workbench, &Workbench::cancel);
    m_progress = new QProgressBar;
    m_progress->setRange(0, 1000);
    m_progress->setTextVisible(false);
    m_progressText = new QLabel(tr("Ready"));
    m_progressText->setWordWrap(true);

    form->addRow(tr("Models"), m_modelLabel);
    form->addRow(openSeg);
    form->addRow(openStereo);
    form->addRow(tr("Dataset"), m_datasetLabel);
    form->addRow(openData);
    form->addRow(tr("Weight format"), m_format);
    form->addRow(tr("Centroids K"), m_clusters);
    form->addRow(tr("1×1 convs"), m_pointwise);
    form->addRow(m_refine);
    form->addRow(tr("Calibration frames"), m_calibFrames);
    form->addRow(tr("Layers of"), m_activeModel);
    auto* buttons = new QHBoxLayout;
    buttons->addWidget(m_convert);
    buttons->addWidget(m_cancel);
    form->addRow(buttons);
    form->addRow(m_progress);
    form->addRow(m_progressText);
    auto* dock = new QDockWidget(tr("Controls"), this);
    dock->setObjectName(QStringLiteral("controlsDock"));
    dock->setWidget(box);
    addDockWidget(Qt::LeftDockWidgetArea, dock);
}

void MainWindow::createLayersDock()
{
    m_layerModel = new widgets::LayerTableModel(this);
    m_layerProxy = new widgets::LayerSortProxyModel(this);
    m_layerProxy->setSourceModel(m_layerModel);
    m_layerTable = new QTableView;
    m_layerTable->setModel(m_layerProxy);
    m_layerTable->setSortingEnabled(true);
    m_layerTable->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_layerTable->setSelectionMode(QAbstractItemView::SingleSelection);
    m_layerTable->verticalHeader()->hide();
    m_layerTable->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    connect(m_layerTable->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex& current) {
                if (current.isValid())
                    selectLayer(m_layerModel->nodeAt(m_layerProxy->mapToSource(current).row()));
            });
    auto* dock = new QDockWidget(tr("Layers"), this);
    dock->setObjectName(QStringLiteral("layersDock"));
    dock->setWidget(m_layerTable);
    addDockWidget(Qt::BottomDockWidgetArea, dock);
}

void MainWindow::createMetricsDock()
{
    m_metrics = new QLabel(tr("No results yet."));
    m_metrics->setTextFormat(Qt::RichText);
    m_metrics->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    m_metrics->setWordWrap(true);
    m_metrics->setMargin(6);
    auto* dock = new QDockWidget(tr("Metrics"), this);
    dock->setObjectName(QStringLiteral("metricsDock"));
    dock->setWidget(m_metrics);
    addDockWidget(Qt::RightDockWidgetArea, dock);
}

void MainWindow::createFramesDock()
{
    m_frameList = new QListWidget;
    connect(m_frameList, &QListWidget::currentRowChanged, this, [this](int row) {
        if (row >= 0 && row != m_workbench.currentFrame())
            m_workbench.showFrame(row);
    });
    auto* dock = new QDockWidget(tr("Frames"), this);
    dock->setObjectName(QStringLiteral("framesDock"));
    dock->setWidget(m_frameList);
    addDockWidget(Qt::RightDockWidgetArea, dock);
}

void MainWindow::createMenus()
{
    QMenu* file = menuBar()->addMenu(tr("&File"));
    file->addAction(tr("Open &segmentation model…"), this, [this] { openModelDialog(Workbench::Segmentation); });
    file->addAction(tr("Open s&tereo 3-D model…"), this, [this] { openModelDialog(Workbench::Stereo); });
    file->addAction(tr("Open &dataset…"), this, &MainWindow::openDatasetDialog);
    file->addAction(tr("Open the bundled &demo"), this, &MainWindow::openDemo);
    file->addSeparator();
    file->addAction(tr("&Open session…"), QKeySequence::Open, this, [this] {
        const QString path = QFileDialog::getOpenFileName(this, tr("Open session"), QString(), tr("LNScope sessions (*.lnscope)"));
        if (path.isEmpty())
            return;
        try {
            openSession(path);
        } catch (const std::exception& e) {
            QMessageBox::warning(this, tr("Open session"), QString::fromUtf8(e.what()));
        }
    });
    file->addAction(tr("&Save session…"), QKeySequence::Save, this, [this] {
        QString path = QFileDialog::getSaveFileName(this, tr("Save session"), QString(), tr("LNScope sessions (*.lnscope)"));
        if (path.isEmpty())
            return;
        if (!path.endsWith(QStringLiteral(".lnscope")))
            path += QStringLiteral(".lnscope");
        try {
            saveSession(path);
            statusBar()->showMessage(tr("Saved %1").arg(path), 5000);
        } catch (const std::exception& e) {
            QMessageBox::warning(this, tr("Save session"), QString::fromUtf8(e.what()));
        }
    });
    file->addSeparator();
    QAction* quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);

    QMenu* nav = menuBar()->addMenu(tr("&Navigate"));
    nav->addAction(tr("&Next frame"), QKeySequence(Qt::Key_PageDown), this, &MainWindow::nextFrame);
    nav->addAction(tr("&Previous frame"), QKeySequence(Qt::Key_PageUp), this, &MainWindow::previousFrame);
    nav->addAction(tr("&Worst frame (most disagreement)"), QKeySequence(Qt::Key_W), this, &MainWindow::worstFrame);
    nav->addSeparator();
    nav->addAction(tr("&Convert"), QKeySequence(Qt::CTRL | Qt::Key_R), this, &MainWindow::startConversion);
    nav->addAction(tr("C&ancel"), QKeySequence(Qt::CTRL | Qt::Key_Period), &m_workbench, &Workbench::cancel);

    QMenu* view = menuBar()->addMenu(tr("&View"));
    for (QDockWidget* dock : findChildren<QDockWidget*>())
        view->addAction(dock->toggleViewAction());

    QMenu* help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&Keyboard shortcuts"), QKeySequence::HelpContents, this, &MainWindow::showShortcuts);
    help->addAction(tr("&About LNScope"), this, &MainWindow::showAbout);
    help->addAction(tr("About &Qt"), qApp, &QApplication::aboutQt);
}

// ---- actions --------------------------------------------------------------------------------

void MainWindow::openDemo()
{
    const char* env = std::getenv("LNSCOPE_DATASETS_DIR");
    std::filesystem::path datasets = env && *env ? std::filesystem::path(env)
                                                 : std::filesystem::path(QApplication::applicationDirPath().toStdString()) / "datasets";
    if (!std::filesystem::exists(datasets))
        datasets = std::filesystem::path(LNSCOPE_DEFAULT_DATASETS_DIR);
    try {
        statusBar()->showMessage(m_workbench.openDemo(datasets));
    } catch (const std::exception& e) {
        QMessageBox::warning(this, tr("Open demo"), QString::fromUtf8(e.what()));
        return;
    }
    startConversion();
}

void MainWindow::saveSession(const QString& path)
{
    applySettingsToConfig();
    core::Session s = m_workbench.session();
    s.activeModel = activeSlot();
    s.maximizedView = m_maximized;
    const QModelIndex current = m_layerTable->currentIndex();
    if (current.isValid())
        s.layer = m_layerModel->nodeAt(m_layerProxy->mapToSource(current).row()).toStdString();
    s.windowState = saveState().toBase64().toStdString();
    core::writeSession(s, path.toStdString());
    addRecent(path);
}

void MainWindow::openSession(const QString& path)
{
    const core::Session s = core::readSession(path.toStdString()); // throws before anything changes
    m_workbench.applySession(s);                                  // all or nothing
    showConfig(s.conversion, s.calibrationFrames);
    m_activeModel->setCurrentIndex(s.activeModel);
    restoreState(QByteArray::fromBase64(QByteArray::fromStdString(s.windowState)));
    maximizeView(s.maximizedView);
    addRecent(path);
    startConversion();
    if (!s.layer.empty())
        connect(&m_workbench, &Workbench::jobsFinished, this,
                [this, layer = QString::fromStdString(s.layer)] { selectLayer(layer); }, Qt::SingleShotConnection);
}

void MainWindow::showConfig(const core::ConversionConfig& c, int calibrationFrames)
{
    m_format->setCurrentText(QString::fromStdString(c.weightFormat));
    m_clusters->setValue(c.clusters);
    m_pointwise->setCurrentIndex(c.pointwise == core::PointwisePolicy::Keep ? 0 : c.pointwise == core::PointwisePolicy::ScalarSharing ? 1 : 2);
    m_refine->setChecked(c.refine);
    m_calibFrames->setValue(calibrationFrames);
}

void MainWindow::applySettingsToConfig()
{
    core::ConversionConfig& c = m_workbench.config();
    c.weightFormat = m_format->currentText().toStdString();
    c.clusters = m_clusters->value();
    c.pointwise = m_pointwise->currentIndex() == 0   ? core::PointwisePolicy::Keep
                  : m_pointwise->currentIndex() == 1 ? core::PointwisePolicy::ScalarSharing
                                                     : core::PointwisePolicy::SubVector;
    c.refine = m_refine->isChecked();
    m_workbench.setCalibrationFrames(m_calibFrames->value());
}

void MainWindow::startConversion()
{
    applySettingsToConfig();
    m_workbench.convertAll();
}

int MainWindow::activeSlot() const
{
    return m_activeModel->currentIndex();
}

void MainWindow::refreshSlot(int slot)
{
    QStringList models;
    for (int s : {0, 1}) {
        const ModelSlot& m = m_workbench.slot(Workbench::Slot(s));
        if (m.isOpen())
            models << QStringLiteral("%1: %2 (%3)")
                          .arg(m.name, QString::fromStdString(m.modelPath.filename().string()),
                               QString::fromStdString(m.adapter.task));
    }
    m_modelLabel->setText(models.isEmpty() ? tr("no model") : models.join('\n'));
    if (slot == activeSlot()) {
        const ModelSlot& m = m_workbench.slot(Workbench::Slot(slot));
        if (m.report) {
            m_layerModel->setReport(*m.report);
            m_memoryView->setReport(*m.report);
            const int row = m_layerModel->divergingRow() >= 0 ? m_layerModel->divergingRow() : 0;
            selectLayer(m_layerModel->nodeAt(row));
        } else {
            m_memoryView->clear();
            m_centroidView->clear();
        }
    }
    refreshMetrics();
    refreshFrames();
}

void MainWindow::selectLayer(const QString& node)
{
    if (node.isEmpty())
        return;
    const ModelSlot& m = m_workbench.slot(Workbench::Slot(activeSlot()));
    m_memoryView->setSelectedLayer(node);
    const int row = m_layerModel->rowOf(node);
    if (row >= 0) {
        const QModelIndex index = m_layerProxy->mapFromSource(m_layerModel->index(row, 0));
        if (m_layerTable->currentIndex().row() != index.row())
            m_layerTable->setCurrentIndex(index);
    }
    const core::ConvertedLayer* layer = m.converted ? m.converted->layer(node.toStdString()) : nullptr;
    if (layer && layer->clustered && layer->kernels.unit == core::ClusterUnit::Kernel)
        m_centroidView->setPlot(core::centroidPlot(*layer, *m.converted->folded.initializer(layer->weightName)));
    else
        m_centroidView->clear();
    m_panels[2]->setHint(node);
}

void MainWindow::refreshMetrics()
{
    QString html = QStringLiteral("<table cellspacing='4'>");
    auto row = [&](const QString& name, const QString& f, const QString& c, const QString& b) {
        html += QStringLiteral("<tr><td>%1</td><td align='right'>%2</td><td align='right'>%3</td><td>%4</td></tr>")
                    .arg(name, f, c, b);
    };
    row(QStringLiteral("<b>%1</b>").arg(tr("metric")), QStringLiteral("<b>float</b>"), QStringLiteral("<b>converted</b>"), QString());
    for (int s : {0, 1}) {
        const ModelSlot& m = m_workbench.slot(Workbench::Slot(s));
        if (m.report) {
            const core::BudgetReport& b = m.report->budgets.back();
            row(tr("%1: compression").arg(m.name), QStringLiteral("1×"), QString::number(b.ratio, 'f', 1) + QStringLiteral("×"),
                badge(true, b.ratio >= 20.0));
        }
        if (!m.evaluation)
            continue;
        const core::EvaluationMetrics e = core::summarize(*m.evaluation, m.adapter.segmentation.classes);
        if (m.evaluation->segFloat) {
            const bool known = !std::isnan(e.floatMiou) && !std::isnan(e.convertedMiou);
            row(tr("mIoU %"), pct(e.floatMiou), pct(e.convertedMiou), badge(known, known && 100 * (e.floatMiou - e.convertedMiou) <= 1.0));
            for (size_t k = 0; k < e.classNames.size() && k < e.convertedClassIou.size(); ++k)
                row(QStringLiteral("&nbsp;&nbsp;") + QString::fromStdString(e.classNames[k]), pct(e.floatClassIou[k]),
                    pct(e.convertedClassIou[k]), QString());
        }
        if (m.evaluation->segAgreement)
            row(tr("pixel agreement %"), QString(), pct(e.pixelAgreement), QString());
        if (m.evaluation->detFloat) {
            const bool known = !std::isnan(e.floatCarBevAp50) && !std::isnan(e.convertedCarBevAp50);
            row(tr("Car BEV AP|R40 @0.5 %"), pct(e.floatCarBevAp50), pct(e.convertedCarBevAp50),
                badge(known, known && 100 * (e.floatCarBevAp50 - e.convertedCarBevAp50) <= 2.0));
            row(tr("Car BEV AP|R40 @0.7 %"), pct(e.floatCarBevAp70), pct(e.convertedCarBevAp70), QString());
        }
        if (m.evaluation->hasConverted)
            row(tr("%1: output SQNR dB").arg(m.name), QString(), QString::number(e.outputSqnrDb, 'f', 1), QString());
    }
    html += QStringLiteral("</table>");
    m_metrics->setText(html);
}

void MainWindow::refreshFrames()
{
    const auto& dataset = m_workbench.dataset();
    m_datasetLabel->setText(dataset ? QStringLiteral("%1 (%2 frames)")
                                          .arg(QString::fromStdString(dataset->root.string()))
                                          .arg(dataset->frames.size())
                                    : tr("no dataset"));
    const QSignalBlocker block(m_frameList);
    m_frameList->clear();
    if (!dataset)
        return;
    const core::EvaluationCounts* eval = nullptr;
    for (int s : {0, 1})
        if (m_workbench.slot(Workbench::Slot(s)).evaluation && !eval)
            eval = &*m_workbench.slot(Workbench::Slot(s)).evaluation;
    for (const core::Frame& f : dataset->frames) {
        QString text = QString::fromStdString(f.id);
        if (eval)
            for (const core::FrameSummary& fs : eval->frameList)
                if (fs.id == f.id) {
                    if (!std::isnan(fs.pixelAgreement))
                        text += tr("  agree %1 %").arg(pct(fs.pixelAgreement));
                    else if (eval->task == "stereo3d")
                        text += tr("  boxes %1/%2, only one: %3").arg(fs.floatBoxes).arg(fs.convertedBoxes).arg(fs.onlyFloat + fs.onlyConverted);
                    else if (!std::isnan(fs.outputSqnrDb))
                        text += tr("  SQNR %1 dB").arg(fs.outputSqnrDb, 0, 'f', 1);
                }
        m_frameList->addItem(text);
    }
    m_frameList->setCurrentRow(m_workbench.currentFrame());
}

void MainWindow::nextFrame()
{
    m_frameList->setCurrentRow(std::min(m_workbench.currentFrame() + 1, m_workbench.frameCount() - 1));
}

void MainWindow::previousFrame()
{
    m_frameList->setCurrentRow(std::max(m_workbench.currentFrame() - 1, 0));
}

void MainWindow::worstFrame()
{
    const int worst = m_workbench.worstFrame();
    if (worst < 0) {
        statusBar()->showMessage(tr("No evaluation yet: convert first"), 5000);
        return;
    }
    m_frameList->setCurrentRow(worst);
}

void MainWindow::maximizeView(int index)
{
    m_maximized = index;
    for (int i = 0; i < int(m_panels.size()); ++i) {
        m_panels[size_t(i)]->setVisible(index < 0 || index == i);
        m_panels[size_t(i)]->setMaximized(index == i);
    }
}

void MainWindow::openModelDialog(Workbench::Slot slot)
{
    QSettings settings;
    const QString model = QFileDialog::getOpenFileName(this, tr("Open ONNX model"), settings.value("lastDir").toString(),
                                                       tr("ONNX models (*.onnx)"));
    if (model.isEmpty())
        return;
    const QString adapter = QFileDialog::getOpenFileName(this, tr("Open its task adapter (Cancel: dense)"),
                                                         QFileInfo(model).absolutePath(), tr("Adapter files (*.json)"));
    try {
        m_workbench.openModel(slot, model.toStdString(), adapter.toStdString());
        settings.setValue("lastDir", QFileInfo(model).absolutePath());
        addRecent(model);
    } catch (const std::exception& e) {
        QMessageBox::warning(this, tr("Open model"), QString::fromUtf8(e.what()));
    }
}

void MainWindow::openDatasetDialog()
{
    QSettings settings;
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Open dataset folder"), settings.value("lastDir").toString());
    if (dir.isEmpty())
        return;
    try {
        m_workbench.openDataset(dir.toStdString());
        addRecent(dir);
    } catch (const std::exception& e) {
        QMessageBox::warning(this, tr("Open dataset"), QString::fromUtf8(e.what()));
    }
}

void MainWindow::addRecent(const QString& path)
{
    QSettings settings;
    QStringList recent = settings.value("recentFiles").toStringList();
    recent.removeAll(path);
    recent.prepend(path);
    settings.setValue("recentFiles", recent.mid(0, 10));
}

void MainWindow::restoreSettings()
{
    QSettings settings;
    restoreGeometry(settings.value("window/geometry").toByteArray());
    restoreState(settings.value("window/state").toByteArray());
    maximizeView(settings.value("window/maximizedView", -1).toInt());
}

void MainWindow::closeEvent(QCloseEvent* event)
{
    m_workbench.cancel();
    QSettings settings;
    settings.setValue("window/geometry", saveGeometry());
    settings.setValue("window/state", saveState());
    settings.setValue("window/maximizedView", m_maximized);
    QMainWindow::closeEvent(event);
}

void MainWindow::showShortcuts()
{
    QString html = QStringLiteral("<table cellspacing='6'>");
    auto add = [&](const QString& keys, const QString& what) {
        html += QStringLiteral("<tr><td><b>%1</b></td><td>%2</td></tr>").arg(keys.toHtmlEscaped(), what.toHtmlEscaped());
    };
    add(QStringLiteral("Page Down / Page Up"), tr("next / previous frame"));
    add(QStringLiteral("W"), tr("the frame where float and converted disagree most"));
    add(QStringLiteral("Ctrl+1 … Ctrl+4"), tr("maximize a view; again or Esc restores the grid"));
    add(QStringLiteral("Ctrl+R"), tr("convert with the current settings"));
    add(QStringLiteral("Ctrl+."), tr("cancel the running job"));
    for (const auto& [keys, what] : widgets::SegComparisonView::shortcuts())
        add(tr("Segmentation: ") + keys, what);
    for (const auto& [keys, what] : widgets::BevView::shortcuts())
        add(tr("Boxes: ") + keys, what);
    html += QStringLiteral("</table>");
    QMessageBox::information(this, tr("Keyboard shortcuts"), html);
}

void MainWindow::showAbout()
{
    QMessageBox::about(this, tr("About LNScope"),
                       tr("<h3>LNScope %1</h3>"
                          "<p>A workbench for converting float CNNs to a logarithmic-number-system "
                          "accelerator — batch-norm folding, cluster compression, LNS quantization — "
                          "and for seeing what the conversion did.</p>"
                          "<p>Built with Qt %2.</p>")
                           .arg(QApplication::applicationVersion(), QString::fromLatin1(qVersion())));
}

} // namespace lnscope::app
