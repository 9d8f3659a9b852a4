// The self-contained HTML report; see report_html.h.

#include "report_html.h"

#include <algorithm>
#include <cmath>
#include <string>

namespace lnscope::app::report {

QString htmlReport(const ReportData& data, const std::vector<Block>& blocks, core::Progress* progress)
{
    const FigureMaker figures(progress);
    const auto count = std::count_if(blocks.begin(), blocks.end(), [](const Block& b) { return b.figure.isSet(); });
    QString h = QStringLiteral("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                               "<title>LNScope conversion report</title><style>%1"
                               "body { max-width: 60em; margin: 1.5em auto; padding: 0 1em; font-size: 10.5pt; }"
                               "section.page { border-top: 2px solid #1a3a5c; margin-top: 2em; padding-top: 0.5em; }"
                               "img { max-width: 100%; height: auto; display: block; margin: 0.3em auto; }"
                               "footer { color: #666; font-size: 8pt; border-top: 1px solid #ccc; margin-top: 2em; }"
                               "</style></head><body>\n")
                    .arg(reportCss());
    int made = 0;
    for (const Block& b : blocks) {
        h += b.newPage ? QStringLiteral("<section class=\"page\">\n") : QStringLiteral("<section>\n");
        h += b.html;
        if (b.figure.isSet()) {
            if (progress) {
                progress->checkCancelled();
                progress->report(double(made) / double(count),
                                 "figure " + std::to_string(made + 1) + " of " + std::to_string(count));
            }
            const Figure f = figures.make(b.figure);
            ++made;
            h += QStringLiteral("\n<img width=\"%1\" height=\"%2\" alt=\"%3\" src=\"%4\">")
                     .arg(int(std::lround(f.size.width())))
                     .arg(int(std::lround(f.size.height())))
                     .arg(b.figure.name.toHtmlEscaped(), pngDataUri(f));
            h += captionHtml(b.caption);
        }
        h += QStringLiteral("\n</section>\n");
    }
    h += QStringLiteral("<footer>LNScope %1 · generated %2</footer>\n</body></html>\n")
             .arg(data.version.toHtmlEscaped(), data.created.toString(QStringLiteral("yyyy-MM-dd HH:mm:ss t")));
    if (progress)
        progress->report(1.0, "report written");
    return h;
}

} // namespace lnscope::app::report
