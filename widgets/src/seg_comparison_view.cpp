// Four synchronized panes, controls, legends and the hover readout; see seg_comparison_view.h.

#include "lnscope/widgets/seg_comparison_view.h"

#include "seg_image_pane.h"

#include <QCheckBox>
#include <QComboBox>
#include <QHBoxLayout>
#include <QKeyEvent>
#include <QLabel>
#include <QPainter>
#include <QPixmap>
#include <QScrollArea>
#include <QSlider>
#include <QStandardItemModel>
#include <QToolButton>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace lnscope::widgets {

namespace {

/// Colour of classes that are hidden, unknown or ignored when there is no camera image under them.
constexpr QRgb kNoClassColour = 0xff181818;
/// Colour of class ids missing from the class list.
constexpr QRgb kUnlistedClassColour = 0xff808080;
constexpr double kKeyZoomFactor = 1.25;
constexpr double kKeyPanPixels = 40.0;
constexpr int kSidePanelWidth = 172;

QString hintText()
{
    return SegComparisonView::tr("Hover over a pane to read a pixel · wheel: zoom · drag: pan · F: fit · "
                                 "O: overlay · D: difference mode");
}

QIcon swatchIcon(QRgb colour)
{
    QPixmap pixmap(12, 12);
    pixmap.fill(QColor(colour));
    QPainter painter(&pixmap);
    painter.setPen(QColor(60, 60, 60));
    painter.drawRect(0, 0, 11, 11);
    return QIcon(pixmap);
}

} // namespace

struct SegComparisonView::Private
{
    std::optional<SegFrameData> frame; ///< shown frame (valid), or none
    QString problem;
    QImage camera; ///< RGB32 at the prediction size, or null
    QImage differenceImage, errorImage;
    std::array<bool, 256> hidden{};
    bool overlay = true;
    double opacity = 0.5;
    DifferenceMode mode = DifferenceMode::FloatVsConverted;
    bool autoFit = true;

    SegPaneGrid* grid = nullptr;
    std::array<SegImagePane*, kPaneCount> panes{};
    QCheckBox* overlayBox = nullptr;
    QSlider* opacitySlider = nullptr;
    QLabel* opacityLabel = nullptr;
    QLabel* opacityValue = nullptr;
    QComboBox* modeBox = nullptr;
    QWidget* classList = nullptr;
    std::vector<QCheckBox*> classBoxes;
    SegDifferenceLegend* differenceLegend = nullptr;
    QLabel* readout = nullptr;

    SegImagePane* pane(Pane p) const { return panes[size_t(p)]; }
    QSize imageSize() const
    {
        return frame ? QSize(frame->floatPrediction.width, frame->floatPrediction.height) : QSize();
    }
    QString className(int id) const
    {
        if (frame) {
            for (const auto& c : frame->classes) {
                if (c.id == id)
                    return QString::fromStdString(c.name);
            }
        }
        return SegComparisonView::tr("class %1").arg(id);
    }
    QString predictionText(const core::SegPrediction& p, QPoint px) const
    {
        const size_t pixel = size_t(px.y()) * size_t(p.width) + size_t(px.x());
        const int id = p.classMap[pixel];
        QString text = className(id);
        if (p.probabilities.size() == size_t(p.classes) * size_t(p.width) * size_t(p.height))
            text +=
                QStringLiteral(" %1").arg(double(p.probabilities[size_t(id) * p.width * p.height + pixel]), 0, 'f', 2);
        return text;
    }
};

SegComparisonView::SegComparisonView(QWidget* parent) : QWidget(parent), d(std::make_unique<Private>())
{
    setFocusPolicy(Qt::StrongFocus);
    buildUi();
    clear();
}

SegComparisonView::~SegComparisonView() = default;

void SegComparisonView::buildUi()
{
    d->grid = new SegPaneGrid(this);
    d->grid->setObjectName(QStringLiteral("paneGrid"));
    const std::array<QString, kPaneCount> titles{tr("float"), tr("converted"), tr("ground truth"), QString()};
    const std::array<const char*, kPaneCount> names{"floatPane", "convertedPane", "groundTruthPane", "differencePane"};
    for (size_t i = 0; i < d->panes.size(); ++i) {
        auto* pane = new SegImagePane(titles[i]);
        pane->setObjectName(QString::fromLatin1(names[i]));
        connect(pane, &SegImagePane::viewportEdited, this, [this](const ImageViewport& v) { applyViewport(v, true); });
        connect(pane, &SegImagePane::fitRequested, this, &SegComparisonView::fitToView);
        connect(pane, &SegImagePane::hovered, this, &SegComparisonView::onPaneHovered);
        connect(pane, &SegImagePane::left, this, &SegComparisonView::onPaneLeft);
        d->panes[i] = pane;
    }
    d->grid->setPanes(d->panes);
    connect(d->grid, &SegPaneGrid::resized, this, &SegComparisonView::onGridResized);

    d->readout = new QLabel(this);
    d->readout->setObjectName(QStringLiteral("readout"));
    d->readout->setWordWrap(true);
    d->readout->setTextFormat(Qt::PlainText);
    d->readout->setFixedHeight(2 * fontMetrics().height() + 4); // two lines: changeEvent() follows the font
    d->readout->setAlignment(Qt::AlignLeft | Qt::AlignTop);

    auto* centre = new QHBoxLayout;
    centre->setContentsMargins(0, 0, 0, 0);
    centre->addWidget(d->grid, 1);
    centre->addWidget(buildSidePanel());
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->setSpacing(4);
    layout->addWidget(buildToolBar());
    layout->addLayout(centre, 1);
    layout->addWidget(d->readout);
}

QWidget* SegComparisonView::buildToolBar()
{
    auto* bar = new QWidget(this);
    auto* row = new QHBoxLayout(bar);
    row->setContentsMargins(0, 0, 0, 0);
    d->overlayBox = new QCheckBox(tr("Overlay on image (O)"), bar);
    d->overlayBox->setObjectName(QStringLiteral("overlay"));
    d->overlayBox->setToolTip(tr("Class colours over the camera image, or class colours only"));
    connect(d->overlayBox, &QCheckBox::toggled, this, &SegComparisonView::setOverlayEnabled);
    d->opacitySlider = new QSlider(Qt::Horizontal, bar);
    d->opacitySlider->setObjectName(QStringLiteral("opacity"));
    d->opacitySlider->setRange(0, 100);
    d->opacitySlider->setMaximumWidth(140);
    d->opacitySlider->setToolTip(tr("Opacity of the class colours over the camera image"));
    connect(d->opacitySlider, &QSlider::valueChanged, this, [this](int v) { setOverlayOpacity(v / 100.0); });
    d->opacityValue = new QLabel(bar);
    d->opacityValue->setMinimumWidth(fontMetrics().horizontalAdvance(QStringLiteral("100 %")));
    d->modeBox = new QComboBox(bar);
    d->modeBox->setObjectName(QStringLiteral("differenceMode"));
    d->modeBox->addItem(tr("Difference: float vs converted"));
    d->modeBox->addItem(tr("Errors vs ground truth"));
    d->modeBox->setToolTip(tr("What the fourth pane shows (D)"));
    connect(d->modeBox, &QComboBox::activated, this, [this](int i) {
        setDifferenceMode(i == 0 ? DifferenceMode::FloatVsConverted : DifferenceMode::ErrorsVsGroundTruth);
    });
    auto* fit = new QToolButton(bar);
    fit->setObjectName(QStringLiteral("fit"));
    fit->setText(tr("Fit (F)"));
    connect(fit, &QToolButton::clicked, this, &SegComparisonView::fitToView);
    row->addWidget(d->overlayBox);
    d->opacityLabel = new QLabel(tr("Opacity"), bar);
    row->addWidget(d->opacityLabel);
    row->addWidget(d->opacitySlider);
    row->addWidget(d->opacityValue);
    row->addStretch(1);
    row->addWidget(d->modeBox);
    row->addWidget(fit);
    return bar;
}

QWidget* SegComparisonView::buildSidePanel()
{
    auto* panel = new QWidget(this);
    panel->setFixedWidth(kSidePanelWidth);
    auto* column = new QVBoxLayout(panel);
    column->setContentsMargins(4, 0, 0, 0);
    column->setSpacing(4);
    auto* header = new QHBoxLayout;
    auto* title = new QLabel(tr("Classes"), panel);
    QFont bold = title->font();
    bold.setBold(true);
    title->setFont(bold);
    header->addWidget(title, 1);
    for (const bool show : {true, false}) {
        auto* button = new QToolButton(panel);
        button->setText(show ? tr("all") : tr("none"));
        button->setObjectName(show ? QStringLiteral("showAllClasses") : QStringLiteral("hideAllClasses"));
        button->setAutoRaise(true);
        connect(button, &QToolButton::clicked, this, [this, show] {
            if (!d->frame)
                return;
            for (const auto& c : d->frame->classes)
                setClassVisible(c.id, show);
        });
        header->addWidget(button);
    }
    column->addLayout(header);
    d->classList = new QWidget;
    d->classList->setObjectName(QStringLiteral("classLegend"));
    auto* listLayout = new QVBoxLayout(d->classList);
    listLayout->setContentsMargins(0, 0, 0, 0);
    listLayout->setSpacing(1);
    listLayout->addStretch(1);
    auto* scroll = new QScrollArea(panel);
    scroll->setWidget(d->classList);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    column->addWidget(scroll, 1);
    d->differenceLegend = new SegDifferenceLegend(panel);
    d->differenceLegend->setObjectName(QStringLiteral("differenceLegend"));
    column->addWidget(d->differenceLegend);
    return panel;
}

void SegComparisonView::rebuildClassLegend()
{
    for (QCheckBox* box : d->classBoxes)
        delete box;
    d->classBoxes.clear();
    if (!d->frame)
        return;
    auto* layout = static_cast<QVBoxLayout*>(d->classList->layout());
    for (const auto& c : d->frame->classes) {
        if (c.id < 0 || c.id >= 255)
            continue;
        auto* box = new QCheckBox(QString::fromStdString(c.name), d->classList);
        box->setObjectName(QStringLiteral("class_%1").arg(c.id));
        box->setIcon(swatchIcon(qRgb(c.color[0], c.color[1], c.color[2])));
        box->setChecked(!d->hidden[size_t(c.id)]);
        box->setToolTip(tr("Show or hide class %1 (%2) in the class panes").arg(c.id).arg(box->text()));
        const int id = c.id;
        connect(box, &QCheckBox::toggled, this, [this, id](bool on) { setClassVisible(id, on); });
        layout->insertWidget(layout->count() - 1, box);
        d->classBoxes.push_back(box);
    }
}

void SegComparisonView::setFrame(const SegFrameData& frame)
{
    const QSize previous = d->imageSize();
    d->problem = segFrameProblem(frame);
    if (!d->problem.isEmpty()) {
        d->frame.reset();
        d->camera = d->differenceImage = d->errorImage = QImage();
        rebuildClassLegend();
        d->grid->setPlaceholder(tr("cannot show this frame: %1").arg(d->problem));
        d->readout->clear();
        updateControls();
        return;
    }
    d->frame = frame;
    const QSize size = d->imageSize();
    d->camera = frame.image.isNull()         ? QImage()
                : frame.image.size() == size ? frame.image.convertToFormat(QImage::Format_RGB32)
                                             : frame.image.scaled(size, Qt::IgnoreAspectRatio, Qt::SmoothTransformation)
                                                   .convertToFormat(QImage::Format_RGB32);
    d->differenceImage = rgbToImage(frame.difference.rgb, frame.difference.width, frame.difference.height);
    d->errorImage = frame.errors ? rgbToImage(frame.errors->rgb, frame.errors->width, frame.errors->height) : QImage();
    if (d->errorImage.isNull())
        d->mode = DifferenceMode::FloatVsConverted;
    d->grid->setPlaceholder(QString());
    d->grid->setImageSize(size);
    rebuildClassLegend();
    recompose();
    updateControls();
    if (d->autoFit || size != previous)
        fitToView();
    for (SegImagePane* pane : d->panes)
        pane->setMarker(std::nullopt);
    d->readout->setText(hintText());
}

void SegComparisonView::clear()
{
    d->frame.reset();
    d->problem.clear();
    d->camera = d->differenceImage = d->errorImage = QImage();
    for (SegImagePane* pane : d->panes) {
        pane->setImage({});
        pane->setMarker(std::nullopt);
    }
    d->grid->setImageSize({});
    d->grid->setPlaceholder(tr("no frame"));
    d->autoFit = true;
    rebuildClassLegend();
    d->readout->setText(tr("no frame"));
    updateControls();
}

bool SegComparisonView::hasFrame() const
{
    return d->frame.has_value();
}

QString SegComparisonView::frameProblem() const
{
    return d->problem;
}

void SegComparisonView::recompose()
{
    if (!d->frame)
        return;
    const SegFrameData& f = *d->frame;
    ClassColourTable table;
    table.colour.fill(kUnlistedClassColour);
    for (size_t id = 0; id < 255; ++id)
        table.visible[id] = !d->hidden[id];
    for (const auto& c : f.classes) {
        if (c.id >= 0 && c.id < 255)
            table.colour[size_t(c.id)] = qRgb(c.color[0], c.color[1], c.color[2]);
    }
    table.visible[core::kIgnoreLabel] = false;
    const QImage camera = overlayEnabled() ? d->camera : QImage();
    const auto& fp = f.floatPrediction;
    d->pane(Pane::Float)
        ->setImage(composeClassImage(fp.classMap, fp.width, fp.height, table, camera, d->opacity, kNoClassColour));
    const auto& cp = f.convertedPrediction;
    d->pane(Pane::Converted)
        ->setImage(composeClassImage(cp.classMap, cp.width, cp.height, table, camera, d->opacity, kNoClassColour));
    SegImagePane* gt = d->pane(Pane::GroundTruth);
    gt->setPlaceholder(tr("no ground truth"));
    gt->setImage(f.groundTruth ? composeClassImage(f.groundTruth->ids, f.groundTruth->width, f.groundTruth->height,
                                                   table, camera, d->opacity, kNoClassColour)
                               : QImage());
    updateDifferencePane();
}

void SegComparisonView::updateDifferencePane()
{
    SegImagePane* pane = d->pane(Pane::Difference);
    if (!d->frame) {
        pane->setImage({});
        return;
    }
    if (d->mode == DifferenceMode::ErrorsVsGroundTruth && !d->errorImage.isNull()) {
        pane->setTitle(tr("errors vs ground truth"));
        pane->setImage(d->errorImage);
        d->differenceLegend->showCategories(d->frame->errors->counts);
        return;
    }
    pane->setTitle(tr("difference: float vs converted"));
    pane->setPlaceholder(tr("no difference map"));
    pane->setImage(d->differenceImage);
    d->differenceLegend->showRamp(d->frame->difference.disagreeingPixels, d->frame->difference.maxL1);
}

void SegComparisonView::updateControls()
{
    const bool haveFrame = d->frame.has_value();
    const QSignalBlocker b1(d->overlayBox), b2(d->opacitySlider), b3(d->modeBox);
    d->overlayBox->setEnabled(haveFrame && !d->camera.isNull());
    d->overlayBox->setChecked(overlayEnabled());
    for (QWidget* w : {static_cast<QWidget*>(d->opacitySlider), static_cast<QWidget*>(d->opacityLabel),
                       static_cast<QWidget*>(d->opacityValue)})
        w->setEnabled(overlayEnabled());
    d->opacitySlider->setValue(int(std::lround(d->opacity * 100.0)));
    d->opacityValue->setText(QStringLiteral("%1 %").arg(d->opacitySlider->value()));
    d->modeBox->setEnabled(haveFrame);
    d->modeBox->setCurrentIndex(d->mode == DifferenceMode::FloatVsConverted ? 0 : 1);
    if (auto* model = qobject_cast<QStandardItemModel*>(d->modeBox->model())) {
        if (QStandardItem* errors = model->item(1))
            errors->setEnabled(!d->errorImage.isNull());
    }
    d->differenceLegend->setVisible(haveFrame);
}

ImageViewport SegComparisonView::viewport(Pane pane) const
{
    return d->pane(pane)->viewport();
}

void SegComparisonView::setViewport(const ImageViewport& viewport)
{
    applyViewport(viewport, true);
}

void SegComparisonView::applyViewport(const ImageViewport& viewport, bool userEdit)
{
    for (SegImagePane* pane : d->panes)
        pane->setViewport(viewport);
    if (userEdit)
        d->autoFit = false;
    emit viewportChanged(viewport);
}

void SegComparisonView::fitToView()
{
    ImageViewport viewport;
    viewport.fit(d->imageSize(), d->grid->paneSize());
    applyViewport(viewport, false);
    d->autoFit = true;
}

void SegComparisonView::zoomBy(double factor)
{
    ImageViewport viewport = d->pane(Pane::Float)->viewport();
    const QSize pane = d->grid->paneSize();
    viewport.zoomAt(QPointF(pane.width() / 2.0, pane.height() / 2.0), factor);
    applyViewport(viewport, true);
}

QWidget* SegComparisonView::paneWidget(Pane pane) const
{
    return d->pane(pane);
}

int SegComparisonView::paneColumnCount() const
{
    return d->grid->columns();
}

void SegComparisonView::onGridResized()
{
    if (d->autoFit && d->frame)
        fitToView();
}

void SegComparisonView::setOverlayEnabled(bool on)
{
    d->overlay = on;
    recompose();
    updateControls();
}

bool SegComparisonView::overlayEnabled() const
{
    return d->overlay && !d->camera.isNull();
}

void SegComparisonView::setOverlayOpacity(double opacity)
{
    d->opacity = std::isfinite(opacity) ? std::clamp(opacity, 0.0, 1.0) : 0.5;
    if (overlayEnabled())
        recompose();
    updateControls();
}

double SegComparisonView::overlayOpacity() const
{
    return d->opacity;
}

void SegComparisonView::setClassVisible(int classId, bool visible)
{
    if (classId < 0 || classId >= 255 || d->hidden[size_t(classId)] == !visible)
        return;
    d->hidden[size_t(classId)] = !visible;
    for (QCheckBox* box : d->classBoxes) {
        if (box->objectName() == QStringLiteral("class_%1").arg(classId)) {
            const QSignalBlocker blocker(box);
            box->setChecked(visible);
        }
    }
    recompose();
}

bool SegComparisonView::isClassVisible(int classId) const
{
    return classId >= 0 && classId < 255 && !d->hidden[size_t(classId)];
}

void SegComparisonView::setDifferenceMode(DifferenceMode mode)
{
    if (mode == DifferenceMode::ErrorsVsGroundTruth && d->errorImage.isNull())
        mode = DifferenceMode::FloatVsConverted;
    d->mode = mode;
    updateDifferencePane();
    updateControls();
}

SegComparisonView::DifferenceMode SegComparisonView::differenceMode() const
{
    return d->mode;
}

QString SegComparisonView::readout(QPoint px) const
{
    if (!d->frame || !QRect(QPoint(0, 0), d->imageSize()).contains(px))
        return {};
    const SegFrameData& f = *d->frame;
    const size_t pixel = size_t(px.y()) * size_t(f.floatPrediction.width) + size_t(px.x());
    QStringList parts;
    parts << tr("pixel (%1, %2)").arg(px.x()).arg(px.y());
    parts << tr("float: %1").arg(d->predictionText(f.floatPrediction, px));
    parts << tr("converted: %1").arg(d->predictionText(f.convertedPrediction, px));
    if (f.groundTruth) {
        const uint8_t label = f.groundTruth->ids[pixel];
        parts << tr("label: %1").arg(label == core::kIgnoreLabel ? tr("ignore") : d->className(label));
    } else {
        parts << tr("no label");
    }
    if (f.difference.l1.size() > pixel && f.difference.width == f.floatPrediction.width)
        parts << tr("L1 %1").arg(double(f.difference.l1[pixel]), 0, 'f', 3);
    if (f.errors && f.errors->categories.size() > pixel)
        parts << QString::fromUtf8(core::segErrorCategoryName(f.errors->categories[pixel]));
    return parts.join(QStringLiteral(" · "));
}

QString SegComparisonView::hoverText() const
{
    return d->readout->text();
}

void SegComparisonView::onPaneHovered(QPointF imagePx)
{
    const QPoint px(int(std::floor(imagePx.x())), int(std::floor(imagePx.y())));
    const QString text = readout(px);
    const std::optional<QPoint> marker = text.isEmpty() ? std::nullopt : std::optional<QPoint>(px);
    for (SegImagePane* pane : d->panes)
        pane->setMarker(marker);
    if (d->frame)
        d->readout->setText(text.isEmpty() ? hintText() : text);
}

void SegComparisonView::onPaneLeft()
{
    for (SegImagePane* pane : d->panes)
        pane->setMarker(std::nullopt);
}

void SegComparisonView::keyPressEvent(QKeyEvent* event)
{
    ImageViewport viewport = d->pane(Pane::Float)->viewport();
    switch (event->key()) {
    case Qt::Key_Plus:
    case Qt::Key_Equal: zoomBy(kKeyZoomFactor); break;
    case Qt::Key_Minus: zoomBy(1.0 / kKeyZoomFactor); break;
    case Qt::Key_Left:
        viewport.pan({kKeyPanPixels, 0});
        applyViewport(viewport, true);
        break;
    case Qt::Key_Right:
        viewport.pan({-kKeyPanPixels, 0});
        applyViewport(viewport, true);
        break;
    case Qt::Key_Up:
        viewport.pan({0, kKeyPanPixels});
        applyViewport(viewport, true);
        break;
    case Qt::Key_Down:
        viewport.pan({0, -kKeyPanPixels});
        applyViewport(viewport, true);
        break;
    case Qt::Key_F: fitToView(); break;
    case Qt::Key_O: setOverlayEnabled(!d->overlay); break;
    case Qt::Key_D:
        setDifferenceMode(d->mode == DifferenceMode::FloatVsConverted ? DifferenceMode::ErrorsVsGroundTruth
                                                                      : DifferenceMode::FloatVsConverted);
        break;
    default: QWidget::keyPressEvent(event); return;
    }
    event->accept();
}

int SegComparisonView::paneColumns(QSize area, QSize image)
{
    if (area.isEmpty())
        return 2;
    if (image.isEmpty())
        return area.width() > 2.5 * area.height() ? 4 : 2;
    auto scaleFor = [&](int columns) {
        const int rows = 4 / columns;
        const double w = double(area.width() - SegPaneGrid::kGap * (columns - 1)) / columns;
        const double h = double(area.height() - SegPaneGrid::kGap * (rows - 1)) / rows;
        return std::min(w / image.width(), h / image.height());
    };
    return scaleFor(4) > scaleFor(2) ? 4 : 2;
}

QList<QPair<QString, QString>> SegComparisonView::shortcuts()
{
    return {{tr("Wheel"), tr("zoom around the cursor (all panes)")},
            {tr("Drag"), tr("pan (all panes)")},
            {tr("Double-click, F"), tr("fit the image to the panes")},
            {tr("+ / −"), tr("zoom in / out")},
            {tr("Arrow keys"), tr("pan")},
            {tr("O"), tr("overlay on the camera image / class colours only")},
            {tr("D"), tr("difference: float vs converted / errors vs ground truth")}};
}

QSize SegComparisonView::sizeHint() const
{
    return {900, 500};
}

QSize SegComparisonView::minimumSizeHint() const
{
    return {420, 280};
}

void SegComparisonView::changeEvent(QEvent* event)
{
    QWidget::changeEvent(event);
    if (event->type() == QEvent::FontChange) // e.g. presentation mode's larger font
        d->readout->setFixedHeight(2 * fontMetrics().height() + 4);
}

} // namespace lnscope::widgets
