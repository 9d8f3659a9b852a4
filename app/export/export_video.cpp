// lnscope-export video (run by `lnscope-cli video`): opens the models and dataset like the window,
// converts and evaluates (prepareExport), then writes the float-vs-converted comparison video
// (video_exporter.h). Progress goes to stderr; Ctrl-C (SIGINT) or SIGTERM during the writing
// stops it cleanly: the temporary file is removed and nothing is left at --out.

#include "export_common.h"
#include "video_exporter.h"

#include "lnscope/core/progress.h"

#include <QElapsedTimer>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>

namespace lnscope::app {

namespace {

volatile std::sig_atomic_t g_stopRequested = 0;

extern "C" void requestStop(int)
{
    g_stopRequested = 1;
}

/// Catches SIGINT / SIGTERM while alive (the previous handlers come back afterwards).
class StopSignals
{
public:
    StopSignals()
    {
        g_stopRequested = 0;
        m_int = std::signal(SIGINT, requestStop);
        m_term = std::signal(SIGTERM, requestStop);
    }
    ~StopSignals()
    {
        std::signal(SIGINT, m_int);
        std::signal(SIGTERM, m_term);
    }
    StopSignals(const StopSignals&) = delete;
    StopSignals& operator=(const StopSignals&) = delete;

private:
    void (*m_int)(int) = SIG_DFL;
    void (*m_term)(int) = SIG_DFL;
};

/// "video:  40 % frame 000012" on stderr, at most one line a second (and the last one).
class StderrProgress : public core::Progress
{
public:
    void report(double fraction, const std::string& stage) override
    {
        const int percent = int(fraction * 100.0);
        if (percent < 100 && m_timer.isValid() && m_timer.elapsed() < 1000)
            return;
        m_timer.start();
        std::fprintf(stderr, "video: %3d %% %s\n", percent, stage.c_str());
    }
    bool cancelled() const override { return g_stopRequested != 0; }

private:
    QElapsedTimer m_timer;
};

bool isVideoExtension(const std::filesystem::path& path)
{
    std::string ext = path.extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    return ext == ".avi" || ext == ".mp4";
}

/// A missing or read-only output folder is reported before the conversion, not after it: creates
/// and removes the file exportVideo() will write first (its name stays free: it is temporary).
void checkOutputFolder(const std::filesystem::path& out)
{
    const std::filesystem::path folder = out.parent_path().empty() ? "." : out.parent_path();
    std::error_code ec;
    if (!std::filesystem::is_directory(folder, ec))
        throw core::IoError(out.string() + ": the folder " + folder.string() + " does not exist");
    const std::filesystem::path probe = folder / (out.stem().string() + ".part" + out.extension().string());
    if (std::filesystem::exists(probe, ec))
        return; // a leftover of a killed run: exportVideo() overwrites it
    std::FILE* f = std::fopen(probe.c_str(), "wb");
    if (!f)
        throw core::IoError(out.string() + ": cannot write in " + folder.string() + ": " + std::strerror(errno));
    std::fclose(f);
    std::filesystem::remove(probe, ec);
}

} // namespace

int exportVideoMain(const QStringList& argv)
{
    ExportArgs args(argv);
    const std::optional<QString> out = args.value(QStringLiteral("--out"));
    if (!out || out->isEmpty())
        throw ExportUsageError("missing --out FILE.avi|FILE.mp4");
    VideoOptions options;
    options.out = std::filesystem::path(out->toStdString());
    if (!isVideoExtension(options.out))
        throw ExportUsageError("--out: the video name must end in .avi or .mp4, got '" + out->toStdString() + "'");
    options.fps = args.doubleValue(QStringLiteral("--fps"), options.fps, 0.1, 120.0);
    options.maxFrames = args.intValue(QStringLiteral("--frames"), 0, 0, 1000000);
    checkOutputFolder(options.out);

    Workbench workbench;
    const ExportInput input = prepareExport(args, workbench); // refuses unknown arguments too
    args.finish();
    std::fprintf(stderr, "writing %s...\n", options.out.string().c_str());
    const StopSignals stop;
    StderrProgress progress;
    QElapsedTimer timer;
    timer.start();
    const int frames = exportVideo(input, options, &progress);
    std::error_code sizeError;
    const auto bytes = std::filesystem::file_size(options.out, sizeError);
    std::fprintf(stdout,
                 "Video    %s\nFrames   %d at %g fps (%.2f s per frame to compute and draw)\nSize     %.1f MB\n",
                 options.out.string().c_str(), frames, options.fps,
                 frames > 0 ? double(timer.elapsed()) / 1000.0 / frames : 0.0, sizeError ? 0.0 : double(bytes) / 1e6);
    return 0;
}

} // namespace lnscope::app
