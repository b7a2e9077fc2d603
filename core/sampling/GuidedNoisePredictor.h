#pragma once

#include <memory>

#include "core/pipeline/Conditioning.h"
#include "core/pipeline/Denoiser.h"
#include "core/sampling/NoisePredictor.h"

namespace latentlens {

// A denoiser under one conditioning, with classifier-free guidance: ε = ε_u + s (ε_c − ε_u), the
// unconditional and conditional passes batched into one denoiser call of 2N rows. With s = 1 (or
// no unconditional embeddings, or an unconditional model) it is the one conditional pass.
class GuidedNoisePredictor : public NoisePredictor {
public:
    GuidedNoisePredictor(std::shared_ptr<const Denoiser> denoiser, Conditioning conditioning);

    using NoisePredictor::predict;
    torch::Tensor predict(const torch::Tensor& x, const torch::Tensor& timesteps) const override;

    const Denoiser& denoiser() const { return *denoiser_; }
    const Conditioning& conditioning() const { return conditioning_; }

private:
    std::shared_ptr<const Denoiser> denoiser_;
    Conditioning conditioning_;
};

}  // namespace latentlens
