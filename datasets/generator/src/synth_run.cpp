// A whole generation run: the folders, the worker threads (one render window each), progress,
// and lnscope-synth's main().

#include "lnscope/synth/synth.h"

#include "frame_writer.h"

#include "lnscope/core/error.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <exception>
#include <iostream>
#include <mutex>
#include <ostream>
#include <thread>

namespace lnscope::synth {

namespace fs = std::filesystem;

namespace {

using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point t0)
{
    return std::chrono::duration<double>(Clock::now() - t0).count();
}

std::string fixed(double v, int decimals)
{
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
    return buf;
}

} // namespace

double generate(const SynthOptions& options, std::ostream* log)
{
    if (options.frames < 1 || options.threads < 1)
        throw UsageError("--frames and --threads must be at least 1");
    if (const std::string problem = displayProblem(); !problem.empty())
        throw RenderUnavailable("cannot render: " + problem);
    const StereoRig rig = rigFor(options.width, options.height);
    createLayout(options.out);
    writeClassList(options.out / "classes.json");

    const Clock::time_point t0 = Clock::now();
    std::vector<FrameSummary> summaries(size_t(options.frames));
    std::atomic<int> next{0};
    std::atomic<bool> failed{false};
    std::mutex mutex; // guards `error`, `done` and the log
    std::exception_ptr error;
    int done = 0;
    const int reportEvery = std::max(1, options.frames / 10);

    const auto worker = [&] {
        try {
            FrameRenderer renderer(rig);
            for (int k = next++; k < options.frames && !failed; k = next++) {
                const Frame frame = renderer.render(options.seed, options.start + k);
                writeFrame(options.out, frame, rig);
                summaries[size_t(k)] = {frame.index, frame.scene, int(frame.objects.size())};
                const std::lock_guard<std::mutex> lock(mutex);
                ++done;
                if (log && (done % reportEvery == 0 || done == options.frames))
                    *log << "  " << done << "/" << options.frames << " frames, " << fixed(done / secondsSince(t0), 1)
                         << " frames/s" << std::endl;
            }
        } catch (...) {
            const std::lock_guard<std::mutex> lock(mutex);
            if (!error)
                error = std::current_exception();
            failed = true;
        }
    };
    const int threads = std::min(options.threads, options.frames);
    std::vector<std::thread> pool;
    for (int t = 1; t < threads; ++t)
        pool.emplace_back(worker);
    worker();
    for (std::thread& t : pool)
        t.join();
    if (error)
        std::rethrow_exception(error);

    writeRunInfo(options.out / "synth.json", options, rig, summaries);
    const double seconds = secondsSince(t0);
    if (log)
        *log << "wrote " << options.frames << " frames (" << options.width << "x" << options.height << ", seed "
             << options.seed << ", frames " << frameName(options.start) << " to "
             << frameName(options.start + options.frames - 1) << ") to " << options.out.string() << " in "
             << fixed(seconds, 1) << " s: " << fixed(options.frames / seconds, 2) << " frames/s on " << threads
             << (threads == 1 ? " thread" : " threads") << std::endl;
    return seconds;
}

int synthMain(const std::vector<std::string>& args)
{
    for (const std::string& a : args)
        if (a == "-h" || a == "--help") {
            std::fputs(synthUsage(), stdout);
            return 0;
        }
    const auto fail = [](int code, const std::string& message) {
        std::fprintf(stderr, "lnscope-synth: %s\n", message.c_str());
        return code;
    };
    try {
        const SynthOptions options = parseSynthArgs(args);
        generate(options, &std::cout);
        return 0;
    } catch (const UsageError& e) {
        std::fprintf(stderr, "lnscope-synth: %s\n\n%s", e.what(), synthUsage());
        return 2;
    } catch (const RenderUnavailable& e) {
        return fail(1, e.what());
    } catch (const core::Error& e) {
        return fail(1, e.what());
    } catch (const fs::filesystem_error& e) {
        return fail(1, e.what());
    } catch (const std::exception& e) {
        return fail(3, std::string("internal error: ") + e.what());
    }
}

} // namespace lnscope::synth
