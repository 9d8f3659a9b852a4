#pragma once
// Presentation mode of the workbench window (View → Presentation, F5): full screen without docks,
// menu or status bar, larger fonts, the four views or one of them, frames advancing by themselves
// at a chosen interval, and a discreet overlay (bottom right) with the frame id and the key metrics.
// The overlay sits in a strip kept free below the views (the central widget's bottom margin grows
// by its height), so it covers no data and no axis; its lines are joined side by side when they fit
// the width, so the strip stays two or three lines high.
// Keyboard only (keys()): 1–4 show one view, 0 all four, P pauses / resumes, + / − change the
// interval, ← / → step a frame, Esc (or F5) leaves. Leaving restores the window as it was:
// geometry, full-screen / maximized state, docks, menu and status bars, fonts, the maximized view.
//
// Auto-advance waits for the frame on screen: a tick while that frame is still being computed is
// skipped, so a short interval never skips frames unseen.
//
// Threading: GUI thread.

#include <QByteArray>
#include <QFont>
#include <QList>
#include <QMargins>
#include <QObject>
#include <QPair>
#include <QString>
#include <QTimer>

class QLabel;

namespace lnscope::app {

class MainWindow;

class Presentation : public QObject
{
    Q_OBJECT
public:
    /// Seconds per frame offered by + / −.
    static constexpr int kIntervalsMs[] = {500, 1000, 2000, 3000, 5000, 8000, 13000, 20000};
    static constexpr int kDefaultIntervalMs = 3000;
    /// Central-widget fonts grow by this factor.
    static constexpr double kFontScale = 1.35;

    explicit Presentation(MainWindow* window);
    ~Presentation() override;

    bool isActive() const { return m_active; }
    void enter();
    void leave();
    void toggle() { m_active ? leave() : enter(); }

    /// Milliseconds per frame (any value ≥ 50; + / − move along kIntervalsMs).
    void setInterval(int ms);
    int interval() const { return m_intervalMs; }
    void faster();
    void slower();
    void setPaused(bool paused);
    bool isPaused() const { return m_paused; }

    /// What the overlay shows now (its lines joined to fit the window's width).
    QString overlayText() const;
    QLabel* overlay() const { return m_overlay; }

    /// (keys, what they do), for the shortcut list.
    static QList<QPair<QString, QString>> keys();

signals:
    void activeChanged(bool active);

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    void handleKey(int key);
    void tick();
    void updateOverlay();
    void placeOverlay();

    struct Saved
    {
        QByteArray geometry, state;
        Qt::WindowStates windowState;
        QFont font;
        QMargins centralMargins;
        int maximizedView = -1;
        bool menuBar = true, statusBar = true;
    };

    MainWindow* m_window;
    QLabel* m_overlay;
    QTimer m_timer;
    Saved m_saved;
    int m_intervalMs = kDefaultIntervalMs;
    bool m_active = false;
    bool m_paused = false;
};

} // namespace lnscope::app
