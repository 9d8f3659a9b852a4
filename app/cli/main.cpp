// lnscope-cli: headless commands over lnscope_core (DESIGN.md "Executables").
// Exit codes: 0 ok, 1 bad input (one message naming the file/node and the reason), 2 usage,
// 3 internal error.

#include "cli_common.h"

#include <cstdio>
#include <filesystem>
#include <new>
#include <string>
#include <vector>

namespace lnscope::app {

namespace {

constexpr int kExitOk = 0;
constexpr int kExitBadInput = 1;
constexpr int kExitUsage = 2;
constexpr int kExitInternal = 3;

// Commands appear here, and so in the help, only once they exist.
const Command* const kCommands[] = {&kInfoCommand,     &kRunCommand,   &kConvertCommand, &kCompareCommand,
                                    &kEvaluateCommand, &kMergeCommand, &kBenchCommand,   &kSynthCommand,
                                    &kReportCommand,   &kVideoCommand};

std::string topUsage()
{
    std::string out = "usage: lnscope-cli COMMAND [ARGS...]\n"
                      "       lnscope-cli COMMAND --help\n"
                      "       lnscope-cli --version\n\n"
                      "Headless LNScope commands. Every command prints a table and can write JSON (--json FILE).\n\n"
                      "commands:\n";
    for (const Command* c : kCommands) {
        std::string name = c->name;
        name.resize(8, ' ');
        out += "  " + name + c->summary + "\n";
    }
    out += "\nexit codes: 0 ok, 1 bad input, 2 usage error, 3 internal error\n";
    return out;
}

const Command* findCommand(const std::string& name)
{
    for (const Command* c : kCommands)
        if (name == c->name)
            return c;
    return nullptr;
}

bool asksForHelp(const std::vector<std::string>& args)
{
    for (const std::string& a : args) {
        if (a == "--")
            return false;
        if (a == "-h" || a == "--help")
            return true;
    }
    return false;
}

int fail(int code, const std::string& message)
{
    std::fprintf(stderr, "lnscope-cli: %s\n", message.c_str());
    return code;
}

int runCommand(const Command& command, const std::vector<std::string>& args)
{
    try {
        return command.run(args);
    } catch (const UsageError& e) {
        std::fprintf(stderr, "lnscope-cli %s: %s\n\n%s", command.name, e.what(), command.usage);
        return kExitUsage;
    } catch (const core::Cancelled&) {
        return fail(kExitBadInput, "cancelled"); // Ctrl-C: nothing was written
    } catch (const core::IoError& e) {
        return fail(kExitBadInput, e.what());
    } catch (const core::FormatError& e) {
        return fail(kExitBadInput, e.what());
    } catch (const core::UnsupportedError& e) {
        return fail(kExitBadInput, e.what());
    } catch (const core::ShapeError& e) {
        return fail(kExitBadInput, e.what());
    } catch (const std::filesystem::filesystem_error& e) {
        return fail(kExitBadInput, e.what()); // names the path(s): a folder we cannot create or read
    } catch (const std::bad_alloc&) {
        return fail(kExitInternal, "internal error: out of memory");
    } catch (const std::exception& e) {
        // Includes a bare core::Error: core documents every bad-input case as one of the subclasses.
        return fail(kExitInternal, std::string("internal error: ") + e.what());
    } catch (...) {
        return fail(kExitInternal, "internal error: unknown exception");
    }
}

int cliMain(const std::vector<std::string>& args)
{
    if (args.empty()) {
        std::fputs(topUsage().c_str(), stderr);
        return kExitUsage;
    }
    const std::string& first = args.front();
    if (first == "-h" || first == "--help" || first == "help") {
        if (first == "help" && args.size() > 1) {
            if (const Command* c = findCommand(args[1])) {
                std::fputs(c->usage, stdout);
                return kExitOk;
            }
            std::fprintf(stderr, "lnscope-cli: unknown command '%s'\n\n%s", args[1].c_str(), topUsage().c_str());
            return kExitUsage;
        }
        std::fputs(topUsage().c_str(), stdout);
        return kExitOk;
    }
    if (first == "--version" || first == "-V") {
        std::printf("lnscope-cli %s\n", LNSCOPE_VERSION);
        return kExitOk;
    }
    const Command* command = findCommand(first);
    if (!command) {
        const char* what = first.rfind("-", 0) == 0 ? "unknown option" : "unknown command";
        std::fprintf(stderr, "lnscope-cli: %s '%s'\n\n%s", what, first.c_str(), topUsage().c_str());
        return kExitUsage;
    }
    const std::vector<std::string> rest(args.begin() + 1, args.end());
    if (asksForHelp(rest)) {
        std::fputs(command->usage, stdout);
        return kExitOk;
    }
    return runCommand(*command, rest);
}

} // namespace

} // namespace lnscope::app

int main(int argc, char** argv)
{
    std::vector<std::string> args(argv + 1, argv + argc);
    return lnscope::app::cliMain(args);
}
