#pragma once
// The subcommands of lnscope-export (run by lnscope-cli report / video). Each gets the arguments
// after its name and returns the exit code (0 ok, 1 bad input, 2 usage, 3 internal error), having
// printed its own message.

#include <QStringList>

namespace lnscope::app {

int exportReportMain(const QStringList& args);
int exportVideoMain(const QStringList& args);

} // namespace lnscope::app
