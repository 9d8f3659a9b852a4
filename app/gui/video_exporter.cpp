// The comparison video: the writer loop — frames computed, drawn (video_frame.h) and written with
// OpenCV's VideoWriter into a temporary file renamed at the end. See video_exporter.h.

#include "video_exporter.h"

#include "frame_compute.h"
#include "video_frame.h"

#include "lnscope/core/error.h"

#include <QImage>
#include <QString>
#include <QStringList>

#include <opencv2/core.hpp>
#include <opencv2/videoio.hpp>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <system_error>

namespace lnscope::app {

namespace {

namespace fs = std::filesystem;

struct Codec
{
    int fourcc = 0;
    int api = cv::CAP_ANY;
    const char* name = "";
};

Codec codecFor(const fs::path& out)
{
    std::string ext = out.extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char ch) { return char(std::tolower(ch)); });
    if (ext == ".avi")
        return {cv::VideoWriter::fourcc('M', 'J', 'P', 'G'), cv::CAP_OPENCV_MJPEG, "Motion JPEG (AVI)"};
    if (ext == ".mp4")
        return {cv::VideoWriter::fourcc('m', 'p', '4', 'v'), cv::CAP_FFMPEG, "MPEG-4 (mp4v)"};
    throw core::UnsupportedError(out.string() + ": unsupported video type '" + out.extension().string()
                                 + "' (use .avi or .mp4)");
}

/// Removes the temporary file unless released (cancel, failure).
struct TempFile
{
    fs::path path;
    bool keep = false;
    ~TempFile()
    {
        if (!keep) {
            std::error_code ec;
            fs::remove(path, ec);
        }
    }
};

/// Creates (empties) the file so that a missing or read-only folder is reported with the system's
/// reason before any work, rather than as OpenCV's silent failure.
void probeWritable(const fs::path& temp, const fs::path& out)
{
    const fs::path folder = out.parent_path().empty() ? fs::path(".") : out.parent_path();
    std::error_code ec;
    if (!fs::is_directory(folder, ec))
        throw core::IoError(out.string() + ": the folder " + folder.string() + " does not exist");
    std::FILE* f = std::fopen(temp.c_str(), "wb");
    if (!f)
        throw core::IoError(out.string() + ": cannot write in " + folder.string() + ": " + std::strerror(errno));
    std::fclose(f);
}

void writeFrame(cv::VideoWriter& writer, const QImage& image)
{
    // QImage::Format_RGB32 is 0xffRRGGBB per pixel: bytes B, G, R, A in memory (little endian).
    const cv::Mat bgra(image.height(), image.width(), CV_8UC4, const_cast<uchar*>(image.constBits()),
                       size_t(image.bytesPerLine()));
    cv::Mat bgr(image.height(), image.width(), CV_8UC3);
    const int fromTo[] = {0, 0, 1, 1, 2, 2};
    cv::mixChannels(&bgra, 1, &bgr, 1, fromTo, 3);
    writer.write(bgr);
}

/// Runs `compute`, prefixing what it throws with the frame (core errors keep their type).
template <class F>
auto namingFrame(const core::Frame& frame, F compute)
{
    const std::string where = "frame " + frame.id + " (" + frame.leftImage.string() + "): ";
    try {
        return compute();
    } catch (const core::IoError& e) {
        throw core::IoError(where + e.what());
    } catch (const core::FormatError& e) {
        throw core::FormatError(where + e.what());
    } catch (const core::ShapeError& e) {
        throw core::ShapeError(where + e.what());
    } catch (const core::UnsupportedError& e) {
        throw core::UnsupportedError(where + e.what());
    }
}

FrameModel frameModel(const ModelSlot& slot)
{
    return {slot.graph, slot.emulator, slot.adapter};
}

QString modelNames(const ExportInput& input, bool seg, bool boxes)
{
    QStringList names;
    if (seg)
        names << QString::fromStdString(input.segmentation.modelPath.filename().string());
    if (boxes)
        names << QString::fromStdString(input.stereo.modelPath.filename().string());
    return names.join(QStringLiteral(" · "));
}

} // namespace

int exportVideo(const ExportInput& input, const VideoOptions& options, core::Progress* progress)
{
    const Codec codec = codecFor(options.out);
    if (!(options.fps > 0.0) || !std::isfinite(options.fps))
        throw core::UnsupportedError(options.out.string() + ": frames per second must be > 0");
    if (!input.dataset || input.dataset->frames.empty())
        throw core::UnsupportedError(options.out.string() + ": the video needs a dataset with frames");
    const FrameModel segModel = frameModel(input.segmentation);
    const FrameModel boxModel = frameModel(input.stereo);
    const bool seg = segModel.ready("segmentation");
    const bool boxes = boxModel.ready("stereo3d");
    if (!seg && !boxes)
        throw core::UnsupportedError(options.out.string()
                                     + ": the video needs a converted segmentation or stereo 3-D model");
    const core::Dataset& dataset = *input.dataset;
    const size_t count =
        options.maxFrames > 0 ? std::min(dataset.frames.size(), size_t(options.maxFrames)) : dataset.frames.size();
    const auto imageSize = dataset.frames.front().imageSize();

    const video::FramePainter painter(QSize(imageSize[0], imageSize[1]), seg, boxes, modelNames(input, seg, boxes),
                                      dataset, count);

    const fs::path out = options.out;
    TempFile temp{out.parent_path() / (out.stem().string() + ".part" + out.extension().string())};
    probeWritable(temp.path, out);
    const QSize size = painter.frameSize();
    cv::VideoWriter writer;
    const bool opened = writer.open(temp.path.string(), codec.api, codec.fourcc, options.fps,
                                    cv::Size(size.width(), size.height()), true);
    if (!opened || !writer.isOpened())
        throw core::IoError(out.string() + ": OpenCV cannot open a " + codec.name + " writer for "
                            + temp.path.string());
    if (codec.api == cv::CAP_OPENCV_MJPEG)
        writer.set(cv::VIDEOWRITER_PROP_QUALITY, 90);

    video::RunningFigures running;
    QImage image(size, QImage::Format_RGB32);
    for (size_t i = 0; i < count; ++i) {
        if (progress)
            progress->checkCancelled();
        const core::Frame& frame = dataset.frames[i];
        video::FrameContent content;
        content.id = QString::fromStdString(frame.id);
        content.number = int(i) + 1;
        content.count = int(count);
        running.frames = int(i) + 1;
        if (seg) {
            content.seg = namingFrame(frame, [&] { return computeSegFrame(segModel, frame, input.threads); });
            content.frameAgreement = namingFrame(frame, [&] { return running.addSeg(*content.seg); });
        }
        if (boxes) {
            content.boxes = namingFrame(frame, [&] { return computeBoxFrame(boxModel, frame, input.threads); });
            running.addBoxes(*content.boxes);
        }
        painter.paint(image, content, running);
        writeFrame(writer, image);
        if (progress)
            progress->report(double(i + 1) / double(count), "frame " + frame.id);
    }
    // A cancel that came while the last frame was computed still cancels: no file appears.
    if (progress)
        progress->checkCancelled();
    writer.release();
    std::error_code ec;
    if (fs::file_size(temp.path, ec) == 0 || ec)
        throw core::IoError(out.string() + ": OpenCV wrote nothing to " + temp.path.string());
    fs::rename(temp.path, out, ec);
    if (ec)
        throw core::IoError(out.string() + ": cannot move " + temp.path.string() + " into place: " + ec.message());
    temp.keep = true;
    return int(count);
}

} // namespace lnscope::app
