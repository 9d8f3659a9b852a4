#include "presentation.h"

#include "main_window.h"

#include <QApplication>
#include <QDockWidget>
#include <QFontMetrics>
#include <QKeyEvent>
#include <QLabel>
#include <QLayout>
#include <QMenuBar>
#include <QStatusBar>

#include <algorithm>
#include <cmath>
#include <iterator>

namespace lnscope::app {

namespace {

QString percent(double v)
{
    return std::isnan(v) ? QStringLiteral("–") : QString::number(100.0 * v, 'f', 1);
}

/// Between the parts of one overlay line.
const QString kGap = QStringLiteral("     ");
/// Pixels between the overlay and the window's right edge, and above and below it.
constexpr int kOverlayMargin = 16;
constexpr int kOverlayGap = 4;

QString seconds(int ms)
{
    return ms % 1000 == 0 ? QString::number(ms / 1000) : QString::number(ms / 1000.0, 'f', 1);
}

/// The frame's own numbers from a slot's evaluation ("" when not evaluated).
QString frameMetrics(const ModelSlot& slot, const std::string& frameId)
{
    if (!slot.evaluation)
        return {};
    for (const core::FrameSummary& f : slot.evaluation->frameList)
        if (f.id == frameId) {
            if (!std::isnan(f.pixelAgreement))
                return QObject::tr("pixel agreement %1 %").arg(percent(f.pixelAgreement));
            if (slot.evaluation->task == "stereo3d")
                return QObject::tr("boxes float %1 · converted %2 · only one %3")
                    .arg(f.floatBoxes)
                    .arg(f.convertedBoxes)
                    .arg(f.onlyFloat + f.onlyConverted);
        }
    return {};
}

/// The dataset-wide headline metric of a slot ("" when not evaluated).
QString datasetMetrics(const ModelSlot& slot)
{
    if (!slot.evaluation)
        return {};
    const core::EvaluationMetrics e = core::summarize(*slot.evaluation, slot.adapter.segmentation.classes);
    if (slot.evaluation->segFloat)
        return QObject::tr("mIoU %1 → %2 %").arg(percent(e.floatMiou), percent(e.convertedMiou));
    if (slot.evaluation->detFloat)
        return QObject::tr("Car BEV AP@0.5 %1 → %2 %").arg(percent(e.floatCarBevAp50), percent(e.convertedCarBevAp50));
    return {};
}

} // namespace

Presentation::Presentation(MainWindow* window) : QObject(window), m_window(window)
{
    m_overlay = new QLabel(window);
    m_overlay->setObjectName(QStringLiteral("presentationOverlay"));
    m_overlay->setTextFormat(Qt::PlainText);
    m_overlay->setAttribute(Qt::WA_TransparentForMouseEvents);
    m_overlay->setStyleSheet(QStringLiteral("QLabel { background: rgba(20, 20, 20, 215); color: #f0f0f0;"
                                            " border-radius: 6px; padding: 6px 10px; }"));
    m_overlay->hide();
    m_timer.setInterval(m_intervalMs);
    connect(&m_timer, &QTimer::timeout, this, &Presentation::tick);
    Workbench* wb = window->workbench();
    connect(wb, &Workbench::staleChanged, this, &Presentation::updateOverlay);
    connect(wb, &Workbench::slotChanged, this, &Presentation::updateOverlay);
}

Presentation::~Presentation()
{
    if (m_active)
        qApp->removeEventFilter(this);
}

void Presentation::enter()
{
    if (m_active)
        return;
    m_saved.geometry = m_window->saveGeometry();
    m_saved.state = m_window->saveState();
    m_saved.windowState = m_window->windowState();
    m_saved.font = m_window->centralWidget()->font();
    m_saved.centralMargins = m_window->centralWidget()->layout()->contentsMargins();
    m_saved.maximizedView = m_window->maximizedView();
    m_saved.menuBar = m_window->menuBar()->isVisible();
    m_saved.statusBar = m_window->statusBar()->isVisible();
    m_active = true;

    for (QDockWidget* dock : m_window->findChildren<QDockWidget*>())
        dock->hide();
    m_window->menuBar()->hide();
    m_window->statusBar()->hide();
    QFont larger = m_saved.font;
    larger.setPointSizeF(larger.pointSizeF() * kFontScale);
    m_window->centralWidget()->setFont(larger);
    QFont overlayFont = m_saved.font; // discreet: a little above the normal size, not the enlarged one
    overlayFont.setPointSizeF(m_saved.font.pointSizeF() * 1.1);
    m_overlay->setFont(overlayFont);
    m_window->showFullScreen();
    qApp->installEventFilter(this);
    m_window->centralWidget()->installEventFilter(this);
    m_overlay->show();
    updateOverlay();
    if (!m_paused)
        m_timer.start();
    emit activeChanged(true);
}

void Presentation::leave()
{
    if (!m_active)
        return;
    m_active = false;
    m_timer.stop();
    qApp->removeEventFilter(this);
    m_window->centralWidget()->removeEventFilter(this);
    m_overlay->hide();
    m_window->centralWidget()->setFont(m_saved.font);
    m_window->centralWidget()->layout()->setContentsMargins(m_saved.centralMargins);
    m_window->menuBar()->setVisible(m_saved.menuBar);
    m_window->statusBar()->setVisible(m_saved.statusBar);
    if (m_saved.windowState & Qt::WindowFullScreen)
        m_window->showFullScreen();
    else if (m_saved.windowState & Qt::WindowMaximized)
        m_window->showMaximized();
    else
        m_window->showNormal();
    m_window->restoreGeometry(m_saved.geometry);
    m_window->restoreState(m_saved.state);
    m_window->maximizeView(m_saved.maximizedView);
    emit activeChanged(false);
}

void Presentation::setInterval(int ms)
{
    m_intervalMs = std::max(50, ms);
    m_timer.setInterval(m_intervalMs);
    updateOverlay();
}

void Presentation::faster()
{
    const auto next = std::find_if(std::rbegin(kIntervalsMs), std::rend(kIntervalsMs), [this](int ms) { return ms < m_intervalMs; });
    if (next != std::rend(kIntervalsMs))
        setInterval(*next);
}

void Presentation::slower()
{
    const auto next = std::find_if(std::begin(kIntervalsMs), std::end(kIntervalsMs), [this](int ms) { return ms > m_intervalMs; });
    if (next != std::end(kIntervalsMs))
        setInterval(*next);
}

void Presentation::setPaused(bool paused)
{
    m_paused = paused;
    if (m_active && !paused)
        m_timer.start();
    else
        m_timer.stop();
    updateOverlay();
}

void Presentation::tick()
{
    Workbench* wb = m_window->workbench();
    if (wb->frameCount() == 0 || (wb->frameStale() && wb->busy()))
        return; // the frame on screen is still being computed: give it this tick
    m_window->goToFrame((wb->currentFrame() + 1) % wb->frameCount());
}

void Presentation::handleKey(int key)
{
    Workbench* wb = m_window->workbench();
    switch (key) {
    case Qt::Key_Escape:
    case Qt::Key_F5: leave(); return;
    case Qt::Key_0: m_window->maximizeView(-1); return;
    case Qt::Key_1:
    case Qt::Key_2:
    case Qt::Key_3:
    case Qt::Key_4: m_window->maximizeView(key - Qt::Key_1); return;
    case Qt::Key_P: setPaused(!m_paused); return;
    case Qt::Key_Plus:
    case Qt::Key_Equal: faster(); return;
    case Qt::Key_Minus: slower(); return;
    case Qt::Key_Right:
        if (wb->frameCount() > 0)
            m_window->goToFrame((wb->currentFrame() + 1) % wb->frameCount());
        break;
    case Qt::Key_Left:
        if (wb->frameCount() > 0)
            m_window->goToFrame((wb->currentFrame() + wb->frameCount() - 1) % wb->frameCount());
        break;
    default: return;
    }
    // A step restarts the interval so the next frame gets its full time on screen.
    if (m_timer.isActive())
        m_timer.start();
}

bool Presentation::eventFilter(QObject* watched, QEvent* event)
{
    if (watched == m_window->centralWidget() && event->type() == QEvent::Resize)
        updateOverlay(); // the lines fit the new width
    else if (watched == m_window->centralWidget() && event->type() == QEvent::Move)
        placeOverlay();
    const bool key = event->type() == QEvent::KeyPress || event->type() == QEvent::ShortcutOverride;
    if (m_active && key) {
        auto* keyEvent = static_cast<QKeyEvent*>(event);
        static const int kKeys[] = {Qt::Key_Escape, Qt::Key_F5,   Qt::Key_0,     Qt::Key_1,     Qt::Key_2,    Qt::Key_3,
                                    Qt::Key_4,      Qt::Key_P,    Qt::Key_Plus,  Qt::Key_Equal, Qt::Key_Minus, Qt::Key_Left,
                                    Qt::Key_Right};
        const bool ours = std::find(std::begin(kKeys), std::end(kKeys), keyEvent->key()) != std::end(kKeys)
                          && !(keyEvent->modifiers() & (Qt::ControlModifier | Qt::AltModifier | Qt::MetaModifier));
        if (ours) {
            // ShortcutOverride: claim the key, so that no window shortcut (Esc restores the grid)
            // takes it; the KeyPress that follows is handled here.
            if (event->type() == QEvent::ShortcutOverride)
                event->accept();
            else
                handleKey(keyEvent->key());
            return true;
        }
    }
    return QObject::eventFilter(watched, event);
}

QString Presentation::overlayText() const
{
    Workbench* wb = m_window->workbench();
    // The frame with the pace on the first line, the models' numbers below; lines go side by side
    // while they fit the window's width.
    QStringList lines;
    QString first;
    if (wb->frameCount() > 0) {
        const std::string& id = wb->dataset()->frames[size_t(wb->currentFrame())].id;
        first = tr("Frame %1  (%2 / %3)").arg(QString::fromStdString(id)).arg(wb->currentFrame() + 1).arg(wb->frameCount());
        for (Workbench::Slot s : {Workbench::Segmentation, Workbench::Stereo}) {
            const ModelSlot& slot = wb->slot(s);
            QStringList parts;
            for (const QString& part : {frameMetrics(slot, id), datasetMetrics(slot)})
                if (!part.isEmpty())
                    parts << part;
            if (!parts.isEmpty())
                lines << QStringLiteral("%1: %2").arg(slot.name, parts.join(QStringLiteral(" · ")));
        }
    } else {
        first = tr("No dataset");
    }
    first += kGap + (m_paused ? tr("❚❚ paused (P resumes)") : tr("▶ %1 s per frame").arg(seconds(m_intervalMs)));
    lines.prepend(first);
    const QFontMetrics fm(m_overlay->font());
    const int width = m_window->centralWidget()->width() - 2 * kOverlayMargin - 24; // the label's padding
    QStringList joined;
    for (const QString& line : lines) {
        if (joined.size() > 1 && fm.horizontalAdvance(joined.last() + kGap + line) <= width)
            joined.last() += kGap + line;
        else
            joined << line;
    }
    return joined.join('\n');
}

void Presentation::updateOverlay()
{
    if (!m_active)
        return;
    m_overlay->setText(overlayText());
    placeOverlay();
}

void Presentation::placeOverlay()
{
    if (!m_active)
        return;
    m_overlay->adjustSize();
    // A strip below the views, as high as the overlay: it covers no view.
    QWidget* central = m_window->centralWidget();
    QMargins margins = m_saved.centralMargins;
    margins.setBottom(m_overlay->height() + 2 * kOverlayGap);
    if (central->layout()->contentsMargins() != margins)
        central->layout()->setContentsMargins(margins);
    const QRect area = central->geometry();
    m_overlay->move(area.right() - m_overlay->width() - kOverlayMargin, area.bottom() - m_overlay->height() - kOverlayGap);
    m_overlay->raise();
}

QList<QPair<QString, QString>> Presentation::keys()
{
    return {
        {QStringLiteral("F5"), tr("presentation mode: full screen, larger fonts, frames advance by themselves")},
        {tr("Presentation: 1 … 4 / 0"), tr("show one view / all four")},
        {tr("Presentation: P"), tr("pause / resume the frames")},
        {tr("Presentation: + / −"), tr("shorter / longer time per frame")},
        {tr("Presentation: ← / →"), tr("previous / next frame")},
        {tr("Presentation: Esc or F5"), tr("leave presentation mode")},
    };
}

} // namespace lnscope::app
