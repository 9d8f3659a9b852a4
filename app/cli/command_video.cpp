// lnscope-cli video: placeholder, being written this session.
#include "cli_common.h"
#include "sibling_exec.h"

namespace lnscope::app {
namespace {
const char* const kUsage = "usage: lnscope-cli video ... (being written)\n";
int run(const std::vector<std::string>& args)
{
    return runSibling(siblingExecutable("lnscope-export", "the export helper"), [&] {
        std::vector<std::string> a{"video"};
        a.insert(a.end(), args.begin(), args.end());
        return a;
    }());
}
} // namespace
const Command kVideoCommand{"video", "write the float-vs-converted comparison video", kUsage, &run};
} // namespace lnscope::app
