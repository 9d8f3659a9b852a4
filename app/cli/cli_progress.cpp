#include "cli_progress.h"

#include <cmath>
#include <csignal>
#include <cstdio>
#include <unistd.h>

namespace lnscope::app {

namespace {

core::CancelFlag* g_cancel = nullptr;

extern "C" void onSigint(int)
{
    if (g_cancel)
        g_cancel->cancel(); // a lock-free atomic store: async-signal-safe
}

} // namespace

StderrProgress::StderrProgress() : m_tty(isatty(STDERR_FILENO) == 1) {}

void StderrProgress::report(double fraction, const std::string& stage)
{
    if (!m_tty)
        return;
    const std::lock_guard lock(m_mutex);
    const auto now = std::chrono::steady_clock::now();
    if (m_shown && now - m_last < std::chrono::milliseconds(100) && fraction < 1.0)
        return;
    m_last = now;
    m_shown = true;
    std::fprintf(stderr, "\r\033[Kconvert: %3d%% %s", static_cast<int>(std::lround(100.0 * fraction)), stage.c_str());
    std::fflush(stderr);
}

void StderrProgress::finish()
{
    const std::lock_guard lock(m_mutex);
    if (m_shown)
        std::fputs("\r\033[K", stderr);
    m_shown = false;
}

SigintGuard::SigintGuard(core::CancelFlag& flag)
{
    g_cancel = &flag;
    m_previous = std::signal(SIGINT, onSigint);
}

SigintGuard::~SigintGuard()
{
    std::signal(SIGINT, m_previous == SIG_ERR ? SIG_DFL : m_previous);
    g_cancel = nullptr;
}

} // namespace lnscope::app
