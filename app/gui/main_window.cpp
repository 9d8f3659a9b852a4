#include "main_window.h"

#include "controls_dock.h"
#include "export_actions.h"
#include "metrics_panel.h"
#include "presentation.h"
#include "view_export.h"
#include "view_grid.h"
#include "view_panel.h"

#include "lnscope/core/centroid_plot.h"
#include "lnscope/widgets/bev_view.h"
#include "lnscope/widgets/box_view_3d.h"
#include "lnscope/widgets/camera_box_view.h"
#include "lnscope/widgets/centroid_view.h"
#include "lnscope/widgets/layer_table_model.h"
#include "lnscope/widgets/memory_budget_view.h"
#include "lnscope/widgets/seg_comparison_view.h"
#include "lnscope/widgets/sqnr_chart_view.h"

#include <QApplication>
#include <QCloseEvent>
#include <QDir>
#include <QDockWidget>
#include <QFileDialog>
#include <QHeaderView>
#include <QListWidget>
#include <QMenuBar>
#include <QMessageBox>
#include <QSettings>
#include <QShortcut>
#include <QStatusBar>
#include <QTableView>

#include <cmath>

namespace lnscope::app {

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent)
{
    setWindowTitle(QStringLiteral("LNScope"));
    setObjectName(QStringLiteral("MainWindow"));
    setCorner(Qt::BottomLeftCorner, Qt::LeftDockWidgetArea);
    setCorner(Qt::BottomRightCorner, Qt::RightDockWidgetArea);
    createViews();
    m_controls = new ControlsDock(&m_workbench, this);
    addDockWidget(Qt::LeftDockWidgetArea, m_controls);
    connect(m_controls, &ControlsDock::openModelRequested, this, &MainWindow::openModelDialog);
    connect(m_controls, &ControlsDock::openDatasetRequested, this, &MainWindow::openDatasetDialog);
    connect(m_controls, &ControlsDock::activeSlotChanged, this, &MainWindow::refreshSlot);
    createLayersDock();
    m_metrics = new MetricsPanel;
    auto* metricsDock = new QDockWidget(tr("Metrics"), this);
    metricsDock->setObjectName(QStringLiteral("metricsDock"));
    metricsDock->setWidget(m_metrics);
    addDockWidget(Qt::RightDockWidgetArea, metricsDock);
    createFramesDock();
    statusBar(); // created now, so that it is part of the window state saved and restored
    m_presentation = new Presentation(this);
    m_exports = new ExportActions(&m_workbench, this);
    connect(m_exports, &ExportActions::message, this, [this](const QString& text) { statusBar()->showMessage(text, 10000); });
    connect(m_exports, &ExportActions::exportFailed, this,
            [this](const QString& title, const QString& why) { QMessageBox::warning(this, title, why); });
    createMenus();
    m_controls->showConfig(m_workbench.config(), m_workbench.calibrationFrames());

    connect(&m_workbench, &Workbench::slotChanged, this, &MainWindow::refreshSlot);
    connect(&m_workbench, &Workbench::datasetChanged, this, &MainWindow::refreshFrames);
    connect(&m_workbench, &Workbench::message, this, [this](const QString& text) { statusBar()->showMessage(text, 10000); });
    connect(&m_workbench, &Workbench::segFrameReady, this,
            [this](int, const widgets::SegFrameData& d) { m_grid->segView()->setFrame(d); });
    connect(&m_workbench, &Workbench::boxFrameReady, this, [this](int, const widgets::BoxFrameData& d) {
        m_grid->bevView()->setBoxes(d.bev);
        m_grid->boxView3d()->setFrame(d);
        m_grid->cameraBoxView()->setFrame(d);
    });
    restoreSettings();
}

void MainWindow::showEvent(QShowEvent* event)
{
    QMainWindow::showEvent(event);
    if (!m_layoutDone && !m_layoutRestored)
        applyDefaultLayout();
    m_layoutDone = true;
}

void MainWindow::applyDefaultLayout()
{
    // Proportions for the window's first size (a saved layout replaces them): the views get most
    // of the window; on a small screen (1280×800) the docks and the layer table give up some room.
    // On a narrow window (1280 wide) the metrics share the left column with the controls (tabs)
    // and the frames go below them, so that the views keep a width where their controls fit.
    auto* controls = findChild<QDockWidget*>("controlsDock");
    auto* metrics = findChild<QDockWidget*>("metricsDock");
    auto* frames = findChild<QDockWidget*>("framesDock");
    auto* layers = findChild<QDockWidget*>("layersDock");
    const bool narrow = width() < 1500;
    if (narrow) {
        addDockWidget(Qt::LeftDockWidgetArea, frames);
        splitDockWidget(controls, frames, Qt::Vertical);
        tabifyDockWidget(controls, metrics);
        controls->raise();
        resizeDocks({controls}, {270}, Qt::Horizontal);
        resizeDocks({controls, frames}, {520, 200}, Qt::Vertical);
    } else {
        resizeDocks({controls, metrics}, {270, 290}, Qt::Horizontal);
    }
    resizeDocks({layers}, {height() < 950 ? 140 : 190}, Qt::Vertical);
    m_grid->applyDefaultSizes();
}

MainWindow::~MainWindow() = default;

// ---- construction ---------------------------------------------------------------------------

void MainWindow::createViews()
{
    m_grid = new ViewGrid;
    setCentralWidget(m_grid);
    connect(m_grid, &ViewGrid::maximizeToggled, this, [this](int i) { maximizeView(maximizedView() == i ? -1 : i); });
    connect(m_grid, &ViewGrid::exportRequested, this, &MainWindow::exportViewDialog);
    for (int i = 0; i < ViewGrid::PanelCount; ++i) {
        auto* sc = new QShortcut(QKeySequence(Qt::CTRL | Qt::Key(Qt::Key_1 + i)), this);
        connect(sc, &QShortcut::activated, this, [this, i] { maximizeView(maximizedView() == i ? -1 : i); });
    }
    auto* restore = new QShortcut(QKeySequence(Qt::Key_Escape), this);
    connect(restore, &QShortcut::activated, this, [this] { maximizeView(-1); });
    connect(m_grid->memoryView(), &widgets::MemoryBudgetView::layerClicked, this, &MainWindow::selectLayer);
    connect(m_grid->sqnrView(), &widgets::SqnrChartView::layerClicked, this, &MainWindow::selectLayer);
}

widgets::SegComparisonView* MainWindow::segView() const
{
    return m_grid->segView();
}

widgets::BevView* MainWindow::bevView() const
{
    return m_grid->bevView();
}

widgets::CentroidView* MainWindow::centroidView() const
{
    return m_grid->centroidView();
}

widgets::MemoryBudgetView* MainWindow::memoryView() const
{
    return m_grid->memoryView();
}

widgets::BoxView3D* MainWindow::boxView3d() const
{
    return m_grid->boxView3d();
}

widgets::CameraBoxView* MainWindow::cameraBoxView() const
{
    return m_grid->cameraBoxView();
}

widgets::SqnrChartView* MainWindow::sqnrView() const
{
    return m_grid->sqnrView();
}

QPushButton* MainWindow::convertButton() const
{
    return m_controls->convertButton();
}

QLabel* MainWindow::staleLabel() const
{
    return m_controls->staleLabel();
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
    m_layerTable->verticalHeader()->setDefaultSectionSize(m_layerTable->fontMetrics().height() + 8);
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
    m_recentMenu = file->addMenu(tr("Open &recent"));
    connect(m_recentMenu, &QMenu::aboutToShow, this, &MainWindow::rebuildRecentMenu);
    rebuildRecentMenu();
    file->addSeparator();
    file->addAction(tr("&Open session…"), QKeySequence::Open, this, &MainWindow::openSessionDialog);
    file->addAction(tr("&Save session…"), QKeySequence::Save, this, &MainWindow::saveSessionDialog);
    file->addSeparator();
    file->addAction(tr("Export &report…"), m_exports, &ExportActions::reportDialog);
    file->addAction(tr("Export vi&deo…"), m_exports, &ExportActions::videoDialog);
    QMenu* exportViewMenu = file->addMenu(tr("Export &view image"));
    for (int i = 0; i < ViewGrid::PanelCount; ++i)
        exportViewMenu->addAction(m_grid->panel(i)->title() + QStringLiteral("…"), this, [this, i] { exportViewDialog(i); });
    file->addSeparator();
    QAction* quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);

    QMenu* nav = menuBar()->addMenu(tr("&Navigate"));
    nav->addAction(tr("&Next frame"), QKeySequence(Qt::Key_PageDown), this, &MainWindow::nextFrame);
    nav->addAction(tr("&Previous frame"), QKeySequence(Qt::Key_PageUp), this, &MainWindow::previousFrame);
    nav->addAction(tr("&Worst frame (most disagreement)"), QKeySequence(Qt::Key_W), this, &MainWindow::worstFrame);
    nav->addSeparator();
    nav->addAction(tr("&Convert what changed"), QKeySequence(Qt::CTRL | Qt::Key_R), this, &MainWindow::startConversion);
    nav->addAction(tr("Convert everything &again"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_R), &m_workbench,
                   &Workbench::convertAgain);
    nav->addAction(tr("C&ancel"), QKeySequence(Qt::CTRL | Qt::Key_Period), &m_workbench, &Workbench::cancel);

    QMenu* view = menuBar()->addMenu(tr("&View"));
    QAction* present = view->addAction(tr("&Presentation"), QKeySequence(Qt::Key_F5), m_presentation, &Presentation::toggle);
    addAction(present); // F5 works while the menu bar is hidden too
    QMenu* exportViewMenu2 = view->addMenu(tr("&Export view image"));
    exportViewMenu2->addActions(exportViewMenu->actions());
    view->addSeparator();
    for (QDockWidget* dock : findChildren<QDockWidget*>())
        view->addAction(dock->toggleViewAction());

    QMenu* help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&Keyboard shortcuts"), QKeySequence::HelpContents, this, &MainWindow::showShortcuts);
    help->addAction(tr("&About LNScope"), this, &MainWindow::showAbout);
    help->addAction(tr("About &Qt"), qApp, &QApplication::aboutQt);
}

void MainWindow::rebuildRecentMenu()
{
    RecentFiles::fillMenu(m_recentMenu, [this](const RecentEntry& e) {
        const QString problem = openRecent(e);
        if (!problem.isEmpty())
            QMessageBox::warning(this, tr("Open recent"), problem);
    });
}

QString MainWindow::openRecent(const RecentEntry& e)
{
    const QString missing = e.missingFile();
    if (!missing.isEmpty()) {
        RecentFiles::remove(e);
        const QString text = tr("%1 no longer exists; it was removed from the recent files.").arg(missing);
        statusBar()->showMessage(text, 10000);
        return text;
    }
    try {
        switch (e.kind) {
        case RecentEntry::Model: m_workbench.openModel(Workbench::Slot(e.slot), e.path.toStdString(), e.adapter.toStdString()); break;
        case RecentEntry::Dataset: m_workbench.openDataset(e.path.toStdString()); break;
        case RecentEntry::Session: openSession(e.path); break;
        }
    } catch (const std::exception& ex) {
        return QString::fromUtf8(ex.what());
    }
    RecentFiles::add(e);
    return {};
}

void MainWindow::openSessionDialog()
{
    const QString path = QFileDialog::getOpenFileName(this, tr("Open session"), QString(), tr("LNScope sessions (*.lnscope)"));
    if (path.isEmpty())
        return;
    try {
        openSession(path);
    } catch (const std::exception& e) {
        QMessageBox::warning(this, tr("Open session"), QString::fromUtf8(e.what()));
    }
}

void MainWindow::saveSessionDialog()
{
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
}

QWidget* MainWindow::viewWidget(int index) const
{
    return m_grid->viewWidget(index);
}

bool MainWindow::viewIsVector(int index) const
{
    return m_grid->viewIsVector(index);
}

void MainWindow::exportView(int index, const QString& path)
{
    QWidget* view = viewWidget(index);
    if (!view)
        throw core::UnsupportedError("no view " + std::to_string(index));
    exportViewImage(view, path, viewIsVector(index), m_grid->panel(index)->title());
}

void MainWindow::exportViewDialog(int index)
{
    QSettings settings;
    const QString filter = viewIsVector(index) ? tr("PNG image (*.png);;SVG drawing (*.svg)") : tr("PNG image (*.png)");
    const QStringList names = {QStringLiteral("segmentation"), QStringLiteral("bev"), QStringLiteral("centroids"), QStringLiteral("memory")};
    const QString suggested = QDir(settings.value("exportDir", QDir::homePath()).toString()).filePath(names.value(index) + QStringLiteral(".png"));
    QString selected;
    QString path = QFileDialog::getSaveFileName(this, tr("Export view image"), suggested, filter, &selected);
    if (path.isEmpty())
        return;
    if (QFileInfo(path).suffix().isEmpty())
        path += selected.contains(QStringLiteral("svg")) ? QStringLiteral(".svg") : QStringLiteral(".png");
    try {
        exportView(index, path);
        settings.setValue("exportDir", QFileInfo(path).absolutePath());
        statusBar()->showMessage(tr("Saved %1").arg(path), 5000);
    } catch (const std::exception& e) {
        QMessageBox::warning(this, tr("Export view image"), QString::fromUtf8(e.what()));
    }
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
    core::Session s = m_workbench.session();
    s.activeModel = activeSlot();
    s.maximizedView = maximizedView();
    const QModelIndex current = m_layerTable->currentIndex();
    if (current.isValid())
        s.layer = m_layerModel->nodeAt(m_layerProxy->mapToSource(current).row()).toStdString();
    s.windowState = saveState().toBase64().toStdString();
    core::writeSession(s, path.toStdString());
    RecentFiles::add({RecentEntry::Session, 0, path, {}});
}

void MainWindow::openSession(const QString& path)
{
    const core::Session s = core::readSession(path.toStdString()); // throws before anything changes
    m_workbench.applySession(s);                                  // all or nothing
    m_controls->showConfig(s.conversion, s.calibrationFrames);
    m_controls->setActiveSlot(s.activeModel);
    restoreState(QByteArray::fromBase64(QByteArray::fromStdString(s.windowState)));
    maximizeView(s.maximizedView);
    RecentFiles::add({RecentEntry::Session, 0, path, {}});
    startConversion();
    if (!s.layer.empty())
        connect(&m_workbench, &Workbench::jobsFinished, this,
                [this, layer = QString::fromStdString(s.layer)] { selectLayer(layer); }, Qt::SingleShotConnection);
}

void MainWindow::startConversion()
{
    m_workbench.convertAll();
}

void MainWindow::setLayerK(const std::map<std::string, int>& overrides)
{
    m_controls->setLayerK(overrides);
}

int MainWindow::activeSlot() const
{
    return m_controls->activeSlot();
}

void MainWindow::refreshSlot(int slot)
{
    if (slot == activeSlot()) {
        const ModelSlot& m = m_workbench.slot(Workbench::Slot(slot));
        if (m.report) {
            m_layerModel->setReport(*m.report);
            memoryView()->setReport(*m.report);
            sqnrView()->setReport(*m.report);
            const int row = m_layerModel->divergingRow() >= 0 ? m_layerModel->divergingRow() : 0;
            selectLayer(m_layerModel->nodeAt(row));
        } else {
            memoryView()->clear();
            sqnrView()->clear();
            centroidView()->clear();
        }
    }
    m_metrics->refresh(m_workbench);
    refreshFrames();
}

void MainWindow::selectLayer(const QString& node)
{
    if (node.isEmpty())
        return;
    const ModelSlot& m = m_workbench.slot(Workbench::Slot(activeSlot()));
    memoryView()->setSelectedLayer(node);
    sqnrView()->setSelectedLayer(node);
    const int row = m_layerModel->rowOf(node);
    if (row >= 0) {
        const QModelIndex index = m_layerProxy->mapFromSource(m_layerModel->index(row, 0));
        if (m_layerTable->currentIndex().row() != index.row())
            m_layerTable->setCurrentIndex(index);
    }
    const core::ConvertedLayer* layer = m.converted ? m.converted->layer(node.toStdString()) : nullptr;
    if (layer && layer->clustered && layer->kernels.unit == core::ClusterUnit::Kernel)
        centroidView()->setPlot(core::centroidPlot(*layer, *m.converted->folded.initializer(layer->weightName)));
    else
        centroidView()->clear();
    m_grid->panel(ViewGrid::Centroids)->setHint(node);
}

void MainWindow::refreshFrames()
{
    const auto& dataset = m_workbench.dataset();
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
                        text += tr("  agree %1 %").arg(percentText(fs.pixelAgreement));
                    else if (eval->task == "stereo3d")
                        text += tr("  boxes %1/%2, only one: %3").arg(fs.floatBoxes).arg(fs.convertedBoxes).arg(fs.onlyFloat + fs.onlyConverted);
                    else if (!std::isnan(fs.outputSqnrDb))
                        text += tr("  SQNR %1 dB").arg(fs.outputSqnrDb, 0, 'f', 1);
                }
        m_frameList->addItem(text);
    }
    m_frameList->setCurrentRow(m_workbench.currentFrame());
}

void MainWindow::goToFrame(int index)
{
    if (index >= 0 && index < m_frameList->count())
        m_frameList->setCurrentRow(index);
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
    m_grid->maximize(index);
}

int MainWindow::maximizedView() const
{
    return m_grid->maximized();
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
        RecentFiles::add({RecentEntry::Model, int(slot), model, adapter});
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
        QSettings().setValue("lastDir", dir);
        RecentFiles::add({RecentEntry::Dataset, 0, dir, {}});
    } catch (const std::exception& e) {
        QMessageBox::warning(this, tr("Open dataset"), QString::fromUtf8(e.what()));
    }
}

void MainWindow::restoreSettings()
{
    QSettings settings;
    restoreGeometry(settings.value("window/geometry").toByteArray());
    m_layoutRestored = restoreState(settings.value("window/state").toByteArray());
    m_grid->restoreSizes(settings.value("window/splitters").toList());
    maximizeView(settings.value("window/maximizedView", -1).toInt());
}

void MainWindow::closeEvent(QCloseEvent* event)
{
    m_workbench.cancel();
    QSettings settings;
    settings.setValue("window/geometry", saveGeometry());
    settings.setValue("window/state", saveState());
    settings.setValue("window/splitters", m_grid->saveSizes());
    settings.setValue("window/maximizedView", maximizedView());
    QMainWindow::closeEvent(event);
}

QList<QPair<QString, QString>> MainWindow::shortcutRows() const
{
    const auto key = [](QKeySequence sequence) { return sequence.toString(QKeySequence::NativeText); };
    QList<QPair<QString, QString>> rows = {
        {key(Qt::Key_PageDown) + QStringLiteral(" / ") + key(Qt::Key_PageUp), tr("next / previous frame")},
        {QStringLiteral("W"), tr("the frame where float and converted disagree most")},
        {QStringLiteral("Ctrl+1 … Ctrl+4"), tr("maximize a view; again or Esc restores the grid")},
        {QStringLiteral("Ctrl+R"), tr("convert: run what the changed settings made out of date")},
        {QStringLiteral("Ctrl+Shift+R"), tr("convert and evaluate everything again")},
        {QStringLiteral("Ctrl+."), tr("cancel the running job")},
        {key(QKeySequence::Open) + QStringLiteral(" / ") + key(QKeySequence::Save), tr("open / save a session")},
        {key(QKeySequence::HelpContents), tr("this list")},
        {key(QKeySequence::Quit), tr("quit")},
        {tr("Right click on a view"), tr("export it as PNG (or SVG)")},
    };
    rows += Presentation::keys();
    for (const auto& [keys, what] : widgets::SegComparisonView::shortcuts())
        rows.append({tr("Segmentation: ") + keys, what});
    for (const auto& [keys, what] : widgets::BevView::shortcuts())
        rows.append({tr("Boxes: ") + keys, what});
    for (const auto& [keys, what] : widgets::BoxView3D::shortcuts())
        rows.append({tr("Boxes 3-D: ") + keys, what});
    return rows;
}

void MainWindow::showShortcuts()
{
    QString html = QStringLiteral("<table cellspacing='6'>");
    for (const auto& [keys, what] : shortcutRows())
        html += QStringLiteral("<tr><td><b>%1</b></td><td>%2</td></tr>").arg(keys.toHtmlEscaped(), what.toHtmlEscaped());
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
