#include "view_panel.h"

#include <QContextMenuEvent>
#include <QHBoxLayout>
#include <QLabel>
#include <QMenu>
#include <QMouseEvent>
#include <QStyle>
#include <QToolButton>
#include <QVBoxLayout>

namespace lnscope::app {

ViewPanel::ViewPanel(const QString& title, QWidget* view, QWidget* parent) : QFrame(parent), m_view(view), m_title(title)
{
    setFrameShape(QFrame::StyledPanel);
    auto* titleLabel = new QLabel(QStringLiteral("<b>%1</b>").arg(title.toHtmlEscaped()), this);
    m_hint = new QLabel(this);
    m_hint->setStyleSheet(QStringLiteral("color: palette(mid);"));
    m_hint->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred); // a long layer name never widens the panel
    m_toggle = new QToolButton(this);
    m_toggle->setAutoRaise(true);
    m_toggle->setToolTip(tr("Maximize / restore this view"));
    connect(m_toggle, &QToolButton::clicked, this, &ViewPanel::maximizeToggled);
    setMaximized(false);
    auto* exportButton = new QToolButton(this);
    exportButton->setAutoRaise(true);
    exportButton->setIcon(style()->standardIcon(QStyle::SP_DialogSaveButton));
    exportButton->setToolTip(tr("Export this view as an image…"));
    connect(exportButton, &QToolButton::clicked, this, &ViewPanel::exportRequested);

    auto* bar = new QHBoxLayout;
    bar->setContentsMargins(6, 2, 2, 2);
    bar->addWidget(titleLabel);
    bar->addSpacing(8);
    bar->addWidget(m_hint, 1);
    bar->addWidget(exportButton);
    bar->addWidget(m_toggle);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(1, 1, 1, 1);
    layout->setSpacing(0);
    layout->addLayout(bar);
    layout->addWidget(view, 1);
}

void ViewPanel::setHint(const QString& text)
{
    m_hint->setText(text);
}

void ViewPanel::setMaximized(bool on)
{
    m_toggle->setIcon(style()->standardIcon(on ? QStyle::SP_TitleBarNormalButton : QStyle::SP_TitleBarMaxButton));
}

void ViewPanel::mouseDoubleClickEvent(QMouseEvent* event)
{
    if (event->position().y() < 28) // the title bar
        emit maximizeToggled();
    QFrame::mouseDoubleClickEvent(event);
}

void ViewPanel::contextMenuEvent(QContextMenuEvent* event)
{
    QMenu menu(this);
    menu.addAction(tr("Export image…"), this, &ViewPanel::exportRequested);
    menu.addAction(tr("Maximize / restore"), this, &ViewPanel::maximizeToggled);
    menu.exec(event->globalPos());
}

} // namespace lnscope::app
