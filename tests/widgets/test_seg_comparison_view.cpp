// SegComparisonView: the four panes keep one viewport (wheel, drag, keys, double-click), hiding a
// class removes its colour from the rendered panes, overlay opacity, the hover readout of known
// pixels, the difference-mode switch, the 2×2 / 1×4 choice, bad frames and the empty state, and
// image baselines at 900×500 (synthdrive frame 000005 with a made-up converted prediction).

#include "lnscope/widgets/seg_comparison_view.h"

#include "image_baseline.h"
#include "lnscope/core/seg_labels.h"
#include "lnscope/core/seg_metrics.h"
#include "test_utils.h"
#include "widget_test_utils.h"

#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QMouseEvent>
#include <QSignalSpy>
#include <QSlider>
#include <QTest>
#include <QWheelEvent>

#include <random>

using namespace lnscope;
using lnscope::test::sendMouse;
using widgets::ImageViewport;
using widgets::SegComparisonView;
using widgets::SegFrameData;
using Pane = SegComparisonView::Pane;

namespace {

constexpr QSize kBaselineSize(900, 500);
constexpr int kW = 40, kH = 20;
constexpr int kRoad = 0, kCar = 1, kSky = 2;
const QRgb kCarColour = qRgb(0, 0, 142);

/// A prediction whose winner has probability `p` and the other classes share the rest.
core::SegPrediction predictionFrom(const std::vector<uint8_t>& classMap, int w, int h, int classes, float p)
{
    core::SegPrediction pred;
    pred.width = w;
    pred.height = h;
    pred.classes = classes;
    pred.classMap = classMap;
    pred.probabilities.assign(size_t(classes) * w * h, (1.f - p) / float(classes - 1));
    for (size_t i = 0; i < classMap.size(); ++i)
        pred.probabilities[size_t(classMap[i]) * w * h + i] = p;
    return pred;
}

/// 40×20 pixels, classes road / car / sky: sky in rows 0–5, a car at x 10–19, y 10–15 (float and
/// label) or x 12–21 (converted), road elsewhere; label row 19, x < 5 is ignore. The camera image
/// is a grey ramp. So pixels (10..11, 10..15) are "only converted wrong".
SegFrameData syntheticFrame()
{
    std::vector<uint8_t> label(kW * kH), floatMap(kW * kH), convertedMap(kW * kH);
    for (int y = 0; y < kH; ++y) {
        for (int x = 0; x < kW; ++x) {
            const size_t i = size_t(y) * kW + x;
            const bool sky = y < 6, rows = y >= 10 && y < 16;
            floatMap[i] = sky ? kSky : rows && x >= 10 && x < 20 ? kCar : kRoad;
            convertedMap[i] = sky ? kSky : rows && x >= 12 && x < 22 ? kCar : kRoad;
            label[i] = y == 19 && x < 5 ? core::kIgnoreLabel : floatMap[i];
        }
    }
    SegFrameData f;
    f.floatPrediction = predictionFrom(floatMap, kW, kH, 3, 0.8f);
    f.convertedPrediction = predictionFrom(convertedMap, kW, kH, 3, 0.6f);
    f.groundTruth = core::LabelMap{kW, kH, label};
    f.difference = core::differenceMap(f.floatPrediction, f.convertedPrediction);
    f.errors = core::errorMap(f.floatPrediction, f.convertedPrediction, *f.groundTruth);
    f.classes = {{kRoad, "road", {128, 64, 128}}, {kCar, "car", {0, 0, 142}}, {kSky, "sky", {70, 130, 180}}};
    f.image = QImage(kW, kH, QImage::Format_RGB32);
    for (int y = 0; y < kH; ++y) {
        for (int x = 0; x < kW; ++x)
            f.image.setPixel(x, y, qRgb(100 + 3 * x, 100 + 3 * x, 100 + 3 * x));
    }
    return f;
}

/// Synthdrive validation frame 000005 (640×192, camera image and class-id label). The float
/// prediction is the label (ignore → its neighbour above) with probability 0.85, except for a patch
/// of trees it calls building and a patch of sky both networks call building; the converted one
/// gets the trees right, loses the lane markings in the right half, turns a patch of road into
/// sidewalk and has seeded noise in its probabilities: every error category and pane has
/// something to show.
SegFrameData synthdriveFrame()
{
    const auto dir = test::datasetsDir() / "synthdrive" / "val";
    SegFrameData f;
    f.image = QImage(QString::fromStdString((dir / "image_2" / "000005.png").string()));
    f.groundTruth = core::readClassIdPng(dir / "semantic" / "000005.png");
    f.classes = core::readClassList(dir / "classes.json");
    const int w = f.groundTruth->width, h = f.groundTruth->height, c = int(f.classes.size());
    std::vector<uint8_t> floatMap = f.groundTruth->ids;
    for (size_t i = 0; i < floatMap.size(); ++i) {
        if (floatMap[i] == core::kIgnoreLabel)
            floatMap[i] = i >= size_t(w) ? floatMap[i - size_t(w)] : 5;
    }
    std::vector<uint8_t> convertedMap = floatMap;
    auto inside = [](int x, int y, int x0, int y0, int x1, int y1) { return x >= x0 && x < x1 && y >= y0 && y < y1; };
    for (int y = 0; y < h; ++y) {
        for (int x = 0; x < w; ++x) {
            const size_t i = size_t(y) * w + x;
            if (floatMap[i] == 4 && inside(x, y, 540, 95, 600, 125))
                floatMap[i] = 3; // trees → building, float only
            if (floatMap[i] == 5 && inside(x, y, 20, 5, 120, 40))
                floatMap[i] = convertedMap[i] = 3; // sky → building, both
            if (convertedMap[i] == 1 && x > w / 2)
                convertedMap[i] = 0; // lane marking → road
            if (convertedMap[i] == 0 && inside(x, y, 150, 160, 230, 185))
                convertedMap[i] = 2; // road → sidewalk
        }
    }
    f.floatPrediction = predictionFrom(floatMap, w, h, c, 0.85f);
    f.convertedPrediction = predictionFrom(convertedMap, w, h, c, 0.7f);
    std::mt19937 rng(20261122);
    for (float& p : f.convertedPrediction.probabilities)
        p *= test::uniform(rng, 0.9f, 1.1f); // not normalised again: only the L1 image changes
    f.difference = core::differenceMap(f.floatPrediction, f.convertedPrediction);
    f.errors = core::errorMap(f.floatPrediction, f.convertedPrediction, *f.groundTruth);
    return f;
}

/// Where the centre of image pixel `px` of `pane` is in the view's coordinates.
QPoint viewPosOf(const SegComparisonView& view, Pane pane, QPoint px)
{
    const QPointF local = view.viewport(pane).map(QPointF(px) + QPointF(0.5, 0.5));
    return view.paneWidget(pane)->mapTo(&view, local.toPoint());
}

QPointF paneCentre(const SegComparisonView& view, Pane pane)
{
    return QRectF(view.paneWidget(pane)->rect()).center();
}

void sendWheel(QWidget* w, QPointF pos, int delta)
{
    QWheelEvent e(pos, w->mapToGlobal(pos), QPoint(), QPoint(0, delta), Qt::NoButton, Qt::NoModifier, Qt::NoScrollPhase,
                  false);
    QApplication::sendEvent(w, &e);
}

void hover(const SegComparisonView& view, Pane pane, QPoint px)
{
    QWidget* w = view.paneWidget(pane);
    sendMouse(w, QEvent::MouseMove, view.viewport(pane).map(QPointF(px) + QPointF(0.5, 0.5)), Qt::NoButton,
              Qt::NoButton);
}

bool allPanesEqual(const SegComparisonView& view)
{
    for (const Pane p : {Pane::Converted, Pane::GroundTruth, Pane::Difference}) {
        if (!(view.viewport(p) == view.viewport(Pane::Float)))
            return false;
    }
    return true;
}

QRgb grabbedPixel(SegComparisonView& view, Pane pane, QPoint px)
{
    return view.grab().toImage().pixel(viewPosOf(view, pane, px));
}

bool close(QRgb a, QRgb b, int tol = 3)
{
    return std::abs(qRed(a) - qRed(b)) <= tol && std::abs(qGreen(a) - qGreen(b)) <= tol
           && std::abs(qBlue(a) - qBlue(b)) <= tol;
}

QString rgbText(QRgb c)
{
    return QStringLiteral("rgb(%1, %2, %3)").arg(qRed(c)).arg(qGreen(c)).arg(qBlue(c));
}

} // namespace

class TestSegComparisonView : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void emptyState();
    void wheelZoomsAllPanesAroundTheCursor();
    void dragPansAllPanes();
    void keysAndDoubleClick();
    void hidingAClassRemovesItsColour();
    void legendTogglesClasses();
    void overlayOpacity();
    void hoverReadout();
    void differenceModeSwitch();
    void paneColumns_data();
    void paneColumns();
    void badFrameShowsWhy();
    void shortcutsListed();
    void baselines_data();
    void baselines();

private:
    void showSynthetic(SegComparisonView& view, QSize size = kBaselineSize);
};

void TestSegComparisonView::initTestCase()
{
    test::useBaselineLook();
}

void TestSegComparisonView::showSynthetic(SegComparisonView& view, QSize size)
{
    view.setFrame(syntheticFrame());
    view.resize(size);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    QCoreApplication::processEvents();
}

void TestSegComparisonView::emptyState()
{
    SegComparisonView view;
    QVERIFY(!view.hasFrame());
    QCOMPARE(view.hoverText(), QStringLiteral("no frame"));
    QVERIFY(view.readout(QPoint(0, 0)).isEmpty());
    view.setFrame(syntheticFrame());
    QVERIFY(view.hasFrame());
    view.clear();
    QVERIFY(!view.hasFrame());
    QVERIFY(!view.paneWidget(Pane::Float)->isVisible());
}

void TestSegComparisonView::wheelZoomsAllPanesAroundTheCursor()
{
    SegComparisonView view;
    showSynthetic(view);
    QSignalSpy changed(&view, &SegComparisonView::viewportChanged);
    const ImageViewport before = view.viewport(Pane::Float);
    QWidget* pane = view.paneWidget(Pane::GroundTruth);
    const QPointF cursor = paneCentre(view, Pane::GroundTruth) + QPointF(37, -11);
    const QPointF anchor = before.unmap(cursor);
    sendWheel(pane, cursor, 240); // two notches in
    const ImageViewport after = view.viewport(Pane::GroundTruth);
    QVERIFY(after.scale > before.scale * 1.5);
    QVERIFY(allPanesEqual(view));
    QVERIFY(QLineF(after.unmap(cursor), anchor).length() < 1e-9);
    QVERIFY(changed.count() >= 1);
    sendWheel(view.paneWidget(Pane::Difference), cursor, -240);
    QVERIFY(std::abs(view.viewport(Pane::Float).scale - before.scale) < 1e-9);
    QVERIFY(allPanesEqual(view));
}

void TestSegComparisonView::dragPansAllPanes()
{
    SegComparisonView view;
    showSynthetic(view);
    const ImageViewport before = view.viewport(Pane::Converted);
    QWidget* pane = view.paneWidget(Pane::Converted);
    const QPointF from(50, 40), to(90, 65);
    sendMouse(pane, QEvent::MouseButtonPress, from, Qt::LeftButton, Qt::LeftButton);
    sendMouse(pane, QEvent::MouseMove, (from + to) / 2, Qt::NoButton, Qt::LeftButton);
    sendMouse(pane, QEvent::MouseMove, to, Qt::NoButton, Qt::LeftButton);
    sendMouse(pane, QEvent::MouseButtonRelease, to, Qt::LeftButton, Qt::NoButton);
    QCOMPARE(view.viewport(Pane::Float).offset, before.offset + (to - from));
    QCOMPARE(view.viewport(Pane::Float).scale, before.scale);
    QVERIFY(allPanesEqual(view));
}

void TestSegComparisonView::keysAndDoubleClick()
{
    SegComparisonView view;
    showSynthetic(view);
    const ImageViewport fitted = view.viewport(Pane::Float);
    QTest::keyClick(&view, Qt::Key_Plus);
    QCOMPARE(view.viewport(Pane::Difference).scale, fitted.scale * 1.25);
    const QPointF zoomedOffset = view.viewport(Pane::Float).offset;
    QTest::keyClick(&view, Qt::Key_Left); // shows more of the left: the image moves right
    QCOMPARE(view.viewport(Pane::Float).offset, zoomedOffset + QPointF(40, 0));
    QVERIFY(allPanesEqual(view));
    QTest::keyClick(&view, Qt::Key_F);
    QCOMPARE(view.viewport(Pane::Converted), fitted);
    QTest::keyClick(&view, Qt::Key_Minus);
    QVERIFY(view.viewport(Pane::Float).scale < fitted.scale);
    sendMouse(view.paneWidget(Pane::GroundTruth), QEvent::MouseButtonDblClick, QPointF(20, 20), Qt::LeftButton,
              Qt::LeftButton);
    QCOMPARE(view.viewport(Pane::GroundTruth), fitted);
    QVERIFY(allPanesEqual(view));
    // While fitted, a resize refits; after a zoom it keeps the zoom.
    view.resize(1000, 560);
    QCoreApplication::processEvents();
    QVERIFY(view.viewport(Pane::Float).scale > fitted.scale);
    view.zoomBy(2.0);
    const ImageViewport zoomed = view.viewport(Pane::Float);
    view.resize(900, 500);
    QCoreApplication::processEvents();
    QCOMPARE(view.viewport(Pane::Float).scale, zoomed.scale);
}

void TestSegComparisonView::hidingAClassRemovesItsColour()
{
    SegComparisonView view;
    showSynthetic(view);
    view.setOverlayEnabled(false);
    const QPoint car(15, 12);
    for (const Pane p : {Pane::Float, Pane::Converted, Pane::GroundTruth}) {
        const QRgb c = grabbedPixel(view, p, car);
        QVERIFY2(close(c, kCarColour), qPrintable(rgbText(c)));
    }
    view.setClassVisible(kCar, false);
    QVERIFY(!view.isClassVisible(kCar));
    for (const Pane p : {Pane::Float, Pane::Converted, Pane::GroundTruth}) {
        const QRgb c = grabbedPixel(view, p, car);
        QVERIFY2(!close(c, kCarColour, 40) && qBlue(c) < 60, qPrintable(rgbText(c)));
    }
    // Other classes keep their colour; in overlay mode a hidden class shows the camera image.
    QVERIFY(close(grabbedPixel(view, Pane::Float, QPoint(2, 2)), qRgb(70, 130, 180)));
    view.setOverlayEnabled(true);
    view.setOverlayOpacity(1.0);
    QVERIFY(close(grabbedPixel(view, Pane::Float, car), qRgb(145, 145, 145))); // ramp: 100 + 3·15
    view.setClassVisible(kCar, true);
    QVERIFY(close(grabbedPixel(view, Pane::Float, car), kCarColour));
}

void TestSegComparisonView::legendTogglesClasses()
{
    SegComparisonView view;
    showSynthetic(view);
    auto* box = view.findChild<QCheckBox*>(QStringLiteral("class_1"));
    QVERIFY(box);
    QCOMPARE(box->text(), QStringLiteral("car"));
    QVERIFY(box->isChecked());
    QTest::mouseClick(box, Qt::LeftButton, {}, QPoint(8, box->height() / 2));
    QVERIFY(!box->isChecked());
    QVERIFY(!view.isClassVisible(kCar));
    view.setClassVisible(kCar, true); // and back: the legend follows the API
    QVERIFY(box->isChecked());
    auto* none = view.findChild<QWidget*>(QStringLiteral("hideAllClasses"));
    QVERIFY(none);
    QTest::mouseClick(none, Qt::LeftButton);
    QVERIFY(!view.isClassVisible(kRoad) && !view.isClassVisible(kCar) && !view.isClassVisible(kSky));
    QVERIFY(!view.findChild<QCheckBox*>(QStringLiteral("class_2"))->isChecked());
    // Hidden classes stay hidden on the next frame.
    view.setFrame(syntheticFrame());
    QVERIFY(!view.isClassVisible(kSky));
    QVERIFY(!view.findChild<QCheckBox*>(QStringLiteral("class_2"))->isChecked());
}

void TestSegComparisonView::overlayOpacity()
{
    SegComparisonView view;
    showSynthetic(view);
    QVERIFY(view.overlayEnabled());
    auto* slider = view.findChild<QSlider*>(QStringLiteral("opacity"));
    QVERIFY(slider && slider->isEnabled());
    slider->setValue(0);
    QCOMPARE(view.overlayOpacity(), 0.0);
    const QPoint road(30, 8); // camera 100 + 3·30 = 190
    QVERIFY(close(grabbedPixel(view, Pane::Float, road), qRgb(190, 190, 190)));
    slider->setValue(100);
    QVERIFY(close(grabbedPixel(view, Pane::Float, road), qRgb(128, 64, 128)));
    slider->setValue(50);
    QVERIFY(close(grabbedPixel(view, Pane::Float, road), qRgb(159, 127, 159)));
    QTest::keyClick(&view, Qt::Key_O);
    QVERIFY(!view.overlayEnabled());
    QVERIFY(!slider->isEnabled());
    QVERIFY(close(grabbedPixel(view, Pane::Float, road), qRgb(128, 64, 128)));
    // Without a camera image there is no overlay mode.
    SegFrameData noImage = syntheticFrame();
    noImage.image = QImage();
    view.setOverlayEnabled(true);
    view.setFrame(noImage);
    QVERIFY(!view.overlayEnabled());
    QVERIFY(!view.findChild<QCheckBox*>(QStringLiteral("overlay"))->isEnabled());
}

void TestSegComparisonView::hoverReadout()
{
    SegComparisonView view;
    showSynthetic(view);
    hover(view, Pane::Converted, QPoint(11, 12));
    const QString text = view.hoverText();
    QVERIFY2(text.contains(QStringLiteral("pixel (11, 12)")), qPrintable(text));
    QVERIFY2(text.contains(QStringLiteral("float: car 0.80")), qPrintable(text));
    QVERIFY2(text.contains(QStringLiteral("converted: road 0.60")), qPrintable(text));
    QVERIFY2(text.contains(QStringLiteral("label: car")), qPrintable(text));
    // L1 = |0.1 − 0.6| + |0.8 − 0.2| + |0.1 − 0.2| = 1.2
    QVERIFY2(text.contains(QStringLiteral("L1 1.200")), qPrintable(text));
    QVERIFY2(text.contains(QStringLiteral("only converted wrong")), qPrintable(text));
    hover(view, Pane::Difference, QPoint(2, 19));
    QVERIFY2(view.hoverText().contains(QStringLiteral("label: ignore")), qPrintable(view.hoverText()));
    QVERIFY2(view.hoverText().contains(QStringLiteral("float: road 0.80")), qPrintable(view.hoverText()));
    // Outside the image: back to the hint, no readout.
    sendMouse(view.paneWidget(Pane::Float), QEvent::MouseMove, view.viewport(Pane::Float).map(QPointF(-5, -5)),
              Qt::NoButton, Qt::NoButton);
    QVERIFY2(!view.hoverText().contains(QStringLiteral("pixel (")), qPrintable(view.hoverText()));
    QVERIFY(view.readout(QPoint(kW, 0)).isEmpty());
}

void TestSegComparisonView::differenceModeSwitch()
{
    SegComparisonView view;
    showSynthetic(view);
    QCOMPARE(view.differenceMode(), SegComparisonView::DifferenceMode::FloatVsConverted);
    const QPoint changed(10, 12), agreed(30, 8);
    QCOMPARE(grabbedPixel(view, Pane::Difference, agreed), qRgb(0, 0, 0));
    const auto ramp = core::diffRampColour(1.2f);
    QVERIFY(close(grabbedPixel(view, Pane::Difference, changed), qRgb(ramp[0], ramp[1], ramp[2])));
    QTest::keyClick(&view, Qt::Key_D);
    QCOMPARE(view.differenceMode(), SegComparisonView::DifferenceMode::ErrorsVsGroundTruth);
    QVERIFY(close(grabbedPixel(view, Pane::Difference, changed), qRgb(213, 94, 0)));       // only converted wrong
    QVERIFY(close(grabbedPixel(view, Pane::Difference, QPoint(1, 19)), qRgb(48, 48, 48))); // ignore
    QCOMPARE(view.findChild<QComboBox*>(QStringLiteral("differenceMode"))->currentIndex(), 1);
    QTest::keyClick(&view, Qt::Key_D);
    QCOMPARE(view.differenceMode(), SegComparisonView::DifferenceMode::FloatVsConverted);
    // Without ground truth there is no error mode.
    SegFrameData noLabels = syntheticFrame();
    noLabels.groundTruth.reset();
    noLabels.errors.reset();
    view.setFrame(noLabels);
    view.setDifferenceMode(SegComparisonView::DifferenceMode::ErrorsVsGroundTruth);
    QCOMPARE(view.differenceMode(), SegComparisonView::DifferenceMode::FloatVsConverted);
    hover(view, Pane::Float, QPoint(3, 3));
    QVERIFY2(view.hoverText().contains(QStringLiteral("no label")), qPrintable(view.hoverText()));
}

void TestSegComparisonView::paneColumns_data()
{
    QTest::addColumn<QSize>("area");
    QTest::addColumn<QSize>("image");
    QTest::addColumn<int>("columns");
    QTest::addRow("wide image, ordinary area") << QSize(700, 400) << QSize(640, 192) << 2;
    QTest::addRow("wide image, very wide area") << QSize(1600, 200) << QSize(640, 192) << 4;
    QTest::addRow("square image, wide area") << QSize(1200, 300) << QSize(100, 100) << 4;
    QTest::addRow("square image, square area") << QSize(600, 600) << QSize(100, 100) << 2;
    QTest::addRow("no image, wide") << QSize(1000, 300) << QSize() << 4;
    QTest::addRow("no image, ordinary") << QSize(800, 500) << QSize() << 2;
}

void TestSegComparisonView::paneColumns()
{
    QFETCH(QSize, area);
    QFETCH(QSize, image);
    QFETCH(int, columns);
    QCOMPARE(SegComparisonView::paneColumns(area, image), columns);
}

void TestSegComparisonView::badFrameShowsWhy()
{
    SegComparisonView view;
    SegFrameData bad = syntheticFrame();
    bad.groundTruth->width = 7;
    view.setFrame(bad);
    QVERIFY(!view.hasFrame());
    QVERIFY2(view.frameProblem().contains(QStringLiteral("ground truth is 7×20")), qPrintable(view.frameProblem()));
    SegFrameData badIds = syntheticFrame();
    badIds.convertedPrediction.classMap[5] = 9;
    view.setFrame(badIds);
    QVERIFY2(view.frameProblem().startsWith(QStringLiteral("converted prediction:")), qPrintable(view.frameProblem()));
    view.setFrame(syntheticFrame());
    QVERIFY(view.hasFrame());
    QVERIFY(view.frameProblem().isEmpty());
}

void TestSegComparisonView::shortcutsListed()
{
    QStringList keys;
    for (const auto& [key, what] : SegComparisonView::shortcuts())
        keys << key;
    for (const QString& k : {QStringLiteral("F"), QStringLiteral("O"), QStringLiteral("D")})
        QVERIFY2(keys.join(QLatin1Char(' ')).contains(k), qPrintable(keys.join(QLatin1Char(' '))));
}

void TestSegComparisonView::baselines_data()
{
    QTest::addColumn<QString>("name");
    QTest::addRow("overlay") << QStringLiteral("overlay");
    QTest::addRow("classes_errors_zoomed") << QStringLiteral("classes_errors_zoomed");
    QTest::addRow("wide") << QStringLiteral("wide");
    QTest::addRow("no_frame") << QStringLiteral("no_frame");
}

void TestSegComparisonView::baselines()
{
    QFETCH(QString, name);
    static const SegFrameData frame = synthdriveFrame();
    SegComparisonView view;
    QSize size = kBaselineSize;
    if (name != QStringLiteral("no_frame"))
        view.setFrame(frame);
    if (name == QStringLiteral("wide"))
        size = QSize(1600, 260);
    view.resize(size);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    QCoreApplication::processEvents();
    if (name == QStringLiteral("overlay")) {
        hover(view, Pane::Float, QPoint(190, 172));
    } else if (name == QStringLiteral("classes_errors_zoomed")) {
        view.setOverlayEnabled(false);
        view.setDifferenceMode(SegComparisonView::DifferenceMode::ErrorsVsGroundTruth);
        view.setClassVisible(5, false); // sky
        sendWheel(view.paneWidget(Pane::Float), view.viewport(Pane::Float).map(QPointF(200, 150)), 360);
        hover(view, Pane::Converted, QPoint(190, 172));
    }
    const QImage image = test::grabAtSize(view, size);
    QCOMPARE(view.paneColumnCount(), name == QStringLiteral("wide") ? 4 : 2);
    LNSCOPE_COMPARE_BASELINE(image, QStringLiteral("test_seg_comparison_view_") + name);
}

QTEST_MAIN(TestSegComparisonView)
#include "test_seg_comparison_view.moc"
