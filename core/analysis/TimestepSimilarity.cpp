#include "core/analysis/TimestepSimilarity.h"

#include "core/Error.h"
#include "core/analysis/PairwiseSimilarity.h"

namespace latentlens {

TimestepSimilarity timestepSimilarity(const std::vector<PullbackBasis>& bases) {
    if (bases.empty()) throw Error("similarity across timesteps needs at least one basis");
    TimestepSimilarity result;
    std::vector<torch::Tensor> vs, us;
    for (const auto& basis : bases) {
        result.timesteps.push_back(basis.timestep);
        vs.push_back(basis.v);
        us.push_back(basis.u);
    }
    auto x = pairwiseSimilarity(vs);
    auto h = pairwiseSimilarity(us);
    result.xSimilarity = x.similarity;
    result.xDistance = x.distance;
    result.hSimilarity = h.similarity;
    result.hDistance = h.distance;
    return result;
}

}  // namespace latentlens
