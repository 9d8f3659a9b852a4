// lnscope: the GUI. `--screenshot FILE [--size WxH]` saves the window and exits (documentation,
// CI); the exit code is 0 on success, 1 when the file cannot be written, 2 on bad usage.
// `--presentation` starts in presentation mode (full screen, frames advancing; Esc leaves).

#include "main_window.h"
#include "presentation.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QIcon>
#include <QImage>
#include <QPixmap>
#include <QRegularExpression>
#include <QTimer>

#include <cstdio>

namespace {

// "1280x800" → QSize; invalid (empty) QSize on anything else.
QSize parseSize(const QString& text)
{
    static const QRegularExpression pattern(QStringLiteral("^(\\d{2,5})[xX](\\d{2,5})$"));
    const QRegularExpressionMatch match = pattern.match(text.trimmed());
    if (!match.hasMatch())
        return {};
    return {match.captured(1).toInt(), match.captured(2).toInt()};
}

bool wantsScreenshot(int argc, char** argv)
{
    for (int i = 1; i < argc; ++i) {
        const QByteArray arg(argv[i]);
        if (arg == "--screenshot" || arg.startsWith("--screenshot="))
            return true;
    }
    return false;
}

// Qt's xcb plugin aborts without a display. A screenshot needs none: use the offscreen
// platform then (the 3-D view still renders if an X display is reachable, else it shows its
// placeholder). An interactive start without a display gets a message instead of an abort.
bool choosePlatform(int argc, char** argv)
{
    if (qEnvironmentVariableIsSet("QT_QPA_PLATFORM") || !qEnvironmentVariableIsEmpty("DISPLAY")
        || !qEnvironmentVariableIsEmpty("WAYLAND_DISPLAY"))
        return true;
    if (wantsScreenshot(argc, argv)) {
        qputenv("QT_QPA_PLATFORM", "offscreen");
        return true;
    }
    std::fprintf(stderr, "lnscope: no display (DISPLAY and WAYLAND_DISPLAY are unset); "
                         "run it under a desktop or `xvfb-run -a`, or use --screenshot FILE\n");
    return false;
}

} // namespace

int main(int argc, char** argv)
{
    if (!choosePlatform(argc, argv))
        return 1;
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("LNScope"));
    QApplication::setApplicationVersion(QStringLiteral(LNSCOPE_VERSION));
    QApplication::setOrganizationName(QStringLiteral("LNScope"));
    QApplication::setWindowIcon(QIcon(QStringLiteral(":/icons/lnscope.svg")));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("LNScope: float → LNS conversion workbench"));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption screenshot(QStringLiteral("screenshot"),
                                        QStringLiteral("Save the window to <file> (PNG) and exit."),
                                        QStringLiteral("file"));
    const QCommandLineOption size(QStringLiteral("size"), QStringLiteral("Window size, e.g. 1280x800."),
                                  QStringLiteral("WxH"), QStringLiteral("1280x800"));
    const QCommandLineOption noDemo(QStringLiteral("no-demo"), QStringLiteral("Start empty instead of opening the bundled demo."));
    const QCommandLineOption timeout(QStringLiteral("timeout"),
                                     QStringLiteral("With --screenshot: seconds to wait for the background jobs (default 600)."),
                                     QStringLiteral("s"), QStringLiteral("600"));
    parser.addOption(screenshot);
    parser.addOption(size);
    const QCommandLineOption session(QStringLiteral("session"), QStringLiteral("Open a saved session (.lnscope)."),
                                     QStringLiteral("file"));
    const QCommandLineOption presentation(QStringLiteral("presentation"),
                                          QStringLiteral("Start in presentation mode (F5 / Esc toggle it)."));
    parser.addOption(presentation);
    parser.addOption(noDemo);
    parser.addOption(session);
    parser.addOption(timeout);
    parser.process(app); // exits with a message on --help, --version and unknown options

    const QSize windowSize = parseSize(parser.value(size));
    if (!windowSize.isValid()) {
        std::fprintf(stderr, "lnscope: --size expects WxH (e.g. 1280x800), got '%s'\n", qPrintable(parser.value(size)));
        return 2;
    }

    lnscope::app::MainWindow window;
    window.resize(windowSize);
    window.show();

    if (parser.isSet(session)) {
        try {
            window.openSession(parser.value(session));
        } catch (const std::exception& e) {
            std::fprintf(stderr, "lnscope: %s\n", e.what());
            return 1;
        }
    } else if (!parser.isSet(noDemo)) {
        window.openDemo();
    }

    if (parser.isSet(presentation))
        window.presentation()->enter();

    if (parser.isSet(screenshot)) {
        // Wait until every background job (conversion, evaluation, the first frame) is done, or
        // the timeout, then let the views lay out and save the window.
        const QString file = parser.value(screenshot);
        auto shoot = [&window, &app, file] {
            QTimer::singleShot(300, &window, [&window, &app, file] {
                const QImage image = window.grab().toImage();
                if (!image.save(file)) {
                    std::fprintf(stderr, "lnscope: cannot write screenshot '%s'\n", qPrintable(file));
                    app.exit(1);
                    return;
                }
                std::printf("lnscope: wrote %s (%dx%d)\n", qPrintable(file), image.width(), image.height());
                app.exit(0);
            });
        };
        if (window.workbench()->busy())
            QObject::connect(window.workbench(), &lnscope::app::Workbench::jobsFinished, &window, shoot);
        else
            shoot();
        QTimer::singleShot(parser.value(timeout).toInt() * 1000, &window, [shoot] {
            std::fprintf(stderr, "lnscope: background jobs still running at the timeout; saving anyway\n");
            shoot();
        });
    }
    return app.exec();
}
