// JobRunner (job_runner.h): a core job off the GUI thread with throttled progress, cancel, errors
// and stale results dropped.
#include "lnscope/widgets/job_runner.h"

#include "lnscope/core/error.h"

#include <QSignalSpy>
#include <QTest>

#include <atomic>
#include <thread>

using lnscope::core::Progress;
using lnscope::widgets::JobRunner;

namespace {

/// A job that reports n steps, sleeping between them, and returns n.
std::function<int(Progress&)> steps(int n, int msPerStep)
{
    return [=](Progress& p) {
        for (int i = 0; i < n; ++i) {
            p.checkCancelled();
            p.report(double(i) / n, "step " + std::to_string(i));
            std::this_thread::sleep_for(std::chrono::milliseconds(msPerStep));
        }
        return n;
    };
}

} // namespace

class TestJobRunner : public QObject
{
    Q_OBJECT
private slots:
    void deliversResultOnTheGuiThread();
    void cancelStopsTheJob();
    void newJobDropsTheStaleResult();
    void exceptionsBecomeFailures();
};

void TestJobRunner::deliversResultOnTheGuiThread()
{
    JobRunner runner;
    QSignalSpy progress(&runner, &JobRunner::progress);
    QSignalSpy finished(&runner, &JobRunner::finished);
    QSignalSpy failed(&runner, &JobRunner::failed);
    int result = 0;
    Qt::HANDLE deliveredOn = nullptr;
    const int gen = runner.run<int>("count", steps(6, 60), [&](int r) {
        result = r;
        deliveredOn = QThread::currentThreadId();
    });
    QVERIFY(runner.isRunning());
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 10000);
    QCOMPARE(finished.first().first().toInt(), gen);
    QCOMPARE(result, 6);
    QCOMPARE(deliveredOn, QThread::currentThreadId());
    QCOMPARE(failed.count(), 0);
    QVERIFY(!runner.isRunning());
    // Throttled: a 360 ms job gives a handful of updates (the start, ~3 polls, the end), not one per report.
    QVERIFY2(progress.count() >= 2 && progress.count() <= 8, qPrintable(QString::number(progress.count())));
    QCOMPARE(progress.last().at(0).toDouble(), 1.0);
}

void TestJobRunner::cancelStopsTheJob()
{
    JobRunner runner;
    QSignalSpy cancelled(&runner, &JobRunner::cancelled);
    QSignalSpy finished(&runner, &JobRunner::finished);
    bool delivered = false;
    runner.run<int>("long", steps(1000, 10), [&](int) { delivered = true; });
    QTest::qWait(100);
    runner.cancel();
    QTRY_COMPARE_WITH_TIMEOUT(cancelled.count(), 1, 5000);
    QCOMPARE(finished.count(), 0);
    QVERIFY(!delivered);
    QVERIFY(!runner.isRunning());
}

void TestJobRunner::newJobDropsTheStaleResult()
{
    JobRunner runner;
    QSignalSpy finished(&runner, &JobRunner::finished);
    std::vector<int> results;
    const int first = runner.run<int>("old", steps(20, 10), [&](int r) { results.push_back(r); });
    const int second = runner.run<int>("new", steps(3, 10), [&](int r) { results.push_back(r); });
    QVERIFY(second > first);
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 5000);
    QTest::qWait(400); // the old job has stopped by now too; it must not deliver
    QCOMPARE(results, std::vector<int>{3});
    QCOMPARE(finished.count(), 1);
    QCOMPARE(finished.first().first().toInt(), second);
}

void TestJobRunner::exceptionsBecomeFailures()
{
    JobRunner runner;
    QSignalSpy failed(&runner, &JobRunner::failed);
    QSignalSpy finished(&runner, &JobRunner::finished);
    runner.run<int>(
        "bad", [](Progress&) -> int { throw lnscope::core::FormatError("model.onnx: node 'x': bad attribute"); },
        [](int) {});
    QTRY_COMPARE_WITH_TIMEOUT(failed.count(), 1, 5000);
    QVERIFY(failed.first().at(1).toString().contains("model.onnx: node 'x'"));
    QCOMPARE(finished.count(), 0);
}

QTEST_MAIN(TestJobRunner)
#include "test_job_runner.moc"
