// End to end (issue 5 "Tests"): the workbench opens the bundled demo, converts it in the
// background while the event loop stays responsive, fills the layer table and the views, navigates
// frames, maximizes and restores a view, and cancels a second conversion midway. Settings changes
// re-run only the jobs they invalidate (counted by the runner's started() labels, on a two-frame
// copy of the dataset); per-layer K, recent files and the shortcut list.
#include "gui_test_data.h"
#include "layer_k_dialog.h"
#include "main_window.h"
#include "presentation.h"
#include "recent_files.h"

#include "lnscope/widgets/centroid_view.h"
#include "lnscope/widgets/layer_table_model.h"
#include "lnscope/widgets/memory_budget_view.h"

#include <QApplication>
#include <QDir>
#include <QFile>
#include <QElapsedTimer>
#include <QLabel>
#include <QListWidget>
#include <QMenu>
#include <QMenuBar>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QTableView>
#include <QTest>
#include <QTimer>

#include <algorithm>

using lnscope::app::MainWindow;
using lnscope::app::RecentEntry;
using lnscope::app::RecentFiles;
using lnscope::app::Workbench;
namespace core = lnscope::core;

namespace {

/// Short names of job labels: "convert seg", "convert stereo", "evaluate seg", "frame", …
QString jobKind(const QString& label)
{
    const QString slot = label.contains(QStringLiteral("segmentation")) ? QStringLiteral(" seg") : QStringLiteral(" stereo");
    if (label.startsWith(QStringLiteral("Converting")))
        return QStringLiteral("convert") + slot;
    if (label.startsWith(QStringLiteral("Evaluating")))
        return QStringLiteral("evaluate") + slot;
    if (label.startsWith(QStringLiteral("Frame")))
        return QStringLiteral("frame");
    return label;
}

/// Calls `start`, waits until the workbench is idle and puts the kinds of the jobs it ran in
/// *kinds. Fails the test when a job failed.
void runJobs(Workbench& wb, const std::function<void()>& start, QStringList* kinds)
{
    kinds->clear();
    const auto c = QObject::connect(wb.runner(), &lnscope::widgets::JobRunner::started,
                                    [kinds](int, const QString& label) { kinds->append(jobKind(label)); });
    QSignalSpy done(&wb, &Workbench::jobsFinished);
    QSignalSpy failed(wb.runner(), &lnscope::widgets::JobRunner::failed);
    start();
    QTRY_VERIFY_WITH_TIMEOUT(done.count() >= 1 && !wb.busy(), 300000);
    QObject::disconnect(c);
    QVERIFY2(failed.isEmpty(), failed.isEmpty() ? "" : qPrintable(failed.first().at(1).toString()));
}

const std::string kSegLayer = "/enc1/enc1.1/enc1.1.0/Conv";

int64_t reportK(const Workbench& wb, Workbench::Slot slot, const std::string& node)
{
    for (const auto& l : wb.slot(slot).report->layers)
        if (l.node == node)
            return l.clusters;
    return -1;
}

} // namespace

class TestGuiWorkbench : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void demoConvertsAndFillsTheViews();
    void navigatesFramesAndViews();
    void cancelsASecondConversion();
    void sessionsRoundTripAndBadOnesChangeNothing();
    void runsOnlyTheStaleJobs();
    void settingsChangesMarkWhatIsStale_data();
    void settingsChangesMarkWhatIsStale();
    void convertButtonSaysWhatIsStale();
    void perLayerKDialogEditsOnlyItsModel();
    void shortcutListNamesEveryKey();
    void recentFilesOpenAndDropMissingOnes();
    void cleanupTestCase();

private:
    /// Both demo models on a two-frame copy of the dataset, with quick settings.
    Workbench& smallWorkbench();

    std::unique_ptr<MainWindow> m_window;
    std::filesystem::path m_smallDataset;
    std::unique_ptr<Workbench> m_small;
};

void TestGuiWorkbench::initTestCase()
{
    QCoreApplication::setOrganizationName(QStringLiteral("LNScopeTest")); // keep the user's settings out
    m_window = std::make_unique<MainWindow>();
    m_window->resize(1400, 900);
    m_window->show();
}

void TestGuiWorkbench::demoConvertsAndFillsTheViews()
{
    Workbench* wb = m_window->workbench();
    QSignalSpy done(wb, &Workbench::jobsFinished);
    // Event-loop latency while the conversion, evaluation and first frame run in the background.
    std::vector<qint64> gaps;
    QElapsedTimer clock;
    clock.start();
    qint64 last = 0;
    QTimer tick;
    connect(&tick, &QTimer::timeout, [&] {
        const qint64 now = clock.elapsed();
        gaps.push_back(now - last);
        last = now;
    });
    tick.start(10);
    m_window->openDemo();
    QVERIFY(wb->busy());
    QTRY_VERIFY_WITH_TIMEOUT(done.count() >= 1 && !wb->busy(), 300000);
    tick.stop();
    std::sort(gaps.begin(), gaps.end());
    const qint64 p95 = gaps.empty() ? 0 : gaps[gaps.size() * 95 / 100];
    qInfo("event loop during the jobs: %zu ticks, 95th percentile gap %lld ms, max %lld ms", gaps.size(), p95,
          gaps.empty() ? 0LL : gaps.back());
    QVERIFY2(p95 < 100, qPrintable(QString("95th percentile gap %1 ms").arg(p95)));

    const auto& seg = wb->slot(Workbench::Segmentation);
    QVERIFY(seg.report && seg.evaluation);
    QCOMPARE(m_window->layerModel()->rowCount(), int(seg.report->layers.size()));
    QVERIFY(m_window->layerModel()->rowCount() >= 5);
    QVERIFY(m_window->memoryView()->hasReport());
    QVERIFY(m_window->centroidView()->hasPlot()); // a cluster-compressed layer is selected
    QCOMPARE(m_window->frameList()->count(), wb->frameCount());
    QVERIFY(wb->frameCount() >= 8);
    QVERIFY(m_window->layerTable()->currentIndex().isValid());
}

void TestGuiWorkbench::navigatesFramesAndViews()
{
    Workbench* wb = m_window->workbench();
    QCOMPARE(wb->currentFrame(), 0);
    m_window->nextFrame();
    QCOMPARE(wb->currentFrame(), 1);
    m_window->previousFrame();
    QCOMPARE(wb->currentFrame(), 0);
    m_window->worstFrame();
    QCOMPARE(wb->currentFrame(), wb->worstFrame());
    QTRY_VERIFY_WITH_TIMEOUT(!wb->busy(), 60000);
    m_window->maximizeView(2);
    QCOMPARE(m_window->maximizedView(), 2);
    QVERIFY(m_window->centroidView()->isVisible());
    QVERIFY(!m_window->memoryView()->isVisible());
    m_window->maximizeView(-1);
    QVERIFY(m_window->memoryView()->isVisible());
}

void TestGuiWorkbench::cancelsASecondConversion()
{
    Workbench* wb = m_window->workbench();
    QSignalSpy cancelled(wb->runner(), &lnscope::widgets::JobRunner::cancelled);
    QSignalSpy done(wb, &Workbench::jobsFinished);
    const auto before = wb->slot(Workbench::Segmentation).report->layers.size();
    wb->config().clusters = 8;
    wb->convertAll();
    QVERIFY(wb->busy());
    QTest::qWait(50);
    wb->cancel();
    QTRY_VERIFY_WITH_TIMEOUT(!wb->busy(), 60000);
    // Either the job noticed the cancel (the usual case) or it had already finished; never both
    // a half-applied state: the report is a complete one.
    QVERIFY(cancelled.count() + done.count() >= 1);
    QCOMPARE(wb->slot(Workbench::Segmentation).report->layers.size(), before);
}

void TestGuiWorkbench::sessionsRoundTripAndBadOnesChangeNothing()
{
    Workbench* wb = m_window->workbench();
    QTRY_VERIFY_WITH_TIMEOUT(!wb->busy(), 60000);
    const QString dir = QDir::tempPath() + QStringLiteral("/lnscope-gui-session");
    QDir().mkpath(dir);
    m_window->maximizeView(3);
    wb->config().clusters = 16;
    wb->config().clustersPerLayer = {{kSegLayer, 5}};
    const QString file = dir + QStringLiteral("/s.lnscope");
    // The spin box holds the K the window converts with; put it where saveSession reads it.
    m_window->saveSession(file);

    MainWindow other;
    other.openSession(file);
    QCOMPARE(other.maximizedView(), 3);
    QCOMPARE(other.workbench()->slot(Workbench::Segmentation).modelPath,
             wb->slot(Workbench::Segmentation).modelPath);
    QCOMPARE(other.workbench()->dataset()->frames.size(), wb->dataset()->frames.size());
    QCOMPARE(other.workbench()->config().clusters, wb->config().clusters);
    QCOMPARE(other.workbench()->config().clustersPerLayer, wb->config().clustersPerLayer);
    QTRY_VERIFY_WITH_TIMEOUT(!other.workbench()->busy(), 300000);
    QVERIFY(other.workbench()->slot(Workbench::Segmentation).report);
    QCOMPARE(reportK(*other.workbench(), Workbench::Segmentation, kSegLayer), 5); // the per-layer K was used
    QCOMPARE(reportK(*other.workbench(), Workbench::Segmentation, "/enc2/enc2.0/enc2.0.0/Conv"), 16);

    // A corrupt session is refused whole: the window keeps its models and view.
    QFile bad(dir + QStringLiteral("/bad.lnscope"));
    QVERIFY(bad.open(QIODevice::WriteOnly));
    bad.write(R"({"format":"lnscope-session","version":1,"segmentation":{"model":"/nope.onnx","adapter":""})");
    bad.close();
    const auto before = other.workbench()->slot(Workbench::Segmentation).modelPath;
    QVERIFY_THROWS_EXCEPTION(lnscope::core::Error, other.openSession(bad.fileName()));
    QCOMPARE(other.workbench()->slot(Workbench::Segmentation).modelPath, before);
    QCOMPARE(other.maximizedView(), 3);
    m_window->maximizeView(-1);
    wb->config().clustersPerLayer.clear();
}

Workbench& TestGuiWorkbench::smallWorkbench()
{
    if (!m_small) {
        m_smallDataset = lnscope::test::makeSmallDataset("lnscope-gui-small", 0, 2);
        m_small = std::make_unique<Workbench>();
        lnscope::test::openDemoModels(*m_small, m_smallDataset);
        lnscope::test::useQuickSettings(*m_small);
    }
    return *m_small;
}

void TestGuiWorkbench::cleanupTestCase()
{
    m_small.reset();
    if (!m_smallDataset.empty())
        std::filesystem::remove_all(m_smallDataset);
}

void TestGuiWorkbench::runsOnlyTheStaleJobs()
{
    Workbench& wb = smallWorkbench();
    const auto small = m_smallDataset;
    QCOMPARE(wb.staleReason(), QStringLiteral("not converted"));
    QStringList jobs;
    const auto convert = [&wb] { wb.convertAll(); };

    // First: everything, conversions first, then the frame on screen, then the evaluations.
    runJobs(wb, convert, &jobs);
    QCOMPARE(jobs, QStringList({"convert seg", "convert stereo", "frame", "evaluate seg", "evaluate stereo"}));
    QVERIFY(!wb.anyStale());
    QCOMPARE(wb.staleReason(), QString());

    // Nothing changed: nothing runs (and jobsFinished still comes).
    runJobs(wb, convert, &jobs);
    QCOMPARE(jobs, QStringList());

    // The dataset again: evaluations and the frame; the conversions calibrated on the same files.
    wb.openDataset(small);
    QCOMPARE(wb.staleReason(), QStringLiteral("dataset changed"));
    runJobs(wb, convert, &jobs);
    QCOMPARE(jobs, QStringList({"frame", "evaluate seg", "evaluate stereo"}));

    // A per-layer K of a segmentation layer: the segmentation slot only, with that K.
    core::ConversionConfig c = wb.config();
    c.clustersPerLayer[kSegLayer] = 4;
    wb.setConfig(c);
    QVERIFY(wb.conversionStale(Workbench::Segmentation));
    QVERIFY(!wb.conversionStale(Workbench::Stereo));
    runJobs(wb, convert, &jobs);
    QCOMPARE(jobs, QStringList({"convert seg", "frame", "evaluate seg"}));
    QCOMPARE(reportK(wb, Workbench::Segmentation, kSegLayer), 4);

    // Another model in one slot: that slot only.
    const auto models = lnscope::test::datasetsDir() / "models";
    wb.openModel(Workbench::Stereo, models / "synth_stereo3d.onnx", models / "synth_stereo3d.adapter.json");
    QCOMPARE(wb.staleReason(), QStringLiteral("not converted"));
    runJobs(wb, convert, &jobs);
    QCOMPARE(jobs, QStringList({"convert stereo", "frame", "evaluate stereo"}));

    // Another frame: that frame only, without convertAll().
    runJobs(wb, [&wb] { wb.showFrame(1); }, &jobs);
    QCOMPARE(jobs, QStringList({"frame"}));
    QCOMPARE(wb.currentFrame(), 1);

    // Settings changed while converting: the running conversion is superseded, and what is
    // finally applied is the conversion with the latest settings.
    c.clustersPerLayer[kSegLayer] = 3;
    wb.setConfig(c);
    runJobs(wb, [&] {
        wb.convertAll();
        QVERIFY(wb.busy());
        c.clustersPerLayer[kSegLayer] = 2;
        wb.setConfig(c);
        wb.convertAll();
    }, &jobs);
    QCOMPARE(jobs, QStringList({"convert seg", "convert seg", "frame", "evaluate seg"}));
    QVERIFY(!wb.anyStale());
    QCOMPARE(reportK(wb, Workbench::Segmentation, kSegLayer), 2);
    QCOMPARE(reportK(wb, Workbench::Segmentation, "/enc2/enc2.0/enc2.0.0/Conv"), 8);
}

// What each change makes stale, on an up-to-date document (nothing is run here).
void TestGuiWorkbench::settingsChangesMarkWhatIsStale_data()
{
    QTest::addColumn<QString>("change");
    QTest::addColumn<bool>("segConversion");
    QTest::addColumn<bool>("stereoConversion");
    QTest::addColumn<bool>("evaluation");
    QTest::addColumn<QString>("reason");
    QTest::addRow("global K") << "K" << true << true << true << "settings changed";
    QTest::addRow("weight format") << "format" << true << true << true << "settings changed";
    QTest::addRow("refinement") << "refine" << true << true << true << "settings changed";
    QTest::addRow("1x1 policy") << "pointwise" << true << true << true << "settings changed";
    QTest::addRow("calibration frames") << "calibration" << true << true << true << "calibration frames changed";
    QTest::addRow("per-layer K of a stereo layer") << "stereoLayerK" << false << true << true << "settings changed";
    QTest::addRow("per-layer K of no open model") << "unknownLayerK" << false << false << false << "";
    QTest::addRow("another dataset") << "otherDataset" << true << true << true << "calibration frames changed";
    QTest::addRow("the same dataset") << "sameDataset" << false << false << true << "dataset changed";
    QTest::addRow("the same K") << "sameK" << false << false << false << "";
}

void TestGuiWorkbench::settingsChangesMarkWhatIsStale()
{
    QFETCH(QString, change);
    QFETCH(bool, segConversion);
    QFETCH(bool, stereoConversion);
    QFETCH(bool, evaluation);
    QFETCH(QString, reason);
    Workbench* wb = &smallWorkbench();
    QStringList jobs;
    runJobs(*wb, [wb] { wb->convertAll(); }, &jobs); // nothing, after runsOnlyTheStaleJobs
    QVERIFY(!wb->anyStale());
    const core::ConversionConfig before = wb->config();
    const int calibration = wb->calibrationFrames();
    const auto root = wb->dataset()->root;

    core::ConversionConfig c = before;
    std::filesystem::path other;
    if (change == "K")
        c.clusters = before.clusters + 1;
    else if (change == "format")
        c.weightFormat = before.weightFormat == "lns8" ? "fp8_e4m3" : "lns8";
    else if (change == "refine")
        c.refine = !before.refine;
    else if (change == "pointwise")
        c.pointwise = lnscope::core::PointwisePolicy::ScalarSharing;
    else if (change == "stereoLayerK")
        c.clustersPerLayer["/t1/t1.0/Conv"] = 3;
    else if (change == "unknownLayerK")
        c.clustersPerLayer["/no/such/Conv"] = 3;
    if (change == "calibration")
        wb->setCalibrationFrames(calibration + 1);
    else if (change == "otherDataset")
        wb->openDataset(other = lnscope::test::makeSmallDataset("lnscope-gui-other", 4, 2));
    else if (change == "sameDataset")
        wb->openDataset(root);
    else
        wb->setConfig(c);

    QCOMPARE(wb->conversionStale(Workbench::Segmentation), segConversion);
    QCOMPARE(wb->conversionStale(Workbench::Stereo), stereoConversion);
    QCOMPARE(wb->evaluationStale(Workbench::Segmentation) || wb->conversionStale(Workbench::Segmentation)
                 || wb->evaluationStale(Workbench::Stereo) || wb->conversionStale(Workbench::Stereo),
             evaluation);
    QCOMPARE(wb->staleReason(), reason);

    // Undo: the results fit the settings again (nothing to run), except after another dataset
    // was opened (reopening one always re-evaluates).
    wb->setConfig(before);
    wb->setCalibrationFrames(calibration);
    if (change.endsWith("Dataset")) {
        wb->openDataset(root);
        QVERIFY(!wb->conversionStale(Workbench::Segmentation) && !wb->conversionStale(Workbench::Stereo));
        runJobs(*wb, [wb] { wb->convertAll(); }, &jobs);
        QCOMPARE(jobs, QStringList({"frame", "evaluate seg", "evaluate stereo"}));
    }
    QVERIFY(!wb->anyStale());
    if (!other.empty())
        std::filesystem::remove_all(other);
}

void TestGuiWorkbench::convertButtonSaysWhatIsStale()
{
    // The demo's settings again (the earlier tests changed K without converting).
    Workbench* wb = m_window->workbench();
    core::ConversionConfig c = wb->config();
    c.clusters = 64;
    c.clustersPerLayer.clear();
    wb->setConfig(c);
    if (wb->anyStale()) { // the cancelled conversion had finished after all
        QStringList jobs;
        runJobs(*wb, [wb] { wb->convertAll(); }, &jobs);
    }
    m_window->setLayerK({});
    QVERIFY(!wb->anyStale());
    QCOMPARE(m_window->convertButton()->text(), QStringLiteral("&Convert again"));
    QVERIFY(m_window->staleLabel()->isHidden());
    // Per-layer K of the active (segmentation) model: only its conversion is out of date.
    m_window->setLayerK({{kSegLayer, 3}});
    QCOMPARE(wb->config().clustersPerLayer, (std::map<std::string, int>{{kSegLayer, 3}}));
    QCOMPARE(m_window->convertButton()->text(), QStringLiteral("&Convert (settings changed)"));
    QVERIFY(!m_window->staleLabel()->isHidden());
    QVERIFY(m_window->staleLabel()->text().contains("segmentation conversion"));
    QVERIFY(!m_window->staleLabel()->text().contains("stereo"));
    // Back to the global K: up to date again, nothing to run.
    m_window->setLayerK({});
    QVERIFY(wb->config().clustersPerLayer.empty());
    QCOMPARE(m_window->convertButton()->text(), QStringLiteral("&Convert again"));
    QVERIFY(m_window->staleLabel()->isHidden());
}

void TestGuiWorkbench::perLayerKDialogEditsOnlyItsModel()
{
    const auto& seg = m_window->workbench()->slot(Workbench::Segmentation);
    const auto layers = lnscope::app::compressibleLayers(*seg.graph, lnscope::core::PointwisePolicy::Keep);
    // The same layers the conversion compressed.
    int clustered = 0;
    for (const auto& l : seg.report->layers)
        clustered += l.clusters > 0 ? 1 : 0;
    QCOMPARE(int(layers.size()), clustered);
    QVERIFY(clustered >= 5);

    const std::map<std::string, int> existing{{kSegLayer, 7}, {"/t1/t1.0/Conv", 3}};
    lnscope::app::LayerKDialog dialog("segmentation", layers, 64, existing);
    QCOMPARE(dialog.overrides(), (std::map<std::string, int>{{kSegLayer, 7}})); // the stereo entry is not its own
    QVERIFY(dialog.setK(layers.front().node, 2));
    QVERIFY(!dialog.setK("/t1/t1.0/Conv", 2));
    QCOMPARE(dialog.overrides().at(layers.front().node), 2);
    const auto merged = lnscope::app::LayerKDialog::merge(existing, layers, dialog.overrides());
    QCOMPARE(merged.at("/t1/t1.0/Conv"), 3); // the other model's entry is kept
    QCOMPARE(merged.at(kSegLayer), 7);
    QCOMPARE(merged.at(layers.front().node), 2);
    dialog.resetAll();
    QVERIFY(dialog.overrides().empty());
    QCOMPARE(lnscope::app::LayerKDialog::merge(existing, layers, dialog.overrides()),
             (std::map<std::string, int>{{"/t1/t1.0/Conv", 3}}));
}

void TestGuiWorkbench::recentFilesOpenAndDropMissingOnes()
{
    RecentFiles::clear();
    Workbench* wb = m_window->workbench();
    const QString dataset = QString::fromStdString(wb->dataset()->root.string());
    const QString gone = QDir::tempPath() + QStringLiteral("/lnscope-no-such-session.lnscope");
    RecentFiles::add({RecentEntry::Session, 0, gone, {}});
    RecentFiles::add({RecentEntry::Dataset, 0, dataset, {}});
    RecentFiles::add({RecentEntry::Dataset, 0, dataset, {}}); // moved to the top, not doubled
    QCOMPARE(RecentFiles::entries(RecentEntry::Dataset).size(), 1);

    // The menu lists them by kind, with a way to clear the list.
    emit m_window->recentMenu()->aboutToShow();
    QStringList texts;
    for (QAction* a : m_window->recentMenu()->actions())
        texts << a->text();
    QVERIFY2(texts.contains("Datasets") && texts.contains("Sessions") && texts.contains("&Clear list"), qPrintable(texts.join(" | ")));
    QVERIFY(texts.contains(QStringLiteral("synthdrive/val")));

    // A missing file: a message naming it, and the entry is gone (also from QSettings).
    const QString problem = m_window->openRecent({RecentEntry::Session, 0, gone, {}});
    QVERIFY2(problem.contains(gone) && problem.contains("no longer exists"), qPrintable(problem));
    QVERIFY(RecentFiles::entries(RecentEntry::Session).isEmpty());
    QVERIFY(!QSettings().value("recent/sessions").toList().size());

    // An existing one opens (the same dataset again: only its evaluations become stale).
    QCOMPARE(m_window->openRecent({RecentEntry::Dataset, 0, dataset, {}}), QString());
    QVERIFY(!wb->conversionStale(Workbench::Segmentation));
    QVERIFY(wb->evaluationStale(Workbench::Segmentation));

    // Clear list.
    emit m_window->recentMenu()->aboutToShow();
    QAction* clear = nullptr;
    for (QAction* a : m_window->recentMenu()->actions())
        if (a->text() == QStringLiteral("&Clear list"))
            clear = a;
    QVERIFY(clear && clear->isEnabled());
    clear->trigger();
    QVERIFY(RecentFiles::isEmpty());
}

void TestGuiWorkbench::shortcutListNamesEveryKey()
{
    QString keysListed;
    for (const auto& [keys, what] : m_window->shortcutRows())
        keysListed += keys + QLatin1Char('\n');
    // Every menu action with a shortcut …
    QStringList missing;
    for (QAction* menu : m_window->menuBar()->actions())
        for (QAction* a : menu->menu()->actions())
            if (!a->shortcut().isEmpty() && !keysListed.contains(a->shortcut().toString(QKeySequence::NativeText)))
                missing << a->shortcut().toString(QKeySequence::NativeText);
    // … and every presentation key.
    for (const char* key : {"F5", "1 … 4", "P", "+ / −", "← / →", "Esc"})
        if (!keysListed.contains(key))
            missing << key;
    QVERIFY2(missing.isEmpty(), qPrintable(missing.join(", ")));
}

QTEST_MAIN(TestGuiWorkbench)
#include "test_gui_workbench.moc"
