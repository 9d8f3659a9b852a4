// The report's figures: views recorded on the GUI thread, replayed on the writer's thread; see
// report_figures.h.

#include "report_figures.h"

#include "paint_recorder.h"

#include "lnscope/core/error.h"

#include <QBuffer>
#include <QCoreApplication>
#include <QGraphicsObject>
#include <QGraphicsScene>
#include <QGraphicsView>
#include <QImage>
#include <QPainter>
#include <QPointer>
#include <QThread>
#include <QTimer>
#include <QWidget>

#include <chrono>
#include <cmath>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <vector>

namespace lnscope::app::report {

namespace {

// ---- recording a view (GUI thread) ---------------------------------------------------------------

/// Delivers the events posted to the view, its children and the items of its graphics scenes
/// (layout requests, the charts' deferred updates) — and no one else's: this runs inside the
/// event loop, which must not be re-entered for the rest of the application.
void deliverPostedEvents(QWidget* view)
{
    // Guarded: an event may delete other objects of the view (a chart's replaced items).
    std::vector<QPointer<QObject>> objects{view};
    for (QObject* child : view->findChildren<QObject*>())
        objects.emplace_back(child);
    for (QGraphicsView* v : view->findChildren<QGraphicsView*>())
        if (v->scene())
            for (QGraphicsItem* item : v->scene()->items())
                if (QGraphicsObject* o = item->toGraphicsObject())
                    objects.emplace_back(o);
    for (const QPointer<QObject>& o : objects)
        if (o)
            QCoreApplication::sendPostedEvents(o, 0);
}

/// Swallows paint events (of the graphics views' viewports, drawn separately).
class PaintBlocker : public QObject
{
public:
    bool eventFilter(QObject*, QEvent* event) override { return event->type() == QEvent::Paint; }
};

/// Draws `part` with `painter` as vectors. QWidget::render() alone draws the charts (Qt Charts
/// are QGraphicsViews) with a system clip that a PDF engine misplaces, which cuts their legends;
/// so the views' viewports are left out of render() and their scenes drawn into the same places
/// with QGraphicsScene::render(), which clips correctly under any transform.
void renderVector(QPainter& painter, QWidget* part)
{
    PaintBlocker blocker;
    QList<QGraphicsView*> views = part->findChildren<QGraphicsView*>();
    if (auto* self = qobject_cast<QGraphicsView*>(part)) // the part is the chart itself
        views.prepend(self);
    for (QGraphicsView* v : views)
        v->viewport()->installEventFilter(&blocker);
    painter.save();
    painter.setClipRect(QRect(QPoint(), part->size()), Qt::IntersectClip); // QPainter views draw past their edges
    part->render(&painter, QPoint(), QRegion(), QWidget::DrawChildren);
    painter.restore();
    for (QGraphicsView* v : views) {
        v->viewport()->removeEventFilter(&blocker);
        if (!v->scene() || !v->isVisibleTo(part))
            continue;
        const QRect viewport = v->viewport()->rect();
        const QRectF target(v->viewport()->mapTo(part, QPoint(0, 0)), viewport.size());
        painter.save();
        painter.setClipRect(target, Qt::IntersectClip);
        painter.fillRect(target, v->backgroundBrush().style() == Qt::NoBrush ? QBrush(Qt::white) : v->backgroundBrush());
        v->scene()->render(&painter, target, v->mapToScene(viewport).boundingRect(), Qt::IgnoreAspectRatio);
        painter.restore();
    }
}

/// One view being recorded on the GUI thread, in steps that each return to the event loop: the
/// view made and given its data; shown at its size; laid out (its posted layout and chart
/// updates, a round per step); resized so that its part gets the size asked, and laid out again;
/// recorded. The heaviest step, a centroid plot's setPlot() or its first layout, takes a few tens
/// of milliseconds.
class ViewRecording
{
public:
    explicit ViewRecording(FigureSpec spec) : m_spec(std::move(spec)) {}

    /// Runs the next step; true when the figure is done (take() it).
    bool step()
    {
        const int s = m_step++;
        if (s == 0)
            makeView();
        else if (s == 1)
            show();
        else if (s < 2 + kLayoutRounds)
            deliverPostedEvents(m_view.get());
        else if (s == 2 + kLayoutRounds)
            fitPart();
        else if (s < 3 + 2 * kLayoutRounds)
            deliverPostedEvents(m_view.get());
        else
            record();
        return bool(m_figure);
    }

    Figure take() { return std::move(*m_figure); }
    /// Drops the view (on the GUI thread, where widgets must be deleted).
    void drop() { m_view.reset(); }

private:
    /// Rounds of posted events after a resize: layouts post their requests to their parents.
    static constexpr int kLayoutRounds = 3;

    void makeView()
    {
        m_view = m_spec.makeView();
        m_view->setAttribute(Qt::WA_DontShowOnScreen);
        for (const QString& name : m_spec.hide)
            if (auto* child = m_view->findChild<QWidget*>(name))
                child->hide();
        m_spec.setUp(*m_view);
    }

    void show()
    {
        m_view->resize(m_spec.size);
        m_view->show();
        deliverPostedEvents(m_view.get());
    }

    void fitPart()
    {
        m_part = m_view.get();
        if (!m_spec.part.isEmpty())
            if (auto* child = m_view->findChild<QWidget*>(m_spec.part))
                m_part = child;
        if (m_part == m_view.get() && m_spec.partAspect <= 0.0)
            return;
        // The view shows more than the part (headers, side panels): grow it by that much. A 2×2
        // grid of image panes has the aspect of one pane (+ the gap): no bands around the images.
        const QSize around = m_view->size() - m_part->size();
        const int height = m_spec.partAspect > 0.0 ? int(std::lround(m_spec.size.width() / m_spec.partAspect)) + 6
                                                   : m_spec.size.height();
        m_view->resize(QSize(m_spec.size.width(), height) + around);
        deliverPostedEvents(m_view.get());
    }

    void record()
    {
        PaintRecorder recorder(m_part->size(), m_part->logicalDpiY());
        {
            QPainter painter(&recorder);
            renderVector(painter, m_part);
        }
        const QSizeF size(m_part->size());
        m_figure = Figure{size, [recording = recorder.recording(), size](QPainter& painter) {
                              painter.save();
                              painter.setClipRect(QRectF(QPointF(0, 0), size), Qt::IntersectClip);
                              recording.replay(painter);
                              painter.restore();
                          }};
        m_view.reset();
    }

    FigureSpec m_spec;
    int m_step = 0;
    std::unique_ptr<QWidget> m_view;
    QWidget* m_part = nullptr;
    std::optional<Figure> m_figure;
};

/// All steps at once (on the GUI thread, for a caller there).
Figure recordView(const FigureSpec& spec)
{
    ViewRecording recording(spec);
    while (!recording.step()) {
    }
    return recording.take();
}

// ---- asking the GUI thread (from a writer's thread) ---------------------------------------------

/// One recording asked of the GUI thread, one step per event-loop turn. The writer's thread waits
/// for it; when the writer gives up (cancelled), the GUI thread drops it at its next step. Shared
/// by both threads; the view itself is only touched on the GUI thread.
class PendingFigure : public std::enable_shared_from_this<PendingFigure>
{
public:
    explicit PendingFigure(FigureSpec spec) : m_recording(std::move(spec)) {}

    /// Queues the first step on the GUI thread's event loop (from the writer's thread).
    void post()
    {
        QMetaObject::invokeMethod(QCoreApplication::instance(), [self = shared_from_this()] { self->step(); },
                                  Qt::QueuedConnection);
    }

    /// The writer's thread.
    Figure wait(const core::Progress* progress)
    {
        std::unique_lock lock(m_mutex);
        while (!m_done.wait_for(lock, std::chrono::milliseconds(20), [this] { return m_finished; })) {
            if ((progress && progress->cancelled()) || QCoreApplication::closingDown()) {
                m_abandoned = true;
                throw core::Cancelled();
            }
        }
        if (!m_figure)
            throw core::Error("report figure: " + m_error);
        return std::move(*m_figure);
    }

private:
    /// GUI thread.
    void step()
    {
        {
            const std::lock_guard lock(m_mutex);
            if (m_abandoned) {
                m_recording.drop();
                return;
            }
        }
        std::optional<Figure> figure;
        std::string error;
        try {
            if (!m_recording.step()) {
                // The next step on a timer, not as a posted event: posted events go before timers,
                // and the window's own timers (and input) must get their turn between two steps.
                QTimer::singleShot(1, QCoreApplication::instance(), [self = shared_from_this()] { self->step(); });
                return;
            }
            figure = m_recording.take();
        } catch (const std::exception& e) {
            error = e.what();
        }
        m_recording.drop();
        {
            const std::lock_guard lock(m_mutex);
            m_figure = std::move(figure);
            m_error = error.empty() && !m_figure ? "the figure could not be drawn" : error;
            m_finished = true;
        }
        m_done.notify_all();
    }

    ViewRecording m_recording; ///< GUI thread only
    std::mutex m_mutex;
    std::condition_variable m_done;
    bool m_finished = false, m_abandoned = false;
    std::optional<Figure> m_figure;
    std::string m_error;
};

} // namespace

Figure FigureMaker::make(const FigureSpec& spec) const
{
    if (spec.paint) {
        const QSizeF size(spec.size);
        return Figure{size, [paint = spec.paint, size](QPainter& painter) {
                          painter.save();
                          painter.setClipRect(QRectF(QPointF(0, 0), size), Qt::IntersectClip);
                          paint(painter, size);
                          painter.restore();
                      }};
    }
    QCoreApplication* app = QCoreApplication::instance();
    if (!spec.makeView || !spec.setUp || !app)
        throw core::Error("report figure: nothing to draw it with (no view, or no QApplication)");
    if (QThread::currentThread() == app->thread())
        return recordView(spec);
    auto pending = std::make_shared<PendingFigure>(spec);
    pending->post();
    return pending->wait(m_progress);
}

QString pngDataUri(const Figure& figure, double pixelRatio)
{
    const QSize size(int(std::ceil(figure.size.width() * pixelRatio)), int(std::ceil(figure.size.height() * pixelRatio)));
    QImage image(size, QImage::Format_ARGB32_Premultiplied);
    image.setDevicePixelRatio(pixelRatio);
    image.fill(Qt::white);
    {
        QPainter painter(&image);
        figure.draw(painter);
    }
    QByteArray png;
    QBuffer buffer(&png);
    buffer.open(QIODevice::WriteOnly);
    image.save(&buffer, "PNG");
    return QStringLiteral("data:image/png;base64,") + QString::fromLatin1(png.toBase64());
}

void noLigatures(QFont& font)
{
    font.setLetterSpacing(QFont::AbsoluteSpacing, 0.1); // pixels; less rounds to 0 (QFixed)
}

QFont viewFont()
{
    QFont f(QStringLiteral("DejaVu Sans"));
    f.setPointSizeF(8.5);
    noLigatures(f);
    return f;
}

} // namespace lnscope::app::report
