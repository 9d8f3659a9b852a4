#include "lnscope/core/parallel.h"

#include <Eigen/Core>
#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

// Why not OpenMP: an OpenMP parallel-for ends in a barrier that waits for every thread. On a
// shared 2-core machine the second thread is often not scheduled in time, and a model makes
// 60-150 such calls, so whole-model wall time was 2.6x (ResNet-18) to 12.6x (MobileNetV2)
// OpenCV DNN's. Here the caller works through the chunks itself and waits only for chunks a
// worker actually claimed: an unscheduled worker claims nothing and costs nothing.
// Chunk boundaries depend only on (n, threads), so results are deterministic per thread count.

namespace lnscope::core {

namespace {

struct Job
{
    const std::function<void(int64_t, int64_t)>* body = nullptr; // valid until all chunks are done
    int64_t n = 0;
    int64_t chunks = 0;
    std::atomic<int64_t> next{0};
    std::atomic<int64_t> done{0};
    std::mutex mutex;
    std::condition_variable finished;

    void work()
    {
        for (int64_t k; (k = next.fetch_add(1)) < chunks;) {
            const int64_t begin = n * k / chunks;
            const int64_t end = n * (k + 1) / chunks;
            if (begin < end)
                (*body)(begin, end);
            if (done.fetch_add(1) + 1 == chunks) {
                std::lock_guard lock(mutex);
                finished.notify_all();
            }
        }
    }
};

class WorkerPool
{
public:
    /// Process-wide pool. Deliberately leaked: its detached workers sleep until process exit.
    static WorkerPool& instance()
    {
        static WorkerPool* pool = new WorkerPool;
        return *pool;
    }

    void run(int threads, const std::shared_ptr<Job>& job)
    {
        ensureWorkers(threads - 1);
        {
            std::lock_guard lock(m_mutex);
            m_job = job; // a concurrent caller may replace it: each caller finishes its own job anyway
            m_wanted = threads - 1;
            ++m_generation;
        }
        m_wake.notify_all();
        job->work();
        if (job->done.load() < job->chunks) {
            std::unique_lock lock(job->mutex);
            job->finished.wait(lock, [&] { return job->done.load() >= job->chunks; });
        }
        std::lock_guard lock(m_mutex);
        if (m_job == job)
            m_job.reset();
    }

private:
    void ensureWorkers(int count)
    {
        std::lock_guard lock(m_mutex);
        while (static_cast<int>(m_workers) < count) {
            const int index = static_cast<int>(m_workers++);
            std::thread([this, index] { loop(index); }).detach();
        }
    }

    void loop(int index)
    {
        uint64_t seen = 0;
        for (;;) {
            std::shared_ptr<Job> job;
            {
                std::unique_lock lock(m_mutex);
                m_wake.wait(lock, [&] { return m_generation != seen; });
                seen = m_generation;
                if (index >= m_wanted)
                    continue;
                job = m_job;
            }
            if (job)
                job->work(); // a late worker finds no chunk left and never touches body
        }
    }

    std::mutex m_mutex;
    std::condition_variable m_wake;
    std::shared_ptr<Job> m_job;
    uint64_t m_generation = 0;
    int m_wanted = 0;
    size_t m_workers = 0;
};

} // namespace

void parallelFor(int64_t n, int threads, const std::function<void(int64_t, int64_t)>& body)
{
    if (n <= 0)
        return;
    const int t = static_cast<int>(std::clamp<int64_t>(threads, 1, n));
    if (t == 1) {
        body(0, n);
        return;
    }
    auto job = std::make_shared<Job>();
    job->body = &body;
    job->n = n;
    job->chunks = std::min<int64_t>(n, 4 * int64_t(t)); // a few chunks per thread balance uneven work
    WorkerPool::instance().run(t, job);
}

void setGemmThreads(int threads)
{
    // Kernels split their own work with parallelFor; Eigen's threaded GEMM spin-waits between
    // its threads many times per product, which stalls on a loaded machine.
    (void)threads;
    Eigen::setNbThreads(1); // also compiled with EIGEN_DONT_PARALLELIZE
}

} // namespace lnscope::core
