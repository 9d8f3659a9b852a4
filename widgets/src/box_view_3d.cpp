// BoxView3D: the offscreen VTK window, the camera and its mouse / key controls, and the Qt overlay
// (grid distances, legend, notes). The scene itself is built in box_view_3d_scene.cpp. See
// box_view_3d.h.

#include "lnscope/widgets/box_view_3d.h"

#include "bev_style.h"
#include "box_view_3d_scene.h"
#include "vtk_offscreen.h"
#include "x11_display.h"

#include <QFontMetrics>
#include <QKeyEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QWheelEvent>

#include <vtkCamera.h>
#include <vtkRenderWindow.h>
#include <vtkRenderer.h>
#include <vtkSmartPointer.h>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <optional>

namespace lnscope::widgets {

namespace {

using box3d::Style;

constexpr double kOrbitDegreesPerPixel = 0.4;
constexpr double kKeyOrbitDegrees = 5.0;
constexpr double kKeyZoomFactor = 1.25;
constexpr double kWheelZoomPerNotch = 1.15;
constexpr double kDragZoomPerPixel = 1.01;
/// Elevation limits of the orbit, degrees above the horizontal: never below the ground much, never
/// over the top (the view would flip).
constexpr double kMinElevation = -10.0, kMaxElevation = 89.0;
constexpr double kMinDistance = 0.5, kMaxDistance = 1000.0;
const QColor kText(215, 219, 226);
const QColor kDimText(150, 156, 166);

double degrees(double radians)
{
    return radians * 180.0 / std::numbers::pi;
}

double radians(double degrees)
{
    return degrees * std::numbers::pi / 180.0;
}

int drawableCount(const std::vector<core::KittiObject>& boxes)
{
    return int(std::count_if(boxes.begin(), boxes.end(), [](const auto& o) { return box3d::drawable(o); }));
}

} // namespace

struct BoxView3D::Private
{
    explicit Private(BoxView3D* view) : q(view) {}

    void createScene(void* x11Display);
    void projectGridLabels(QSize pixels);
    void cameraMoved();
    void pan(QPointF deltaPixels);

    BoxView3D* q;
    QString unavailableReason;
    BoxFrameData data;
    box3d::SceneInfo scene;
    QImage frame;
    bool frameDirty = true;
    /// Grid distances at their widget positions in the last frame.
    std::vector<std::pair<QPointF, QString>> labelsOnScreen;
    Qt::MouseButton dragButton = Qt::NoButton;
    QPointF dragFrom;
    // Declaration order = reverse destruction order: the renderer goes before the window that
    // owns the OpenGL context.
    vtkSmartPointer<vtkRenderWindow> window;
    vtkSmartPointer<vtkRenderer> renderer;
};

void BoxView3D::Private::createScene(void* x11Display)
{
    renderer = vtkSmartPointer<vtkRenderer>::New();
    renderer->SetBackground(Style::kBackground[0] / 255.0, Style::kBackground[1] / 255.0,
                            Style::kBackground[2] / 255.0);
    scene = box3d::buildScene(renderer, data);
    window = detail::makeOffscreenWindow(x11Display, renderer, detail::devicePixelSize(*q));
}

void BoxView3D::Private::projectGridLabels(QSize pixels)
{
    labelsOnScreen.clear();
    vtkCamera* camera = renderer->GetActiveCamera();
    double position[3], direction[3], range[2];
    camera->GetPosition(position);
    camera->GetDirectionOfProjection(direction);
    camera->GetClippingRange(range);
    const qreal ratio = q->devicePixelRatioF();
    for (const box3d::GridLabel& label : scene.gridLabels) {
        const auto& p = label.position;
        const double depth = (p[0] - position[0]) * direction[0] + (p[1] - position[1]) * direction[1]
                             + (p[2] - position[2]) * direction[2];
        if (depth < range[0] || depth > range[1])
            continue;
        renderer->SetWorldPoint(p[0], p[1], p[2], 1.0);
        renderer->WorldToDisplay();
        double display[3];
        renderer->GetDisplayPoint(display);
        const QPointF widget(display[0] / ratio, (pixels.height() - display[1]) / ratio);
        if (QRectF(QPointF(0, 0), QSizeF(pixels) / ratio).contains(widget))
            labelsOnScreen.emplace_back(widget, label.text);
    }
}

void BoxView3D::Private::cameraMoved()
{
    renderer->GetActiveCamera()->OrthogonalizeViewUp();
    frameDirty = true;
    q->update();
    emit q->cameraChanged();
}

void BoxView3D::Private::pan(QPointF deltaPixels)
{
    // Move camera and focal point together so that the focal plane follows the cursor.
    vtkCamera* camera = renderer->GetActiveCamera();
    double position[3], focal[3], up[3], direction[3];
    camera->GetPosition(position);
    camera->GetFocalPoint(focal);
    camera->GetViewUp(up);
    camera->GetDirectionOfProjection(direction);
    const double right[3] = {direction[1] * up[2] - direction[2] * up[1], direction[2] * up[0] - direction[0] * up[2],
                             direction[0] * up[1] - direction[1] * up[0]};
    const double metresPerPixel =
        2.0 * camera->GetDistance() * std::tan(radians(camera->GetViewAngle() / 2)) / std::max(1, q->height());
    const double dx = -deltaPixels.x() * metresPerPixel, dy = deltaPixels.y() * metresPerPixel;
    for (int i = 0; i < 3; ++i) {
        const double shift = dx * right[i] + dy * up[i];
        position[i] += shift;
        focal[i] += shift;
    }
    camera->SetPosition(position);
    camera->SetFocalPoint(focal);
    cameraMoved();
}

// --- the widget -----------------------------------------------------------------------------------

BoxView3D::BoxView3D(QWidget* parent) : QWidget(parent), d(std::make_unique<Private>(this))
{
    setAttribute(Qt::WA_OpaquePaintEvent); // every pixel is painted, by VTK or the placeholder
    setFocusPolicy(Qt::StrongFocus);
    const detail::X11Display x11 = detail::sharedX11Display();
    d->unavailableReason = QString::fromStdString(x11.reason);
    if (x11.display) {
        d->createScene(x11.display);
        resetCamera();
    }
}

BoxView3D::~BoxView3D() = default;

void BoxView3D::setFrame(const BoxFrameData& data)
{
    d->data = data;
    if (hasRenderer())
        d->scene = box3d::buildScene(d->renderer, d->data);
    d->frameDirty = true;
    update();
}

void BoxView3D::clear()
{
    setFrame({});
}

const BoxFrameData& BoxView3D::frame() const
{
    return d->data;
}

bool BoxView3D::hasBoxes() const
{
    const BevData& b = d->data.bev;
    return drawableCount(b.groundTruth) + drawableCount(b.floatBoxes) + drawableCount(b.convertedBoxes) > 0;
}

bool BoxView3D::hasRenderer() const
{
    return d->window != nullptr;
}

QString BoxView3D::unavailableReason() const
{
    return d->unavailableReason;
}

QImage BoxView3D::renderToImage(QSize size)
{
    if (!hasRenderer() || size.isEmpty())
        return {};
    d->frameDirty = true; // the window now holds a frame at another size
    return detail::renderOffscreen(d->window, d->renderer, size);
}

BoxView3D::CameraPose BoxView3D::defaultCamera()
{
    CameraPose pose;
    pose.position = {0.0, -6.0, -11.0};
    pose.focalPoint = {0.0, 1.5, 18.0};
    pose.viewUp = {0.0, -1.0, 0.0};
    pose.viewAngle = 45.0;
    return pose;
}

void BoxView3D::resetCamera()
{
    setCamera(defaultCamera());
}

BoxView3D::CameraPose BoxView3D::camera() const
{
    CameraPose pose;
    if (!hasRenderer())
        return pose;
    vtkCamera* camera = d->renderer->GetActiveCamera();
    camera->GetPosition(pose.position.data());
    camera->GetFocalPoint(pose.focalPoint.data());
    camera->GetViewUp(pose.viewUp.data());
    pose.viewAngle = camera->GetViewAngle();
    return pose;
}

void BoxView3D::setCamera(const CameraPose& pose)
{
    if (!hasRenderer())
        return;
    vtkCamera* camera = d->renderer->GetActiveCamera();
    camera->SetPosition(pose.position.data());
    camera->SetFocalPoint(pose.focalPoint.data());
    camera->SetViewUp(pose.viewUp.data());
    camera->SetViewAngle(pose.viewAngle);
    d->cameraMoved();
}

void BoxView3D::zoomBy(double factor)
{
    if (!hasRenderer() || !(factor > 0))
        return;
    vtkCamera* camera = d->renderer->GetActiveCamera();
    const double distance = camera->GetDistance();
    const double target = std::clamp(distance / factor, kMinDistance, kMaxDistance);
    camera->Dolly(distance / target);
    d->cameraMoved();
}

void BoxView3D::orbit(double azimuthDegrees, double elevationDegrees)
{
    if (!hasRenderer())
        return;
    // Spherical coordinates about the focal point with "up" = −y (the ground stays level): the
    // azimuth turns about the vertical, the elevation is clamped so that the view never flips.
    vtkCamera* camera = d->renderer->GetActiveCamera();
    double position[3], focal[3];
    camera->GetPosition(position);
    camera->GetFocalPoint(focal);
    const double ox = position[0] - focal[0], oy = position[1] - focal[1], oz = position[2] - focal[2];
    const double r = std::sqrt(ox * ox + oy * oy + oz * oz);
    if (!(r > 0))
        return;
    const double elevation =
        std::clamp(degrees(std::asin(std::clamp(-oy / r, -1.0, 1.0))) + elevationDegrees, kMinElevation, kMaxElevation);
    const double azimuth = std::atan2(ox, oz) + radians(azimuthDegrees);
    const double horizontal = r * std::cos(radians(elevation));
    camera->SetPosition(focal[0] + horizontal * std::sin(azimuth), focal[1] - r * std::sin(radians(elevation)),
                        focal[2] + horizontal * std::cos(azimuth));
    camera->SetViewUp(0.0, -1.0, 0.0);
    d->cameraMoved();
}

QColor BoxView3D::backgroundColor()
{
    return QColor(Style::kBackground[0], Style::kBackground[1], Style::kBackground[2]);
}

QColor BoxView3D::groundTruthColor()
{
    return Style::groundTruth();
}

QColor BoxView3D::floatColor()
{
    return Style::floatBoxes();
}

QColor BoxView3D::convertedColor()
{
    return Style::converted();
}

QColor BoxView3D::linkColor()
{
    return Style::link();
}

QList<QPair<QString, QString>> BoxView3D::shortcuts()
{
    return {{tr("Left drag, arrow keys"), tr("orbit around the focal point")},
            {tr("Middle drag"), tr("pan")},
            {tr("Right drag, wheel, + / −"), tr("zoom")},
            {tr("Double-click, R"), tr("reset the camera (behind and above the ego car)")}};
}

QSize BoxView3D::sizeHint() const
{
    return {640, 480};
}

QSize BoxView3D::minimumSizeHint() const
{
    return {200, 150};
}

// --- painting -------------------------------------------------------------------------------------

void BoxView3D::paintEvent(QPaintEvent*)
{
    QPainter painter(this);
    if (!hasRenderer()) {
        paintPlaceholder(painter);
        return;
    }
    const QSize pixels = detail::devicePixelSize(*this);
    if (d->frameDirty || d->frame.size() != pixels) {
        d->frame = detail::renderOffscreen(d->window, d->renderer, pixels);
        d->projectGridLabels(pixels);
        d->frameDirty = false;
    }
    QImage frame = d->frame;
    frame.setDevicePixelRatio(devicePixelRatioF());
    painter.drawImage(QPoint(0, 0), frame);
    paintOverlay(painter);
}

void BoxView3D::paintPlaceholder(QPainter& painter)
{
    detail::paintUnavailable(painter, rect(), backgroundColor(), kText, d->unavailableReason);
}

void BoxView3D::paintOverlay(QPainter& painter)
{
    painter.setRenderHint(QPainter::Antialiasing, true);
    paintGridLabels(painter);
    const QFontMetrics fm(font());
    if (!hasBoxes()) {
        painter.setPen(kText);
        painter.drawText(QRectF(0, 8, width(), fm.height() + 4), Qt::AlignHCenter | Qt::AlignTop, tr("no boxes"));
    }
    painter.setPen(kDimText);
    painter.drawText(QPointF(8, height() - 6 - fm.descent()),
                     tr("drag: orbit · middle drag: pan · wheel: zoom · R: reset"));
    paintLegend(painter);
}

void BoxView3D::paintGridLabels(QPainter& painter)
{
    // Far distances crowd together near the horizon: skip a label that would touch the last one.
    const QFontMetrics fm(font());
    painter.setPen(kDimText);
    std::optional<double> lastY;
    for (const auto& [at, text] : d->labelsOnScreen) {
        if (lastY && std::abs(at.y() - *lastY) < fm.height())
            continue;
        painter.drawText(at + QPointF(-fm.horizontalAdvance(text) - 4, fm.ascent() / 2.0 - 1), text);
        lastY = at.y();
    }
}

QStringList BoxView3D::legendLabels() const
{
    const BevData& b = d->data.bev;
    return {
        tr("ground truth (%1)").arg(drawableCount(b.groundTruth)), tr("float (%1)").arg(drawableCount(b.floatBoxes)),
        tr("converted (%1)").arg(drawableCount(b.convertedBoxes)), tr("matched pair"), tr("found by one network only")};
}

void BoxView3D::paintLegend(QPainter& painter)
{
    using namespace bev_style;
    const QFontMetrics fm(font());
    const QStringList labels = legendLabels();
    const int line = fm.height() + 4, sample = kLegendSample;
    int textWidth = 0;
    for (const QString& label : labels)
        textWidth = std::max(textWidth, fm.horizontalAdvance(label));
    const QRectF box(width() - (textWidth + sample + 28) - 8, 8, textWidth + sample + 28, labels.size() * line + 8);
    painter.setPen(QColor(70, 75, 85));
    painter.setBrush(QColor(20, 22, 27, 215));
    painter.drawRoundedRect(box, 4, 4);
    const QColor colours[3] = {Style::groundTruth(), Style::floatBoxes(), Style::converted()};
    for (int i = 0; i < labels.size(); ++i) {
        const double y = box.top() + 4 + i * line + line / 2.0;
        const QLineF stroke(box.left() + 8, y, box.left() + 8 + sample, y);
        const QRectF swatch(stroke.p1() + QPointF(0, -4), stroke.p2() + QPointF(0, 4));
        painter.setBrush(Qt::NoBrush);
        if (i < 3) {
            QPen pen(colours[i], i == 0 ? 1.5 : 2.5, Qt::SolidLine, Qt::FlatCap, Qt::MiterJoin);
            if (i == 2)
                pen.setDashPattern({3.0, 2.0});
            painter.setPen(pen);
            painter.drawRect(swatch);
        } else if (i == 3) {
            painter.setPen(QPen(Style::link(), 2.0));
            painter.drawLine(stroke);
        } else {
            painter.setPen(QPen(kText, 3.5));
            painter.drawRect(swatch);
            drawDiamond(painter, stroke.center(), 4.5, kText);
        }
        painter.setPen(kText);
        painter.drawText(QPointF(stroke.p2().x() + 8, y + fm.ascent() / 2.0 - 1), labels[i]);
    }
}

// --- input ----------------------------------------------------------------------------------------

void BoxView3D::resizeEvent(QResizeEvent* event)
{
    QWidget::resizeEvent(event);
    d->frameDirty = true;
}

void BoxView3D::mousePressEvent(QMouseEvent* event)
{
    if (!hasRenderer() || d->dragButton != Qt::NoButton)
        return QWidget::mousePressEvent(event);
    const Qt::MouseButton button = event->button();
    if (button != Qt::LeftButton && button != Qt::MiddleButton && button != Qt::RightButton)
        return QWidget::mousePressEvent(event);
    d->dragButton = button;
    d->dragFrom = event->position();
    setCursor(button == Qt::MiddleButton ? Qt::ClosedHandCursor : Qt::SizeAllCursor);
    event->accept();
}

void BoxView3D::mouseMoveEvent(QMouseEvent* event)
{
    if (!hasRenderer() || d->dragButton == Qt::NoButton)
        return QWidget::mouseMoveEvent(event);
    const QPointF delta = event->position() - d->dragFrom;
    d->dragFrom = event->position();
    switch (d->dragButton) {
    case Qt::LeftButton: orbit(-delta.x() * kOrbitDegreesPerPixel, delta.y() * kOrbitDegreesPerPixel); break;
    case Qt::MiddleButton: d->pan(delta); break;
    case Qt::RightButton: zoomBy(std::pow(kDragZoomPerPixel, -delta.y())); break;
    default: break;
    }
    event->accept();
}

void BoxView3D::mouseReleaseEvent(QMouseEvent* event)
{
    if (!hasRenderer() || event->button() != d->dragButton)
        return QWidget::mouseReleaseEvent(event);
    d->dragButton = Qt::NoButton;
    unsetCursor();
    event->accept();
}

void BoxView3D::mouseDoubleClickEvent(QMouseEvent* event)
{
    if (!hasRenderer() || event->button() != Qt::LeftButton)
        return QWidget::mouseDoubleClickEvent(event);
    resetCamera();
    event->accept();
}

void BoxView3D::wheelEvent(QWheelEvent* event)
{
    const int delta = event->angleDelta().y();
    if (!hasRenderer() || delta == 0)
        return QWidget::wheelEvent(event);
    zoomBy(std::pow(kWheelZoomPerNotch, delta / 120.0));
    event->accept();
}

void BoxView3D::keyPressEvent(QKeyEvent* event)
{
    if (!hasRenderer())
        return QWidget::keyPressEvent(event);
    switch (event->key()) {
    case Qt::Key_R: resetCamera(); break;
    case Qt::Key_Plus:
    case Qt::Key_Equal: zoomBy(kKeyZoomFactor); break;
    case Qt::Key_Minus: zoomBy(1.0 / kKeyZoomFactor); break;
    case Qt::Key_Left: orbit(kKeyOrbitDegrees, 0); break;
    case Qt::Key_Right: orbit(-kKeyOrbitDegrees, 0); break;
    case Qt::Key_Up: orbit(0, kKeyOrbitDegrees); break;
    case Qt::Key_Down: orbit(0, -kKeyOrbitDegrees); break;
    default: QWidget::keyPressEvent(event); return;
    }
    event->accept();
}

} // namespace lnscope::widgets
