#include "lnscope/widgets/vtk_image_view.h"

#include "vtk_offscreen.h"
#include "x11_display.h"

#include <QMouseEvent>
#include <QPainter>
#include <QWheelEvent>

#include <vtkActor.h>
#include <vtkCallbackCommand.h>
#include <vtkCamera.h>
#include <vtkCommand.h>
#include <vtkCubeSource.h>
#include <vtkGenericRenderWindowInteractor.h>
#include <vtkInteractorStyleTrackballCamera.h>
#include <vtkLineSource.h>
#include <vtkNew.h>
#include <vtkPlaneSource.h>
#include <vtkPolyDataMapper.h>
#include <vtkProperty.h>
#include <vtkRenderWindow.h>
#include <vtkRenderer.h>
#include <vtkSmartPointer.h>

namespace lnscope::widgets {

namespace {

// 8-bit values so that the cleared framebuffer holds exactly this colour (tests compare to it).
constexpr int kBackground[3] = {28, 31, 36};

struct Rgb
{
    double r, g, b;
};

vtkSmartPointer<vtkActor> makeLineActor(vtkPolyDataAlgorithm* source, Rgb colour, float lineWidth)
{
    vtkNew<vtkPolyDataMapper> mapper;
    mapper->SetInputConnection(source->GetOutputPort());
    auto actor = vtkSmartPointer<vtkActor>::New();
    actor->SetMapper(mapper);
    vtkProperty* property = actor->GetProperty();
    property->SetRepresentationToWireframe();
    property->SetColor(colour.r, colour.g, colour.b);
    property->SetLineWidth(lineWidth);
    // Flat colour: lines are annotations, shading would only make them harder to read (and the
    // colour harder to find in tests).
    property->LightingOff();
    return actor;
}

vtkSmartPointer<vtkActor> makeAxis(const double (&tip)[3], Rgb colour)
{
    vtkNew<vtkLineSource> line;
    line->SetPoint1(0.0, 0.0, 0.0);
    line->SetPoint2(tip[0], tip[1], tip[2]);
    return makeLineActor(line, colour, 3.f);
}

} // namespace

struct VtkImageView::Private
{
    explicit Private(VtkImageView* view) : q(view) {}

    void createScene(void* x11Display);
    void syncInteractorSize();
    void forwardMouse(QMouseEvent* event, void (vtkRenderWindowInteractor::*fire)());
    static void onRenderRequested(vtkObject*, unsigned long, void* clientData, void*);

    VtkImageView* q;
    QString unavailableReason;
    QImage frame;
    bool frameDirty = true;
    // Declaration order = reverse destruction order: the interactor goes first, then the
    // renderer, then the window that owns the OpenGL context.
    vtkSmartPointer<vtkRenderWindow> window;
    vtkSmartPointer<vtkRenderer> renderer;
    vtkSmartPointer<vtkGenericRenderWindowInteractor> interactor;
    vtkSmartPointer<vtkCallbackCommand> renderCallback;
};

void VtkImageView::Private::createScene(void* x11Display)
{
    renderer = vtkSmartPointer<vtkRenderer>::New();
    renderer->SetBackground(kBackground[0] / 255.0, kBackground[1] / 255.0, kBackground[2] / 255.0);

    // Ground grid: 20 m × 20 m in 1 m cells on y = 0, reaching 18 m ahead of the origin.
    vtkNew<vtkPlaneSource> grid;
    grid->SetOrigin(-10.0, 0.0, -2.0);
    grid->SetPoint1(10.0, 0.0, -2.0);
    grid->SetPoint2(-10.0, 0.0, 18.0);
    grid->SetResolution(20, 20);
    renderer->AddActor(makeLineActor(grid, {0.36, 0.38, 0.42}, 1.f));

    const double x[3] = {1.5, 0.0, 0.0};
    const double y[3] = {0.0, 1.5, 0.0};
    const double z[3] = {0.0, 0.0, 1.5};
    renderer->AddActor(makeAxis(x, {0.90, 0.25, 0.25}));
    renderer->AddActor(makeAxis(y, {0.30, 0.85, 0.30}));
    renderer->AddActor(makeAxis(z, {0.30, 0.50, 1.00}));

    // A car-sized sample box (w 1.8 × h 1.5 × l 4.0 m) standing on the ground, yawed 25°.
    vtkNew<vtkCubeSource> box;
    box->SetXLength(1.8);
    box->SetYLength(1.5);
    box->SetZLength(4.0);
    auto boxActor = makeLineActor(box, {1.0, 0.6, 0.1}, 3.f);
    boxActor->SetPosition(1.5, 0.75, 8.0);
    boxActor->SetOrientation(0.0, 25.0, 0.0);
    renderer->AddActor(boxActor);

    window = detail::makeOffscreenWindow(x11Display, renderer, detail::devicePixelSize(*q));

    interactor = vtkSmartPointer<vtkGenericRenderWindowInteractor>::New();
    interactor->SetRenderWindow(window);
    vtkNew<vtkInteractorStyleTrackballCamera> style;
    interactor->SetInteractorStyle(style);
    // The style asks the interactor to render after each camera change; render lazily in
    // paintEvent instead, so several events per frame cost one render.
    interactor->EnableRenderOff();
    renderCallback = vtkSmartPointer<vtkCallbackCommand>::New();
    renderCallback->SetCallback(&Private::onRenderRequested);
    renderCallback->SetClientData(this);
    interactor->AddObserver(vtkCommand::RenderEvent, renderCallback);
    interactor->Initialize();
}

void VtkImageView::Private::onRenderRequested(vtkObject*, unsigned long, void* clientData, void*)
{
    auto* self = static_cast<Private*>(clientData);
    self->frameDirty = true;
    self->q->update();
}

void VtkImageView::Private::syncInteractorSize()
{
    // renderToImage() may have left the window at another size; the trackball maths and the
    // y flip use the interactor's size, which must be the widget's.
    const QSize pixels = detail::devicePixelSize(*q);
    interactor->UpdateSize(pixels.width(), pixels.height());
}

void VtkImageView::Private::forwardMouse(QMouseEvent* event, void (vtkRenderWindowInteractor::*fire)())
{
    syncInteractorSize();
    const qreal ratio = q->devicePixelRatioF();
    const QPointF pos = event->position() * ratio;
    const Qt::KeyboardModifiers mods = event->modifiers();
    interactor->SetEventInformationFlipY(qRound(pos.x()), qRound(pos.y()), mods.testFlag(Qt::ControlModifier) ? 1 : 0,
                                         mods.testFlag(Qt::ShiftModifier) ? 1 : 0);
    (interactor.Get()->*fire)();
    event->accept();
}

VtkImageView::VtkImageView(QWidget* parent) : QWidget(parent), d(std::make_unique<Private>(this))
{
    setAttribute(Qt::WA_OpaquePaintEvent); // every pixel is painted, by VTK or the placeholder
    setFocusPolicy(Qt::ClickFocus);
    const detail::X11Display x11 = detail::sharedX11Display();
    d->unavailableReason = QString::fromStdString(x11.reason);
    if (x11.display) {
        d->createScene(x11.display);
        resetCamera();
    }
}

VtkImageView::~VtkImageView()
{
    if (d->interactor)
        d->interactor->RemoveObserver(d->renderCallback);
}

bool VtkImageView::hasRenderer() const
{
    return d->window != nullptr;
}

QString VtkImageView::unavailableReason() const
{
    return d->unavailableReason;
}

QColor VtkImageView::backgroundColor()
{
    return QColor(kBackground[0], kBackground[1], kBackground[2]);
}

QImage VtkImageView::renderToImage(QSize size)
{
    if (!hasRenderer() || size.isEmpty())
        return {};
    d->frameDirty = true; // the window now holds a frame at another size
    return detail::renderOffscreen(d->window, d->renderer, size);
}

void VtkImageView::resetCamera()
{
    if (!hasRenderer())
        return;
    vtkCamera* camera = d->renderer->GetActiveCamera();
    camera->SetPosition(-7.0, 6.0, -6.0);
    camera->SetFocalPoint(1.0, 0.0, 6.0);
    camera->SetViewUp(0.0, 1.0, 0.0);
    camera->SetViewAngle(40.0);
    d->renderer->ResetCameraClippingRange();
    d->frameDirty = true;
    update();
}

QSize VtkImageView::sizeHint() const
{
    return {640, 480};
}

QSize VtkImageView::minimumSizeHint() const
{
    return {160, 120};
}

void VtkImageView::paintEvent(QPaintEvent*)
{
    QPainter painter(this);
    if (!hasRenderer()) {
        paintPlaceholder(painter);
        return;
    }
    const QSize pixels = detail::devicePixelSize(*this);
    if (d->frameDirty || d->frame.size() != pixels) {
        d->frame = detail::renderOffscreen(d->window, d->renderer, pixels);
        d->frameDirty = false;
    }
    QImage frame = d->frame;
    frame.setDevicePixelRatio(devicePixelRatioF());
    painter.drawImage(QPoint(0, 0), frame);
}

void VtkImageView::paintPlaceholder(QPainter& painter)
{
    detail::paintUnavailable(painter, rect(), backgroundColor(), QColor(210, 214, 220), d->unavailableReason);
}

void VtkImageView::resizeEvent(QResizeEvent* event)
{
    QWidget::resizeEvent(event);
    if (hasRenderer()) {
        d->syncInteractorSize();
        d->frameDirty = true;
    }
}

void VtkImageView::mousePressEvent(QMouseEvent* event)
{
    if (!hasRenderer())
        return QWidget::mousePressEvent(event);
    switch (event->button()) {
    case Qt::LeftButton: return d->forwardMouse(event, &vtkRenderWindowInteractor::LeftButtonPressEvent);
    case Qt::MiddleButton: return d->forwardMouse(event, &vtkRenderWindowInteractor::MiddleButtonPressEvent);
    case Qt::RightButton: return d->forwardMouse(event, &vtkRenderWindowInteractor::RightButtonPressEvent);
    default: return QWidget::mousePressEvent(event);
    }
}

void VtkImageView::mouseReleaseEvent(QMouseEvent* event)
{
    if (!hasRenderer())
        return QWidget::mouseReleaseEvent(event);
    switch (event->button()) {
    case Qt::LeftButton: return d->forwardMouse(event, &vtkRenderWindowInteractor::LeftButtonReleaseEvent);
    case Qt::MiddleButton: return d->forwardMouse(event, &vtkRenderWindowInteractor::MiddleButtonReleaseEvent);
    case Qt::RightButton: return d->forwardMouse(event, &vtkRenderWindowInteractor::RightButtonReleaseEvent);
    default: return QWidget::mouseReleaseEvent(event);
    }
}

void VtkImageView::mouseMoveEvent(QMouseEvent* event)
{
    if (!hasRenderer())
        return QWidget::mouseMoveEvent(event);
    d->forwardMouse(event, &vtkRenderWindowInteractor::MouseMoveEvent);
}

void VtkImageView::wheelEvent(QWheelEvent* event)
{
    const int steps = event->angleDelta().y();
    if (!hasRenderer() || steps == 0)
        return QWidget::wheelEvent(event);
    d->syncInteractorSize();
    const QPointF pos = event->position() * devicePixelRatioF();
    d->interactor->SetEventInformationFlipY(qRound(pos.x()), qRound(pos.y()),
                                            event->modifiers().testFlag(Qt::ControlModifier) ? 1 : 0,
                                            event->modifiers().testFlag(Qt::ShiftModifier) ? 1 : 0);
    if (steps > 0)
        d->interactor->MouseWheelForwardEvent();
    else
        d->interactor->MouseWheelBackwardEvent();
    event->accept();
}

} // namespace lnscope::widgets
