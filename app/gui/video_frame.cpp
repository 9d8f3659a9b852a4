// One frame of the comparison video: layout, panels, header and footer; see video_frame.h.

#include "video_frame.h"

#include "lnscope/core/error.h"
#include "lnscope/widgets/bev_view.h"
#include "lnscope/widgets/camera_box_view.h"
#include "lnscope/widgets/color_maps.h"
#include "lnscope/widgets/seg_images.h"

#include <QFont>
#include <QFontMetrics>
#include <QPainter>
#include <QStringList>

#include <algorithm>

namespace lnscope::app::video {

namespace {

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
/// The views' float blue and converted orange, for the panel chips.
const QColor kFloatAccent = widgets::network_colors::kFloat;
const QColor kConvertedAccent = widgets::network_colors::kConverted;
const QColor kNeutralAccent = widgets::network_colors::kGroundTruth;

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

int even(int v)
{
    return v + (v % 2);
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

} // namespace

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

double RunningFigures::addSeg(const SegFrameData& d)
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

void RunningFigures::addBoxes(const BoxFrameData& d)
{
    pairs += int64_t(d.bev.matching.pairs.size());
    onlyFloat += int64_t(d.bev.matching.onlyA.size());
    onlyConverted += int64_t(d.bev.matching.onlyB.size());
    for (const core::BoxPair& p : d.bev.matching.pairs)
        centreSum += p.centreDistance;
}

FramePainter::FramePainter(QSize imageSize, bool seg, bool boxes, const QString& models, const core::Dataset& dataset,
                           size_t frames)
    : m_layout(makeLayout(imageSize, seg, boxes)), m_models(models)
{
    if (boxes) {
        // The BEV legend's widest line, its sample and padding (bev_view_painting.cpp's legendRect).
        const double legendWidth =
            QFontMetrics(videoFont(12)).horizontalAdvance(QStringLiteral("one network only (00)")) + 24 + 34;
        m_bevTransform = videoBevTransform(dataset, frames, QSizeF(m_layout.side.size()), legendWidth);
    }
}

void FramePainter::paint(QImage& image, const FrameContent& c, const RunningFigures& running) const
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

void FramePainter::paintHeader(QPainter& painter, const FrameContent& c) const
{
    painter.fillRect(m_layout.header, QColor(48, 48, 52));
    const QRect text = m_layout.header.adjusted(kMargin + 2, 0, -kMargin - 2, 0);
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
                     QFontMetrics(painter.font()).elidedText(m_models, Qt::ElideMiddle, modelsRect.width()));
}

void FramePainter::paintSeg(QPainter& painter, const SegFrameData& d) const
{
    drawColumnTitle(painter, m_layout.segTitle, QStringLiteral("segmentation (classes over the camera image)"));
    const QString missing = QStringLiteral("no prediction");
    drawImagePanel(painter, m_layout.segTop, classOverlay(d.floatPrediction, d.image, d.classes),
                   QStringLiteral("float"), kFloatAccent, missing);
    drawImagePanel(painter, m_layout.segBottom, classOverlay(d.convertedPrediction, d.image, d.classes),
                   QStringLiteral("converted"), kConvertedAccent, missing);
    if (m_layout.boxTop.isEmpty()) {
        // Segmentation only: the side column shows where and how the two differ.
        drawColumnTitle(painter, m_layout.sideTitle, QStringLiteral("difference"));
        drawImagePanel(painter, m_layout.sideTop, widgets::rgbToImage(d.difference.rgb, d.difference.width, d.difference.height),
                       QStringLiteral("float vs converted (%1 px differ)").arg(d.difference.disagreeingPixels),
                       kNeutralAccent, QStringLiteral("no difference map"));
        const QImage errors = d.errors ? widgets::rgbToImage(d.errors->rgb, d.errors->width, d.errors->height) : QImage();
        drawImagePanel(painter, m_layout.sideBottom, errors,
                       QStringLiteral("errors vs ground truth: blue float only, orange converted only"),
                       kNeutralAccent, QStringLiteral("no ground-truth labels in this frame"));
    }
}

void FramePainter::paintBoxes(QPainter& painter, const BoxFrameData& d) const
{
    drawColumnTitle(painter, m_layout.boxTitle, QStringLiteral("stereo 3-D boxes (grey: ground truth)"));
    widgets::CameraBoxView::Options options;
    options.font = videoFont(12);
    options.showConverted = false;
    widgets::CameraBoxView::paint(painter, QRectF(m_layout.boxTop), d, options);
    drawChip(painter, m_layout.boxTop, QStringLiteral("float"), kFloatAccent);
    options.showConverted = true;
    options.showFloat = false;
    widgets::CameraBoxView::paint(painter, QRectF(m_layout.boxBottom), d, options);
    drawChip(painter, m_layout.boxBottom, QStringLiteral("converted"), kConvertedAccent);

    drawColumnTitle(painter, m_layout.sideTitle, QStringLiteral("bird's-eye view"));
    widgets::BevView::PaintOptions bev;
    bev.transform = m_bevTransform;
    bev.font = videoFont(12);
    widgets::BevView::paint(painter, QRectF(m_layout.side), d.bev, bev);
}

void FramePainter::paintFooter(QPainter& painter, const FrameContent& c, const RunningFigures& running) const
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
        const QRect line(m_layout.footer.left() + 2, m_layout.footer.top() + i * kFooterLine, m_layout.footer.width() - 4,
                         kFooterLine);
        painter.drawText(line, Qt::AlignLeft | Qt::AlignVCenter,
                         fm.elidedText(lines[i], Qt::ElideRight, line.width()));
    }
}

} // namespace lnscope::app::video
