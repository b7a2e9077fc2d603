#pragma once

#include <cstdint>
#include <vector>

#include <torch/types.h>

#include "core/analysis/TimestepSweep.h"

namespace latentlens {

// Tangent-space similarity across samples (Park et al. 2023, Sec. 4.1): at each timestep, every
// pair of samples' top-k subspaces compared (see PairwiseSimilarity.h), in X (span of v_i) and
// in H (span of u_i).
struct SampleSimilarity {
    std::string modelName;
    std::vector<int64_t> timesteps;
    std::vector<uint64_t> seeds;
    int64_t k = 0;
    int64_t xDim = 0;              // D of X (C·S·S); k / xDim is the similarity of random subspaces
    int64_t hDim = 0;              // D of H
    torch::Tensor xSimilarity;     // (T, N, N) mean squared cosine of the principal angles
    torch::Tensor xDistance;       // (T, N, N) Grassmannian geodesic distance
    torch::Tensor hSimilarity;     // (T, N, N) the same for the u_i subspaces
    torch::Tensor hDistance;
    torch::Tensor meanXSimilarity;  // (T) mean over the N(N−1)/2 pairs
    torch::Tensor meanXDistance;
    torch::Tensor meanHSimilarity;
    torch::Tensor meanHDistance;
};

// Needs at least two samples. Throws Error otherwise.
SampleSimilarity sampleSimilarity(const SweepBases& sweep);

}  // namespace latentlens
