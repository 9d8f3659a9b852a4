// lnscope-cli report: placeholder, being written this session.
#include "cli_common.h"
#include "sibling_exec.h"

namespace lnscope::app {
namespace {
const char* const kUsage = "usage: lnscope-cli report ... (being written)\n";
int run(const std::vector<std::string>& args)
{
    return runSibling(siblingExecutable("lnscope-export", "the export helper"), [&] {
        std::vector<std::string> a{"report"};
        a.insert(a.end(), args.begin(), args.end());
        return a;
    }());
}
} // namespace
const Command kReportCommand{"report", "write the conversion report (PDF or HTML)", kUsage, &run};
} // namespace lnscope::app
