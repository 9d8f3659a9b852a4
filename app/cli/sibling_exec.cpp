#include "sibling_exec.h"

#include "lnscope/core/error.h"
#include "lnscope/core/progress.h"

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <spawn.h>
#include <stdexcept>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace lnscope::app {

namespace fs = std::filesystem;

fs::path siblingExecutable(const std::string& name, const std::string& what)
{
    std::error_code ec;
    const fs::path self = fs::read_symlink("/proc/self/exe", ec);
    if (ec)
        throw core::IoError("/proc/self/exe: cannot find lnscope-cli's own folder: " + ec.message());
    const fs::path exe = self.parent_path() / name;
    if (!fs::is_regular_file(exe, ec) || ::access(exe.c_str(), X_OK) != 0)
        throw core::IoError(exe.string() + ": " + what + " " + name + " was not found next to lnscope-cli (it is built with it: build the "
                            + name + " target)");
    return exe;
}

int runSibling(const fs::path& exe, const std::vector<std::string>& args)
{
    std::vector<std::string> argStrings;
    argStrings.push_back(exe.string());
    argStrings.insert(argStrings.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (std::string& a : argStrings)
        argv.push_back(a.data());
    argv.push_back(nullptr);

    std::fflush(stdout); // the child writes to the same descriptors
    std::fflush(stderr);
    pid_t pid = 0;
    if (const int err = posix_spawn(&pid, exe.c_str(), nullptr, nullptr, argv.data(), environ); err != 0)
        throw core::IoError(exe.string() + ": cannot run: " + std::strerror(err));
    int status = 0;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR)
            throw std::runtime_error("waiting for " + exe.filename().string() + " failed: " + std::strerror(errno));
    }
    if (WIFEXITED(status))
        return WEXITSTATUS(status); // it printed its own message
    if (WIFSIGNALED(status) && WTERMSIG(status) == SIGINT)
        throw core::Cancelled();
    throw std::runtime_error(exe.filename().string() + " stopped by signal "
                             + std::to_string(WIFSIGNALED(status) ? WTERMSIG(status) : 0));
}

} // namespace lnscope::app
