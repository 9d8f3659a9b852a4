#pragma once
// Runs a core job (anything taking a core::Progress) off the GUI thread (STYLE.md 4): QtConcurrent
// starts it, a core::Progress bridge carries its fraction, stage and cancellation across threads,
// a 10 Hz timer on the GUI thread turns that into throttled progress() signals with an estimate of
// the remaining time, and the result comes back through a callback on the GUI thread. Starting a
// job cancels the one before; a generation counter drops results of jobs that were superseded or
// cancelled, so a slow old job can never overwrite a newer result.
//
//     runner.run<core::ConversionReport>(tr("Converting"),
//         [=](core::Progress& p) { return core::buildConversionReport(model, inputs, options, &p); },
//         [this](core::ConversionReport r) { m_table->setReport(std::move(r)); });
//
// The work function runs on a pool thread: give it copies (plain values), never widget pointers.
// Exceptions it throws become failed(message); core::Cancelled becomes cancelled().

#include "lnscope/core/progress.h"

#include <QElapsedTimer>
#include <QObject>
#include <QString>
#include <QTimer>

#include <algorithm>
#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

namespace lnscope::widgets {

class JobRunner : public QObject
{
    Q_OBJECT
public:
    explicit JobRunner(QObject* parent = nullptr);
    ~JobRunner() override; ///< cancels and waits for a running job

    /// Starts `work` on a pool thread (cancelling any running job) and calls `onDone` with its
    /// result on the GUI thread if it is still the current job when it finishes. Returns the job's
    /// generation number.
    template <typename T>
    int run(const QString& label, std::function<T(core::Progress&)> work, std::function<void(T)> onDone)
    {
        auto result = std::make_shared<std::optional<T>>();
        return start(
            label, [work = std::move(work), result](core::Progress& p) { result->emplace(work(p)); },
            [onDone = std::move(onDone), result] {
                if (*result)
                    onDone(std::move(**result));
            });
    }

    bool isRunning() const { return m_running; }
    int generation() const { return m_generation; }
    QString label() const { return m_label; }

public slots:
    /// Asks the running job to stop (it stops at its next progress check).
    void cancel();

signals:
    void started(int generation, const QString& label);
    /// fraction in [0, 1]; remainingSeconds < 0 while unknown. At most ~10 per second.
    void progress(double fraction, const QString& stage, double remainingSeconds);
    void finished(int generation);
    void failed(int generation, const QString& message);
    void cancelled(int generation);

private:
    struct Bridge;
    int start(const QString& label, std::function<void(core::Progress&)> work, std::function<void()> deliver);
    void poll();
    void complete(int generation, const std::shared_ptr<Bridge>& bridge, const std::function<void()>& deliver);

    std::shared_ptr<Bridge> m_bridge;
    QTimer m_timer;
    QElapsedTimer m_clock;
    QString m_label;
    int m_generation = 0;
    bool m_running = false;
};

} // namespace lnscope::widgets
