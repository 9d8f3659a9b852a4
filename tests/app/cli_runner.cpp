#include "cli_runner.h"

#include <QFile>
#include <QJsonDocument>
#include <QProcess>
#include <QtGlobal>

namespace lnscope::test {

namespace {
constexpr int kTimeoutMs = 120000;
}

CliResult runCli(const QStringList& args, const std::filesystem::path& workDir)
{
    QProcess p;
    p.setWorkingDirectory(QString::fromStdString(workDir.string()));
    p.start(QStringLiteral(LNSCOPE_CLI_PATH), args);
    CliResult r;
    if (!p.waitForFinished(kTimeoutMs) || p.exitStatus() != QProcess::NormalExit) {
        qWarning("lnscope-cli %s did not finish normally: %s", qPrintable(args.join(' ')), qPrintable(p.errorString()));
        p.kill();
        p.waitForFinished();
        return r;
    }
    r.exitCode = p.exitCode();
    r.out = QString::fromUtf8(p.readAllStandardOutput());
    r.err = QString::fromUtf8(p.readAllStandardError());
    return r;
}

QJsonObject readJsonObject(const std::filesystem::path& path)
{
    QFile f(QString::fromStdString(path.string()));
    if (!f.open(QIODevice::ReadOnly))
        return {};
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(f.readAll(), &error);
    if (error.error != QJsonParseError::NoError)
        qWarning("%s: %s", path.c_str(), qPrintable(error.errorString()));
    return doc.object();
}

} // namespace lnscope::test
