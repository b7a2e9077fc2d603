#include "core/analysis/SeedTrajectories.h"

#include <torch/torch.h>

#include "core/Error.h"
#include "core/analysis/TimestepSweep.h"

namespace latentlens {

SeedTrajectories::SeedTrajectories(DiffusionPipeline& model, std::vector<int64_t> timesteps, int64_t steps,
                                   Conditioning conditioning)
    : model_(model), timesteps_(std::move(timesteps)), steps_(steps), conditioning_(std::move(conditioning)) {}

torch::Tensor SeedTrajectories::at(uint64_t seed, size_t timestepIndex, const Progress& progress) {
    if (timestepIndex >= timesteps_.size()) throw Error("internal: timestep index outside the sweep");
    auto it = latents_.find(seed);
    if (it == latents_.end()) {
        it = latents_.emplace(seed, trajectoryLatents(model_, {seed}, timesteps_, steps_, progress, conditioning_)).first;
    }
    return it->second[static_cast<int64_t>(timestepIndex)];
}

}  // namespace latentlens
