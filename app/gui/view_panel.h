#pragma once
// One of the four views in the workbench grid: a title bar (name, a hint, a maximize/restore
// button) over the view. Double-clicking the title also toggles.

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
    void setHint(const QString& text);
    void setMaximized(bool on);

signals:
    void maximizeToggled();

protected:
    void mouseDoubleClickEvent(QMouseEvent* event) override;

private:
    QWidget* m_view;
    QLabel* m_hint;
    QToolButton* m_toggle;
};

} // namespace lnscope::app
