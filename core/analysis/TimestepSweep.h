#pragma once

#include <cstdint>
#include <vector>

#include <torch/types.h>

#include "core/Progress.h"
#include "core/geometry/BasisSolver.h"
#include "core/geometry/PullbackBasis.h"
#include "core/pipeline/DiffusionPipeline.h"

namespace latentlens {

// Which timesteps an analysis visits and how it gets the bases there.
struct SweepOptions {
    // Explicit timesteps; empty: `count` evenly spaced from `from`·T down to `to`·T (T: the
    // scheduler's num_train_timesteps), rounded.
    std::vector<int64_t> timesteps;
    int count = 10;
    double from = 0.9;
    double to = 0.1;
    BasisOptions basis;  // k, solver, tolerance (the mid block's features h)
    int64_t steps = 50;  // DDIM steps of a full 0..T trajectory, used to reach every x_t
    // Text-conditioned models: the conditioning x_t is sampled under (prompt, negative prompt and
    // guidance) and the one J is taken under (the prompt's embeddings without guidance, as Park et
    // al.'s code does). Empty (none) for unconditional models.
    Conditioning sampling;
    Conditioning jacobian;

    // The timesteps for `model`: distinct, in [0, T), descending (generation order). Throws Error
    // for an empty sweep, a count < 1, fractions outside [0, 1) or timesteps outside [0, T).
    std::vector<int64_t> resolveTimesteps(const DiffusionPipeline& model) const;
};

// x_t of each seed's deterministic DDIM generation (the sampler's noise(seed, 1) at its start
// timestep, under `conditioning`) at each of `timesteps` (descending): (T, N, C, S, S) in the
// model's dtype. One trajectory per seed serves all timesteps; every x_t is what
// DdimSampler::descend(noise, startTimestep(), t) gives. The seeds run as one batch.
torch::Tensor trajectoryLatents(DiffusionPipeline& model, const std::vector<uint64_t>& seeds,
                                const std::vector<int64_t>& timesteps, int64_t steps, const Progress& progress = {},
                                const Conditioning& conditioning = {});

// The pullback bases of N samples at T timesteps: bases[t][n] belongs to seeds[n] at timesteps[t].
struct SweepBases {
    std::string modelName;
    std::vector<int64_t> timesteps;  // descending
    std::vector<uint64_t> seeds;
    std::vector<std::vector<PullbackBasis>> bases;

    // bases[·][n]: one sample's bases over the sweep.
    std::vector<PullbackBasis> sampleBases(size_t n) const;
};
SweepBases computeSweepBases(DiffusionPipeline& model, const std::vector<uint64_t>& seeds, const SweepOptions& options,
                             const Progress& progress = {});

// The pullback basis of the mid block's features at x (1, C, S, S) and timestep t, J taken under
// `conditioning` (none for unconditional models).
PullbackBasis basisAt(DiffusionPipeline& model, const torch::Tensor& x, int64_t timestep, const BasisOptions& options,
                      const Progress& progress = {}, const Conditioning& conditioning = {});

}  // namespace latentlens
