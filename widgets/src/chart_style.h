#pragma once
// Internal to lnscope_widgets (Qt Charts stays PRIVATE): the common look of the chart views.
// Qt Charts' themes hard-code their own font family; charts here follow the widget's font instead,
// so that they match the rest of the UI and render the same wherever that font is installed.

#include <QBarCategoryAxis>
#include <QEvent>
#include <QChart>
#include <QChartView>
#include <QFont>
#include <QFontMetrics>
#include <QLegend>
#include <QValueAxis>

#include <algorithm>
#include <functional>

namespace lnscope::widgets::detail {

/// A light, flat chart with small margins and no animation (views redraw instantly).
inline QChart* makeChart()
{
    auto* chart = new QChart;
    chart->setTheme(QChart::ChartThemeLight);
    chart->setBackgroundRoundness(0);
    chart->setMargins(QMargins(2, 2, 2, 2));
    chart->setAnimationOptions(QChart::NoAnimation);
    chart->legend()->setAlignment(Qt::AlignBottom);
    return chart;
}

inline QChartView* makeChartView(QChart* chart, const QString& objectName, QWidget* parent)
{
    auto* view = new QChartView(chart, parent);
    view->setObjectName(objectName);
    view->setRenderHint(QPainter::Antialiasing);
    view->setFrameShape(QFrame::NoFrame);
    return view;
}

/// Title, legend and every axis in `base` (axis titles in the same size, not bold).
inline void applyChartFonts(QChart* chart, const QFont& base)
{
    QFont title = base;
    title.setBold(true);
    chart->setTitleFont(title);
    chart->legend()->setFont(base);
    for (QAbstractAxis* axis : chart->axes()) {
        axis->setLabelsFont(base);
        axis->setTitleFont(base);
    }
}

/// About how high the plot of `chart` is in a chart view `chartHeight` pixels high: what the
/// bottom axis (labels, turned or not, and its title), a legend below and `marginsHeight` leave.
inline int plotHeightEstimate(QChart* chart, int chartHeight, int marginsHeight)
{
    int used = marginsHeight;
    const QLegend* legend = chart->legend();
    if (legend->isVisible() && legend->alignment() == Qt::AlignBottom)
        used += QFontMetrics(legend->font()).height() + 12;
    if (QAbstractAxis* x = chart->axes(Qt::Horizontal).value(0)) {
        const QFontMetrics labels(x->labelsFont());
        int labelsHeight = labels.height();
        if (auto* categories = qobject_cast<QBarCategoryAxis*>(x); categories && categories->labelsAngle() != 0)
            for (const QString& category : categories->categories())
                labelsHeight = std::max(labelsHeight, labels.horizontalAdvance(category));
        used += (x->labelsVisible() ? labelsHeight : 0) + 10;
        if (x->isTitleVisible() && !x->titleText().isEmpty())
            used += QFontMetrics(x->titleFont()).height() + 6;
    }
    return chartHeight - used;
}

/// Category labels turned upright (−90°) need their full length below the plot. In a short chart
/// Qt Charts gives the axis less than that, and the turned labels run into the axis title. This
/// hides the title of `chart`'s bottom category axis when its labels are turned and, with the
/// title, a chart view `chartHeight` pixels high would leave less than `minPlotHeight` pixels for
/// the plot (plotHeightEstimate()); it shows it otherwise.
inline void fitTurnedLabelsTitle(QChart* chart, int chartHeight, int marginsHeight, int minPlotHeight = 120)
{
    auto* x = qobject_cast<QBarCategoryAxis*>(chart->axes(Qt::Horizontal).value(0));
    if (!x || x->labelsAngle() == 0)
        return;
    x->setTitleVisible(true);
    x->setTitleVisible(plotHeightEstimate(chart, chartHeight, marginsHeight) >= minPlotHeight);
}

/// Calls `fit` whenever a chart view is resized (and when asked: apply()), so that what depends on
/// the chart's height — axis titles, tick spacing — follows it. Owned by the view.
class ChartFitter : public QObject
{
public:
    ChartFitter(QChartView* view, std::function<void()> fit) : QObject(view), m_view(view), m_fit(std::move(fit))
    {
        view->installEventFilter(this);
    }
    void apply() const { m_fit(); }

protected:
    bool eventFilter(QObject* watched, QEvent* event) override
    {
        if (watched == m_view && event->type() == QEvent::Resize)
            m_fit();
        return QObject::eventFilter(watched, event);
    }

private:
    QChartView* m_view;
    std::function<void()> m_fit;
};

/// Removes every series and axis (the chart owns and deletes them).
inline void clearChart(QChart* chart)
{
    chart->removeAllSeries();
    for (QAbstractAxis* axis : chart->axes()) {
        chart->removeAxis(axis);
        delete axis;
    }
}

} // namespace lnscope::widgets::detail
