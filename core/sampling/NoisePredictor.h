#pragma once

#include <cstdint>

#include <torch/types.h>

namespace latentlens {

// What samplers step with: x (N, C, H, W) at a timestep → the model output (ε or v, as the
// scheduler's prediction_type says), conditioning and guidance already applied.
class NoisePredictor {
public:
    virtual ~NoisePredictor() = default;

    // timesteps: a 0-d or (1) tensor for the whole batch, or (N) per sample.
    virtual torch::Tensor predict(const torch::Tensor& x, const torch::Tensor& timesteps) const = 0;
    torch::Tensor predict(const torch::Tensor& x, int64_t timestep) const;
};

}  // namespace latentlens
