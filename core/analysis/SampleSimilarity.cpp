#include "core/analysis/SampleSimilarity.h"

#include <torch/torch.h>

#include "core/Error.h"
#include "core/analysis/PairwiseSimilarity.h"

namespace latentlens {

SampleSimilarity sampleSimilarity(const SweepBases& sweep) {
    if (sweep.seeds.size() < 2) throw Error("similarity across samples needs at least two samples");
    if (sweep.bases.size() != sweep.timesteps.size()) throw Error("the sweep has no bases for some timesteps");
    SampleSimilarity result;
    result.modelName = sweep.modelName;
    result.timesteps = sweep.timesteps;
    result.seeds = sweep.seeds;
    std::vector<torch::Tensor> xs, xd, hs, hd;
    for (const auto& atTimestep : sweep.bases) {
        if (atTimestep.size() != sweep.seeds.size()) throw Error("the sweep has no basis for some samples");
        std::vector<torch::Tensor> vs, us;
        for (const auto& basis : atTimestep) {
            vs.push_back(basis.v);
            us.push_back(basis.u);
        }
        result.k = atTimestep.front().k;
        result.xDim = vs.front().numel() / vs.front().size(0);
        result.hDim = us.front().numel() / us.front().size(0);
        auto x = pairwiseSimilarity(vs);
        auto h = pairwiseSimilarity(us);
        xs.push_back(x.similarity);
        xd.push_back(x.distance);
        hs.push_back(h.similarity);
        hd.push_back(h.distance);
    }
    auto meanOverPairs = [](const std::vector<torch::Tensor>& matrices) {
        std::vector<double> means;
        for (const auto& matrix : matrices) means.push_back(meanAboveDiagonal(matrix));
        return torch::tensor(means, torch::kFloat64);
    };
    result.xSimilarity = torch::stack(xs);
    result.xDistance = torch::stack(xd);
    result.hSimilarity = torch::stack(hs);
    result.hDistance = torch::stack(hd);
    result.meanXSimilarity = meanOverPairs(xs);
    result.meanXDistance = meanOverPairs(xd);
    result.meanHSimilarity = meanOverPairs(hs);
    result.meanHDistance = meanOverPairs(hd);
    return result;
}

}  // namespace latentlens
