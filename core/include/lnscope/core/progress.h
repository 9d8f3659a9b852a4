#pragma once
// The one shape of long jobs (STYLE.md 4): core functions take a Progress, report a fraction and
// ask whether they were cancelled. Implementations must be thread-safe.

#include "lnscope/core/error.h"

#include <atomic>
#include <string>

namespace lnscope::core {

/// Thrown by core functions when their Progress reports cancellation.
class Cancelled : public Error
{
public:
    Cancelled() : Error("cancelled") {}
};

class Progress
{
public:
    virtual ~Progress() = default;
    /// fraction in [0, 1]; stage is a short human label ("conv3", "k-means").
    virtual void report(double fraction, const std::string& stage) { (void)fraction; (void)stage; }
    virtual bool cancelled() const { return false; }

    /// Throws Cancelled if cancelled.
    void checkCancelled() const
    {
        if (cancelled())
            throw Cancelled();
    }
};

/// A Progress whose cancel() may be called from any thread.
class CancelFlag : public Progress
{
public:
    void cancel() { m_cancelled.store(true); }
    bool cancelled() const override { return m_cancelled.load(); }

private:
    std::atomic<bool> m_cancelled{false};
};

/// A part of a longer job: reports of the part (0..1) map to [from, to) of the parent's fraction;
/// cancellation is the parent's. A null parent makes it a no-op.
class ScaledProgress : public Progress
{
public:
    ScaledProgress(Progress* parent, double from, double to) : m_parent(parent), m_from(from), m_to(to) {}
    void report(double fraction, const std::string& stage) override
    {
        if (m_parent)
            m_parent->report(m_from + (m_to - m_from) * fraction, stage);
    }
    bool cancelled() const override { return m_parent && m_parent->cancelled(); }

private:
    Progress* m_parent;
    double m_from, m_to;
};

} // namespace lnscope::core
