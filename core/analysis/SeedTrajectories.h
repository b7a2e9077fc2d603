#pragma once

#include <cstdint>
#include <map>
#include <vector>

#include <torch/types.h>

#include "core/Progress.h"
#include "core/pipeline/DiffusionPipeline.h"

namespace latentlens {

// The x_t of one seed at every timestep of a sweep, computed once per seed when first asked for
// (trajectoryLatents with that seed alone, under `conditioning`). Each seed runs on its own, so a
// seed's x_t are the same bits whichever other seeds a process (a shard of the sweep) visits.
class SeedTrajectories {
public:
    SeedTrajectories(DiffusionPipeline& model, std::vector<int64_t> timesteps, int64_t steps,
                     Conditioning conditioning = {});

    // x_t (1, C, S, S) of `seed` at timesteps[timestepIndex].
    torch::Tensor at(uint64_t seed, size_t timestepIndex, const Progress& progress = {});

private:
    DiffusionPipeline& model_;
    std::vector<int64_t> timesteps_;
    int64_t steps_;
    Conditioning conditioning_;
    std::map<uint64_t, torch::Tensor> latents_;  // (T, 1, C, S, S) per seed
};

}  // namespace latentlens
