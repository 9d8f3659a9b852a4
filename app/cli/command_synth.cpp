// Placeholder: `lnscope-cli synth` is being implemented.
#include "cli_common.h"

namespace lnscope::app {

namespace {
const char* const kUsage = "usage: lnscope-cli synth (not available yet)\n";
int runSynth(const std::vector<std::string>&) { throw UsageError("synth is not available yet"); }
} // namespace

const Command kSynthCommand{"synth", "(not available yet)", kUsage, &runSynth};

} // namespace lnscope::app
