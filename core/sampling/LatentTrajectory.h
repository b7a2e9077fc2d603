#pragma once

#include <cstdint>
#include <map>

#include <torch/types.h>

#include "core/Progress.h"
#include "core/pipeline/Conditioning.h"
#include "core/pipeline/DiffusionPipeline.h"
#include "core/sampling/DdimSampler.h"

namespace latentlens {

struct TrajectoryLookup;

// The latents one image passed through on its DDIM grid: a generation x_T → x_0 or an inversion
// x_0 → x_t, held by timestep (the clean image at -1). Finding x_t at another timestep then costs
// one model call inside the held range, or the inversion steps up to t above it.
class LatentTrajectory {
public:
    static constexpr int64_t kClean = -1;

    LatentTrajectory() = default;
    // From a run made with keepTrajectory: entry i is where the run stood after i steps.
    static LatentTrajectory fromRun(const DdimRun& run);

    bool empty() const { return latents_.empty(); }
    size_t size() const { return latents_.size(); }
    // The highest timestep held (kClean for only the clean image).
    int64_t top() const;
    // The latent (1, C, S, S) held at exactly t, or an undefined tensor.
    torch::Tensor at(int64_t t) const;
    // The clean image x_0 (1, C, S, S), or an undefined tensor.
    torch::Tensor clean() const { return at(kClean); }

    // x_t for t in 0..T-1 on the grid of `steps` DDIM steps (deterministic, eta = 0): held latents
    // as they are; below the top, one DDIM step down from the nearest held timestep above t; above
    // the top, DDIM inversion continued along the grid and a last short step to t. Cancellable
    // between model calls (throws Cancelled). Every model call goes through the pipeline's noise
    // predictor under `conditioning`.
    TrajectoryLookup latentAt(const DiffusionPipeline& pipeline, int64_t steps, int64_t t, const Progress& progress = {},
                              const Conditioning& conditioning = {}) const;

private:
    std::map<int64_t, torch::Tensor> latents_;
};

// What LatentTrajectory::latentAt found.
struct TrajectoryLookup {
    torch::Tensor latent;         // x_t (1, C, S, S)
    LatentTrajectory trajectory;  // the searched one, extended by any inversion steps run to reach t
    int modelCalls = 0;
};

}  // namespace latentlens
