#include "main_window.h"

#include "lnscope/widgets/vtk_image_view.h"

#include <QApplication>
#include <QMenuBar>
#include <QMessageBox>
#include <QStatusBar>

namespace lnscope::app {

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent)
{
    setWindowTitle(QStringLiteral("LNScope"));
    m_sceneView = new widgets::VtkImageView(this);
    setCentralWidget(m_sceneView);
    createMenus();

    const QString viewState = m_sceneView->hasRenderer()
                                  ? tr("3-D view: OpenGL offscreen")
                                  : tr("3-D view unavailable (%1)").arg(m_sceneView->unavailableReason());
    statusBar()->showMessage(tr("LNScope %1 — %2").arg(QApplication::applicationVersion(), viewState));
}

void MainWindow::createMenus()
{
    QMenu* file = menuBar()->addMenu(tr("&File"));
    QAction* quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);

    QMenu* view = menuBar()->addMenu(tr("&View"));
    view->addAction(tr("&Reset camera"), m_sceneView, &widgets::VtkImageView::resetCamera);

    QMenu* help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&About LNScope"), this, &MainWindow::showAbout);
    help->addAction(tr("About &Qt"), qApp, &QApplication::aboutQt);
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
