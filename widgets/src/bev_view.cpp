// Bird's-eye view of ground-truth, float and converted boxes: data, hit-testing, readout and
// input; the painting is in bev_view_painting.cpp. See bev_view.h.

#include "lnscope/widgets/bev_view.h"

#include "bev_style.h"

#include <QKeyEvent>
#include <QMouseEvent>
#include <QWheelEvent>

#include <algorithm>
#include <cmath>
#include <numbers>

namespace lnscope::widgets {

namespace {

using namespace bev_style;

constexpr double kWheelZoomPerNotch = 1.25;
constexpr double kKeyZoomFactor = 1.25;
constexpr double kKeyPanPixels = 40.0;
/// Hovering within this many pixels of a box centre counts as hovering the box (tiny boxes).
constexpr double kCentrePickPixels = 6.0;

QString setName(BevView::BoxSet set)
{
    switch (set) {
    case BevView::BoxSet::GroundTruth: return BevView::tr("ground truth");
    case BevView::BoxSet::Float: return BevView::tr("float");
    case BevView::BoxSet::Converted: return BevView::tr("converted");
    }
    return {};
}

bool isDontCare(const std::string& type)
{
    return QString::fromStdString(type).compare(QStringLiteral("DontCare"), Qt::CaseInsensitive) == 0;
}

} // namespace

BevView::BevView(QWidget* parent) : QWidget(parent)
{
    setMouseTracking(true);
    setFocusPolicy(Qt::StrongFocus);
    setAttribute(Qt::WA_OpaquePaintEvent);
    m_transform.viewSize = size();
    fitToView();
}

BevView::~BevView() = default;

void BevView::setBoxes(const BevData& data)
{
    m_data = data;
    m_hovered.reset();
    if (m_autoFit)
        fitToView();
    update();
    emit hoveredBoxChanged();
}

void BevView::clear()
{
    setBoxes({});
}

bool BevView::hasBoxes() const
{
    return hasAnyBox();
}

bool detail::BevScene::hasAnyBox() const
{
    return !m_data.groundTruth.empty() || !m_data.floatBoxes.empty() || !m_data.convertedBoxes.empty();
}

void BevView::setBevTransform(const BevTransform& transform)
{
    changeTransform(transform, true);
}

void BevView::changeTransform(const BevTransform& transform, bool userEdit)
{
    m_transform = transform;
    m_transform.viewSize = size();
    if (userEdit)
        m_autoFit = false;
    update();
    emit transformChanged(m_transform);
}

void BevView::fitToView()
{
    changeTransform(fitted(QSizeF(size())), false);
    m_autoFit = true;
}

BevTransform detail::BevScene::fitted(QSizeF size) const
{
    // Some road around the ego car (so that it is not drawn huge), plus every drawn box.
    double minX = -10, maxX = 10, minZ = -5, maxZ = 25;
    for (const BoxSet s : {BoxSet::GroundTruth, BoxSet::Float, BoxSet::Converted}) {
        for (int i = 0; i < int(set(s).size()); ++i) {
            if (!drawable({s, i}))
                continue;
            for (const auto& c : core::bevFootprint(set(s)[size_t(i)])) {
                minX = std::min(minX, c[0]);
                maxX = std::max(maxX, c[0]);
                minZ = std::min(minZ, c[1]);
                maxZ = std::max(maxZ, c[1]);
            }
        }
    }
    BevTransform t = m_transform;
    t.viewSize = size;
    t.fit(minX, maxX, minZ, maxZ, 28.0);
    return t;
}

BevTransform BevView::fittedTransform(const BevData& data, QSizeF size)
{
    detail::BevScene scene;
    scene.m_data = data;
    return scene.fitted(size);
}

void BevView::zoomBy(double factor)
{
    BevTransform t = m_transform;
    t.zoomAt(QPointF(width() / 2.0, height() / 2.0), factor);
    changeTransform(t, true);
}

// --- boxes and pairs ----------------------------------------------------------------------------

const std::vector<core::KittiObject>& detail::BevScene::set(BoxSet s) const
{
    switch (s) {
    case BoxSet::Float: return m_data.floatBoxes;
    case BoxSet::Converted: return m_data.convertedBoxes;
    case BoxSet::GroundTruth: break;
    }
    return m_data.groundTruth;
}

const core::KittiObject* detail::BevScene::object(BoxRef box) const
{
    const auto& objects = set(box.set);
    return box.index >= 0 && box.index < int(objects.size()) ? &objects[size_t(box.index)] : nullptr;
}

bool detail::BevScene::drawable(BoxRef box) const
{
    const core::KittiObject* o = object(box);
    return o && !isDontCare(o->type) && std::isfinite(o->x) && std::isfinite(o->z) && std::isfinite(o->rotationY)
           && std::isfinite(o->l) && std::isfinite(o->w) && o->l > 0.f && o->w > 0.f;
}

int detail::BevScene::pairOf(BoxRef box) const
{
    if (box.set == BoxSet::GroundTruth)
        return -1;
    for (int i = 0; i < int(m_data.matching.pairs.size()); ++i) {
        const core::BoxPair& p = m_data.matching.pairs[size_t(i)];
        if (!object({BoxSet::Float, p.indexA}) || !object({BoxSet::Converted, p.indexB}))
            continue;
        if ((box.set == BoxSet::Float ? p.indexA : p.indexB) == box.index)
            return i;
    }
    return -1;
}

bool detail::BevScene::isOnlyOne(BoxRef box) const
{
    if (box.set == BoxSet::GroundTruth)
        return false;
    const auto& only = box.set == BoxSet::Float ? m_data.matching.onlyA : m_data.matching.onlyB;
    return std::find(only.begin(), only.end(), box.index) != only.end();
}

std::optional<BevView::BoxRef> BevView::boxAt(QPointF widgetPx) const
{
    const auto [x, z] = m_transform.unmap(widgetPx);
    std::optional<BoxRef> best;
    double bestDistance = 0;
    // Detections first: ground truth is only picked where no detection is.
    for (const BoxSet s : {BoxSet::Float, BoxSet::Converted, BoxSet::GroundTruth}) {
        if (s == BoxSet::GroundTruth && best)
            break;
        for (int i = 0; i < int(set(s).size()); ++i) {
            if (!drawable({s, i}))
                continue;
            const core::KittiObject& o = set(s)[size_t(i)];
            const double distance = QLineF(widgetPx, m_transform.map(o.x, o.z)).length();
            const bool hit =
                distance <= kCentrePickPixels || BevTransform::footprintContains(core::bevFootprint(o), x, z);
            if (hit && (!best || distance < bestDistance)) {
                best = BoxRef{s, i};
                bestDistance = distance;
            }
        }
    }
    return best;
}

QString BevView::describe(BoxRef box) const
{
    const core::KittiObject* o = object(box);
    if (!o)
        return {};
    QStringList lines;
    QString head = tr("%1 %2 #%3").arg(setName(box.set), QString::fromStdString(o->type)).arg(box.index);
    if (box.set != BoxSet::GroundTruth)
        head += tr(" · score %1").arg(o->score ? QString::number(double(*o->score), 'f', 2) : tr("none"));
    lines << head;
    const int pair = pairOf(box);
    if (box.set == BoxSet::GroundTruth) {
        lines << tr("x %1 m, z %2 m · heading %3° · l × w %4 × %5 m")
                     .arg(signedNumber(o->x, 2), signedNumber(o->z, 2),
                          signedNumber(double(o->rotationY) * 180.0 / std::numbers::pi, 1))
                     .arg(double(o->l), 0, 'f', 2)
                     .arg(double(o->w), 0, 'f', 2);
    } else if (pair >= 0) {
        const core::BoxPair& p = m_data.matching.pairs[size_t(pair)];
        const BoxSet other = box.set == BoxSet::Float ? BoxSet::Converted : BoxSet::Float;
        lines << tr("matched with %1 #%2 · BEV IoU %3")
                     .arg(setName(other))
                     .arg(other == BoxSet::Float ? p.indexA : p.indexB)
                     .arg(p.bevIoU, 0, 'f', 3);
        QString deltas =
            tr("converted − float: centre %1 m (x %2, y %3, z %4) · heading %5° · l %6 w %7 h %8 m")
                .arg(QString::number(p.centreDistance, 'f', 2), signedNumber(p.dx, 2, true),
                     signedNumber(p.dy, 2, true), signedNumber(p.dz, 2, true),
                     signedNumber(p.dHeading * 180.0 / std::numbers::pi, 1, true), signedNumber(p.dl, 2, true),
                     signedNumber(p.dw, 2, true), signedNumber(p.dh, 2, true));
        if (std::isfinite(p.dScore))
            deltas += tr(" · score %1").arg(signedNumber(p.dScore, 3, true));
        lines << deltas;
    } else if (isOnlyOne(box)) {
        lines << tr("found by %1 only: no matching %2 box")
                     .arg(setName(box.set), setName(box.set == BoxSet::Float ? BoxSet::Converted : BoxSet::Float));
    } else {
        lines << tr("not matched");
    }
    return lines.join(QLatin1Char('\n'));
}

QString BevView::hoverText() const
{
    return m_hovered ? describe(*m_hovered) : QString();
}

QLineF BevView::pairLink(int pairIndex) const
{
    return pairLine(pairIndex);
}

QLineF detail::BevScene::pairLine(int pairIndex) const
{
    if (pairIndex < 0 || pairIndex >= int(m_data.matching.pairs.size()))
        return {};
    const core::BoxPair& p = m_data.matching.pairs[size_t(pairIndex)];
    if (!drawable({BoxSet::Float, p.indexA}) || !drawable({BoxSet::Converted, p.indexB}))
        return {};
    const core::KittiObject& a = m_data.floatBoxes[size_t(p.indexA)];
    const core::KittiObject& b = m_data.convertedBoxes[size_t(p.indexB)];
    return {m_transform.map(a.x, a.z), m_transform.map(b.x, b.z)};
}

void BevView::setHovered(std::optional<BoxRef> box)
{
    if (m_hovered == box)
        return;
    m_hovered = box;
    update();
    emit hoveredBoxChanged();
}

// --- input ----------------------------------------------------------------------------------------

void BevView::resizeEvent(QResizeEvent*)
{
    m_transform.viewSize = size();
    if (m_autoFit)
        fitToView();
}

void BevView::wheelEvent(QWheelEvent* event)
{
    const int delta = event->angleDelta().y();
    if (delta == 0) {
        event->ignore();
        return;
    }
    BevTransform t = m_transform;
    t.zoomAt(event->position(), std::pow(kWheelZoomPerNotch, delta / 120.0));
    changeTransform(t, true);
    event->accept();
}

void BevView::mousePressEvent(QMouseEvent* event)
{
    if (event->button() == Qt::LeftButton) {
        m_dragFrom = event->position();
        setCursor(Qt::ClosedHandCursor);
    }
}

void BevView::mouseMoveEvent(QMouseEvent* event)
{
    if (m_dragFrom && (event->buttons() & Qt::LeftButton)) {
        BevTransform t = m_transform;
        t.pan(event->position() - *m_dragFrom);
        m_dragFrom = event->position();
        changeTransform(t, true);
        return;
    }
    setHovered(boxAt(event->position()));
}

void BevView::mouseReleaseEvent(QMouseEvent* event)
{
    if (event->button() == Qt::LeftButton) {
        m_dragFrom.reset();
        unsetCursor();
    }
}

void BevView::mouseDoubleClickEvent(QMouseEvent* event)
{
    if (event->button() == Qt::LeftButton)
        fitToView();
}

void BevView::leaveEvent(QEvent*)
{
    setHovered(std::nullopt);
}

void BevView::keyPressEvent(QKeyEvent* event)
{
    BevTransform t = m_transform;
    switch (event->key()) {
    case Qt::Key_Plus:
    case Qt::Key_Equal: zoomBy(kKeyZoomFactor); break;
    case Qt::Key_Minus: zoomBy(1.0 / kKeyZoomFactor); break;
    case Qt::Key_Left:
        t.pan({kKeyPanPixels, 0});
        changeTransform(t, true);
        break;
    case Qt::Key_Right:
        t.pan({-kKeyPanPixels, 0});
        changeTransform(t, true);
        break;
    case Qt::Key_Up:
        t.pan({0, kKeyPanPixels});
        changeTransform(t, true);
        break;
    case Qt::Key_Down:
        t.pan({0, -kKeyPanPixels});
        changeTransform(t, true);
        break;
    case Qt::Key_F: fitToView(); break;
    default: QWidget::keyPressEvent(event); return;
    }
    event->accept();
}

QList<QPair<QString, QString>> BevView::shortcuts()
{
    return {{tr("Wheel"), tr("zoom around the cursor")},
            {tr("Drag"), tr("pan")},
            {tr("Double-click, F"), tr("fit every box and the ego car")},
            {tr("+ / −"), tr("zoom in / out")},
            {tr("Arrow keys"), tr("pan")},
            {tr("Hover a box"), tr("class, score, IoU and deltas of its float/converted pair")}};
}

QSize BevView::sizeHint() const
{
    return {600, 500};
}

QSize BevView::minimumSizeHint() const
{
    return {240, 200};
}

} // namespace lnscope::widgets
