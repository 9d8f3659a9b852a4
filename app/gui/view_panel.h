#pragma once
// One of the four views in the workbench grid: a title bar (name, a hint, an export button, a
// maximize/restore button) over the view. Double-clicking the title also toggles; the context
// menu (title bar, or the view where the view has no menu of its own) offers the same.

#include <QFrame>

class QLabel;
class QToolButton;

namespace lnscope::app {

class ViewPanel : public QFrame
{
    Q_OBJECT
public:
    ViewPanel(const QString& title, QWidget* view, QWidget* parent = nullptr);

    QWidget* view() const { return m_view; }
    QString title() const { return m_title; }
    void setHint(const QString& text);
    void setMaximized(bool on);

signals:
    void maximizeToggled();
    void exportRequested(); ///< "Export image…" (button or context menu)

protected:
    void mouseDoubleClickEvent(QMouseEvent* event) override;
    void contextMenuEvent(QContextMenuEvent* event) override;

private:
    QWidget* m_view;
    QString m_title;
    QLabel* m_hint;
    QToolButton* m_toggle;
};

} // namespace lnscope::app
