// Painting of BevView: grid, range rings, ego car, boxes, pair links, legend and readout. See
// bev_view.h; the data side is in bev_view.cpp.

#include "lnscope/widgets/bev_view.h"

#include "bev_style.h"

#include <QFontMetrics>
#include <QFontMetricsF>
#include <QPainter>

#include <algorithm>
#include <cmath>

namespace lnscope::widgets {

using namespace bev_style;

// --- painting -------------------------------------------------------------------------------------

namespace {

QString trBev(const char* text)
{
    return BevView::tr(text);
}

} // namespace

void BevView::paintEvent(QPaintEvent*)
{
    m_font = font();
    m_textColour = palette().color(QPalette::Text);
    QPainter painter(this);
    paintScene(painter);
    drawReadout(painter);
}

void BevView::paint(QPainter& painter, const QRectF& target, const BevData& data, const PaintOptions& options)
{
    detail::BevScene scene;
    scene.m_data = data;
    scene.m_transform = options.transform;
    scene.m_transform.viewSize = target.size();
    scene.m_font = options.font;
    scene.m_textColour = options.textColour;
    painter.save();
    painter.setClipRect(target);
    painter.translate(target.topLeft());
    scene.paintScene(painter);
    painter.restore();
}

void detail::BevScene::paintScene(QPainter& painter) const
{
    painter.setFont(m_font);
    painter.fillRect(QRectF(QPointF(0, 0), m_transform.viewSize), kBackground);
    drawGrid(painter);
    painter.setRenderHint(QPainter::Antialiasing, true);
    drawRangeRings(painter);
    drawEgo(painter);
    for (const BoxSet s : {BoxSet::GroundTruth, BoxSet::Float, BoxSet::Converted})
        drawBoxSet(painter, s);
    drawPairLinks(painter);
    if (!hasAnyBox())
        drawNoBoxesNote(painter);
    drawLegend(painter);
}

void detail::BevScene::drawNoBoxesNote(QPainter& painter) const
{
    QFont big = m_font;
    big.setPointSizeF(m_font.pointSizeF() * 1.4);
    painter.setFont(big);
    const QRectF area(QPointF(0, 0), m_transform.viewSize);
    const QRectF note =
        QFontMetricsF(big).boundingRect(area, Qt::AlignCenter, trBev("no boxes")).adjusted(-8, -4, 8, 4);
    painter.setPen(Qt::NoPen);
    painter.setBrush(kBackground);
    painter.drawRoundedRect(note, 4, 4);
    painter.setPen(kLabel);
    painter.drawText(note, Qt::AlignCenter, trBev("no boxes"));
    painter.setFont(m_font);
}

void detail::BevScene::drawGrid(QPainter& painter) const
{
    const double spacing = m_transform.gridSpacing();
    const QRectF visible = m_transform.visibleMetres();
    painter.setRenderHint(QPainter::Antialiasing, false);
    for (long i = long(std::ceil(visible.left() / spacing)); i * spacing <= visible.right(); ++i) {
        painter.setPen(i == 0 ? kGridAxis : kGridLine);
        const double px = m_transform.map(i * spacing, 0).x();
        painter.drawLine(QPointF(px, 0), QPointF(px, m_transform.viewSize.height()));
    }
    for (long i = long(std::ceil(visible.top() / spacing)); i * spacing <= visible.bottom(); ++i) {
        painter.setPen(i == 0 ? kGridAxis : kGridLine);
        const double py = m_transform.map(0, i * spacing).y();
        painter.drawLine(QPointF(0, py), QPointF(m_transform.viewSize.width(), py));
    }
    drawGridLabels(painter, spacing);
}

void detail::BevScene::drawGridLabels(QPainter& painter, double spacing) const
{
    // Numbers every k-th line so that labels stay ≥ ~50 px apart; x along the bottom edge, z along
    // the left edge; axis titles with units in the corners the numbers leave free.
    const QFontMetrics fm(m_font);
    const QRectF visible = m_transform.visibleMetres();
    const long step = std::max(1L, long(std::ceil(50.0 / (spacing / m_transform.metresPerPixel))));
    const double bottom = m_transform.viewSize.height() - 4.0;
    const int leftColumn = fm.horizontalAdvance(QStringLiteral("−100")) + 8;
    const QString xTitle = trBev("x (m, right)");
    const double xTitleLeft = m_transform.viewSize.width() - fm.horizontalAdvance(xTitle) - 6;
    // z numbers stop above the readout box (one line when nothing is hovered) and the x numbers.
    const double zLabelsBottom = readoutRect(1).top() - 4;
    painter.setPen(kLabel);
    for (long i = long(std::ceil(visible.left() / spacing)); i * spacing <= visible.right(); ++i) {
        const double px = m_transform.map(i * spacing, 0).x();
        const QString text = signedNumber(i * spacing, 0);
        const double half = fm.horizontalAdvance(text) / 2.0;
        if (i % step != 0 || px - half < leftColumn || px + half > xTitleLeft - 8)
            continue;
        painter.drawText(QPointF(px - half, bottom - fm.descent()), text);
    }
    for (long i = long(std::ceil(visible.top() / spacing)); i * spacing <= visible.bottom(); ++i) {
        const double py = m_transform.map(0, i * spacing).y();
        if (i % step != 0 || py < 2.5 * fm.height() || py > zLabelsBottom)
            continue;
        painter.drawText(QPointF(4, py - 3), signedNumber(i * spacing, 0));
    }
    painter.drawText(QPointF(4, fm.ascent() + 4), trBev("z (m, forward)"));
    painter.drawText(QPointF(xTitleLeft, bottom - fm.descent()), xTitle);
}

void detail::BevScene::drawRangeRings(QPainter& painter) const
{
    const double stepPx = kRingStepMetres / m_transform.metresPerPixel;
    if (stepPx < 4.0)
        return;
    const QRectF v = m_transform.visibleMetres();
    double far = 0;
    for (const QPointF& c : {v.topLeft(), v.topRight(), v.bottomLeft(), v.bottomRight()})
        far = std::max(far, std::hypot(c.x(), c.y()));
    const QPointF origin = m_transform.map(0, 0);
    const long labelStep = std::max(1L, long(std::ceil(40.0 / stepPx)));
    const QRectF legend = legendRect().adjusted(-4, -4, 4, 4);
    const QFontMetrics fm(m_font);
    painter.setBrush(Qt::NoBrush);
    for (long i = 1; i * kRingStepMetres <= far; ++i) {
        const double r = i * stepPx;
        painter.setPen(QPen(kRing, 1.0, Qt::DashLine));
        painter.drawEllipse(origin, r, r);
        if (i % labelStep != 0)
            continue;
        // Label up and to the right of the ego car, where the ring crosses 60°.
        const QPointF at = origin + QPointF(r * 0.5, -r * 0.866);
        const QString text = trBev("%1 m").arg(i * kRingStepMetres, 0, 'f', 0);
        const QPointF baseline = at + QPointF(3, -3);
        const QRectF textRect(baseline.x(), baseline.y() - fm.ascent(), fm.horizontalAdvance(text), fm.height());
        if (textRect.intersects(legend) || !QRectF(QPointF(0, 0), m_transform.viewSize).contains(textRect))
            continue;
        painter.setPen(kRing.darker(140));
        painter.drawText(baseline, text);
    }
}

void detail::BevScene::drawEgo(QPainter& painter) const
{
    // The ego car: about 1.6 m wide, from 3.2 m behind the camera to 1 m ahead of it; at least
    // 10 × 16 px so that it stays visible when zoomed out.
    QRectF body(m_transform.map(-0.8, 1.0), m_transform.map(0.8, -3.2));
    const QPointF origin = m_transform.map(0, 0);
    if (body.height() < 16.0)
        body = QRectF(origin.x() - 5, origin.y() - 4, 10, 16);
    painter.setPen(Qt::NoPen);
    painter.setBrush(kEgo);
    painter.drawRoundedRect(body, body.width() * 0.25, body.width() * 0.25);
    const double s = body.width() * 0.3;
    const QPointF tip(body.center().x(), body.top() + body.height() * 0.12);
    painter.setBrush(Qt::white);
    painter.drawPolygon(QPolygonF{tip, tip + QPointF(s, s * 1.4), tip + QPointF(-s, s * 1.4)});
}

void detail::BevScene::drawBoxSet(QPainter& painter, BoxSet s) const
{
    for (int i = 0; i < int(set(s).size()); ++i) {
        if (drawable({s, i}))
            drawBox(painter, {s, i});
    }
}

void detail::BevScene::drawBox(QPainter& painter, BoxRef box) const
{
    const core::KittiObject& o = *object(box);
    const auto footprint = core::bevFootprint(o);
    QPolygonF polygon;
    for (const auto& c : footprint)
        polygon << m_transform.map(c[0], c[1]);
    const QPointF centre = m_transform.map(o.x, o.z);
    // Corners 0 and 1 are the front edge (+l/2 along the object's heading, boxCorners()).
    const QPointF front =
        m_transform.map((footprint[0][0] + footprint[1][0]) / 2.0, (footprint[0][1] + footprint[1][1]) / 2.0);
    const bool onlyOne = isOnlyOne(box);
    const int pair = m_hovered ? pairOf(*m_hovered) : -1;
    const bool highlighted = m_hovered && (*m_hovered == box || (pair >= 0 && pairOf(box) == pair));
    if (highlighted) {
        painter.setPen(QPen(kHalo, 8.0, Qt::SolidLine, Qt::RoundCap, Qt::RoundJoin));
        painter.setBrush(Qt::NoBrush);
        painter.drawPolygon(polygon);
    }
    QColor fill = setColour(box.set);
    fill.setAlpha(box.set == BoxSet::GroundTruth ? 0 : 30);
    painter.setPen(setPen(box.set, setWidth(box.set) + (onlyOne ? 1.5 : 0.0)));
    painter.setBrush(fill);
    painter.drawPolygon(polygon);
    painter.drawLine(centre, front);
    if (onlyOne)
        drawDiamond(painter, centre, 5.5, setColour(box.set));
}

void detail::BevScene::drawPairLinks(QPainter& painter) const
{
    for (int i = 0; i < int(m_data.matching.pairs.size()); ++i) {
        const core::BoxPair& p = m_data.matching.pairs[size_t(i)];
        if (!drawable({BoxSet::Float, p.indexA}) || !drawable({BoxSet::Converted, p.indexB}))
            continue;
        const QLineF link = pairLine(i);
        painter.setPen(QPen(kLink, 2.0, Qt::SolidLine, Qt::RoundCap));
        painter.drawLine(link);
        painter.setPen(Qt::NoPen);
        painter.setBrush(kLink);
        painter.drawEllipse(link.p1(), 2.5, 2.5);
        painter.drawEllipse(link.p2(), 2.5, 2.5);
    }
}

QStringList detail::BevScene::legendLabels() const
{
    // Counts of what is drawn: DontCare regions and pairs / indices out of range are left out.
    std::array<int, 3> boxes{};
    int pairs = 0, onlyOne = 0;
    for (const BoxSet s : {BoxSet::GroundTruth, BoxSet::Float, BoxSet::Converted}) {
        for (int i = 0; i < int(set(s).size()); ++i) {
            boxes[size_t(s)] += drawable({s, i}) ? 1 : 0;
            onlyOne += drawable({s, i}) && isOnlyOne({s, i}) ? 1 : 0;
        }
    }
    for (int i = 0; i < int(m_data.matching.pairs.size()); ++i) {
        const core::BoxPair& p = m_data.matching.pairs[size_t(i)];
        pairs += drawable({BoxSet::Float, p.indexA}) && drawable({BoxSet::Converted, p.indexB}) ? 1 : 0;
    }
    return {trBev("ground truth (%1)").arg(boxes[0]), trBev("float (%1)").arg(boxes[1]),
            trBev("converted (%1)").arg(boxes[2]), trBev("matched pair (%1)").arg(pairs),
            trBev("one network only (%1)").arg(onlyOne)};
}

QRectF detail::BevScene::legendRect() const
{
    const QFontMetrics fm(m_font);
    const QStringList labels = legendLabels();
    int textWidth = 0;
    for (const QString& l : labels)
        textWidth = std::max(textWidth, fm.horizontalAdvance(l));
    return {m_transform.viewSize.width() - textWidth - kLegendSample - 26.0, 8.0, textWidth + kLegendSample + 18.0,
            labels.size() * (fm.height() + 4.0) + 8.0};
}

QRectF detail::BevScene::readoutRect(int lines) const
{
    const QFontMetrics fm(m_font);
    return {8.0, m_transform.viewSize.height() - 2.0 * fm.height() - 10 - lines * fm.height(), 0.0,
            lines * fm.height() + 8.0};
}

void detail::BevScene::drawLegend(QPainter& painter) const
{
    const QFontMetrics fm(m_font);
    const int line = fm.height() + 4, sample = kLegendSample;
    const QStringList labels = legendLabels();
    const QRectF box = legendRect();
    painter.setPen(QColor(210, 210, 210));
    painter.setBrush(QColor(255, 255, 255, 230));
    painter.drawRoundedRect(box, 4, 4);
    for (int i = 0; i < labels.size(); ++i) {
        const double y = box.top() + 4 + i * line + line / 2.0;
        const QLineF stroke(box.left() + 8, y, box.left() + 8 + sample, y);
        painter.setBrush(Qt::NoBrush);
        if (i < 3) {
            const auto s = static_cast<BoxSet>(i);
            painter.setPen(setPen(s, setWidth(s)));
            painter.drawRect(QRectF(stroke.p1() + QPointF(0, -4), stroke.p2() + QPointF(0, 4)));
        } else if (i == 3) {
            painter.setPen(QPen(kLink, 2.0));
            painter.drawLine(stroke);
        } else {
            painter.setPen(QPen(kGroundTruth.darker(130), 3.0));
            painter.drawRect(QRectF(stroke.p1() + QPointF(0, -4), stroke.p2() + QPointF(0, 4)));
            drawDiamond(painter, stroke.center(), 4.5, kGroundTruth.darker(130));
        }
        painter.setPen(m_textColour);
        painter.drawText(QPointF(stroke.p2().x() + 8, y + fm.ascent() / 2.0 - 1), labels[i]);
    }
}

void BevView::drawReadout(QPainter& painter) const
{
    const QFontMetrics fm(font());
    const QString text = m_hovered ? describe(*m_hovered) : tr("wheel: zoom · drag: pan · F: fit · hover a box");
    const QStringList lines = text.split(QLatin1Char('\n'));
    const int maxWidth = std::max(40, width() - 16);
    int textWidth = 0;
    for (const QString& l : lines)
        textWidth = std::min(maxWidth, std::max(textWidth, fm.horizontalAdvance(l)));
    const double lineHeight = fm.height();
    QRectF box = readoutRect(int(lines.size()));
    box.setWidth(textWidth + 12);
    painter.setPen(m_hovered ? QPen(QColor(200, 200, 200)) : QPen(Qt::NoPen));
    painter.setBrush(m_hovered ? QColor(255, 255, 255, 235) : QColor(250, 250, 248, 225));
    painter.drawRoundedRect(box, 4, 4);
    painter.setPen(m_hovered ? palette().color(QPalette::Text) : kLabel);
    for (int i = 0; i < lines.size(); ++i) {
        const QString elided = fm.elidedText(lines[i], Qt::ElideRight, maxWidth - 12);
        painter.drawText(QPointF(box.left() + 6, box.top() + 4 + i * lineHeight + fm.ascent()), elided);
    }
}

} // namespace lnscope::widgets
