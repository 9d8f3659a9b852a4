#include "lnscope/widgets/job_runner.h"

#include "lnscope/core/error.h"

#include <QFutureWatcher>
#include <QtConcurrent/QtConcurrentRun>

#include <exception>

namespace lnscope::widgets {

/// Shared between the GUI thread and the job: the job writes progress, the GUI reads it.
struct JobRunner::Bridge : core::Progress
{
    std::atomic<bool> cancelRequested{false};
    std::atomic<double> fraction{0.0};
    mutable std::mutex mutex;
    std::string stage;        ///< under mutex
    std::string error;        ///< under mutex: what() of a failure
    bool wasCancelled = false; ///< under mutex

    void report(double f, const std::string& s) override
    {
        fraction.store(std::clamp(f, 0.0, 1.0));
        const std::lock_guard lock(mutex);
        stage = s;
    }
    bool cancelled() const override { return cancelRequested.load(); }
};

JobRunner::JobRunner(QObject* parent) : QObject(parent)
{
    m_timer.setInterval(100);
    connect(&m_timer, &QTimer::timeout, this, &JobRunner::poll);
}

JobRunner::~JobRunner()
{
    if (m_bridge)
        m_bridge->cancelRequested.store(true);
    QThreadPool::globalInstance()->waitForDone();
}

void JobRunner::cancel()
{
    if (m_bridge && m_running)
        m_bridge->cancelRequested.store(true);
}

int JobRunner::start(const QString& label, std::function<void(core::Progress&)> work, std::function<void()> deliver)
{
    cancel(); // the previous job, if any: its result will be dropped by the generation check
    const int generation = ++m_generation;
    auto bridge = std::make_shared<Bridge>();
    m_bridge = bridge;
    m_label = label;
    m_running = true;
    m_clock.start();
    auto* watcher = new QFutureWatcher<void>(this);
    connect(watcher, &QFutureWatcher<void>::finished, this, [this, watcher, generation, bridge, deliver] {
        watcher->deleteLater();
        complete(generation, bridge, deliver);
    });
    watcher->setFuture(QtConcurrent::run([bridge, work = std::move(work)] {
        try {
            work(*bridge);
        } catch (const core::Cancelled&) {
            const std::lock_guard lock(bridge->mutex);
            bridge->wasCancelled = true;
        } catch (const std::exception& e) {
            const std::lock_guard lock(bridge->mutex);
            bridge->error = e.what();
            if (bridge->error.empty())
                bridge->error = "unknown error";
        } catch (...) {
            const std::lock_guard lock(bridge->mutex);
            bridge->error = "unknown error";
        }
    }));
    m_timer.start();
    emit started(generation, label);
    emit progress(0.0, label, -1.0);
    return generation;
}

void JobRunner::poll()
{
    if (!m_bridge || !m_running)
        return;
    const double f = m_bridge->fraction.load();
    std::string stage;
    {
        const std::lock_guard lock(m_bridge->mutex);
        stage = m_bridge->stage;
    }
    const double elapsed = double(m_clock.elapsed()) / 1000.0;
    const double remaining = f > 0.02 && elapsed > 0.5 ? elapsed * (1.0 - f) / f : -1.0;
    emit progress(f, QString::fromStdString(stage), remaining);
}

void JobRunner::complete(int generation, const std::shared_ptr<Bridge>& bridge, const std::function<void()>& deliver)
{
    if (generation != m_generation)
        return; // superseded: a newer job owns the runner (and its signals)
    m_running = false;
    m_timer.stop();
    std::string error;
    bool wasCancelled = false;
    {
        const std::lock_guard lock(bridge->mutex);
        error = bridge->error;
        wasCancelled = bridge->wasCancelled || bridge->cancelRequested.load();
    }
    if (!error.empty()) {
        emit failed(generation, QString::fromStdString(error));
    } else if (wasCancelled) {
        emit cancelled(generation);
    } else {
        emit progress(1.0, m_label, 0.0);
        deliver();
        emit finished(generation);
    }
}

} // namespace lnscope::widgets
