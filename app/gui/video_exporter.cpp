// The comparison video: layout, panels, running figures and the OpenCV writer. See video_exporter.h.

#include "video_exporter.h"

#include "frame_compute.h"

#include "lnscope/core/det_metrics.h"
#include "lnscope/core/error.h"
#include "lnscope/core/seg_metrics.h"
#include "lnscope/widgets/bev_view.h"
#include "lnscope/widgets/camera_box_view.h"
#include "lnscope/widgets/seg_images.h"

#include <QFont>
#include <QFontMetrics>
#include <QImage>
#include <QPainter>
#include <QString>

#include <opencv2/core.hpp>
#include <opencv2/videoio.hpp>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <optional>
#include <system_error>

namespace lnscope::app {

namespace {

namespace fs = std::filesystem;
using widgets::BoxFrameData;
using widgets::SegFrameData;

// --- look -------------------------------------------------------------------------------------

constexpr int kPanelWidth = 640; ///< camera panels are scaled to this width
constexpr int kBevWidth = 420;
constexpr int kMargin = 8;
constexpr int kGap = 6;
constexpr int kHeaderHeight = 36;
constexpr int kTitleHeight = 24;
constexpr int kFooterLine = 20;
constexpr double kOverlayOpacity = 0.45;

const QColor kBackground(28, 28, 30);
const QColor kHeaderText(240, 240, 240);
const QColor kColumnTitle(200, 200, 205);
const QColor kFooterText(225, 225, 225);
const QColor kDimText(150, 150, 155);
/// The BEV view's float blue and converted orange (Okabe–Ito), for the panel chips.
const QColor kFloatAccent(0, 114, 178);
const QColor kConvertedAccent(230, 130, 0);
const QColor kNeutralAccent(120, 120, 120);

QFont videoFont(int pixelSize, bool bold = false)
{
    QFont font(QStringLiteral("DejaVu Sans"));
    font.setPixelSize(pixelSize);
    font.setBold(bold);
    return font;
}

QString percent(double share)
{
    return std::isfinite(share) ? QStringLiteral("%1 %").arg(100.0 * share, 0, 'f', 1) : QStringLiteral("n/a");
}

// --- layout -----------------------------------------------------------------------------------

/// Where everything goes in a video frame; panels that a model does not need are empty.
struct Layout
{
    QSize frame;
    QRect header, footer;
    QRect segTitle, segTop, segBottom;
    QRect boxTitle, boxTop, boxBottom;
    QRect sideTitle, side; ///< BEV (with a stereo model), or difference + errors (segmentation only)
    QRect sideTop, sideBottom;
    int footerLines = 0;
};

int even(int v)
{
    return v + (v % 2);
}

Layout makeLayout(QSize image, bool seg, bool boxes)
{
    const int panelHeight =
        even(std::clamp(int(std::lround(kPanelWidth * double(image.height()) / std::max(1, image.width()))), 120, 480));
    Layout l;
    l.footerLines = (seg ? 1 : 0) + (boxes ? 1 : 0);
    const int top = kHeaderHeight + kMargin;
    const int panelsTop = top + kTitleHeight;
    const int panelsHeight = 2 * panelHeight + kGap;
    int x = kMargin;
    auto column = [&](int width, QRect& title, QRect& upper, QRect& lower) {
        title = QRect(x, top, width, kTitleHeight);
        upper = QRect(x, panelsTop, width, panelHeight);
        lower = QRect(x, panelsTop + panelHeight + kGap, width, panelHeight);
        x += width + kGap;
    };
    if (seg)
        column(kPanelWidth, l.segTitle, l.segTop, l.segBottom);
    if (boxes)
        column(kPanelWidth, l.boxTitle, l.boxTop, l.boxBottom);
    column(boxes ? kBevWidth : kPanelWidth, l.sideTitle, l.sideTop, l.sideBottom);
    l.side = l.sideTop.united(l.sideBottom);
    const int width = even(x - kGap + kMargin);
    const int footerTop = panelsTop + panelsHeight + kMargin;
    l.frame = QSize(width, even(footerTop + l.footerLines * kFooterLine + kMargin + 4));
    l.header = QRect(0, 0, width, kHeaderHeight);
    l.footer = QRect(kMargin, footerTop, width - 2 * kMargin, l.footerLines * kFooterLine + 4);
    return l;
}

// --- panels -----------------------------------------------------------------------------------

/// The predicted classes in their colours over the camera image (scaled to the prediction's size);
/// class colours alone without a camera image. Ids without a colour stay grey.
QImage classOverlay(const core::SegPrediction& prediction, const QImage& camera,
                    const std::vector<core::ClassInfo>& classes)
{
    const int w = prediction.width, h = prediction.height;
    if (w <= 0 || h <= 0 || prediction.classMap.size() != size_t(w) * size_t(h))
        return {};
    widgets::ClassColourTable table;
    table.colour.fill(qRgb(128, 128, 128));
    table.visible.fill(true);
    for (const core::ClassInfo& c : classes)
        if (c.id >= 0 && c.id < 256)
            table.colour[size_t(c.id)] = qRgb(c.color[0], c.color[1], c.color[2]);
    const QImage base = camera.isNull() ? QImage() : camera.scaled(w, h, Qt::IgnoreAspectRatio, Qt::SmoothTransformation);
    return widgets::composeClassImage(prediction.classMap, w, h, table, base, kOverlayOpacity, qRgb(128, 128, 128));
}

void drawChip(QPainter& painter, const QRect& panel, const QString& text, const QColor& accent)
{
    const QFont font = videoFont(13, true);
    painter.setFont(font);
    const QFontMetrics fm(font);
    const QRect chip(panel.left() + 6, panel.top() + 6, fm.horizontalAdvance(text) + 22, fm.height() + 6);
    painter.setPen(Qt::NoPen);
    painter.setBrush(QColor(0, 0, 0, 185));
    painter.drawRoundedRect(chip, 4, 4);
    painter.setBrush(accent);
    painter.drawRect(QRect(chip.left() + 5, chip.top() + 5, 6, chip.height() - 10));
    painter.setPen(Qt::white);
    painter.drawText(chip.adjusted(16, 0, 0, 0), Qt::AlignVCenter | Qt::AlignLeft, text);
}

void drawNote(QPainter& painter, const QRect& panel, const QString& text)
{
    painter.setFont(videoFont(13));
    painter.setPen(kDimText);
    painter.drawText(panel, Qt::AlignCenter | Qt::TextWordWrap, text);
}

void drawImagePanel(QPainter& painter, const QRect& panel, const QImage& image, const QString& chip,
                    const QColor& accent, const QString& missing)
{
    painter.fillRect(panel, QColor(45, 45, 48));
    if (image.isNull()) {
        drawNote(painter, panel, missing);
    } else {
        const QTransform t = widgets::CameraBoxView::imageToTarget(QSizeF(image.size()), QRectF(panel));
        painter.setRenderHint(QPainter::SmoothPixmapTransform, true);
        painter.drawImage(t.mapRect(QRectF(QPointF(0, 0), QSizeF(image.size()))), image);
    }
    drawChip(painter, panel, chip, accent);
}

void drawColumnTitle(QPainter& painter, const QRect& title, const QString& text)
{
    painter.setFont(videoFont(14, true));
    painter.setPen(kColumnTitle);
    painter.drawText(title.adjusted(2, 0, 0, 0), Qt::AlignLeft | Qt::AlignVCenter, text);
}

// --- running figures ----------------------------------------------------------------------------

/// Figures over the frames written so far (core's accumulators, as the evaluation).
struct RunningFigures
{
    int frames = 0;
    std::optional<core::SegConfusion> segFloat, segConverted;
    std::optional<core::PixelAgreementAccumulator> agreement;
    int64_t pairs = 0, onlyFloat = 0, onlyConverted = 0;
    double centreSum = 0;

    /// This frame's pixel agreement (NaN when nothing was compared).
    double addSeg(const SegFrameData& d)
    {
        const int classes = d.floatPrediction.classes;
        if (!agreement)
            agreement.emplace(classes);
        core::PixelAgreementAccumulator frame(classes);
        if (d.groundTruth) {
            if (!segFloat) {
                segFloat.emplace(classes);
                segConverted.emplace(classes);
            }
            segFloat->add(*d.groundTruth, d.floatPrediction);
            segConverted->add(*d.groundTruth, d.convertedPrediction);
            frame.add(d.floatPrediction, d.convertedPrediction, *d.groundTruth);
        } else {
            frame.add(d.floatPrediction, d.convertedPrediction);
        }
        agreement->merge(frame);
        return frame.result().agreement;
    }

    void addBoxes(const BoxFrameData& d)
    {
        pairs += int64_t(d.bev.matching.pairs.size());
        onlyFloat += int64_t(d.bev.matching.onlyA.size());
        onlyConverted += int64_t(d.bev.matching.onlyB.size());
        for (const core::BoxPair& p : d.bev.matching.pairs)
            centreSum += p.centreDistance;
    }
};

/// "so far (1 frame)", "so far (12 frames)".
QString soFar(int frames)
{
    return frames == 1 ? QStringLiteral("so far (1 frame)") : QStringLiteral("so far (%1 frames)").arg(frames);
}

QString segLine(const RunningFigures& r, double frameAgreement)
{
    QString line = QStringLiteral("segmentation   this frame: pixel agreement %1   ·   %2: pixel agreement %3")
                       .arg(percent(frameAgreement), soFar(r.frames))
                       .arg(percent(r.agreement ? r.agreement->result().agreement : NAN));
    if (r.segFloat) {
        line += QStringLiteral(", mIoU float %1 → converted %2")
                    .arg(percent(r.segFloat->scores().meanIoU), percent(r.segConverted->scores().meanIoU));
    }
    return line;
}

QString boxLine(const RunningFigures& r, const BoxFrameData& d)
{
    const auto& m = d.bev.matching;
    const int64_t total = r.pairs + r.onlyFloat + r.onlyConverted;
    QString line = QStringLiteral("stereo boxes   this frame: %1 matched, %2 float only, %3 converted only   ·   "
                                  "%4: %5 matched (%6), %7 float only, %8 converted only")
                       .arg(m.pairs.size())
                       .arg(m.onlyA.size())
                       .arg(m.onlyB.size())
                       .arg(soFar(r.frames))
                       .arg(r.pairs)
                       .arg(percent(total > 0 ? double(r.pairs) / double(total) : NAN))
                       .arg(r.onlyFloat)
                       .arg(r.onlyConverted);
    if (r.pairs > 0)
        line += QStringLiteral(", mean centre Δ %1 m").arg(r.centreSum / double(r.pairs), 0, 'f', 2);
    return line;
}

// --- one video frame --------------------------------------------------------------------------

struct FrameContent
{
    QString id;
    int number = 0, count = 0;
    std::optional<SegFrameData> seg;
    std::optional<BoxFrameData> boxes;
    double frameAgreement = NAN;
};

struct Painter
{
    Layout layout;
    QString models;
    widgets::BevTransform bevTransform;

    void paint(QImage& image, const FrameContent& c, const RunningFigures& running) const
    {
        image.fill(kBackground);
        QPainter painter(&image);
        painter.setRenderHint(QPainter::Antialiasing, true);
        paintHeader(painter, c);
        if (c.seg)
            paintSeg(painter, *c.seg);
        if (c.boxes)
            paintBoxes(painter, *c.boxes);
        paintFooter(painter, c, running);
    }

    void paintHeader(QPainter& painter, const FrameContent& c) const
    {
        painter.fillRect(layout.header, QColor(48, 48, 52));
        const QRect text = layout.header.adjusted(kMargin + 2, 0, -kMargin - 2, 0);
        painter.setPen(kHeaderText);
        painter.setFont(videoFont(16, true));
        const QString right = QStringLiteral("frame %1   (%2 / %3)").arg(c.id).arg(c.number).arg(c.count);
        painter.drawText(text, Qt::AlignRight | Qt::AlignVCenter, right);
        const int rightWidth = QFontMetrics(painter.font()).horizontalAdvance(right) + 24;
        const QString title = QStringLiteral("LNScope — float vs converted");
        painter.drawText(text, Qt::AlignLeft | Qt::AlignVCenter, title);
        const int titleWidth = QFontMetrics(painter.font()).horizontalAdvance(title) + 16;
        painter.setFont(videoFont(13));
        painter.setPen(kDimText);
        const QRect modelsRect = text.adjusted(titleWidth, 0, -rightWidth, 0);
        painter.drawText(modelsRect, Qt::AlignLeft | Qt::AlignVCenter,
                         QFontMetrics(painter.font()).elidedText(models, Qt::ElideMiddle, modelsRect.width()));
    }

    void paintSeg(QPainter& painter, const SegFrameData& d) const
    {
        drawColumnTitle(painter, layout.segTitle, QStringLiteral("segmentation (classes over the camera image)"));
        const QString missing = QStringLiteral("no prediction");
        drawImagePanel(painter, layout.segTop, classOverlay(d.floatPrediction, d.image, d.classes),
                       QStringLiteral("float"), kFloatAccent, missing);
        drawImagePanel(painter, layout.segBottom, classOverlay(d.convertedPrediction, d.image, d.classes),
                       QStringLiteral("converted"), kConvertedAccent, missing);
        if (layout.boxTop.isEmpty()) {
            // Segmentation only: the side column shows where and how the two differ.
            drawColumnTitle(painter, layout.sideTitle, QStringLiteral("difference"));
            drawImagePanel(painter, layout.sideTop, widgets::rgbToImage(d.difference.rgb, d.difference.width, d.difference.height),
                           QStringLiteral("float vs converted (%1 px differ)").arg(d.difference.disagreeingPixels),
                           kNeutralAccent, QStringLiteral("no difference map"));
            const QImage errors = d.errors ? widgets::rgbToImage(d.errors->rgb, d.errors->width, d.errors->height) : QImage();
            drawImagePanel(painter, layout.sideBottom, errors,
                           QStringLiteral("errors vs ground truth: blue float only, orange converted only"),
                           kNeutralAccent, QStringLiteral("no ground-truth labels in this frame"));
        }
    }

    void paintBoxes(QPainter& painter, const BoxFrameData& d) const
    {
        drawColumnTitle(painter, layout.boxTitle, QStringLiteral("stereo 3-D boxes (grey: ground truth)"));
        widgets::CameraBoxView::Options options;
        options.font = videoFont(12);
        options.showConverted = false;
        widgets::CameraBoxView::paint(painter, QRectF(layout.boxTop), d, options);
        drawChip(painter, layout.boxTop, QStringLiteral("float"), kFloatAccent);
        options.showConverted = true;
        options.showFloat = false;
        widgets::CameraBoxView::paint(painter, QRectF(layout.boxBottom), d, options);
        drawChip(painter, layout.boxBottom, QStringLiteral("converted"), kConvertedAccent);

        drawColumnTitle(painter, layout.sideTitle, QStringLiteral("bird's-eye view"));
        widgets::BevView::PaintOptions bev;
        bev.transform = bevTransform;
        bev.font = videoFont(12);
        widgets::BevView::paint(painter, QRectF(layout.side), d.bev, bev);
    }

    void paintFooter(QPainter& painter, const FrameContent& c, const RunningFigures& running) const
    {
        painter.setFont(videoFont(13));
        painter.setPen(kFooterText);
        QStringList lines;
        if (c.seg)
            lines << segLine(running, c.frameAgreement);
        if (c.boxes)
            lines << boxLine(running, *c.boxes);
        const QFontMetrics fm(painter.font());
        for (int i = 0; i < lines.size(); ++i) {
            const QRect line(layout.footer.left() + 2, layout.footer.top() + i * kFooterLine, layout.footer.width() - 4,
                             kFooterLine);
            painter.drawText(line, Qt::AlignLeft | Qt::AlignVCenter,
                             fm.elidedText(lines[i], Qt::ElideRight, line.width()));
        }
    }
};

/// The BEV framing for the whole video: every ground-truth box of the frames written (so that the
/// view does not jump from frame to frame), or a default road ahead without labels; fitted into
/// the part of `size` left of the legend (which sits top right), so that no box hides behind it.
widgets::BevTransform videoBevTransform(const core::Dataset& dataset, size_t frames, QSizeF size, double legendWidth)
{
    widgets::BevData all;
    for (size_t i = 0; i < frames; ++i) {
        const core::Frame& f = dataset.frames[i];
        if (!f.hasLabels())
            continue;
        try {
            const auto labels = f.labels();
            all.groundTruth.insert(all.groundTruth.end(), labels.begin(), labels.end());
        } catch (const core::Error&) {
            // A bad label file fails its frame later, with its message; here it only frames less.
        }
    }
    const QSizeF content(std::max(size.width() / 2.0, size.width() - legendWidth), size.height());
    widgets::BevTransform t;
    if (!all.groundTruth.empty()) {
        t = widgets::BevView::fittedTransform(all, content);
    } else {
        t.viewSize = content;
        t.fit(-15, 15, -5, 50, 28.0);
    }
    // Keep the metres per pixel and move the picture left by half the legend's width.
    t.centreMetres.rx() += (size.width() - content.width()) / 2.0 * t.metresPerPixel;
    t.viewSize = size;
    return t;
}

// --- the file -----------------------------------------------------------------------------------

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

    Painter painter;
    painter.layout = makeLayout(QSize(imageSize[0], imageSize[1]), seg, boxes);
    painter.models = modelNames(input, seg, boxes);
    if (boxes) {
        // The BEV legend's widest line, its sample and padding (bev_view_painting.cpp's legendRect).
        const double legendWidth =
            QFontMetrics(videoFont(12)).horizontalAdvance(QStringLiteral("one network only (00)")) + 24 + 34;
        painter.bevTransform = videoBevTransform(dataset, count, QSizeF(painter.layout.side.size()), legendWidth);
    }

    const fs::path out = options.out;
    TempFile temp{out.parent_path() / (out.stem().string() + ".part" + out.extension().string())};
    probeWritable(temp.path, out);
    const QSize size = painter.layout.frame;
    cv::VideoWriter writer;
    const bool opened = writer.open(temp.path.string(), codec.api, codec.fourcc, options.fps,
                                    cv::Size(size.width(), size.height()), true);
    if (!opened || !writer.isOpened())
        throw core::IoError(out.string() + ": OpenCV cannot open a " + codec.name + " writer for "
                            + temp.path.string());
    if (codec.api == cv::CAP_OPENCV_MJPEG)
        writer.set(cv::VIDEOWRITER_PROP_QUALITY, 90);

    RunningFigures running;
    QImage image(size, QImage::Format_RGB32);
    for (size_t i = 0; i < count; ++i) {
        if (progress)
            progress->checkCancelled();
        const core::Frame& frame = dataset.frames[i];
        FrameContent content;
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
