#pragma once
// Helpers of the widget tests (header only: lnscope_testutils itself links no Qt GUI module):
// synthetic mouse events, colour counts on rendered images and the text items a chart shows.

#include <QColor>
#include <QCoreApplication>
#include <QGraphicsItem>
#include <QGraphicsTextItem>
#include <QImage>
#include <QList>
#include <QMouseEvent>
#include <QStringList>
#include <QWidget>

#include <algorithm>
#include <cstdlib>

namespace lnscope::test {

/// Sends a mouse event at `pos` (widget coordinates) straight to `widget`.
inline void sendMouse(QWidget* widget, QEvent::Type type, QPointF pos, Qt::MouseButton button, Qt::MouseButtons buttons)
{
    QMouseEvent event(type, pos, widget->mapToGlobal(pos), button, buttons, Qt::NoModifier);
    QCoreApplication::sendEvent(widget, &event);
}

/// Every channel of `c` within `tolerance` levels of `want`.
inline bool similarColour(QColor c, QColor want, int tolerance)
{
    return std::abs(c.red() - want.red()) <= tolerance && std::abs(c.green() - want.green()) <= tolerance
           && std::abs(c.blue() - want.blue()) <= tolerance;
}

/// The share of the pixels that are not `colour` (± `tolerance` levels per channel): how much of
/// a rendered frame was drawn over its background.
inline double shareNotColour(const QImage& image, QColor colour, int tolerance = 2)
{
    qint64 differing = 0;
    for (int y = 0; y < image.height(); ++y)
        for (int x = 0; x < image.width(); ++x)
            differing += similarColour(image.pixelColor(x, y), colour, tolerance) ? 0 : 1;
    return double(differing) / double(std::max<qint64>(1, qint64(image.width()) * image.height()));
}

/// The text items under `root` (the chart's scene items: axis labels, legend entries) that are
/// visible, and whose whole box is inside the chart view (a label off the view is as lost as a
/// hidden one).
inline QList<QGraphicsTextItem*> shownTexts(QGraphicsItem* root, const QRectF& sceneRect)
{
    QList<QGraphicsTextItem*> out;
    for (QGraphicsItem* item : root->childItems()) {
        if (!item->isVisible())
            continue;
        if (auto* text = qgraphicsitem_cast<QGraphicsTextItem*>(item);
            text && sceneRect.contains(text->sceneBoundingRect()))
            out << text;
        out << shownTexts(item, sceneRect);
    }
    return out;
}

inline QStringList plainTexts(const QList<QGraphicsTextItem*>& items)
{
    QStringList out;
    for (const QGraphicsTextItem* item : items)
        out << item->toPlainText();
    return out;
}

} // namespace lnscope::test
