#include "core/analysis/TextDependence.h"

#include <torch/torch.h>

#include "core/Error.h"
#include "core/geometry/SubspaceSimilarity.h"

namespace latentlens {

TextDependence textDependence(const std::vector<int64_t>& timesteps, const std::vector<std::string>& prompts,
                              const std::vector<uint64_t>& seeds, const PromptSweepBases& withPrompt,
                              const PromptSweepBases& withoutPrompt) {
    const auto T = static_cast<int64_t>(timesteps.size());
    const auto P = static_cast<int64_t>(prompts.size());
    const auto N = static_cast<int64_t>(seeds.size());
    if (T < 1 || P < 1 || N < 1) throw Error("text dependence needs at least one timestep, prompt and seed");
    auto sized = [&](const PromptSweepBases& bases) {
        if (static_cast<int64_t>(bases.size()) != T) return false;
        for (const auto& atTimestep : bases) {
            if (static_cast<int64_t>(atTimestep.size()) != P) return false;
            for (const auto& underPrompt : atTimestep) {
                if (static_cast<int64_t>(underPrompt.size()) != N) return false;
            }
        }
        return true;
    };
    if (!sized(withPrompt) || !sized(withoutPrompt)) {
        throw Error("text dependence needs a basis with and without the prompt for every timestep, prompt and seed");
    }
    TextDependence result;
    result.timesteps = timesteps;
    result.prompts = prompts;
    result.seeds = seeds;
    result.xDistance = torch::zeros({T, P}, torch::kFloat64);
    result.xSimilarity = torch::zeros({T, P}, torch::kFloat64);
    result.hDistance = torch::zeros({T, P}, torch::kFloat64);
    result.hSimilarity = torch::zeros({T, P}, torch::kFloat64);
    auto xd = result.xDistance.accessor<double, 2>(), xs = result.xSimilarity.accessor<double, 2>();
    auto hd = result.hDistance.accessor<double, 2>(), hs = result.hSimilarity.accessor<double, 2>();
    for (int64_t t = 0; t < T; ++t) {
        for (int64_t p = 0; p < P; ++p) {
            for (int64_t n = 0; n < N; ++n) {
                const auto& a = withPrompt[t][p][n];
                const auto& b = withoutPrompt[t][p][n];
                auto xCos = principalCosines(a.v, b.v);
                auto hCos = principalCosines(a.u, b.u);
                xs[t][p] += xCos.pow(2).mean().item<double>() / static_cast<double>(N);
                xd[t][p] += torch::acos(xCos.clamp(-1.0, 1.0)).norm().item<double>() / static_cast<double>(N);
                hs[t][p] += hCos.pow(2).mean().item<double>() / static_cast<double>(N);
                hd[t][p] += torch::acos(hCos.clamp(-1.0, 1.0)).norm().item<double>() / static_cast<double>(N);
                result.k = a.k;
                result.xDim = a.v.numel() / a.v.size(0);
                result.hDim = a.u.numel() / a.u.size(0);
            }
        }
    }
    result.meanXDistance = result.xDistance.mean(1);
    result.meanXSimilarity = result.xSimilarity.mean(1);
    result.meanHDistance = result.hDistance.mean(1);
    result.meanHSimilarity = result.hSimilarity.mean(1);
    return result;
}

}  // namespace latentlens
