// Issue 6 in the window: presentation mode (entering and leaving restore the window, its keys,
// auto-advance), the image export of single views (PNG of the view's size, SVG that parses and
// carries the view's text) and the report / video exports run through the document's runner.
// On both demo models and a two-frame copy of the dataset.
#include "export_actions.h"
#include "gui_test_data.h"
#include "main_window.h"
#include "presentation.h"

#include "lnscope/core/error.h"
#include "lnscope/widgets/bev_view.h"
#include "lnscope/widgets/memory_budget_view.h"

#include <QDockWidget>
#include <QImage>
#include <QLabel>
#include <QLayout>
#include <QListWidget>
#include <QMenuBar>
#include <QSignalSpy>
#include <QStatusBar>
#include <QSvgRenderer>
#include <QTest>
#include <QXmlStreamReader>

#include <set>

using lnscope::app::MainWindow;
using lnscope::app::Presentation;
using lnscope::app::Workbench;

namespace {

/// Every text node of an SVG file, joined; *error gets the parser's error ("" when it parsed).
QString svgText(const QString& path, QString* error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = file.errorString();
        return {};
    }
    QXmlStreamReader xml(&file);
    QString text;
    while (!xml.atEnd())
        if (xml.readNext() == QXmlStreamReader::Characters)
            text += xml.text().toString() + QLatin1Char(' ');
    *error = xml.hasError() ? xml.errorString() : QString();
    return text;
}

/// Number of distinct colours in the image (on a grid of at most ~4000 samples).
int distinctColours(const QImage& image)
{
    std::set<QRgb> colours;
    const int stepX = std::max(1, image.width() / 64), stepY = std::max(1, image.height() / 64);
    for (int y = 0; y < image.height(); y += stepY)
        for (int x = 0; x < image.width(); x += stepX)
            colours.insert(image.pixel(x, y));
    return int(colours.size());
}

/// The first view panel (0–3) shown under the presentation overlay, or -1.
int panelUnderOverlay(MainWindow& window)
{
    const QRect overlay = window.presentation()->overlay()->geometry();
    for (int i = 0; i < 4; ++i) {
        const QWidget* panel = window.findChild<QWidget*>(QStringLiteral("view%1").arg(i));
        if (panel && panel->isVisible() && QRect(panel->mapTo(&window, QPoint(0, 0)), panel->size()).intersects(overlay))
            return i;
    }
    return -1;
}

} // namespace

class TestGuiPresentation : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void exportsViewImages_data();
    void exportsViewImages();
    void refusesSvgOfImagesAndUnknownTypes();
    void exportsAReportAndReportsFailures();
    void presentationRestoresTheWindow();
    void presentationKeys();
    void presentationAdvancesFrames();
    void cleanupTestCase();

private:
    void enterWithF5();

    std::unique_ptr<MainWindow> m_window;
    std::filesystem::path m_dataset, m_out;
};

void TestGuiPresentation::initTestCase()
{
    QCoreApplication::setOrganizationName(QStringLiteral("LNScopeTest"));
    m_out = lnscope::test::makeTempDir("lnscope-gui-export");
    m_dataset = lnscope::test::makeSmallDataset("lnscope-gui-present", 0, 2);
    m_window = std::make_unique<MainWindow>();
    m_window->resize(1280, 800);
    m_window->show();
    m_window->activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(m_window.get()));
    Workbench* wb = m_window->workbench();
    lnscope::test::openDemoModels(*wb, m_dataset);
    lnscope::test::useQuickSettings(*wb);
    QSignalSpy failed(wb->runner(), &lnscope::widgets::JobRunner::failed);
    wb->convertAll();
    QTRY_VERIFY_WITH_TIMEOUT(!wb->busy(), 300000);
    QVERIFY(failed.isEmpty());
    QTRY_VERIFY(m_window->bevView()->hasBoxes());
    QVERIFY(m_window->memoryView()->hasReport());
}

void TestGuiPresentation::cleanupTestCase()
{
    m_window.reset();
    std::filesystem::remove_all(m_dataset);
    std::filesystem::remove_all(m_out);
}

void TestGuiPresentation::exportsViewImages_data()
{
    QTest::addColumn<int>("view");
    QTest::addColumn<QString>("suffix");
    QTest::addColumn<QString>("text"); // SVG: a text the view draws
    QTest::addRow("segmentation PNG") << 0 << "png" << "";
    QTest::addRow("boxes PNG") << 1 << "png" << "";
    QTest::addRow("boxes SVG") << 1 << "svg" << "ground truth";
    QTest::addRow("centroids PNG") << 2 << "png" << "";
    QTest::addRow("centroids SVG") << 2 << "svg" << "PC1";
    QTest::addRow("memory PNG") << 3 << "png" << "";
    QTest::addRow("memory SVG") << 3 << "svg" << "compression";
}

void TestGuiPresentation::exportsViewImages()
{
    QFETCH(int, view);
    QFETCH(QString, suffix);
    QFETCH(QString, text);
    const QString path = QString::fromStdString((m_out / ("view" + std::to_string(view) + ".")).string()) + suffix;
    m_window->exportView(view, path);
    QWidget* widget = m_window->viewWidget(view);
    if (suffix == "png") {
        const QImage image(path);
        QVERIFY(!image.isNull());
        QCOMPARE(image.size(), widget->size() * widget->devicePixelRatio());
        QVERIFY2(distinctColours(image) >= 8, "the image is (nearly) blank");
        return;
    }
    QString error;
    const QString svg = svgText(path, &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QVERIFY2(svg.contains(text), qPrintable(svg.left(400)));
    QSvgRenderer renderer(path);
    QVERIFY(renderer.isValid());
    QCOMPARE(renderer.viewBox(), QRect(QPoint(0, 0), widget->size()));
}

void TestGuiPresentation::refusesSvgOfImagesAndUnknownTypes()
{
    const QString svg = QString::fromStdString((m_out / "seg.svg").string());
    QVERIFY_THROWS_EXCEPTION(lnscope::core::UnsupportedError, m_window->exportView(0, svg));
    QVERIFY(!QFile::exists(svg));
    QVERIFY_THROWS_EXCEPTION(lnscope::core::UnsupportedError,
                             m_window->exportView(1, QString::fromStdString((m_out / "bev.jpg").string())));
    QVERIFY_THROWS_EXCEPTION(lnscope::core::IoError, m_window->exportView(1, QStringLiteral("/no/such/folder/bev.png")));
}

void TestGuiPresentation::exportsAReportAndReportsFailures()
{
    // Its own ExportActions: the window's shows failures in a (modal) message box.
    lnscope::app::ExportActions actions(m_window->workbench(), nullptr);
    lnscope::app::ExportActions* exports = &actions;
    QSignalSpy failed(exports, &lnscope::app::ExportActions::exportFailed);
    QSignalSpy wrote(exports, &lnscope::app::ExportActions::message);
    // A video of an unknown type: the job fails and the window is told why.
    lnscope::app::VideoOptions video;
    video.out = m_out / "clip.xyz";
    exports->startVideo(video);
    QTRY_VERIFY_WITH_TIMEOUT(failed.count() == 1, 60000);
    QCOMPARE(failed.first().at(0).toString(), QStringLiteral("Export video"));
    QVERIFY2(failed.first().at(1).toString().contains(QStringLiteral("xyz")), qPrintable(failed.first().at(1).toString()));
    QVERIFY(!std::filesystem::exists(video.out));
    QVERIFY(wrote.isEmpty());

    // A report: written after the document's jobs, through the same runner.
    lnscope::app::ReportOptions report;
    report.out = m_out / "report.html";
    report.disagreeFrames = 1;
    report.centroidLayers = 1;
    QSignalSpy started(m_window->workbench()->runner(), &lnscope::widgets::JobRunner::started);
    exports->startReport(report);
    QTRY_VERIFY_WITH_TIMEOUT(wrote.count() == 1 || failed.count() > 1, 300000);
    QVERIFY2(failed.count() == 1, qPrintable(failed.last().at(1).toString()));
    QVERIFY(wrote.first().at(0).toString().contains(QStringLiteral("report.html")));
    QVERIFY(std::filesystem::file_size(report.out) > 1000);
    QVERIFY(started.last().at(1).toString().startsWith(QStringLiteral("Writing the report")));
    QTRY_VERIFY(!m_window->workbench()->busy());
}

void TestGuiPresentation::enterWithF5()
{
    m_window->activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(m_window.get()));
    QTest::keyClick(m_window.get(), Qt::Key_F5);
    QVERIFY(m_window->presentation()->isActive());
}

void TestGuiPresentation::presentationRestoresTheWindow()
{
    m_window->maximizeView(2);
    const QFont font = m_window->centralWidget()->font();
    const QMargins margins = m_window->centralWidget()->layout()->contentsMargins();
    std::map<QString, bool> docks;
    for (QDockWidget* dock : m_window->findChildren<QDockWidget*>())
        docks[dock->objectName()] = dock->isVisible();
    QVERIFY(docks.size() == 4 && docks["layersDock"]);
    const QRect geometry = m_window->geometry();

    enterWithF5();
    if (QTest::currentTestFailed())
        return;
    QVERIFY(m_window->windowState() & Qt::WindowFullScreen);
    QCOMPARE(m_window->maximizedView(), 2); // the view shown stays until 0–4 changes it
    for (QDockWidget* dock : m_window->findChildren<QDockWidget*>())
        QVERIFY2(!dock->isVisible(), qPrintable(dock->objectName()));
    QVERIFY(!m_window->menuBar()->isVisible());
    QVERIFY(!m_window->statusBar()->isVisible());
    QCOMPARE(m_window->centralWidget()->font().pointSizeF(), font.pointSizeF() * Presentation::kFontScale);
    QVERIFY(m_window->segView()->font().pointSizeF() > font.pointSizeF()); // the views inherit it
    QLabel* overlay = m_window->presentation()->overlay();
    QVERIFY(overlay->isVisible());
    QVERIFY2(overlay->text().contains(QStringLiteral("Frame 000000")), qPrintable(overlay->text()));
    QVERIFY2(overlay->text().contains(QStringLiteral("mIoU")), qPrintable(overlay->text()));
    QVERIFY(m_window->centralWidget()->geometry().contains(overlay->geometry()));
    QTRY_COMPARE(panelUnderOverlay(*m_window), -1); // in its own strip below the views

    QTest::keyClick(m_window.get(), Qt::Key_0);
    QCOMPARE(m_window->maximizedView(), -1);
    QTRY_COMPARE(panelUnderOverlay(*m_window), -1);
    QVERIFY2(overlay->text().count('\n') <= 2, qPrintable(overlay->text())); // lines side by side where they fit
    QTest::keyClick(m_window.get(), Qt::Key_Escape);
    QVERIFY(!m_window->presentation()->isActive());
    QVERIFY(!(m_window->windowState() & Qt::WindowFullScreen));
    QCOMPARE(m_window->maximizedView(), 2); // Esc left presentation; it did not also restore the grid
    QCOMPARE(m_window->centralWidget()->font(), font);
    QCOMPARE(m_window->centralWidget()->layout()->contentsMargins(), margins);
    for (QDockWidget* dock : m_window->findChildren<QDockWidget*>())
        QCOMPARE(dock->isVisible(), docks[dock->objectName()]);
    QVERIFY(m_window->menuBar()->isVisible());
    QVERIFY(m_window->statusBar()->isVisible());
    QVERIFY(!overlay->isVisible());
    QCOMPARE(m_window->size(), geometry.size()); // (the offscreen platform moves windows by its frame)
    m_window->maximizeView(-1);
}

void TestGuiPresentation::presentationKeys()
{
    Presentation* p = m_window->presentation();
    p->setPaused(true); // no auto-advance while the keys are checked
    enterWithF5();
    if (QTest::currentTestFailed())
        return;
    QWidget* w = m_window.get();
    for (int i = 0; i < 4; ++i) {
        QTest::keyClick(w, Qt::Key(Qt::Key_1 + i));
        QCOMPARE(m_window->maximizedView(), i);
        QVERIFY(m_window->viewWidget(i)->isVisible());
        QVERIFY(!m_window->viewWidget((i + 1) % 4)->isVisible());
    }
    QTest::keyClick(w, Qt::Key_0);
    QCOMPARE(m_window->maximizedView(), -1);

    QTest::keyClick(w, Qt::Key_P);
    QVERIFY(!p->isPaused());
    QTest::keyClick(w, Qt::Key_P);
    QVERIFY(p->isPaused());
    QVERIFY(p->overlay()->text().contains(QStringLiteral("paused")));

    const int interval = p->interval();
    QTest::keyClick(w, Qt::Key_Minus);
    QVERIFY(p->interval() > interval);
    QTest::keyClick(w, Qt::Key_Plus);
    QTest::keyClick(w, Qt::Key_Plus);
    QVERIFY(p->interval() < interval);
    QVERIFY(p->overlay()->text().contains(QStringLiteral("s per frame")) || p->isPaused());

    Workbench* wb = m_window->workbench();
    const int frame = wb->currentFrame();
    QTest::keyClick(w, Qt::Key_Right);
    QCOMPARE(wb->currentFrame(), (frame + 1) % wb->frameCount());
    QCOMPARE(m_window->frameList()->currentRow(), wb->currentFrame());
    QTest::keyClick(w, Qt::Key_Left);
    QCOMPARE(wb->currentFrame(), frame);

    QTest::keyClick(w, Qt::Key_F5); // F5 leaves too
    QVERIFY(!p->isActive());
    p->setPaused(false);
    p->setInterval(Presentation::kDefaultIntervalMs);
    QTRY_VERIFY_WITH_TIMEOUT(!wb->busy(), 60000);
}

void TestGuiPresentation::presentationAdvancesFrames()
{
    Workbench* wb = m_window->workbench();
    Presentation* p = m_window->presentation();
    QSignalSpy shown(wb, &Workbench::segFrameReady);
    p->setInterval(50);
    const int first = wb->currentFrame();
    p->enter();
    // Each frame is computed before the next one is asked for: every frame is shown, in order.
    QTRY_VERIFY_WITH_TIMEOUT(shown.count() >= 3, 120000);
    for (int i = 0; i < 3; ++i)
        QCOMPARE(shown.at(i).at(0).toInt(), (first + 1 + i) % wb->frameCount());
    // Paused: nothing advances any more.
    p->setPaused(true);
    QTRY_VERIFY_WITH_TIMEOUT(!wb->busy(), 60000);
    const int frame = wb->currentFrame();
    QTest::qWait(300);
    QCOMPARE(wb->currentFrame(), frame);
    p->leave();
    p->setPaused(false);
}

QTEST_MAIN(TestGuiPresentation)
#include "test_gui_presentation.moc"
