#pragma once
// The subcommands of lnscope-export (run by lnscope-cli report / video) and what they share:
// argument reading and the headless workbench that opens the models and dataset, converts and
// evaluates — the same document and jobs as the window, so the exported figures are the
// window's figures.
//
// Errors: subcommands throw ExportUsageError (exit 2) or the core errors (exit 1: they name the
// file and the reason); main() maps them to exit codes and prints one message.

#include "workbench.h"

#include <QString>
#include <QStringList>

#include <optional>
#include <stdexcept>

namespace lnscope::app {

class ExportUsageError : public std::runtime_error
{
public:
    using std::runtime_error::runtime_error;
};

/// Reads "--flag VALUE" / "--flag=VALUE" / "--switch" options; whatever is left at finish() is
/// a usage error.
class ExportArgs
{
public:
    explicit ExportArgs(QStringList args) : m_args(std::move(args)) {}
    std::optional<QString> value(const QString& flag);
    bool has(const QString& flag);
    int intValue(const QString& flag, int fallback, int min, int max);
    double doubleValue(const QString& flag, double fallback, double min, double max);
    void finish() const;

private:
    QStringList m_args;
};

/// The options every export takes, with their help text for the usage messages.
///   --session FILE                        a saved workbench session, or
///   --model M [--adapter A]               a segmentation (or any) model with its adapter file
///   [--stereo-model M --stereo-adapter A] a stereo 3-D model
///   [--data DIR]                          the dataset (required for frames / metrics)
///   --demo                                the bundled demo (both demo models, synthdrive/val)
///   [--config FILE] [--calib-frames N] [--threads N]
extern const char* const kExportSourceUsage;

/// Consumes the options above, opens them in `workbench`, runs the conversion and the evaluation
/// (progress on stderr, one line per job), and returns the document's snapshot. Throws
/// ExportUsageError, the core errors (naming the file), or core::Cancelled (SIGINT).
ExportInput prepareExport(ExportArgs& args, Workbench& workbench);

int exportReportMain(const QStringList& args);
int exportVideoMain(const QStringList& args);

} // namespace lnscope::app
