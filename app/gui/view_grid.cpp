#include "view_grid.h"

#include "view_panel.h"

#include "lnscope/widgets/bev_view.h"
#include "lnscope/widgets/box_view_3d.h"
#include "lnscope/widgets/camera_box_view.h"
#include "lnscope/widgets/centroid_view.h"
#include "lnscope/widgets/memory_budget_view.h"
#include "lnscope/widgets/seg_comparison_view.h"
#include "lnscope/widgets/sqnr_chart_view.h"

#include <QSplitter>
#include <QTabWidget>
#include <QVBoxLayout>

namespace lnscope::app {

namespace {

QTabWidget* tabs(const QString& objectName, std::initializer_list<std::pair<QWidget*, QString>> pages)
{
    auto* t = new QTabWidget;
    t->setObjectName(objectName);
    t->setDocumentMode(true);
    for (const auto& [page, title] : pages)
        t->addTab(page, title);
    return t;
}

} // namespace

ViewGrid::ViewGrid(QWidget* parent) : QWidget(parent)
{
    m_segView = new widgets::SegComparisonView;
    m_bevView = new widgets::BevView;
    m_centroidView = new widgets::CentroidView;
    m_memoryView = new widgets::MemoryBudgetView;
    m_box3dView = new widgets::BoxView3D;
    m_cameraView = new widgets::CameraBoxView;
    m_sqnrView = new widgets::SqnrChartView;
    // The boxes in three projections, the memory budget and the per-layer SQNR: tabs of one panel.
    QTabWidget* boxTabs = tabs(QStringLiteral("boxTabs"),
                               {{m_bevView, tr("Bird's-eye")}, {m_box3dView, tr("3-D")}, {m_cameraView, tr("Camera")}});
    QTabWidget* chartTabs =
        tabs(QStringLiteral("chartTabs"), {{m_memoryView, tr("Memory budget")}, {m_sqnrView, tr("SQNR per layer")}});
    // Two rows of two, in splitters the user can drag (their sizes persist with the window).
    m_rows = new QSplitter(Qt::Vertical);
    m_rows->setObjectName(QStringLiteral("viewRows"));
    m_rows->setChildrenCollapsible(false);
    m_rows->setHandleWidth(5);
    const QString titles[] = {tr("Segmentation: float | converted | ground truth | difference"),
                              tr("Boxes: bird's-eye | 3-D | camera"), tr("Cluster centroids"),
                              tr("Memory budget | per-layer SQNR")};
    QWidget* views[] = {m_segView, boxTabs, m_centroidView, chartTabs};
    for (int i = 0; i < PanelCount; ++i) {
        auto* panel = new ViewPanel(titles[i], views[i]);
        panel->setObjectName(QStringLiteral("view%1").arg(i));
        connect(panel, &ViewPanel::maximizeToggled, this, [this, i] { emit maximizeToggled(i); });
        connect(panel, &ViewPanel::exportRequested, this, [this, i] { emit exportRequested(i); });
        if (i % 2 == 0) {
            auto* r = new QSplitter(Qt::Horizontal);
            r->setObjectName(QStringLiteral("viewRow%1").arg(i / 2));
            r->setChildrenCollapsible(false);
            r->setHandleWidth(5);
            m_rows->addWidget(r);
        }
        row(i / 2)->addWidget(panel);
        m_panels.push_back(panel);
    }
    // The charts below need more height than the wide segmentation frames above.
    m_rows->setStretchFactor(0, 4);
    m_rows->setStretchFactor(1, 5);
    row(0)->setStretchFactor(0, 3);
    row(0)->setStretchFactor(1, 2);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(2, 2, 2, 2);
    layout->addWidget(m_rows);
}

QSplitter* ViewGrid::row(int index) const
{
    return static_cast<QSplitter*>(m_rows->widget(index));
}

ViewPanel* ViewGrid::panel(int index) const
{
    return index >= 0 && index < int(m_panels.size()) ? m_panels[size_t(index)] : nullptr;
}

QWidget* ViewGrid::viewWidget(int index) const
{
    QWidget* view = panel(index) ? panel(index)->view() : nullptr;
    if (auto* t = qobject_cast<QTabWidget*>(view))
        return t->currentWidget(); // the tab shown
    return view;
}

bool ViewGrid::viewIsVector(int index) const
{
    const QWidget* view = viewWidget(index);
    return view && view != m_segView && view != m_box3dView && view != m_cameraView;
}

void ViewGrid::maximize(int index)
{
    m_maximized = index >= 0 && index < int(m_panels.size()) ? index : -1;
    for (int i = 0; i < int(m_panels.size()); ++i) {
        m_panels[size_t(i)]->setVisible(m_maximized < 0 || m_maximized == i);
        m_panels[size_t(i)]->setMaximized(m_maximized == i);
    }
    for (int r = 0; r < m_rows->count(); ++r)
        m_rows->widget(r)->setVisible(m_maximized < 0 || m_maximized / 2 == r);
}

void ViewGrid::applyDefaultSizes()
{
    m_rows->setSizes({440, 560});
    row(0)->setSizes({600, 400});
    row(1)->setSizes({500, 500});
}

QVariantList ViewGrid::saveSizes() const
{
    return {m_rows->saveState(), row(0)->saveState(), row(1)->saveState()};
}

void ViewGrid::restoreSizes(const QVariantList& states)
{
    if (states.size() != 3)
        return;
    m_rows->restoreState(states[0].toByteArray());
    for (int r = 0; r < 2; ++r)
        row(r)->restoreState(states[r + 1].toByteArray());
}

} // namespace lnscope::app
