// The recording paint device; see paint_recorder.h.

#include "paint_recorder.h"

#include <QBrush>
#include <QFont>
#include <QFontMetricsF>
#include <QImage>
#include <QLine>
#include <QPaintEngine>
#include <QPainter>
#include <QPainterPath>
#include <QPen>
#include <QPixmap>
#include <QRegion>
#include <QTransform>

#include <climits>
#include <cmath>
#include <functional>
#include <vector>

namespace lnscope::app {

namespace {

/// How the commands are replayed: onto the painter's transform at the start, with fonts scaled
/// from the recorder's resolution to the painter's device.
struct Replay
{
    QTransform base;
    double fontScale = 1.0;
};

using Command = std::function<void(QPainter&, const Replay&)>;

/// `font` as recorded, for the replaying painter. Every property counts as set: a text item's font
/// may come without its resolve mask, and QPainter::setFont() would then take the painter's
/// default font instead.
QFont scaledFont(QFont font, double scale)
{
    if (scale != 1.0 && font.pointSizeF() > 0)
        font.setPointSizeF(font.pointSizeF() * scale);
    font.setResolveMask(QFont::AllPropertiesResolved);
    return font;
}

/// A brush that a worker thread can paint with: a pixmap texture becomes an image texture.
QBrush threadSafe(const QBrush& brush)
{
    if (brush.style() != Qt::TexturePattern)
        return brush;
    QBrush b(brush.textureImage());
    b.setTransform(brush.transform());
    return b;
}

QPen threadSafe(QPen pen)
{
    if (pen.brush().style() == Qt::TexturePattern)
        pen.setBrush(threadSafe(pen.brush()));
    return pen;
}

} // namespace

struct PaintRecording::Commands
{
    std::vector<Command> list;
    int dpi = 96;
};

void PaintRecording::replay(QPainter& painter) const
{
    if (!m_commands)
        return;
    painter.save();
    Replay r;
    r.base = painter.transform();
    const int target = painter.device() ? painter.device()->logicalDpiY() : m_commands->dpi;
    r.fontScale = target > 0 ? double(m_commands->dpi) / double(target) : 1.0;
    for (const Command& c : m_commands->list)
        c(painter, r);
    painter.restore();
}

size_t PaintRecording::size() const
{
    return m_commands ? m_commands->list.size() : 0;
}

// ---- the engine -----------------------------------------------------------------------------------

class PaintRecorder::Engine : public QPaintEngine
{
public:
    explicit Engine(int dpi) : QPaintEngine(QPaintEngine::AllFeatures) { m_commands->dpi = dpi; }

    bool begin(QPaintDevice*) override { return true; }
    bool end() override { return true; }
    Type type() const override { return QPaintEngine::User; }

    std::shared_ptr<const PaintRecording::Commands> commands() const { return m_commands; }

    void updateState(const QPaintEngineState& state) override
    {
        const DirtyFlags flags = state.state();
        if (flags & DirtyPen)
            add([pen = threadSafe(state.pen())](QPainter& p, const Replay&) { p.setPen(pen); });
        if (flags & DirtyBrush)
            add([brush = threadSafe(state.brush())](QPainter& p, const Replay&) { p.setBrush(brush); });
        if (flags & DirtyBrushOrigin)
            add([origin = state.brushOrigin()](QPainter& p, const Replay&) { p.setBrushOrigin(origin); });
        if (flags & DirtyBackground)
            add([brush = threadSafe(state.backgroundBrush())](QPainter& p, const Replay&) { p.setBackground(brush); });
        if (flags & DirtyBackgroundMode)
            add([mode = state.backgroundMode()](QPainter& p, const Replay&) { p.setBackgroundMode(mode); });
        if (flags & DirtyFont)
            add([font = state.font()](QPainter& p, const Replay& r) { p.setFont(scaledFont(font, r.fontScale)); });
        // The transform before the clip: a clip is recorded in the coordinates it was set in.
        if (flags & DirtyTransform)
            add([t = state.transform()](QPainter& p, const Replay& r) { p.setTransform(t * r.base); });
        if (flags & DirtyClipRegion)
            add([region = state.clipRegion(), op = state.clipOperation()](QPainter& p, const Replay&) {
                p.setClipRegion(region, op);
            });
        if (flags & DirtyClipPath)
            add([path = state.clipPath(), op = state.clipOperation()](QPainter& p, const Replay&) {
                p.setClipPath(path, op);
            });
        if (flags & DirtyClipEnabled)
            add([on = state.isClipEnabled()](QPainter& p, const Replay&) { p.setClipping(on); });
        if (flags & DirtyHints)
            add([hints = state.renderHints()](QPainter& p, const Replay&) {
                p.setRenderHints(p.renderHints(), false);
                p.setRenderHints(hints, true);
            });
        if (flags & DirtyCompositionMode)
            add([mode = state.compositionMode()](QPainter& p, const Replay&) { p.setCompositionMode(mode); });
        if (flags & DirtyOpacity)
            add([opacity = state.opacity()](QPainter& p, const Replay&) { p.setOpacity(opacity); });
    }

    void drawRects(const QRect* rects, int n) override
    {
        add([v = std::vector<QRect>(rects, rects + n)](QPainter& p, const Replay&) { p.drawRects(v.data(), int(v.size())); });
    }
    void drawRects(const QRectF* rects, int n) override
    {
        add([v = std::vector<QRectF>(rects, rects + n)](QPainter& p, const Replay&) { p.drawRects(v.data(), int(v.size())); });
    }
    void drawLines(const QLine* lines, int n) override
    {
        add([v = std::vector<QLine>(lines, lines + n)](QPainter& p, const Replay&) { p.drawLines(v.data(), int(v.size())); });
    }
    void drawLines(const QLineF* lines, int n) override
    {
        add([v = std::vector<QLineF>(lines, lines + n)](QPainter& p, const Replay&) { p.drawLines(v.data(), int(v.size())); });
    }
    void drawEllipse(const QRectF& r) override
    {
        add([r](QPainter& p, const Replay&) { p.drawEllipse(r); });
    }
    void drawEllipse(const QRect& r) override
    {
        add([r](QPainter& p, const Replay&) { p.drawEllipse(r); });
    }
    void drawPath(const QPainterPath& path) override
    {
        add([path](QPainter& p, const Replay&) { p.drawPath(path); });
    }
    void drawPoints(const QPointF* points, int n) override
    {
        add([v = std::vector<QPointF>(points, points + n)](QPainter& p, const Replay&) { p.drawPoints(v.data(), int(v.size())); });
    }
    void drawPoints(const QPoint* points, int n) override
    {
        add([v = std::vector<QPoint>(points, points + n)](QPainter& p, const Replay&) { p.drawPoints(v.data(), int(v.size())); });
    }
    void drawPolygon(const QPointF* points, int n, PolygonDrawMode mode) override
    {
        add([v = std::vector<QPointF>(points, points + n), mode](QPainter& p, const Replay&) { polygon(p, v, mode); });
    }
    void drawPolygon(const QPoint* points, int n, PolygonDrawMode mode) override
    {
        add([v = std::vector<QPoint>(points, points + n), mode](QPainter& p, const Replay&) { polygon(p, v, mode); });
    }
    void drawPixmap(const QRectF& r, const QPixmap& pixmap, const QRectF& sr) override
    {
        drawImage(r, pixmap.toImage(), sr, Qt::AutoColor);
    }
    void drawTiledPixmap(const QRectF& r, const QPixmap& pixmap, const QPointF& s) override
    {
        add([r, image = pixmap.toImage(), s](QPainter& p, const Replay&) {
            p.save();
            p.setPen(Qt::NoPen);
            p.setBrushOrigin(r.topLeft() - s);
            p.fillRect(r, QBrush(image));
            p.restore();
        });
    }
    void drawImage(const QRectF& r, const QImage& image, const QRectF& sr, Qt::ImageConversionFlags flags) override
    {
        add([r, image, sr, flags](QPainter& p, const Replay&) { p.drawImage(r, image, sr, flags); });
    }
    void drawTextItem(const QPointF& at, const QTextItem& item) override
    {
        if (item.text().isEmpty()) {
            QPaintEngine::drawTextItem(at, item); // glyphs without characters: as a filled path
            return;
        }
        QFont font = item.font();
        const QTextItem::RenderFlags flags = item.renderFlags();
        if (flags & QTextItem::Underline)
            font.setUnderline(true);
        if (flags & QTextItem::Overline)
            font.setOverline(true);
        if (flags & QTextItem::StrikeOut)
            font.setStrikeOut(true);
        const Qt::LayoutDirection direction = flags & QTextItem::RightToLeft ? Qt::RightToLeft : Qt::LeftToRight;
        add([at, text = item.text(), font, direction, width = item.width()](QPainter& p, const Replay& r) {
            const QFont f = scaledFont(font, r.fontScale);
            p.setFont(f);
            p.setLayoutDirection(direction);
            // The text is laid out again on the painter's device, whose metrics may differ a little
            // (unhinted PDF metrics vs the screen's): keep the width it had where it was laid out,
            // so that it stays inside the boxes (and clips) made for it.
            const double natural = QFontMetricsF(f, p.device()).horizontalAdvance(text);
            if (width > 0.0 && natural > 0.0 && std::abs(natural - width) > 0.002 * width) {
                const QTransform t = p.transform();
                p.translate(at);
                p.scale(width / natural, 1.0);
                p.drawText(QPointF(0, 0), text);
                p.setTransform(t);
            } else {
                p.drawText(at, text);
            }
        });
    }

private:
    template <typename Point>
    static void polygon(QPainter& p, const std::vector<Point>& v, PolygonDrawMode mode)
    {
        const int n = int(v.size());
        switch (mode) {
        case OddEvenMode: p.drawPolygon(v.data(), n, Qt::OddEvenFill); break;
        case WindingMode: p.drawPolygon(v.data(), n, Qt::WindingFill); break;
        case ConvexMode: p.drawConvexPolygon(v.data(), n); break;
        case PolylineMode: p.drawPolyline(v.data(), n); break;
        }
    }

    void add(Command c) { m_commands->list.push_back(std::move(c)); }

    std::shared_ptr<PaintRecording::Commands> m_commands = std::make_shared<PaintRecording::Commands>();
};

// ---- the device -----------------------------------------------------------------------------------

PaintRecorder::PaintRecorder(QSize size, int dpi) : m_size(size), m_dpi(dpi > 0 ? dpi : 96), m_engine(std::make_unique<Engine>(m_dpi))
{
}

PaintRecorder::~PaintRecorder() = default;

PaintRecording PaintRecorder::recording() const
{
    return PaintRecording(m_engine->commands());
}

QPaintEngine* PaintRecorder::paintEngine() const
{
    return m_engine.get();
}

int PaintRecorder::metric(PaintDeviceMetric metric) const
{
    switch (metric) {
    case PdmWidth: return m_size.width();
    case PdmHeight: return m_size.height();
    case PdmWidthMM: return int(std::lround(m_size.width() * 25.4 / m_dpi));
    case PdmHeightMM: return int(std::lround(m_size.height() * 25.4 / m_dpi));
    case PdmNumColors: return INT_MAX;
    case PdmDepth: return 32;
    case PdmDpiX:
    case PdmDpiY:
    case PdmPhysicalDpiX:
    case PdmPhysicalDpiY: return m_dpi;
    case PdmDevicePixelRatio: return 1;
    case PdmDevicePixelRatioScaled: return int(devicePixelRatioFScale());
    default: return QPaintDevice::metric(metric);
    }
}

} // namespace lnscope::app
