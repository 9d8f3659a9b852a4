// TODO(stub): op family filled in by its owner; see op_registry.h for the ops it must register.
#include "lnscope/core/op_registry.h"

namespace lnscope::core {

void registerActivationOps(OpRegistry& registry)
{
    (void)registry;
}

} // namespace lnscope::core
