#pragma once
// Progress of long CLI jobs: one updating line on stderr, and Ctrl-C (SIGINT) as cancellation.

#include "lnscope/core/progress.h"

#include <chrono>
#include <mutex>
#include <string>

namespace lnscope::app {

/// One updating line on a terminal (at most ten updates a second); nothing when stderr is not a
/// terminal, so logs and tests stay clean. cancelled() turns true on SIGINT while a SigintGuard
/// holds it.
class StderrProgress : public core::CancelFlag
{
public:
    StderrProgress();
    ~StderrProgress() override { finish(); }

    void report(double fraction, const std::string& stage) override;
    /// Clears the line.
    void finish();

private:
    bool m_tty;
    std::mutex m_mutex;
    bool m_shown = false;
    std::chrono::steady_clock::time_point m_last;
};

/// Installs a SIGINT handler that cancels `flag`, for its lifetime (one at a time).
class SigintGuard
{
public:
    explicit SigintGuard(core::CancelFlag& flag);
    ~SigintGuard();
    SigintGuard(const SigintGuard&) = delete;
    SigintGuard& operator=(const SigintGuard&) = delete;

private:
    void (*m_previous)(int);
};

} // namespace lnscope::app
