#pragma once
// Runs a helper executable built next to lnscope-cli (lnscope-synth, lnscope-export): commands
// whose work needs VTK or Qt, which lnscope-cli must not link (DESIGN.md: one dependency rule).
// The child inherits stdout/stderr; its exit code is returned unchanged (same codes as the CLI).

#include <filesystem>
#include <string>
#include <vector>

namespace lnscope::app {

/// The path of `name` in lnscope-cli's own folder. Throws core::IoError naming the path (and
/// `what`, e.g. "the scene generator") when it is missing or not executable.
std::filesystem::path siblingExecutable(const std::string& name, const std::string& what);

/// Runs `exe args...`, waits, and returns its exit code. SIGINT in the child → core::Cancelled;
/// any other signal → std::runtime_error (exit 3).
int runSibling(const std::filesystem::path& exe, const std::vector<std::string>& args);

} // namespace lnscope::app
