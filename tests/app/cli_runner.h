#pragma once
// Runs the built lnscope-cli (LNSCOPE_CLI_PATH) with QProcess for the app tests.

#include <QJsonObject>
#include <QString>
#include <QStringList>
#include <filesystem>

namespace lnscope::test {

struct CliResult
{
    int exitCode = -1; ///< -1 when the process did not finish normally (crash, timeout)
    QString out;
    QString err;
};

/// Runs lnscope-cli with `args` in `workDir`; waits up to two minutes.
CliResult runCli(const QStringList& args, const std::filesystem::path& workDir);

/// The JSON object in `path`, or an empty object (with a warning) when missing or invalid.
QJsonObject readJsonObject(const std::filesystem::path& path);

} // namespace lnscope::test
