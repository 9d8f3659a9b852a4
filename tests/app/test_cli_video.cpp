// lnscope-cli video end to end (lnscope-cli → lnscope-export → OpenCV's VideoWriter) on a two-frame
// copy of datasets/synthdrive/val with the demo models, converted with a deliberately coarse
// configuration (K = 8, no refinement) so that it is quick and float and converted visibly differ:
// the videos are read back with cv::VideoCapture (frame count, size, fps, content), for both models
// (.avi), segmentation only (.mp4, --frames) and stereo only; then bad input: a missing dataset,
// usage errors, an unwritable or missing output folder, an export stopped half-way — each with its
// exit code, a message naming the file, and no file (partial or not) left behind.

#include "test_utils.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <opencv2/core.hpp>
#include <opencv2/videoio.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <unistd.h>

using namespace lnscope;
namespace fs = std::filesystem;

namespace {

/// Conversions and videos take tens of seconds on a loaded machine: a generous limit.
constexpr int kTimeoutMs = 600000;

struct Run
{
    int exitCode = -1;
    QString out, err;
};

Run runCli(const QStringList& args, const QString& workDir)
{
    QProcess p;
    p.setWorkingDirectory(workDir);
    p.start(QString::fromLocal8Bit(qgetenv("LNSCOPE_CLI_PATH")), args);
    Run r;
    if (!p.waitForFinished(kTimeoutMs) || p.exitStatus() != QProcess::NormalExit) {
        qWarning("lnscope-cli %s did not finish normally: %s", qPrintable(args.join(' ')), qPrintable(p.errorString()));
        p.kill();
        p.waitForFinished();
        return r;
    }
    r.exitCode = p.exitCode();
    r.out = QString::fromUtf8(p.readAllStandardOutput());
    r.err = QString::fromUtf8(p.readAllStandardError());
    return r;
}

struct Video
{
    std::vector<cv::Mat> frames;
    cv::Size size;
    double fps = 0;
};

Video readVideo(const QString& path)
{
    Video v;
    cv::VideoCapture capture(path.toStdString());
    if (!capture.isOpened())
        return v;
    v.fps = capture.get(cv::CAP_PROP_FPS);
    cv::Mat frame;
    while (capture.read(frame)) {
        v.frames.push_back(frame.clone());
        v.size = frame.size();
    }
    return v;
}

/// Mean absolute difference per channel value, 0..255.
double meanAbsDiff(const cv::Mat& a, const cv::Mat& b)
{
    return cv::norm(a, b, cv::NORM_L1) / double(a.total() * size_t(a.channels()));
}

double contentStdDev(const cv::Mat& image)
{
    cv::Scalar mean, stddev;
    cv::meanStdDev(image, mean, stddev);
    return (stddev[0] + stddev[1] + stddev[2]) / 3.0;
}

/// The rows of picture panels in the columns x0..x1 of a frame: runs of rows whose mean colour is
/// not the background's (the colour of the frame's bottom-left margin), longest first.
std::vector<cv::Range> panelRows(const cv::Mat& frame, int x0, int x1)
{
    const cv::Vec3b background = frame.at<cv::Vec3b>(frame.rows - 2, 2);
    std::vector<cv::Range> runs;
    int start = -1;
    for (int y = 0; y <= frame.rows; ++y) {
        bool picture = false;
        if (y < frame.rows) {
            const cv::Scalar mean = cv::mean(frame(cv::Rect(x0, y, x1 - x0, 1)));
            for (int c = 0; c < 3; ++c)
                picture = picture || std::abs(mean[c] - background[c]) > 12.0;
        }
        if (picture && start < 0)
            start = y;
        if (!picture && start >= 0) {
            runs.emplace_back(start, y);
            start = -1;
        }
    }
    std::sort(runs.begin(), runs.end(), [](const cv::Range& a, const cv::Range& b) { return a.size() > b.size(); });
    return runs;
}

/// Files in `dir` whose name contains ".part" (what an interrupted export would leave).
QStringList partialFiles(const QString& dir)
{
    return QDir(dir).entryList({QStringLiteral("*.part*")}, QDir::Files | QDir::Hidden);
}

} // namespace

class TestCliVideo : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void bothModelsWriteAnAviWithEveryFrame();
    void segmentationOnlyWritesAnMp4WithTheFramesAsked();
    void stereoOnlyHasNoSegmentationColumn();
    void missingDatasetIsNamed();
    void usageErrors_data();
    void usageErrors();
    void unwritableFolderLeavesNothing();
    void missingFolderIsNamed();
    void stoppedExportLeavesNothing();

private:
    QStringList segModel() const;
    QStringList stereoModel() const;
    /// The dataset (`data`, or the two-frame copy) and the quick conversion settings.
    QStringList fastSource(const QString& data = {}) const;

    QTemporaryDir m_dir;
    QString m_data;
    QString m_longData;
    QString m_config;
    int m_bothWidth = 0;
};

void TestCliVideo::initTestCase()
{
    QVERIFY(!qgetenv("LNSCOPE_CLI_PATH").isEmpty());
    QVERIFY(m_dir.isValid());
    // Two frames of synthdrive/val with every file the frames have.
    const fs::path source = test::datasetsDir() / "synthdrive" / "val";
    m_data = m_dir.filePath(QStringLiteral("val"));
    for (const char* sub : {"image_2", "image_3", "label_2", "calib", "semantic", "disparity"}) {
        const fs::path to = fs::path(m_data.toStdString()) / sub;
        fs::create_directories(to);
        for (const fs::directory_entry& e : fs::directory_iterator(source / sub)) {
            const std::string stem = e.path().stem().string();
            if (stem == "000004" || stem == "000005")
                fs::copy_file(e.path(), to / e.path().filename());
        }
    }
    fs::copy_file(source / "classes.json", fs::path(m_data.toStdString()) / "classes.json");
    // Four frames (the two again, as 000006 and 000007): a video that takes a while to write.
    m_longData = m_dir.filePath(QStringLiteral("val4"));
    fs::copy(fs::path(m_data.toStdString()), fs::path(m_longData.toStdString()), fs::copy_options::recursive);
    for (const char* sub : {"image_2", "image_3", "label_2", "calib", "semantic", "disparity"}) {
        const fs::path dir = fs::path(m_longData.toStdString()) / sub;
        for (const auto& [from, to] : {std::pair{"000004", "000006"}, std::pair{"000005", "000007"}}) {
            for (const fs::directory_entry& e : fs::directory_iterator(dir)) {
                if (e.path().stem() == from) {
                    fs::copy_file(e.path(), dir / (std::string(to) + e.path().extension().string()));
                    break;
                }
            }
        }
    }
    m_config = m_dir.filePath(QStringLiteral("coarse.json"));
    QFile config(m_config);
    QVERIFY(config.open(QIODevice::WriteOnly));
    config.write(R"({"clusters": 8, "refine": false})");
}

QStringList TestCliVideo::segModel() const
{
    const QString models = QString::fromStdString((test::datasetsDir() / "models").string());
    return {QStringLiteral("--model"), models + QStringLiteral("/synth_segnet.onnx"), QStringLiteral("--adapter"),
            models + QStringLiteral("/synth_segnet.adapter.json")};
}

QStringList TestCliVideo::stereoModel() const
{
    const QString models = QString::fromStdString((test::datasetsDir() / "models").string());
    return {QStringLiteral("--stereo-model"), models + QStringLiteral("/synth_stereo3d.onnx"),
            QStringLiteral("--stereo-adapter"), models + QStringLiteral("/synth_stereo3d.adapter.json")};
}

QStringList TestCliVideo::fastSource(const QString& data) const
{
    return {QStringLiteral("--data"),         data.isEmpty() ? m_data : data,
            QStringLiteral("--config"),       m_config,
            QStringLiteral("--calib-frames"), QStringLiteral("1"),
            QStringLiteral("--threads"),      QStringLiteral("2")};
}

void TestCliVideo::bothModelsWriteAnAviWithEveryFrame()
{
    const QString out = m_dir.filePath(QStringLiteral("both.avi"));
    const Run r = runCli(
        QStringList{QStringLiteral("video"), QStringLiteral("--out"), out, QStringLiteral("--fps"), QStringLiteral("5")}
            + segModel() + stereoModel() + fastSource(),
        m_dir.path());
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    QVERIFY2(r.out.contains(out), qPrintable(r.out));
    QVERIFY(partialFiles(m_dir.path()).isEmpty());
    const Video v = readVideo(out);
    QCOMPARE(int(v.frames.size()), 2);
    QCOMPARE(v.fps, 5.0);
    QVERIFY(v.size.width % 2 == 0 && v.size.height % 2 == 0);
    // Two 640-pixel camera columns and the bird's-eye view beside them; two 192-pixel rows.
    QVERIFY2(v.size.width > 2 * 640 && v.size.height > 2 * 192,
             qPrintable(QStringLiteral("%1×%2").arg(v.size.width).arg(v.size.height)));
    for (const cv::Mat& f : v.frames)
        QVERIFY2(contentStdDev(f) > 20.0, "a frame is (nearly) blank");
    // Another frame, other pictures: more than the frame number changed.
    QVERIFY(meanAbsDiff(v.frames[0], v.frames[1]) > 2.0);
    m_bothWidth = v.size.width;
}

void TestCliVideo::segmentationOnlyWritesAnMp4WithTheFramesAsked()
{
    const QString out = m_dir.filePath(QStringLiteral("seg.mp4"));
    const Run r = runCli(QStringList{QStringLiteral("video"), QStringLiteral("--out"), out, QStringLiteral("--frames"),
                                     QStringLiteral("1")}
                             + segModel() + fastSource(),
                         m_dir.path());
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    QVERIFY(partialFiles(m_dir.path()).isEmpty());
    const Video v = readVideo(out);
    QCOMPARE(int(v.frames.size()), 1);
    QCOMPARE(v.fps, 4.0); // the default
    QVERIFY(v.size.width % 2 == 0 && v.size.height % 2 == 0);
    QVERIFY(contentStdDev(v.frames[0]) > 20.0);
    // Two panels of the same height in the left (segmentation) column, float above converted: with
    // the coarse conversion their classes differ, so the lower panel is not a copy of the upper.
    const int x0 = v.size.width / 50, x1 = v.size.width * 2 / 5;
    std::vector<cv::Range> rows = panelRows(v.frames[0], x0, x1);
    QVERIFY(rows.size() >= 2);
    QVERIFY2(rows[0].size() >= 100 && std::abs(rows[0].size() - rows[1].size()) <= 2,
             qPrintable(QStringLiteral("panel rows %1, %2").arg(rows[0].size()).arg(rows[1].size())));
    if (rows[0].start > rows[1].start)
        std::swap(rows[0], rows[1]);
    const int height = std::min(rows[0].size(), rows[1].size());
    const cv::Mat top = v.frames[0](cv::Rect(x0, rows[0].start, x1 - x0, height));
    const cv::Mat bottom = v.frames[0](cv::Rect(x0, rows[1].start, x1 - x0, height));
    QVERIFY2(meanAbsDiff(top, bottom) > 5.0, qPrintable(QString::number(meanAbsDiff(top, bottom))));
    if (m_bothWidth > 0)
        QVERIFY2(v.size.width < m_bothWidth, "the segmentation-only video has no box column");
}

void TestCliVideo::stereoOnlyHasNoSegmentationColumn()
{
    const QString out = m_dir.filePath(QStringLiteral("stereo.avi"));
    const Run r = runCli(QStringList{QStringLiteral("video"), QStringLiteral("--out"), out, QStringLiteral("--frames"),
                                     QStringLiteral("1")}
                             + stereoModel() + fastSource(),
                         m_dir.path());
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    const Video v = readVideo(out);
    QCOMPARE(int(v.frames.size()), 1);
    QVERIFY(contentStdDev(v.frames[0]) > 20.0);
    if (m_bothWidth > 0)
        QVERIFY2(v.size.width < m_bothWidth, "the stereo-only video has no segmentation column");
}

void TestCliVideo::missingDatasetIsNamed()
{
    const QString missing = m_dir.filePath(QStringLiteral("no-such-dataset"));
    const QString out = m_dir.filePath(QStringLiteral("missing.avi"));
    const Run r = runCli(QStringList{QStringLiteral("video"), QStringLiteral("--out"), out} + segModel()
                             + QStringList{QStringLiteral("--data"), missing},
                         m_dir.path());
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains(missing), qPrintable(r.err));
    QVERIFY(!QFileInfo::exists(out));
}

void TestCliVideo::usageErrors_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("message");
    QTest::addRow("no --out") << QStringList{QStringLiteral("--demo")} << QStringLiteral("missing --out");
    QTest::addRow("other extension") << QStringList{QStringLiteral("--demo"), QStringLiteral("--out"),
                                                    QStringLiteral("clip.mkv")}
                                     << QStringLiteral("must end in .avi or .mp4, got 'clip.mkv'");
    QTest::addRow("no extension") << QStringList{QStringLiteral("--demo"), QStringLiteral("--out"),
                                                 QStringLiteral("clip")}
                                  << QStringLiteral("must end in .avi or .mp4");
    QTest::addRow("fps zero") << QStringList{QStringLiteral("--demo"), QStringLiteral("--out"), QStringLiteral("a.avi"),
                                             QStringLiteral("--fps"), QStringLiteral("0")}
                              << QStringLiteral("--fps: expected a number from 0.1 to 120, got '0'");
    QTest::addRow("fps not a number") << QStringList{
        QStringLiteral("--demo"), QStringLiteral("--out"), QStringLiteral("a.avi"), QStringLiteral("--fps"),
        QStringLiteral("fast")} << QStringLiteral("got 'fast'");
    QTest::addRow("negative frames") << QStringList{
        QStringLiteral("--demo"), QStringLiteral("--out"), QStringLiteral("a.avi"), QStringLiteral("--frames"),
        QStringLiteral("-1")} << QStringLiteral("--frames");
    QTest::addRow("no source") << QStringList{QStringLiteral("--out"), QStringLiteral("a.avi")}
                               << QStringLiteral("expected --demo, --session FILE or --model");
    QTest::addRow("unknown option") << QStringList{
        QStringLiteral("--demo"), QStringLiteral("--out"), QStringLiteral("a.avi"), QStringLiteral("--codec"),
        QStringLiteral("x")} << QStringLiteral("--codec");
}

void TestCliVideo::usageErrors()
{
    QFETCH(QStringList, args);
    QFETCH(QString, message);
    const Run r = runCli(QStringList{QStringLiteral("video")} + args, m_dir.path());
    QCOMPARE(r.exitCode, 2);
    QVERIFY2(r.err.contains(message), qPrintable(r.err));
    QVERIFY2(r.err.contains(QStringLiteral("usage: lnscope-cli video")), qPrintable(r.err));
    QVERIFY(QDir(m_dir.path()).entryList({QStringLiteral("a.avi"), QStringLiteral("clip*")}).isEmpty());
}

void TestCliVideo::unwritableFolderLeavesNothing()
{
    // A folder without write permission; root may write anywhere, so there it is /sys, where
    // nobody can create files.
    QString folder = m_dir.filePath(QStringLiteral("read-only"));
    QVERIFY(QDir().mkpath(folder));
    QVERIFY(QFile::setPermissions(folder, QFileDevice::ReadOwner | QFileDevice::ExeOwner));
    if (::geteuid() == 0)
        folder = QStringLiteral("/sys");
    const QString out = folder + QStringLiteral("/lnscope-video-test.avi");
    const Run r = runCli(QStringList{QStringLiteral("video"), QStringLiteral("--out"), out} + segModel() + fastSource(),
                         m_dir.path());
    QFile::setPermissions(m_dir.filePath(QStringLiteral("read-only")),
                          QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains(out) && r.err.contains(QStringLiteral("cannot write in")), qPrintable(r.err));
    QVERIFY(!QFileInfo::exists(out));
    QVERIFY(partialFiles(folder).isEmpty());
}

void TestCliVideo::missingFolderIsNamed()
{
    const QString out = m_dir.filePath(QStringLiteral("no-such-folder/clip.mp4"));
    const Run r = runCli(QStringList{QStringLiteral("video"), QStringLiteral("--out"), out} + segModel() + fastSource(),
                         m_dir.path());
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains(out) && r.err.contains(QStringLiteral("does not exist")), qPrintable(r.err));
    QVERIFY(!QFileInfo::exists(m_dir.filePath(QStringLiteral("no-such-folder"))));
}

void TestCliVideo::stoppedExportLeavesNothing()
{
    // lnscope-export itself (what lnscope-cli runs), stopped with SIGTERM once the first of four
    // video frames is written: it says so, exits with 1 and removes its temporary file.
    const QString exe = QFileInfo(QString::fromLocal8Bit(qgetenv("LNSCOPE_CLI_PATH"))).absolutePath()
                        + QStringLiteral("/lnscope-export");
    const QString folder = m_dir.filePath(QStringLiteral("stopped"));
    QVERIFY(QDir().mkpath(folder));
    const QString out = folder + QStringLiteral("/clip.avi");
    QProcess p;
    p.setProcessChannelMode(QProcess::SeparateChannels);
    p.setReadChannel(QProcess::StandardError);
    p.start(exe,
            QStringList{QStringLiteral("video"), QStringLiteral("--out"), out} + segModel() + fastSource(m_longData));
    QVERIFY(p.waitForStarted());
    QString err;
    while (!err.contains(QStringLiteral("video: ")) && p.state() == QProcess::Running) {
        p.waitForReadyRead(1000);
        err += QString::fromUtf8(p.readAllStandardError());
    }
    QVERIFY2(err.contains(QStringLiteral("video: ")), qPrintable(err));
    p.terminate();
    QVERIFY(p.waitForFinished(kTimeoutMs));
    err += QString::fromUtf8(p.readAllStandardError());
    QCOMPARE(p.exitStatus(), QProcess::NormalExit);
    QCOMPARE(p.exitCode(), 1);
    QVERIFY2(err.contains(QStringLiteral("cancelled")), qPrintable(err));
    QVERIFY(QDir(folder).entryList(QDir::Files | QDir::Hidden).isEmpty());
}

QTEST_GUILESS_MAIN(TestCliVideo)
#include "test_cli_video.moc"
