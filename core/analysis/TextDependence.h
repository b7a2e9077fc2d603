#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <torch/types.h>

#include "core/analysis/PromptSimilarity.h"

namespace latentlens {

// "The model depends less on text conditions in later timesteps" (Park et al. 2023, Sec. 4.2): at
// each timestep, how far the tangent space at z_t under a prompt lies from the tangent space at
// the same z_t under the empty prompt, in X (v_i) and H (u_i); z_t is sampled under that prompt.
struct TextDependence {
    std::vector<int64_t> timesteps;
    std::vector<std::string> prompts;
    std::vector<uint64_t> seeds;
    int64_t k = 0;
    int64_t xDim = 0;
    int64_t hDim = 0;
    torch::Tensor xDistance;    // (T, P) Grassmannian geodesic distance, mean over seeds
    torch::Tensor xSimilarity;  // (T, P) mean squared principal cosine, mean over seeds
    torch::Tensor hDistance;
    torch::Tensor hSimilarity;
    torch::Tensor meanXDistance;  // (T) mean over prompts
    torch::Tensor meanXSimilarity;
    torch::Tensor meanHDistance;
    torch::Tensor meanHSimilarity;
};

// withPrompt[t][p][n] and withoutPrompt[t][p][n]: the bases at the same z_t (seed n, sampled
// under prompt p) with J under prompt p and under the empty prompt. Throws Error when the two
// sweeps' sizes differ from the lists or from each other.
TextDependence textDependence(const std::vector<int64_t>& timesteps, const std::vector<std::string>& prompts,
                              const std::vector<uint64_t>& seeds, const PromptSweepBases& withPrompt,
                              const PromptSweepBases& withoutPrompt);

}  // namespace latentlens
