#pragma once

#include <cstdint>

#include <ATen/core/Generator.h>
#include <torch/types.h>

namespace latentlens {

// diffusers' DiagonalGaussianDistribution: the VAE posterior q(z | x) = N(mean, exp(logvar)),
// made from the encoder's moments (mean and log-variance stacked along the channels).
class DiagonalGaussianDistribution {
public:
    // moments (N, 2C, h, w): mean = first C channels, logvar = last C, clamped to [-30, 20].
    explicit DiagonalGaussianDistribution(const torch::Tensor& moments);

    const torch::Tensor& mean() const { return mean_; }  // also the mode
    const torch::Tensor& logvar() const { return logvar_; }
    torch::Tensor std() const;

    // mean + std · ε with ε ~ N(0, I) drawn from `generator` (the mean's dtype and device).
    torch::Tensor sample(at::Generator& generator) const;
    // The same with a fresh CPU generator seeded with `seed` (as torch.Generator().manual_seed).
    torch::Tensor sample(uint64_t seed) const;

private:
    torch::Tensor mean_;
    torch::Tensor logvar_;
};

}  // namespace latentlens
