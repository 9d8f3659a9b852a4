// TODO(stub): implemented by the BN-folding owner.
#include "lnscope/core/fold_batch_norm.h"

namespace lnscope::core {

int BnFoldResult::foldedCount() const
{
    int n = 0;
    for (const auto& r : records)
        n += r.folded;
    return n;
}

std::vector<BnFoldRecord> analyzeBatchNorm(const Graph& graph)
{
    return foldBatchNorm(graph).records;
}

BnFoldResult foldBatchNorm(const Graph& graph)
{
    return {graph, {}};
}

} // namespace lnscope::core
