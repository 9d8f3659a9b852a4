#include "main_window.h"

#include "layer_k_dialog.h"
#include "presentation.h"
#include "export_actions.h"
#include "view_export.h"
#include "view_panel.h"

#include "lnscope/core/centroid_plot.h"
#include "lnscope/core/number_format.h"
#include "lnscope/widgets/bev_view.h"
#include "lnscope/widgets/box_view_3d.h"
#include "lnscope/widgets/camera_box_view.h"
#include "lnscope/widgets/centroid_view.h"
#include "lnscope/widgets/layer_table_model.h"
#include "lnscope/widgets/memory_budget_view.h"
#include "lnscope/widgets/seg_comparison_view.h"
#include "lnscope/widgets/sqnr_chart_view.h"

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
#include <QScrollArea>
#include <QSplitter>
#include <QSpinBox>
#include <QStatusBar>
#include <QTabWidget>
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
    statusBar(); // created now, so that it is part of the window state saved and restored
    m_presentation = new Presentation(this);
    m_exports = new ExportActions(&m_workbench, this);
    connect(m_exports, &ExportActions::message, this, [this](const QString& text) { statusBar()->showMessage(text, 10000); });
    connect(m_exports, &ExportActions::exportFailed, this,
            [this](const QString& title, const QString& why) { QMessageBox::warning(this, title, why); });
    createMenus();
    showConfig(m_workbench.config(), m_workbench.calibrationFrames());

    connect(&m_workbench, &Workbench::slotChanged, this, &MainWindow::refreshSlot);
    connect(&m_workbench, &Workbench::datasetChanged, this, &MainWindow::refreshFrames);
    connect(&m_workbench, &Workbench::staleChanged, this, &MainWindow::updateStaleState);
    connect(&m_workbench, &Workbench::message, this, [this](const QString& text) { statusBar()->showMessage(text, 10000); });
    connect(&m_workbench, &Workbench::segFrameReady, this, [this](int, const widgets::SegFrameData& d) { m_segView->setFrame(d); });
    connect(&m_workbench, &Workbench::boxFrameReady, this, [this](int, const widgets::BoxFrameData& d) {
        m_bevView->setBoxes(d.bev);
        m_box3dView->setFrame(d);
        m_cameraView->setFrame(d);
    });
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
    m_rows->setSizes({440, 560});
    static_cast<QSplitter*>(m_rows->widget(0))->setSizes({600, 400});
    static_cast<QSplitter*>(m_rows->widget(1))->setSizes({500, 500});
}

MainWindow::~MainWindow() = default;

// ---- construction ---------------------------------------------------------------------------

void MainWindow::createViews()
{
    m_segView = new widgets::SegComparisonView;
    m_bevView = new widgets::BevView;
    m_centroidView = new widgets::CentroidView;
    m_memoryView = new widgets::MemoryBudgetView;
    m_box3dView = new widgets::BoxView3D;
    m_cameraView = new widgets::CameraBoxView;
    m_sqnrView = new widgets::SqnrChartView;
    // The boxes in three projections, the memory budget and the per-layer SQNR: tabs of one panel.
    auto* boxTabs = new QTabWidget;
    boxTabs->setObjectName(QStringLiteral("boxTabs"));
    boxTabs->setDocumentMode(true);
    boxTabs->addTab(m_bevView, tr("Bird's-eye"));
    boxTabs->addTab(m_box3dView, tr("3-D"));
    boxTabs->addTab(m_cameraView, tr("Camera"));
    auto* chartTabs = new QTabWidget;
    chartTabs->setObjectName(QStringLiteral("chartTabs"));
    chartTabs->setDocumentMode(true);
    chartTabs->addTab(m_memoryView, tr("Memory budget"));
    chartTabs->addTab(m_sqnrView, tr("SQNR per layer"));
    // Two rows of two, in splitters the user can drag (their sizes persist with the window).
    m_rows = new QSplitter(Qt::Vertical);
    m_rows->setObjectName(QStringLiteral("viewRows"));
    m_rows->setChildrenCollapsible(false);
    m_rows->setHandleWidth(5);
    const QString titles[] = {tr("Segmentation: float | converted | ground truth | difference"),
                              tr("Boxes: bird's-eye | 3-D | camera"), tr("Cluster centroids"),
                              tr("Memory budget | per-layer SQNR")};
    QWidget* views[] = {m_segView, boxTabs, m_centroidView, chartTabs};
    for (int i = 0; i < 4; ++i) {
        auto* panel = new ViewPanel(titles[i], views[i]);
        panel->setObjectName(QStringLiteral("view%1").arg(i));
        connect(panel, &ViewPanel::maximizeToggled, this, [this, i] { maximizeView(m_maximized == i ? -1 : i); });
        connect(panel, &ViewPanel::exportRequested, this, [this, i] { exportViewDialog(i); });
        if (i % 2 == 0) {
            auto* row = new QSplitter(Qt::Horizontal);
            row->setObjectName(QStringLiteral("viewRow%1").arg(i / 2));
            row->setChildrenCollapsible(false);
            row->setHandleWidth(5);
            m_rows->addWidget(row);
        }
        static_cast<QSplitter*>(m_rows->widget(i / 2))->addWidget(panel);
        m_panels.push_back(panel);
    }
    // The charts below need more height than the wide segmentation frames above.
    m_rows->setStretchFactor(0, 4);
    m_rows->setStretchFactor(1, 5);
    static_cast<QSplitter*>(m_rows->widget(0))->setStretchFactor(0, 3);
    static_cast<QSplitter*>(m_rows->widget(0))->setStretchFactor(1, 2);
    auto* central = new QWidget;
    auto* layout = new QVBoxLayout(central);
    layout->setContentsMargins(2, 2, 2, 2);
    layout->addWidget(m_rows);
    setCentralWidget(central);
    for (int i = 0; i < 4; ++i) {
        auto* sc = new QShortcut(QKeySequence(Qt::CTRL | Qt::Key(Qt::Key_1 + i)), this);
        connect(sc, &QShortcut::activated, this, [this, i] { maximizeView(m_maximized == i ? -1 : i); });
    }
    auto* restore = new QShortcut(QKeySequence(Qt::Key_Escape), this);
    connect(restore, &QShortcut::activated, this, [this] { maximizeView(-1); });
    connect(m_memoryView, &widgets::MemoryBudgetView::layerClicked, this, &MainWindow::selectLayer);
    connect(m_sqnrView, &widgets::SqnrChartView::layerClicked, this, &MainWindow::selectLayer);
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
    m_layerK = new QPushButton(tr("Per-layer K…"));
    m_layerK->setToolTip(tr("K for single layers of the model chosen under \"Layers of\""));
    connect(m_layerK, &QPushButton::clicked, this, &MainWindow::openLayerKDialog);
    m_layerKLabel = new QLabel;
    m_layerKLabel->setWordWrap(true);
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
    connect(m_convert, &QPushButton::clicked, this, [this] {
        if (m_workbench.anyStale())
            startConversion();
        else
            m_workbench.convertAgain();
    });
    m_cancel = new QPushButton(tr("Cancel"));
    m_cancel->setEnabled(false);
    connect(m_cancel, &QPushButton::clicked, &m_workbench, &Workbench::cancel);
    m_progress = new QProgressBar;
    m_progress->setRange(0, 1000);
    m_progress->setTextVisible(false);
    m_progressText = new QLabel(tr("Ready"));
    m_progressText->setWordWrap(true);
    m_staleLabel = new QLabel;
    m_staleLabel->setWordWrap(true);
    m_staleLabel->setStyleSheet(QStringLiteral("color: #9a6700;"));
    // Every change goes to the document at once, so the window can say what it made stale.
    connect(m_format, &QComboBox::currentIndexChanged, this, &MainWindow::applySettingsToConfig);
    connect(m_clusters, &QSpinBox::valueChanged, this, &MainWindow::applySettingsToConfig);
    connect(m_pointwise, &QComboBox::currentIndexChanged, this, &MainWindow::applySettingsToConfig);
    connect(m_refine, &QCheckBox::toggled, this, &MainWindow::applySettingsToConfig);
    connect(m_calibFrames, &QSpinBox::valueChanged, this, &MainWindow::applySettingsToConfig);

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
    form->addRow(m_refine);
    form->addRow(tr("Calibration frames"), m_calibFrames);
    form->addRow(tr("Layers of"), m_activeModel);
    auto* buttons = new QHBoxLayout;
    buttons->addWidget(m_convert);
    buttons->addWidget(m_cancel);
    form->addRow(buttons);
    form->addRow(m_staleLabel);
    form->addRow(m_progress);
    form->addRow(m_progressText);
    // Scrolls rather than clips on short screens.
    auto* scroll = new QScrollArea;
    scroll->setWidget(box);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    auto* dock = new QDockWidget(tr("Controls"), this);
    dock->setObjectName(QStringLiteral("controlsDock"));
    dock->setWidget(scroll);
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
    for (int i = 0; i < int(m_panels.size()); ++i)
        exportViewMenu->addAction(m_panels[size_t(i)]->title() + QStringLiteral("…"), this, [this, i] { exportViewDialog(i); });
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
    QWidget* view = index >= 0 && index < int(m_panels.size()) ? m_panels[size_t(index)]->view() : nullptr;
    if (auto* tabs = qobject_cast<QTabWidget*>(view))
        return tabs->currentWidget(); // the tab shown
    return view;
}

bool MainWindow::viewIsVector(int index) const
{
    const QWidget* view = viewWidget(index);
    return view && view != m_segView && view != m_box3dView && view != m_cameraView;
}

void MainWindow::exportView(int index, const QString& path)
{
    QWidget* view = viewWidget(index);
    if (!view)
        throw core::UnsupportedError("no view " + std::to_string(index));
    exportViewImage(view, path, viewIsVector(index), m_panels[size_t(index)]->title());
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
    s.maximizedView = m_maximized;
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
    showConfig(s.conversion, s.calibrationFrames);
    m_activeModel->setCurrentIndex(s.activeModel);
    restoreState(QByteArray::fromBase64(QByteArray::fromStdString(s.windowState)));
    maximizeView(s.maximizedView);
    RecentFiles::add({RecentEntry::Session, 0, path, {}});
    startConversion();
    if (!s.layer.empty())
        connect(&m_workbench, &Workbench::jobsFinished, this,
                [this, layer = QString::fromStdString(s.layer)] { selectLayer(layer); }, Qt::SingleShotConnection);
}

void MainWindow::showConfig(const core::ConversionConfig& c, int calibrationFrames)
{
    // The document has these settings already: no round trip through applySettingsToConfig().
    const QSignalBlocker b1(m_format), b2(m_clusters), b3(m_pointwise), b4(m_refine), b5(m_calibFrames);
    m_format->setCurrentText(QString::fromStdString(c.weightFormat));
    m_clusters->setValue(c.clusters);
    m_pointwise->setCurrentIndex(c.pointwise == core::PointwisePolicy::Keep ? 0 : c.pointwise == core::PointwisePolicy::ScalarSharing ? 1 : 2);
    m_refine->setChecked(c.refine);
    m_calibFrames->setValue(calibrationFrames);
    updateLayerKLabel();
}

void MainWindow::applySettingsToConfig()
{
    core::ConversionConfig c = m_workbench.config();
    c.weightFormat = m_format->currentText().toStdString();
    c.clusters = m_clusters->value();
    c.pointwise = m_pointwise->currentIndex() == 0   ? core::PointwisePolicy::Keep
                  : m_pointwise->currentIndex() == 1 ? core::PointwisePolicy::ScalarSharing
                                                     : core::PointwisePolicy::SubVector;
    c.refine = m_refine->isChecked();
    m_workbench.setConfig(c);
    m_workbench.setCalibrationFrames(m_calibFrames->value());
    updateLayerKLabel();
}

void MainWindow::startConversion()
{
    m_workbench.convertAll();
}

void MainWindow::updateStaleState()
{
    const QString reason = m_workbench.staleReason();
    m_convert->setText(reason.isEmpty() ? tr("&Convert again") : tr("&Convert (%1)").arg(reason));
    m_convert->setToolTip(reason.isEmpty() ? tr("Everything is up to date: convert and evaluate again from scratch")
                                           : tr("Runs only what the changes made out of date"));
    QStringList stale;
    for (Workbench::Slot s : {Workbench::Segmentation, Workbench::Stereo})
        if (m_workbench.conversionStale(s))
            stale << tr("%1 conversion").arg(m_workbench.slot(s).name);
    for (Workbench::Slot s : {Workbench::Segmentation, Workbench::Stereo})
        if (m_workbench.evaluationStale(s) && !m_workbench.conversionStale(s))
            stale << tr("%1 evaluation").arg(m_workbench.slot(s).name);
    m_staleLabel->setText(stale.isEmpty() ? QString() : tr("Out of date: %1").arg(stale.join(QStringLiteral(", "))));
    m_staleLabel->setVisible(!stale.isEmpty());
}

void MainWindow::updateLayerKLabel()
{
    const ModelSlot& m = m_workbench.slot(Workbench::Slot(activeSlot()));
    m_layerK->setEnabled(m.isOpen());
    const auto overrides = m_workbench.effectiveConfig(Workbench::Slot(activeSlot())).clustersPerLayer;
    m_layerKLabel->setText(overrides.empty()        ? tr("same K for every layer")
                           : overrides.size() == 1 ? tr("1 layer with its own K")
                                                   : tr("%1 layers with their own K").arg(overrides.size()));
}

void MainWindow::openLayerKDialog()
{
    const Workbench::Slot slot = Workbench::Slot(activeSlot());
    const ModelSlot& m = m_workbench.slot(slot);
    if (!m.isOpen())
        return;
    const core::ConversionConfig& c = m_workbench.config();
    if (c.sharedBook) {
        QMessageBox::information(this, tr("Per-layer K"), tr("The conversion uses shared books: one K for all layers."));
        return;
    }
    LayerKDialog dialog(m.name, compressibleLayers(*m.graph, c.pointwise), c.clusters, c.clustersPerLayer, this);
    if (dialog.exec() == QDialog::Accepted)
        setLayerK(dialog.overrides());
}

void MainWindow::setLayerK(const std::map<std::string, int>& overrides)
{
    const ModelSlot& m = m_workbench.slot(Workbench::Slot(activeSlot()));
    if (!m.isOpen())
        return;
    core::ConversionConfig c = m_workbench.config();
    c.clustersPerLayer = LayerKDialog::merge(c.clustersPerLayer, compressibleLayers(*m.graph, c.pointwise), overrides);
    m_workbench.setConfig(c);
    updateLayerKLabel();
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
    updateLayerKLabel();
    if (slot == activeSlot()) {
        const ModelSlot& m = m_workbench.slot(Workbench::Slot(slot));
        if (m.report) {
            m_layerModel->setReport(*m.report);
            m_memoryView->setReport(*m.report);
            m_sqnrView->setReport(*m.report);
            const int row = m_layerModel->divergingRow() >= 0 ? m_layerModel->divergingRow() : 0;
            selectLayer(m_layerModel->nodeAt(row));
        } else {
            m_memoryView->clear();
            m_sqnrView->clear();
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
    m_sqnrView->setSelectedLayer(node);
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
    // The last two folders (a full path has no place to wrap); the whole path as the tooltip.
    const QString root = dataset ? QString::fromStdString(dataset->root.string()) : QString();
    const QStringList parts = root.split(QLatin1Char('/'), Qt::SkipEmptyParts);
    m_datasetLabel->setText(dataset ? tr("%1 (%2 frames)").arg(parts.mid(std::max<qsizetype>(0, parts.size() - 2)).join('/')).arg(dataset->frames.size())
                                    : tr("no dataset"));
    m_datasetLabel->setToolTip(root);
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
    m_maximized = index >= 0 && index < int(m_panels.size()) ? index : -1;
    for (int i = 0; i < int(m_panels.size()); ++i) {
        m_panels[size_t(i)]->setVisible(m_maximized < 0 || m_maximized == i);
        m_panels[size_t(i)]->setMaximized(m_maximized == i);
    }
    for (int row = 0; row < m_rows->count(); ++row)
        m_rows->widget(row)->setVisible(m_maximized < 0 || m_maximized / 2 == row);
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
    const QVariantList splitters = settings.value("window/splitters").toList();
    if (splitters.size() == 3) {
        m_rows->restoreState(splitters[0].toByteArray());
        for (int row = 0; row < 2; ++row)
            static_cast<QSplitter*>(m_rows->widget(row))->restoreState(splitters[row + 1].toByteArray());
    }
    maximizeView(settings.value("window/maximizedView", -1).toInt());
}

void MainWindow::closeEvent(QCloseEvent* event)
{
    m_workbench.cancel();
    QSettings settings;
    settings.setValue("window/geometry", saveGeometry());
    settings.setValue("window/state", saveState());
    settings.setValue("window/splitters", QVariantList{m_rows->saveState(), static_cast<QSplitter*>(m_rows->widget(0))->saveState(),
                                                       static_cast<QSplitter*>(m_rows->widget(1))->saveState()});
    settings.setValue("window/maximizedView", m_maximized);
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
