#pragma once

#include <cstdint>
#include <vector>

#include <torch/types.h>

#include "core/geometry/PullbackBasis.h"

namespace latentlens {

// Coarse-to-fine (Park et al. 2023, Sec. 4.1): the frequency content of one sample's latent basis
// v_1..v_k over a sweep of timesteps (see RadialSpectrum.h for the definitions).
struct CoarseToFine {
    std::vector<int64_t> timesteps;  // as the bases came (descending for a sweep)
    torch::Tensor spectra;           // (T, k, R) radially averaged power spectrum of each v_i
    torch::Tensor meanSpectrum;      // (T, R) its mean over the k directions
    torch::Tensor meanFrequency;     // (T, k) mean frequency of each v_i, cycles per image
    torch::Tensor averageFrequency;  // (T) mean of meanFrequency over the k directions
    torch::Tensor sigma;             // (T, k) singular values
    torch::Tensor firstDirection;    // (T, C, S, S) v_1 at each timestep
};

// From one sample's bases at several timesteps (same k and shape). Throws Error if they differ
// or the list is empty.
CoarseToFine coarseToFine(const std::vector<PullbackBasis>& bases);

}  // namespace latentlens
