// lnscope-export: `lnscope-export report ARGS...` and `lnscope-export video ARGS...`, run by
// lnscope-cli (which must not link Qt). Headless: without a display it uses the offscreen
// platform, so it works on build machines and in batch jobs. Exit codes as lnscope-cli: 0 ok,
// 1 bad input (one message naming the file and the reason), 2 usage, 3 internal error.

#include "export_common.h"

#include "lnscope/core/progress.h"

#include <QApplication>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <new>

namespace {

int fail(int code, const char* command, const std::string& message)
{
    std::fprintf(stderr, "lnscope-cli %s: %s\n", command, message.c_str());
    return code;
}

} // namespace

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
    int (*run)(const QStringList&) = nullptr;
    if (command == QLatin1String("report"))
        run = &lnscope::app::exportReportMain;
    else if (command == QLatin1String("video"))
        run = &lnscope::app::exportVideoMain;
    if (!run) {
        std::fputs("usage: lnscope-export report|video ARGS...  (run through lnscope-cli report / video)\n", stderr);
        return 2;
    }
    const std::string name = command.toStdString();
    try {
        return run(args);
    } catch (const lnscope::app::ExportUsageError& e) {
        return fail(2, name.c_str(), std::string(e.what()) + " (see lnscope-cli " + name + " --help)");
    } catch (const lnscope::core::Cancelled&) {
        return fail(1, name.c_str(), "cancelled");
    } catch (const lnscope::core::IoError& e) {
        return fail(1, name.c_str(), e.what());
    } catch (const lnscope::core::FormatError& e) {
        return fail(1, name.c_str(), e.what());
    } catch (const lnscope::core::UnsupportedError& e) {
        return fail(1, name.c_str(), e.what());
    } catch (const lnscope::core::ShapeError& e) {
        return fail(1, name.c_str(), e.what());
    } catch (const std::filesystem::filesystem_error& e) {
        return fail(1, name.c_str(), e.what());
    } catch (const std::bad_alloc&) {
        return fail(3, name.c_str(), "internal error: out of memory");
    } catch (const std::exception& e) {
        return fail(3, name.c_str(), std::string("internal error: ") + e.what());
    }
}
