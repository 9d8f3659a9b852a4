// Panes, pane grid and difference legend of SegComparisonView; see seg_image_pane.h.

#include "seg_image_pane.h"

#include "lnscope/core/error.h"
#include "lnscope/widgets/seg_comparison_view.h"

#include <QFontMetrics>
#include <QLinearGradient>
#include <QLocale>
#include <QMouseEvent>
#include <QPainter>
#include <QWheelEvent>

#include <algorithm>
#include <cmath>

namespace lnscope::widgets {

namespace {

const QColor kPaneBackground(38, 38, 38);
const QColor kTitleChip(0, 0, 0, 170);
/// One wheel notch (120 eighths of a degree) zooms by this factor.
constexpr double kWheelZoomPerNotch = 1.25;

QString groupedCount(int64_t value)
{
    return QLocale(QLocale::English, QLocale::UnitedStates).toString(qlonglong(value));
}

} // namespace

// --- frame checks -------------------------------------------------------------------------------

QString segFrameProblem(const SegFrameData& frame)
{
    try {
        core::checkPrediction(frame.floatPrediction, false);
    } catch (const core::Error& e) {
        return SegComparisonView::tr("float prediction: %1").arg(QString::fromStdString(e.what()));
    }
    try {
        core::checkPrediction(frame.convertedPrediction, false);
    } catch (const core::Error& e) {
        return SegComparisonView::tr("converted prediction: %1").arg(QString::fromStdString(e.what()));
    }
    const QSize size(frame.floatPrediction.width, frame.floatPrediction.height);
    auto mismatch = [&](const char* what, int w, int h) {
        return SegComparisonView::tr("%1 is %2×%3, the float prediction %4×%5")
            .arg(QString::fromLatin1(what))
            .arg(w)
            .arg(h)
            .arg(size.width())
            .arg(size.height());
    };
    if (size.isEmpty())
        return SegComparisonView::tr("the float prediction is empty");
    const auto& converted = frame.convertedPrediction;
    if (QSize(converted.width, converted.height) != size)
        return mismatch("the converted prediction", converted.width, converted.height);
    if (const auto& gt = frame.groundTruth) {
        if (QSize(gt->width, gt->height) != size || gt->ids.size() != size_t(gt->width) * size_t(gt->height))
            return mismatch("the ground truth", gt->width, gt->height);
    }
    const auto& diff = frame.difference;
    if (diff.width != 0 && QSize(diff.width, diff.height) != size)
        return mismatch("the difference map", diff.width, diff.height);
    if (frame.errors && QSize(frame.errors->width, frame.errors->height) != size)
        return mismatch("the error map", frame.errors->width, frame.errors->height);
    return {};
}

// --- composition ------------------------------------------------------------------------------

QImage composeClassImage(const std::vector<uint8_t>& ids, int width, int height, const ClassColourTable& table,
                         const QImage& camera, double opacity, QRgb background)
{
    if (width <= 0 || height <= 0 || ids.size() != size_t(width) * size_t(height))
        return {};
    const bool overlay = !camera.isNull() && camera.size() == QSize(width, height);
    const QImage base = overlay ? camera.convertToFormat(QImage::Format_RGB32) : QImage();
    const int alpha = std::clamp(int(std::lround(opacity * 256.0)), 0, 256);
    QImage out(width, height, QImage::Format_RGB32);
    for (int y = 0; y < height; ++y) {
        const uint8_t* row = ids.data() + size_t(y) * size_t(width);
        const auto* cam = overlay ? reinterpret_cast<const QRgb*>(base.constScanLine(y)) : nullptr;
        auto* dst = reinterpret_cast<QRgb*>(out.scanLine(y));
        for (int x = 0; x < width; ++x) {
            const uint8_t id = row[x];
            const bool coloured = table.visible[id];
            if (!overlay) {
                dst[x] = coloured ? table.colour[id] : background;
                continue;
            }
            if (!coloured) {
                dst[x] = cam[x];
                continue;
            }
            const QRgb c = table.colour[id], b = cam[x];
            auto mix = [alpha](int fg, int bg) { return bg + (((fg - bg) * alpha) >> 8); };
            dst[x] = qRgb(mix(qRed(c), qRed(b)), mix(qGreen(c), qGreen(b)), mix(qBlue(c), qBlue(b)));
        }
    }
    return out;
}

QImage rgbToImage(const std::vector<uint8_t>& rgb, int width, int height)
{
    if (width <= 0 || height <= 0 || rgb.size() != size_t(width) * size_t(height) * 3)
        return {};
    QImage out(width, height, QImage::Format_RGB32);
    for (int y = 0; y < height; ++y) {
        const uint8_t* src = rgb.data() + size_t(y) * size_t(width) * 3;
        auto* dst = reinterpret_cast<QRgb*>(out.scanLine(y));
        for (int x = 0; x < width; ++x)
            dst[x] = qRgb(src[3 * x], src[3 * x + 1], src[3 * x + 2]);
    }
    return out;
}

// --- SegImagePane -----------------------------------------------------------------------------

SegImagePane::SegImagePane(const QString& title, QWidget* parent) : QWidget(parent), m_title(title)
{
    setMouseTracking(true);
    setFocusPolicy(Qt::ClickFocus); // keys are not handled here: they reach the view
    setAttribute(Qt::WA_OpaquePaintEvent);
    setCursor(Qt::CrossCursor);
}

void SegImagePane::setTitle(const QString& title)
{
    m_title = title;
    update();
}

void SegImagePane::setImage(const QImage& image)
{
    m_image = image;
    update();
}

void SegImagePane::setPlaceholder(const QString& text)
{
    m_placeholder = text;
    update();
}

void SegImagePane::setViewport(const ImageViewport& viewport)
{
    if (m_viewport == viewport)
        return;
    m_viewport = viewport;
    update();
}

void SegImagePane::setMarker(std::optional<QPoint> pixel)
{
    if (m_marker == pixel)
        return;
    m_marker = pixel;
    update();
}

void SegImagePane::paintEvent(QPaintEvent*)
{
    QPainter painter(this);
    painter.fillRect(rect(), kPaneBackground);
    if (m_image.isNull()) {
        painter.setPen(QColor(200, 200, 200));
        painter.drawText(rect(), Qt::AlignCenter | Qt::TextWordWrap, m_placeholder);
    } else {
        // Only the visible part of the image is drawn (cheap at any zoom). Nearest-neighbour when
        // magnified, so that single pixels stay crisp; smooth when shrunk.
        const QRectF imageRect(QPointF(0, 0), QSizeF(m_image.size()));
        const QRectF visible = QRectF(m_viewport.unmap(QPointF(0, 0)), m_viewport.unmap(QPointF(width(), height())));
        QRectF source = visible.intersected(imageRect);
        source = QRectF(QPointF(std::floor(source.left()), std::floor(source.top())),
                        QPointF(std::ceil(source.right()), std::ceil(source.bottom())));
        if (!source.isEmpty()) {
            painter.setRenderHint(QPainter::SmoothPixmapTransform, m_viewport.scale < 1.0);
            const QRectF target(m_viewport.map(source.topLeft()), m_viewport.map(source.bottomRight()));
            painter.drawImage(target, m_image, source);
        }
        drawMarker(painter);
    }
    drawTitle(painter);
}

void SegImagePane::drawMarker(QPainter& painter) const
{
    if (!m_marker || m_image.isNull())
        return;
    const QRectF pixel(m_viewport.map(QPointF(*m_marker)), m_viewport.map(QPointF(*m_marker) + QPointF(1, 1)));
    painter.setRenderHint(QPainter::Antialiasing, false);
    if (pixel.width() >= 6.0) {
        // A magnified pixel: outline it (white inside black, visible on any colour).
        painter.setBrush(Qt::NoBrush);
        painter.setPen(QPen(Qt::black, 1));
        painter.drawRect(pixel.adjusted(-1, -1, 0, 0));
        painter.setPen(QPen(Qt::white, 1));
        painter.drawRect(pixel.adjusted(0, 0, -1, -1));
        return;
    }
    // A small pixel: a crosshair with a gap, so the pixel itself stays visible.
    const QPointF c = pixel.center();
    const double gap = 3.0, arm = 7.0;
    for (const auto& [colour, widthPx] : {std::pair{QColor(Qt::black), 3}, std::pair{QColor(Qt::white), 1}}) {
        painter.setPen(QPen(colour, widthPx, Qt::SolidLine, Qt::FlatCap));
        painter.drawLine(QPointF(c.x() - gap - arm, c.y()), QPointF(c.x() - gap, c.y()));
        painter.drawLine(QPointF(c.x() + gap, c.y()), QPointF(c.x() + gap + arm, c.y()));
        painter.drawLine(QPointF(c.x(), c.y() - gap - arm), QPointF(c.x(), c.y() - gap));
        painter.drawLine(QPointF(c.x(), c.y() + gap), QPointF(c.x(), c.y() + gap + arm));
    }
}

void SegImagePane::drawTitle(QPainter& painter) const
{
    if (m_title.isEmpty())
        return;
    const QFontMetrics fm(font());
    const QRect text = fm.boundingRect(m_title).translated(-fm.boundingRect(m_title).topLeft());
    const QRect chip(4, 4, text.width() + 10, fm.height() + 4);
    painter.setRenderHint(QPainter::Antialiasing, true);
    painter.setPen(Qt::NoPen);
    painter.setBrush(kTitleChip);
    painter.drawRoundedRect(chip, 3, 3);
    painter.setPen(Qt::white);
    painter.drawText(chip, Qt::AlignCenter, m_title);
}

void SegImagePane::wheelEvent(QWheelEvent* event)
{
    const int delta = event->angleDelta().y();
    if (delta == 0 || m_image.isNull()) {
        event->ignore();
        return;
    }
    m_viewport.zoomAt(event->position(), std::pow(kWheelZoomPerNotch, delta / 120.0));
    update();
    emit viewportEdited(m_viewport);
    event->accept();
}

void SegImagePane::mousePressEvent(QMouseEvent* event)
{
    if (event->button() == Qt::LeftButton && !m_image.isNull()) {
        m_dragFrom = event->position();
        setCursor(Qt::ClosedHandCursor);
    }
    QWidget::mousePressEvent(event); // gives the click focus
}

void SegImagePane::mouseMoveEvent(QMouseEvent* event)
{
    if (m_dragFrom && (event->buttons() & Qt::LeftButton)) {
        m_viewport.pan(event->position() - *m_dragFrom);
        m_dragFrom = event->position();
        update();
        emit viewportEdited(m_viewport);
    }
    emit hovered(m_viewport.unmap(event->position()));
}

void SegImagePane::mouseReleaseEvent(QMouseEvent* event)
{
    if (event->button() == Qt::LeftButton && m_dragFrom) {
        m_dragFrom.reset();
        setCursor(Qt::CrossCursor);
    }
}

void SegImagePane::mouseDoubleClickEvent(QMouseEvent* event)
{
    if (event->button() == Qt::LeftButton)
        emit fitRequested();
}

void SegImagePane::leaveEvent(QEvent*)
{
    emit left();
}

// --- SegPaneGrid ------------------------------------------------------------------------------

SegPaneGrid::SegPaneGrid(QWidget* parent) : QWidget(parent)
{
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
}

void SegPaneGrid::setPanes(const std::array<SegImagePane*, 4>& panes)
{
    m_panes = panes;
    for (SegImagePane* pane : m_panes)
        pane->setParent(this);
    relayout();
}

void SegPaneGrid::setImageSize(QSize size)
{
    if (m_imageSize == size)
        return;
    m_imageSize = size;
    relayout();
}

void SegPaneGrid::setPlaceholder(const QString& text)
{
    m_placeholder = text;
    for (SegImagePane* pane : m_panes) {
        if (pane)
            pane->setVisible(text.isEmpty());
    }
    update();
}

QSize SegPaneGrid::paneSize() const
{
    const int rows = 4 / m_columns;
    return {std::max(1, (width() - kGap * (m_columns - 1)) / m_columns),
            std::max(1, (height() - kGap * (rows - 1)) / rows)};
}

void SegPaneGrid::relayout()
{
    m_columns = SegComparisonView::paneColumns(size(), m_imageSize);
    const QSize cell = paneSize();
    for (int i = 0; i < int(m_panes.size()); ++i) {
        if (!m_panes[i])
            continue;
        const int column = i % m_columns, row = i / m_columns;
        m_panes[i]->setGeometry(column * (cell.width() + kGap), row * (cell.height() + kGap), cell.width(),
                                cell.height());
    }
}

void SegPaneGrid::resizeEvent(QResizeEvent*)
{
    relayout();
    emit resized();
}

void SegPaneGrid::paintEvent(QPaintEvent*)
{
    if (m_placeholder.isEmpty())
        return;
    QPainter painter(this);
    painter.fillRect(rect(), kPaneBackground);
    QFont big = font();
    big.setPointSizeF(font().pointSizeF() * 1.6);
    painter.setFont(big);
    painter.setPen(QColor(210, 210, 210));
    painter.drawText(rect().adjusted(12, 12, -12, -12), Qt::AlignCenter | Qt::TextWordWrap, m_placeholder);
}

// --- SegDifferenceLegend ----------------------------------------------------------------------

SegDifferenceLegend::SegDifferenceLegend(QWidget* parent) : QWidget(parent)
{
    setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Fixed);
}

void SegDifferenceLegend::showRamp(int64_t disagreeingPixels, float maxL1)
{
    m_ramp = true;
    m_disagreeing = disagreeingPixels;
    m_maxL1 = maxL1;
    updateGeometry();
    update();
}

void SegDifferenceLegend::showCategories(const std::array<int64_t, core::kSegErrorCategoryCount>& counts)
{
    m_ramp = false;
    m_counts = counts;
    updateGeometry();
    update();
}

QSize SegDifferenceLegend::sizeHint() const
{
    const int line = QFontMetrics(font()).height();
    const int lines = m_ramp ? 6 : 1 + 2 * core::kSegErrorCategoryCount;
    return {150, lines * line + 8};
}

void SegDifferenceLegend::paintEvent(QPaintEvent*)
{
    QPainter painter(this);
    if (m_ramp)
        drawRamp(painter);
    else
        drawCategories(painter);
}

void SegDifferenceLegend::drawRamp(QPainter& painter) const
{
    const QFontMetrics fm(font());
    const int line = fm.height();
    QFont bold = font();
    bold.setBold(true);
    painter.setFont(bold);
    painter.setPen(palette().color(QPalette::WindowText));
    painter.drawText(QRect(0, 0, width(), line), Qt::AlignLeft | Qt::AlignVCenter, tr("Float vs converted"));
    painter.setFont(font());
    // Black means "argmax agrees"; the ramp is core::diffRampColour over L1 in (0, 2].
    const QRect agree(2, line + 3, 12, line - 6);
    painter.fillRect(agree, Qt::black);
    painter.drawText(QRect(agree.right() + 6, line, width(), line), Qt::AlignLeft | Qt::AlignVCenter, tr("same class"));
    const QRect bar(2, 2 * line + 2, width() - 6, line - 4);
    QLinearGradient gradient(bar.topLeft(), bar.topRight());
    for (int i = 0; i <= 16; ++i) {
        const auto c = core::diffRampColour(2.f * float(i) / 16.f);
        gradient.setColorAt(i / 16.0, QColor(c[0], c[1], c[2]));
    }
    painter.fillRect(bar, gradient);
    const QRect ticks(bar.left(), 3 * line, bar.width(), line);
    painter.drawText(ticks, Qt::AlignLeft | Qt::AlignVCenter, QStringLiteral("L1 0"));
    painter.drawText(ticks, Qt::AlignHCenter | Qt::AlignVCenter, QStringLiteral("1"));
    painter.drawText(ticks, Qt::AlignRight | Qt::AlignVCenter, QStringLiteral("2"));
    painter.setPen(palette().color(QPalette::PlaceholderText));
    painter.drawText(QRect(0, 4 * line + 4, width(), line), Qt::AlignLeft | Qt::AlignVCenter,
                     tr("%1 px differ").arg(groupedCount(m_disagreeing)));
    painter.drawText(QRect(0, 5 * line + 4, width(), line), Qt::AlignLeft | Qt::AlignVCenter,
                     tr("max L1 %1").arg(double(m_maxL1), 0, 'f', 3));
}

void SegDifferenceLegend::drawCategories(QPainter& painter) const
{
    const QFontMetrics fm(font());
    const int line = fm.height();
    QFont bold = font();
    bold.setBold(true);
    painter.setFont(bold);
    painter.setPen(palette().color(QPalette::WindowText));
    painter.drawText(QRect(0, 0, width(), line), Qt::AlignLeft | Qt::AlignVCenter, tr("Errors vs ground truth"));
    painter.setFont(font());
    for (int i = 0; i < core::kSegErrorCategoryCount; ++i) {
        const auto category = static_cast<core::SegErrorCategory>(i);
        const auto c = core::segErrorCategoryColour(category);
        const int top = line + 2 + 2 * line * i;
        const QRect swatch(2, top + 2, 12, line - 4);
        painter.fillRect(swatch, QColor(c[0], c[1], c[2]));
        painter.setPen(palette().color(QPalette::Mid));
        painter.drawRect(swatch.adjusted(0, 0, -1, -1));
        painter.setPen(palette().color(QPalette::WindowText));
        const QRect text(swatch.right() + 6, top, width() - swatch.right() - 6, line);
        painter.drawText(text, Qt::AlignLeft | Qt::AlignVCenter,
                         QString::fromUtf8(core::segErrorCategoryName(category)));
        painter.setPen(palette().color(QPalette::PlaceholderText));
        painter.drawText(text.translated(0, line), Qt::AlignLeft | Qt::AlignVCenter,
                         tr("%1 px").arg(groupedCount(m_counts[size_t(i)])));
    }
}

} // namespace lnscope::widgets
