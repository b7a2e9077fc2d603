#pragma once

#include <cstdint>
#include <vector>

#include <torch/types.h>

#include "core/geometry/PullbackBasis.h"

namespace latentlens {

// Tangent-space similarity across timesteps for one sample: the subspace at t_a against the one
// at t_b for every pair of the sweep, in X (v_i) and H (u_i). See PairwiseSimilarity.h.
struct TimestepSimilarity {
    std::vector<int64_t> timesteps;
    torch::Tensor xSimilarity;  // (T, T)
    torch::Tensor xDistance;    // (T, T)
    torch::Tensor hSimilarity;  // (T, T)
    torch::Tensor hDistance;    // (T, T)
};

// From one sample's bases at several timesteps (same k and shapes). Throws Error if empty.
TimestepSimilarity timestepSimilarity(const std::vector<PullbackBasis>& bases);

}  // namespace latentlens
