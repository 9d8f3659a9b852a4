// Placeholder: `lnscope-cli compare` is being implemented.
#include "cli_common.h"

namespace lnscope::app {

namespace {
const char* const kUsage = "usage: lnscope-cli compare (not available yet)\n";
int runCompare(const std::vector<std::string>&) { throw UsageError("compare is not available yet"); }
} // namespace

const Command kCompareCommand{"compare", "(not available yet)", kUsage, &runCompare};

} // namespace lnscope::app
