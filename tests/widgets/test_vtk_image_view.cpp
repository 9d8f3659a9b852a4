// VtkImageView: the offscreen VTK scene shows up as pixels, mouse events reach the camera, and
// without an X display the view degrades to a placeholder instead of aborting the process.
// Rendering needs an X display with GLX (ctest label `render`, run under `xvfb-run -a`).

#include "lnscope/widgets/vtk_image_view.h"

#include "display_guard.h"
#include "widget_test_utils.h"

#include <QTest>
#include <QWheelEvent>

using lnscope::test::ScopedDisplay;
using lnscope::test::sendMouse;
using lnscope::test::shareNotColour;
using lnscope::widgets::VtkImageView;

namespace {

constexpr QSize kRenderSize(320, 240);


// The sample box is drawn in flat orange (1.0, 0.6, 0.1): count pixels close to it.
int orangePixels(const QImage& image)
{
    int count = 0;
    for (int y = 0; y < image.height(); ++y)
        for (int x = 0; x < image.width(); ++x) {
            const QColor c = image.pixelColor(x, y);
            if (c.red() > 230 && c.green() > 130 && c.green() < 175 && c.blue() < 50)
                ++count;
        }
    return count;
}

} // namespace

class TestVtkImageView : public QObject
{
    Q_OBJECT
private slots:
    void rendersTheScene()
    {
        LNSCOPE_NEED_DISPLAY();
        VtkImageView view;
        QVERIFY2(view.hasRenderer(), qPrintable(view.unavailableReason()));
        QVERIFY(view.unavailableReason().isEmpty());

        const QImage image = view.renderToImage(kRenderSize);
        QCOMPARE(image.size(), kRenderSize);
        const double notBackground = shareNotColour(image, VtkImageView::backgroundColor());
        // Mostly background (a real clear happened, not garbage) but > 1 % drawn (grid, axes, box).
        QVERIFY2(notBackground > 0.01, qPrintable(QString("only %1 % of pixels drawn").arg(notBackground * 100)));
        QVERIFY2(notBackground < 0.6,
                 qPrintable(QString("%1 % of pixels are not background").arg(notBackground * 100)));
        QVERIFY2(orangePixels(image) > 100, qPrintable(QString("box pixels: %1").arg(orangePixels(image))));
    }

    void rendersDeterministically()
    {
        LNSCOPE_NEED_DISPLAY();
        VtkImageView view;
        QVERIFY(view.hasRenderer());
        QCOMPARE(view.renderToImage(kRenderSize), view.renderToImage(kRenderSize));
    }

    void paintsTheSceneIntoTheWidget()
    {
        LNSCOPE_NEED_DISPLAY();
        VtkImageView view;
        view.resize(kRenderSize);
        const QImage grabbed = view.grab().toImage().convertToFormat(QImage::Format_RGB888);
        QCOMPARE(grabbed.size(), kRenderSize);
        QVERIFY(orangePixels(grabbed) > 100);
    }

    void dragOrbitsAndWheelZooms_data()
    {
        QTest::addColumn<int>("kind");
        QTest::addRow("left drag orbits") << 0;
        QTest::addRow("wheel zooms") << 1;
        QTest::addRow("right drag zooms") << 2;
    }

    void dragOrbitsAndWheelZooms()
    {
        LNSCOPE_NEED_DISPLAY();
        QFETCH(int, kind);
        VtkImageView view;
        view.resize(kRenderSize);
        const QImage before = view.renderToImage(kRenderSize);

        const QPoint centre(kRenderSize.width() / 2, kRenderSize.height() / 2);
        if (kind == 1) {
            QWheelEvent wheel(QPointF(centre), view.mapToGlobal(QPointF(centre)), QPoint(), QPoint(0, 120),
                              Qt::NoButton, Qt::NoModifier, Qt::NoScrollPhase, false);
            QCoreApplication::sendEvent(&view, &wheel);
        } else {
            const Qt::MouseButton button = kind == 0 ? Qt::LeftButton : Qt::RightButton;
            sendMouse(&view, QEvent::MouseButtonPress, centre, button, button);
            for (int step = 1; step <= 4; ++step)
                sendMouse(&view, QEvent::MouseMove, centre + QPoint(15 * step, 10 * step), Qt::NoButton, button);
            sendMouse(&view, QEvent::MouseButtonRelease, centre + QPoint(60, 40), button, Qt::NoButton);
        }
        const QImage after = view.renderToImage(kRenderSize);
        QVERIFY2(after != before, "the camera did not move");

        view.resetCamera();
        QCOMPARE(view.renderToImage(kRenderSize), before);
    }

    void placeholderWithoutDisplay()
    {
        // Debian's VTK aborts the process when it cannot open a display: the view must notice
        // first. (A second ctest entry runs this whole binary with DISPLAY unset as well.)
        const ScopedDisplay unset;
        VtkImageView view;
        QVERIFY(!view.hasRenderer());
        QVERIFY2(view.unavailableReason().contains("DISPLAY"), qPrintable(view.unavailableReason()));
        QVERIFY(view.renderToImage(kRenderSize).isNull());

        // Mouse events must be harmless too.
        sendMouse(&view, QEvent::MouseButtonPress, QPoint(10, 10), Qt::LeftButton, Qt::LeftButton);
        sendMouse(&view, QEvent::MouseButtonRelease, QPoint(10, 10), Qt::LeftButton, Qt::NoButton);

        view.resize(400, 300);
        const QImage grabbed = view.grab().toImage().convertToFormat(QImage::Format_RGB888);
        const double text = shareNotColour(grabbed, VtkImageView::backgroundColor(), 40);
        QVERIFY2(text > 0.001, "the placeholder text was not drawn");
        QVERIFY(text < 0.2);
    }

    void badDisplayGivesPlaceholder()
    {
        // A display that does not answer must also give the placeholder (not a VTK abort).
        const ScopedDisplay bad(":987654");
        VtkImageView view;
        QVERIFY(!view.hasRenderer());
        QVERIFY2(view.unavailableReason().contains(":987654"), qPrintable(view.unavailableReason()));
    }
};

QTEST_MAIN(TestVtkImageView)
#include "test_vtk_image_view.moc"
