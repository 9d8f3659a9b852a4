// lnscope-export: `lnscope-export report ARGS...` and `lnscope-export video ARGS...`, run by
// lnscope-cli (which must not link Qt). Headless: without a display it uses the offscreen
// platform, so it works on build machines and in batch jobs.

#include "export_common.h"

#include <QApplication>

#include <cstdio>
#include <cstdlib>

int main(int argc, char** argv)
{
    if (std::getenv("DISPLAY") == nullptr && std::getenv("QT_QPA_PLATFORM") == nullptr)
        setenv("QT_QPA_PLATFORM", "offscreen", 1);
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("LNScope"));
    QApplication::setApplicationVersion(QStringLiteral(LNSCOPE_VERSION));
    QStringList args = QApplication::arguments();
    args.removeFirst();
    const QString command = args.isEmpty() ? QString() : args.takeFirst();
    if (command == QLatin1String("report"))
        return lnscope::app::exportReportMain(args);
    if (command == QLatin1String("video"))
        return lnscope::app::exportVideoMain(args);
    std::fputs("usage: lnscope-export report|video ARGS...  (run through lnscope-cli report / video)\n", stderr);
    return 2;
}
