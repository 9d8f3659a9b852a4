// The paginated PDF report; see report_pdf.h.

#include "report_pdf.h"

#include "lnscope/core/error.h"

#include <QAbstractTextDocumentLayout>
#include <QBuffer>
#include <QPageLayout>
#include <QPageSize>
#include <QPainter>
#include <QPdfWriter>
#include <QTextDocument>

#include <algorithm>
#include <memory>
#include <optional>
#include <string>

namespace lnscope::app::report {

namespace {

/// Share of the progress that making the figures takes (the rest: drawing the pages).
constexpr double kFiguresShare = 0.8;

class PdfReport
{
public:
    PdfReport(QIODevice* device, const ReportData& data, core::Progress* progress)
        : m_writer(device), m_data(data), m_progress(progress), m_figures(progress)
    {
        m_writer.setPageSize(QPageSize(QPageSize::A4));
        m_writer.setPageMargins(QMarginsF(16, 14, 16, 12), QPageLayout::Millimeter); // 178 mm wide
        m_writer.setResolution(kDpi);
        m_writer.setTitle(QStringLiteral("LNScope conversion report"));
        m_writer.setCreator(QStringLiteral("LNScope %1").arg(data.version));
        m_width = m_writer.width();
        m_footer = mm(8);
        m_height = m_writer.height() - m_footer;
    }

    void write(const std::vector<Block>& blocks);

private:
    /// Device pixels per inch: the views' own (96), so they are drawn 1:1 — fonts and lines at the
    /// size they were laid out for; the content width (178 mm) is then just over the figures' 672.
    static constexpr int kDpi = 96;
    double mm(double v) const { return v * kDpi / 25.4; }

    struct Item
    {
        std::unique_ptr<QTextDocument> title, caption;
        std::optional<Figure> figure;
        double scale = 1.0;
        double height = 0.0;
        int page = 0;
        int pages = 1; ///< > 1: text broken over pages
        double y = 0.0;
        bool newPage = false;
    };

    std::unique_ptr<QTextDocument> document(const QString& html) const
    {
        auto doc = std::make_unique<QTextDocument>();
        doc->documentLayout()->setPaintDevice(&m_writer);
        doc->setDefaultFont(reportFont());
        doc->setDefaultStyleSheet(reportCss());
        doc->setDocumentMargin(0);
        doc->setHtml(html);
        doc->setTextWidth(m_width);
        return doc;
    }

    void report(double fraction, const std::string& stage) const
    {
        if (m_progress) {
            m_progress->checkCancelled();
            m_progress->report(fraction, stage);
        }
    }

    Item measure(const Block& b);
    void paginate(std::vector<Item>& items) const;
    void paintItem(QPainter& painter, const Item& item) const;
    void paintFooter(QPainter& painter, int page, int pages) const;
    void newPage(QPainter& painter, int& page, int pages);

    mutable QPdfWriter m_writer;
    const ReportData& m_data;
    core::Progress* m_progress;
    FigureMaker m_figures;
    double m_width = 0, m_height = 0, m_footer = 0;
};

PdfReport::Item PdfReport::measure(const Block& b)
{
    Item item;
    item.newPage = b.newPage;
    if (!b.html.isEmpty()) {
        item.title = document(b.html);
        item.height += item.title->size().height();
    }
    if (b.figure.isSet()) {
        item.figure = m_figures.make(b.figure);
        const QSizeF s = item.figure->size;
        item.scale = std::min({1.0, m_width / s.width(), 0.75 * m_height / s.height()});
        item.height += s.height() * item.scale + mm(1.5);
        if (!b.caption.isEmpty()) {
            item.caption = document(captionHtml(b.caption));
            item.height += item.caption->size().height();
        }
    }
    return item;
}

void PdfReport::paginate(std::vector<Item>& items) const
{
    int page = 0;
    double y = 0;
    for (Item& item : items) {
        if ((item.newPage && y > 0) || (y > 0 && y + item.height > m_height)) {
            ++page;
            y = 0;
        }
        item.page = page;
        item.y = y;
        if (item.height > m_height && item.title && !item.figure) {
            // Text taller than a page: let the document break it into whole lines per page.
            item.title->setPageSize(QSizeF(m_width, m_height));
            item.pages = item.title->pageCount();
            page += item.pages - 1;
            y = m_height; // the rest of the last page is not measured: start the next block on a new page
        } else {
            y += item.height;
        }
        y += mm(3);
    }
}

void PdfReport::paintItem(QPainter& painter, const Item& item) const
{
    painter.save();
    painter.translate(0, item.y);
    if (item.title) {
        item.title->drawContents(&painter);
        painter.translate(0, item.title->size().height());
    }
    if (item.figure) {
        const QSizeF size = item.figure->size;
        painter.save();
        painter.translate((m_width - size.width() * item.scale) / 2.0, 0);
        painter.scale(item.scale, item.scale);
        item.figure->draw(painter);
        painter.restore();
        painter.translate(0, size.height() * item.scale + mm(1.5));
        if (item.caption)
            item.caption->drawContents(&painter);
    }
    painter.restore();
}

void PdfReport::paintFooter(QPainter& painter, int page, int pages) const
{
    painter.save();
    QFont f = reportFont();
    f.setPointSizeF(7.5);
    painter.setFont(f);
    painter.setPen(QColor(110, 110, 110));
    const QRectF area(0, m_height + mm(2), m_width, m_footer - mm(2));
    painter.drawLine(QPointF(0, area.top()), QPointF(m_width, area.top()));
    const QString left = QStringLiteral("LNScope %1 conversion report · %2")
                             .arg(m_data.version, m_data.created.toString(QStringLiteral("yyyy-MM-dd HH:mm")));
    painter.drawText(area, Qt::AlignLeft | Qt::AlignVCenter, left);
    painter.drawText(area, Qt::AlignRight | Qt::AlignVCenter, QStringLiteral("page %1 of %2").arg(page + 1).arg(pages));
    painter.restore();
}

void PdfReport::newPage(QPainter& painter, int& page, int pages)
{
    report(kFiguresShare + (1.0 - kFiguresShare) * double(page + 1) / double(pages),
           "page " + std::to_string(page + 2) + " of " + std::to_string(pages));
    m_writer.newPage();
    paintFooter(painter, ++page, pages);
}

void PdfReport::write(const std::vector<Block>& blocks)
{
    const auto figures = std::count_if(blocks.begin(), blocks.end(), [](const Block& b) { return b.figure.isSet(); });
    std::vector<Item> items;
    int made = 0;
    for (const Block& b : blocks) {
        if (b.figure.isSet()) {
            report(kFiguresShare * double(made) / double(figures),
                   "figure " + std::to_string(made + 1) + " of " + std::to_string(figures));
            ++made;
        }
        items.push_back(measure(b));
    }
    paginate(items);
    int pages = 1;
    for (const Item& item : items)
        pages = std::max(pages, item.page + item.pages);
    report(kFiguresShare, "page 1 of " + std::to_string(pages));
    QPainter painter;
    if (!painter.begin(&m_writer))
        throw core::IoError("cannot start the PDF");
    int page = 0;
    paintFooter(painter, 0, pages);
    for (Item& item : items) {
        while (page < item.page)
            newPage(painter, page, pages);
        if (item.pages > 1) {
            for (int p = 0; p < item.pages; ++p) {
                if (p > 0)
                    newPage(painter, page, pages);
                painter.save();
                painter.translate(0, -p * m_height);
                item.title->drawContents(&painter, QRectF(0, p * m_height, m_width, m_height));
                painter.restore();
            }
            continue;
        }
        paintItem(painter, item);
        item.figure.reset(); // done with the recording
    }
    painter.end();
    if (m_progress)
        m_progress->report(1.0, "report written");
}

} // namespace

QByteArray pdfReport(const ReportData& data, const std::vector<Block>& blocks, core::Progress* progress)
{
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    PdfReport(&buffer, data, progress).write(blocks);
    return bytes;
}

} // namespace lnscope::app::report
