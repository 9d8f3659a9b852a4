#pragma once
// Internal to lnscope_widgets (Qt Charts stays PRIVATE): the common look of the chart views.
// Qt Charts' themes hard-code their own font family; charts here follow the widget's font instead,
// so that they match the rest of the UI and render the same wherever that font is installed.

#include <QChart>
#include <QChartView>
#include <QFont>
#include <QLegend>
#include <QValueAxis>

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
