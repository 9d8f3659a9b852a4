// Boxes projected on the camera image: geometry (near-plane clipping, projection, fit), the static
// painting shared with the comparison video, hit-testing and the hover readout. See
// camera_box_view.h.

#include "lnscope/widgets/camera_box_view.h"

#include "bev_style.h"

#include <QFontMetrics>
#include <QMouseEvent>
#include <QPainter>
#include <QStringList>

#include <algorithm>
#include <cmath>
#include <numbers>

namespace lnscope::widgets {

namespace {

using namespace bev_style;
using BoxSet = CameraBoxView::BoxSet;
using BoxRef = CameraBoxView::BoxRef;

const QColor kViewBackground(38, 38, 38);
const QColor kNoteText(210, 210, 210);
const QColor kLegendText(30, 30, 30);
/// Drawn under every edge so that grey, blue and orange lines read on dark and light image parts.
const QColor kEdgeUnderlay(255, 255, 255, 120);
/// Hovering within this many pixels of a box's projected centre counts as hovering the box.
constexpr double kCentrePickPixels = 6.0;
constexpr std::array<BoxSet, 3> kSets{BoxSet::GroundTruth, BoxSet::Float, BoxSet::Converted};

QString setName(BoxSet set)
{
    switch (set) {
    case BoxSet::GroundTruth: return CameraBoxView::tr("ground truth");
    case BoxSet::Float: return CameraBoxView::tr("float");
    case BoxSet::Converted: return CameraBoxView::tr("converted");
    }
    return {};
}

const std::vector<core::KittiObject>& setOf(const BevData& data, BoxSet set)
{
    switch (set) {
    case BoxSet::Float: return data.floatBoxes;
    case BoxSet::Converted: return data.convertedBoxes;
    case BoxSet::GroundTruth: break;
    }
    return data.groundTruth;
}

const core::KittiObject* objectOf(const BevData& data, BoxRef box)
{
    const auto& objects = setOf(data, box.set);
    return box.index >= 0 && box.index < int(objects.size()) ? &objects[size_t(box.index)] : nullptr;
}

bool hasBox(const core::KittiObject& o)
{
    const bool dontCare = QString::fromStdString(o.type).compare(QStringLiteral("DontCare"), Qt::CaseInsensitive) == 0;
    for (const float v : {o.x, o.y, o.z, o.l, o.w, o.h, o.rotationY})
        if (!std::isfinite(v))
            return false;
    return !dontCare && o.l > 0.f && o.w > 0.f && o.h > 0.f;
}

bool isOnlyOne(const BevData& data, BoxRef box)
{
    if (box.set == BoxSet::GroundTruth)
        return false;
    const auto& only = box.set == BoxSet::Float ? data.matching.onlyA : data.matching.onlyB;
    return std::find(only.begin(), only.end(), box.index) != only.end();
}

/// The matched pair holding a detection, or null.
const core::BoxPair* pairOf(const BevData& data, BoxRef box)
{
    if (box.set == BoxSet::GroundTruth)
        return nullptr;
    for (const core::BoxPair& p : data.matching.pairs) {
        if (!objectOf(data, {BoxSet::Float, p.indexA}) || !objectOf(data, {BoxSet::Converted, p.indexB}))
            continue;
        if ((box.set == BoxSet::Float ? p.indexA : p.indexB) == box.index)
            return &p;
    }
    return nullptr;
}

bool setShown(const CameraBoxView::Options& options, BoxSet set)
{
    switch (set) {
    case BoxSet::GroundTruth: return options.showGroundTruth;
    case BoxSet::Float: return options.showFloat;
    case BoxSet::Converted: return options.showConverted;
    }
    return false;
}

/// The projected centre of a box (the middle of its 3-D extent), image pixels; null when it lies
/// behind the near plane.
std::optional<QPointF> projectedCentre(const core::KittiObject& o, const core::KittiCalib& calib)
{
    if (!(double(o.z) > CameraBoxView::kNearPlaneMetres))
        return std::nullopt;
    const auto [u, v] = core::project(calib, o.x, double(o.y) - double(o.h) / 2.0, o.z);
    if (!std::isfinite(u) || !std::isfinite(v))
        return std::nullopt;
    return QPointF(u, v);
}

struct Scene
{
    const BoxFrameData& frame;
    const CameraBoxView::Options& options;
    QTransform toTarget; ///< image → target pixels

    void drawBox(QPainter& painter, BoxRef box) const
    {
        const core::KittiObject& o = *objectOf(frame.bev, box);
        const auto edges = CameraBoxView::projectBox(o, *frame.calib);
        if (edges.empty())
            return;
        const bool onlyOne = isOnlyOne(frame.bev, box);
        const double width = setWidth(box.set) + (onlyOne ? 1.5 : 0.0);
        auto strokeAll = [&](const QPen& pen) {
            painter.setPen(pen);
            for (const CameraBoxView::ImageEdge& e : edges) {
                if (e.edge >= 12)
                    continue;
                painter.drawLine(toTarget.map(e.line));
            }
        };
        if (options.hovered && *options.hovered == box)
            strokeAll(QPen(kHalo, width + 7.0, Qt::SolidLine, Qt::RoundCap, Qt::RoundJoin));
        strokeAll(QPen(kEdgeUnderlay, width + 2.0, Qt::SolidLine, Qt::FlatCap));
        strokeAll(setPen(box.set, width));
        // The front face's diagonals, thinner: they show which way the object faces.
        painter.setPen(setPen(box.set, std::max(1.0, width * 0.6)));
        for (const CameraBoxView::ImageEdge& e : edges) {
            if (e.edge >= 12)
                painter.drawLine(toTarget.map(e.line));
        }
        if (onlyOne) {
            if (const auto centre = projectedCentre(o, *frame.calib))
                drawDiamond(painter, toTarget.map(*centre), 5.0, setColour(box.set));
        }
    }

    QStringList legendLabels() const
    {
        std::array<int, 3> counts{};
        int onlyOne = 0;
        for (const BoxSet s : kSets) {
            const auto& objects = setOf(frame.bev, s);
            for (int i = 0; i < int(objects.size()); ++i) {
                if (!hasBox(objects[size_t(i)]))
                    continue;
                ++counts[size_t(s)];
                onlyOne += setShown(options, s) && isOnlyOne(frame.bev, {s, i}) ? 1 : 0;
            }
        }
        QStringList labels;
        for (const BoxSet s : kSets) {
            if (setShown(options, s))
                labels << CameraBoxView::tr("%1 (%2)").arg(setName(s)).arg(counts[size_t(s)]);
        }
        if (options.showFloat || options.showConverted)
            labels << CameraBoxView::tr("one network only (%1)").arg(onlyOne);
        return labels;
    }

    void drawLegend(QPainter& painter, const QRectF& target) const
    {
        const QStringList labels = legendLabels();
        if (labels.isEmpty())
            return;
        painter.setFont(options.font);
        const QFontMetrics fm(options.font);
        int textWidth = 0;
        for (const QString& l : labels)
            textWidth = std::max(textWidth, fm.horizontalAdvance(l));
        const int line = fm.height() + 3;
        const QRectF box(target.right() - textWidth - kLegendSample - 26.0, target.top() + 6.0,
                         textWidth + kLegendSample + 18.0, labels.size() * line + 6.0);
        painter.setPen(QColor(200, 200, 200));
        painter.setBrush(QColor(255, 255, 255, 225));
        painter.drawRoundedRect(box, 4, 4);
        std::vector<BoxSet> shown;
        for (const BoxSet s : kSets) {
            if (setShown(options, s))
                shown.push_back(s);
        }
        for (int i = 0; i < labels.size(); ++i) {
            const double y = box.top() + 3 + i * line + line / 2.0;
            const QRectF sample(box.left() + 8, y - 4, kLegendSample, 8);
            painter.setBrush(Qt::NoBrush);
            if (i < int(shown.size())) {
                painter.setPen(setPen(shown[size_t(i)], setWidth(shown[size_t(i)])));
                painter.drawRect(sample);
            } else {
                painter.setPen(QPen(kGroundTruth.darker(130), 3.0));
                painter.drawRect(sample);
                drawDiamond(painter, sample.center(), 4.0, kGroundTruth.darker(130));
            }
            painter.setPen(kLegendText);
            painter.drawText(QPointF(sample.right() + 8, y + fm.ascent() / 2.0 - 1), labels[i]);
        }
    }
};

void drawNote(QPainter& painter, const QRectF& area, const QFont& font, const QString& text, Qt::Alignment align)
{
    painter.setFont(font);
    const QFontMetrics fm(font);
    const QRectF textRect = fm.boundingRect(area.toAlignedRect().adjusted(8, 8, -8, -8), int(align), text);
    painter.setPen(Qt::NoPen);
    painter.setBrush(QColor(0, 0, 0, 170));
    painter.drawRoundedRect(textRect.adjusted(-6, -3, 6, 3), 4, 4);
    painter.setPen(kNoteText);
    painter.drawText(textRect, int(align), text);
}

} // namespace

// --- geometry ------------------------------------------------------------------------------------

std::vector<CameraBoxView::ImageEdge> CameraBoxView::projectBox(const core::KittiObject& object,
                                                                const core::KittiCalib& calib)
{
    std::vector<ImageEdge> out;
    for (const float v : {object.x, object.y, object.z, object.l, object.w, object.h, object.rotationY})
        if (!std::isfinite(v))
            return out;
    if (!(object.l > 0.f && object.w > 0.f && object.h > 0.f))
        return out;
    const auto corners = core::boxCorners(object);
    auto segment = [&](int index, int a, int b) {
        std::array<double, 3> p = corners[size_t(a)], q = corners[size_t(b)];
        const bool pBehind = p[2] < kNearPlaneMetres, qBehind = q[2] < kNearPlaneMetres;
        if (pBehind && qBehind)
            return;
        if (pBehind || qBehind) {
            // Move the end behind the near plane along the edge to z = near.
            std::array<double, 3>& behind = pBehind ? p : q;
            const std::array<double, 3>& front = pBehind ? q : p;
            const double t = (kNearPlaneMetres - front[2]) / (behind[2] - front[2]);
            for (int k = 0; k < 3; ++k)
                behind[size_t(k)] = front[size_t(k)] + t * (behind[size_t(k)] - front[size_t(k)]);
            behind[2] = kNearPlaneMetres;
        }
        const auto [u0, v0] = core::project(calib, p[0], p[1], p[2]);
        const auto [u1, v1] = core::project(calib, q[0], q[1], q[2]);
        if (!std::isfinite(u0) || !std::isfinite(v0) || !std::isfinite(u1) || !std::isfinite(v1))
            return; // a calibration whose image plane is not z > 0: nothing sensible to draw
        out.push_back({QLineF(u0, v0, u1, v1), index, pBehind || qBehind});
    };
    for (int i = 0; i < int(kBoxEdges.size()); ++i)
        segment(i, kBoxEdges[size_t(i)][0], kBoxEdges[size_t(i)][1]);
    for (int i = 0; i < int(kFrontDiagonals.size()); ++i)
        segment(12 + i, kFrontDiagonals[size_t(i)][0], kFrontDiagonals[size_t(i)][1]);
    return out;
}

QTransform CameraBoxView::imageToTarget(QSizeF imageSize, const QRectF& target)
{
    if (imageSize.isEmpty() || target.isEmpty())
        return {};
    const double scale = std::min(target.width() / imageSize.width(), target.height() / imageSize.height());
    const QPointF offset = target.center() - QPointF(imageSize.width() * scale, imageSize.height() * scale) / 2.0;
    return QTransform(scale, 0, 0, scale, offset.x(), offset.y());
}

// --- painting -----------------------------------------------------------------------------------

void CameraBoxView::paint(QPainter& painter, const QRectF& target, const BoxFrameData& frame, const Options& options)
{
    painter.save();
    painter.setClipRect(target);
    painter.fillRect(target, kViewBackground);
    if (frame.image.isNull()) {
        drawNote(painter, target, options.font, tr("no camera image"), Qt::AlignCenter);
        painter.restore();
        return;
    }
    const Scene scene{frame, options, imageToTarget(QSizeF(frame.image.size()), target)};
    const QRectF imageRect = scene.toTarget.mapRect(QRectF(QPointF(0, 0), QSizeF(frame.image.size())));
    painter.setRenderHint(QPainter::SmoothPixmapTransform, true);
    painter.drawImage(imageRect, frame.image);
    painter.setRenderHint(QPainter::Antialiasing, true);
    if (!frame.calib) {
        drawNote(painter, imageRect, options.font, tr("no calibration: the boxes cannot be projected"),
                 Qt::AlignBottom | Qt::AlignLeft);
    } else {
        painter.save();
        painter.setClipRect(imageRect.intersected(target));
        for (const BoxSet s : kSets) {
            if (!setShown(options, s))
                continue;
            const auto& objects = setOf(frame.bev, s);
            for (int i = 0; i < int(objects.size()); ++i) {
                if (hasBox(objects[size_t(i)]))
                    scene.drawBox(painter, {s, i});
            }
        }
        painter.restore();
    }
    if (options.showLegend)
        scene.drawLegend(painter, target);
    painter.restore();
}

// --- the widget ---------------------------------------------------------------------------------

CameraBoxView::CameraBoxView(QWidget* parent) : QWidget(parent)
{
    setMouseTracking(true);
    setAttribute(Qt::WA_OpaquePaintEvent);
}

CameraBoxView::~CameraBoxView() = default;

void CameraBoxView::setFrame(const BoxFrameData& frame)
{
    m_frame = frame;
    m_hovered.reset();
    update();
    emit hoveredBoxChanged();
}

void CameraBoxView::clear()
{
    setFrame({});
}

void CameraBoxView::setSetVisible(BoxSet set, bool visible)
{
    m_visible[size_t(set)] = visible;
    if (m_hovered && m_hovered->set == set && !visible)
        setHovered(std::nullopt);
    update();
}

bool CameraBoxView::isSetVisible(BoxSet set) const
{
    return m_visible[size_t(set)];
}

CameraBoxView::Options CameraBoxView::currentOptions() const
{
    Options o;
    o.showGroundTruth = m_visible[size_t(BoxSet::GroundTruth)];
    o.showFloat = m_visible[size_t(BoxSet::Float)];
    o.showConverted = m_visible[size_t(BoxSet::Converted)];
    o.hovered = m_hovered;
    o.font = font();
    return o;
}

QRectF CameraBoxView::imageRect() const
{
    if (m_frame.image.isNull())
        return {};
    const QRectF image(QPointF(0, 0), QSizeF(m_frame.image.size()));
    return imageToTarget(image.size(), QRectF(rect())).mapRect(image);
}

std::optional<CameraBoxView::BoxRef> CameraBoxView::boxAt(QPointF widgetPx) const
{
    if (m_frame.image.isNull() || !m_frame.calib || !imageRect().contains(widgetPx))
        return std::nullopt;
    const QTransform toWidget = imageToTarget(QSizeF(m_frame.image.size()), QRectF(rect()));
    std::optional<BoxRef> best;
    double bestArea = 0;
    // Detections first: ground truth is only picked where no detection is. Of several boxes, the
    // smallest outline on screen wins (a far box seen through a near one can still be picked).
    for (const BoxSet s : {BoxSet::Float, BoxSet::Converted, BoxSet::GroundTruth}) {
        if (!m_visible[size_t(s)] || (s == BoxSet::GroundTruth && best))
            continue;
        const auto& objects = setOf(m_frame.bev, s);
        for (int i = 0; i < int(objects.size()); ++i) {
            const core::KittiObject& o = objects[size_t(i)];
            if (!hasBox(o))
                continue;
            QRectF outline;
            for (const ImageEdge& e : projectBox(o, *m_frame.calib)) {
                const QLineF l = toWidget.map(e.line);
                outline |= QRectF(l.p1(), l.p2()).normalized().adjusted(-0.5, -0.5, 0.5, 0.5);
            }
            if (outline.isEmpty())
                continue;
            const auto centre = projectedCentre(o, *m_frame.calib);
            const bool nearCentre = centre && QLineF(toWidget.map(*centre), widgetPx).length() <= kCentrePickPixels;
            if (!outline.contains(widgetPx) && !nearCentre)
                continue;
            const double area = outline.width() * outline.height();
            if (!best || area < bestArea) {
                best = BoxRef{s, i};
                bestArea = area;
            }
        }
    }
    return best;
}

QString CameraBoxView::describe(BoxRef box) const
{
    const core::KittiObject* o = objectOf(m_frame.bev, box);
    if (!o)
        return {};
    QString head = tr("%1 %2 #%3").arg(setName(box.set), QString::fromStdString(o->type)).arg(box.index);
    if (box.set != BoxSet::GroundTruth)
        head += tr(" · score %1").arg(o->score ? QString::number(double(*o->score), 'f', 2) : tr("none"));
    QStringList lines{head};
    lines << tr("z %1 m, x %2 m · heading %3° · l × w × h %4 × %5 × %6 m")
                 .arg(signedNumber(o->z, 1), signedNumber(o->x, 1),
                      signedNumber(double(o->rotationY) * 180.0 / std::numbers::pi, 0))
                 .arg(double(o->l), 0, 'f', 2)
                 .arg(double(o->w), 0, 'f', 2)
                 .arg(double(o->h), 0, 'f', 2);
    if (box.set != BoxSet::GroundTruth) {
        const BoxSet other = box.set == BoxSet::Float ? BoxSet::Converted : BoxSet::Float;
        if (const core::BoxPair* p = pairOf(m_frame.bev, box)) {
            lines << tr("matched with %1 #%2 · BEV IoU %3 · centre Δ %4 m")
                         .arg(setName(other))
                         .arg(other == BoxSet::Float ? p->indexA : p->indexB)
                         .arg(p->bevIoU, 0, 'f', 3)
                         .arg(p->centreDistance, 0, 'f', 2);
        } else if (isOnlyOne(m_frame.bev, box)) {
            lines << tr("found by %1 only: no matching %2 box").arg(setName(box.set), setName(other));
        } else {
            lines << tr("not matched");
        }
    }
    return lines.join(QLatin1Char('\n'));
}

QString CameraBoxView::hoverText() const
{
    return m_hovered ? describe(*m_hovered) : QString();
}

void CameraBoxView::setHovered(std::optional<BoxRef> box)
{
    if (m_hovered == box)
        return;
    m_hovered = box;
    update();
    emit hoveredBoxChanged();
}

void CameraBoxView::paintEvent(QPaintEvent*)
{
    QPainter painter(this);
    paint(painter, QRectF(rect()), m_frame, currentOptions());
    drawReadout(painter);
}

void CameraBoxView::drawReadout(QPainter& painter) const
{
    if (!m_hovered)
        return;
    const QStringList lines = describe(*m_hovered).split(QLatin1Char('\n'));
    const QFontMetrics fm(font());
    const int maxWidth = std::max(40, width() - 16);
    int textWidth = 0;
    for (const QString& l : lines)
        textWidth = std::min(maxWidth - 12, std::max(textWidth, fm.horizontalAdvance(l)));
    const QRectF box(8.0, height() - 8.0 - lines.size() * fm.height() - 8.0, textWidth + 12.0,
                     lines.size() * fm.height() + 8.0);
    painter.setPen(QColor(200, 200, 200));
    painter.setBrush(QColor(255, 255, 255, 235));
    painter.drawRoundedRect(box, 4, 4);
    painter.setPen(kLegendText);
    for (int i = 0; i < lines.size(); ++i) {
        const QString elided = fm.elidedText(lines[i], Qt::ElideRight, maxWidth - 12);
        painter.drawText(QPointF(box.left() + 6, box.top() + 4 + i * fm.height() + fm.ascent()), elided);
    }
}

void CameraBoxView::mouseMoveEvent(QMouseEvent* event)
{
    setHovered(boxAt(event->position()));
}

void CameraBoxView::leaveEvent(QEvent*)
{
    setHovered(std::nullopt);
}

QSize CameraBoxView::sizeHint() const
{
    return {640, 240};
}

QSize CameraBoxView::minimumSizeHint() const
{
    return {240, 100};
}

} // namespace lnscope::widgets
