#pragma once

#include <cstdint>
#include <vector>

#include <torch/types.h>

#include "core/geometry/PullbackBasis.h"

namespace latentlens {

// Global directions over several samples at one t: the top-k eigenvectors of the averaged
// projector (1/N) Σ_n V_nᵀ V_n of the samples' bases (computed as the top right singular vectors
// of the stacked V_n). Returns (k, C, S, S) orthonormal, sign-fixed (largest component positive),
// and the eigenvalues (k) in [0, 1]: 1 means every sample's subspace contains that direction.
struct MeanDirections {
    torch::Tensor v;
    torch::Tensor weights;
};
MeanDirections meanDirections(const std::vector<PullbackBasis>& bases, int64_t k);

}  // namespace latentlens
