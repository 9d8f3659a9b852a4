#pragma once
// lnscope-cli bench MODEL --emulated: the emulated LNS executor against the float executor.

#include <string>
#include <vector>

namespace lnscope::app {

/// True when the bench arguments select the emulated mode (--emulated before any "--").
bool wantsEmulatedBench(const std::vector<std::string>& argv);

/// Runs the emulated mode of `bench` (arguments without the command name); returns the exit code.
/// Throws UsageError for bad options (exit 2), core errors for bad models or inputs (exit 1).
int runEmulatedBench(const std::vector<std::string>& argv);

} // namespace lnscope::app
