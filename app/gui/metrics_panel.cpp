#include "metrics_panel.h"

#include "workbench.h"

#include <cmath>

namespace lnscope::app {

namespace {

/// A coloured badge: ✔ within tolerance, ✖ outside, – unknown.
QString badge(bool known, bool ok)
{
    if (!known)
        return QStringLiteral("<span style='color:#888'>–</span>");
    return ok ? QStringLiteral("<span style='color:#1a7f37'>&#10004;</span>")
              : QStringLiteral("<span style='color:#cf222e'>&#10006;</span>");
}

} // namespace

QString percentText(double v)
{
    return std::isnan(v) ? QStringLiteral("–") : QString::number(100.0 * v, 'f', 2);
}

MetricsPanel::MetricsPanel(QWidget* parent) : QLabel(tr("No results yet."), parent)
{
    setTextFormat(Qt::RichText);
    setAlignment(Qt::AlignTop | Qt::AlignLeft);
    setWordWrap(true);
    setMargin(6);
}

void MetricsPanel::refresh(const Workbench& workbench)
{
    const auto pct = percentText;
    QString html = QStringLiteral("<table cellspacing='4'>");
    auto row = [&](const QString& name, const QString& f, const QString& c, const QString& b) {
        html += QStringLiteral("<tr><td>%1</td><td align='right'>%2</td><td align='right'>%3</td><td>%4</td></tr>")
                    .arg(name, f, c, b);
    };
    row(QStringLiteral("<b>%1</b>").arg(tr("metric")), QStringLiteral("<b>float</b>"), QStringLiteral("<b>converted</b>"), QString());
    for (int s : {0, 1}) {
        const ModelSlot& m = workbench.slot(Workbench::Slot(s));
        if (m.report) {
            const core::BudgetReport& b = m.report->budgets.back();
            row(tr("%1: compression").arg(m.name), QStringLiteral("1×"), QString::number(b.ratio, 'f', 1) + QStringLiteral("×"),
                badge(true, b.ratio >= 20.0));
        }
        if (!m.evaluation)
            continue;
        const core::EvaluationMetrics e = core::summarize(*m.evaluation, m.adapter.segmentation.classes);
        if (m.evaluation->segFloat) {
            const bool known = !std::isnan(e.floatMiou) && !std::isnan(e.convertedMiou);
            row(tr("mIoU %"), pct(e.floatMiou), pct(e.convertedMiou), badge(known, known && 100 * (e.floatMiou - e.convertedMiou) <= 1.0));
            for (size_t k = 0; k < e.classNames.size() && k < e.convertedClassIou.size(); ++k)
                row(QStringLiteral("&nbsp;&nbsp;") + QString::fromStdString(e.classNames[k]), pct(e.floatClassIou[k]),
                    pct(e.convertedClassIou[k]), QString());
        }
        if (m.evaluation->segAgreement)
            row(tr("pixel agreement %"), QString(), pct(e.pixelAgreement), QString());
        if (m.evaluation->detFloat) {
            const bool known = !std::isnan(e.floatCarBevAp50) && !std::isnan(e.convertedCarBevAp50);
            row(tr("Car BEV AP|R40 @0.5 %"), pct(e.floatCarBevAp50), pct(e.convertedCarBevAp50),
                badge(known, known && 100 * (e.floatCarBevAp50 - e.convertedCarBevAp50) <= 2.0));
            row(tr("Car BEV AP|R40 @0.7 %"), pct(e.floatCarBevAp70), pct(e.convertedCarBevAp70), QString());
        }
        if (m.evaluation->hasConverted)
            row(tr("%1: output SQNR dB").arg(m.name), QString(), QString::number(e.outputSqnrDb, 'f', 1), QString());
    }
    html += QStringLiteral("</table>");
    setText(html);
}

} // namespace lnscope::app
