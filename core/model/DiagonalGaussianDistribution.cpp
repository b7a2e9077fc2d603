#include "core/model/DiagonalGaussianDistribution.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

#include "core/Error.h"
#include "core/model/ModuleWeights.h"

namespace latentlens {

DiagonalGaussianDistribution::DiagonalGaussianDistribution(const torch::Tensor& moments) {
    if (moments.dim() < 2 || moments.size(1) % 2 != 0) {
        throw Error("VAE posterior moments need an even channel count (mean and logvar), got shape " +
                    shapeText(moments.sizes()));
    }
    auto parts = moments.chunk(2, 1);
    mean_ = parts[0];
    logvar_ = parts[1].clamp(-30.0, 20.0);
}

torch::Tensor DiagonalGaussianDistribution::std() const { return torch::exp(0.5 * logvar_); }

torch::Tensor DiagonalGaussianDistribution::sample(at::Generator& generator) const {
    // diffusers' randn_tensor draws on the CPU for a CPU generator and moves the noise over.
    auto noise = at::randn(mean_.sizes(), generator, torch::TensorOptions().dtype(mean_.scalar_type()));
    return mean_ + std() * noise.to(mean_.device());
}

torch::Tensor DiagonalGaussianDistribution::sample(uint64_t seed) const {
    auto generator = at::detail::createCPUGenerator(seed);
    return sample(generator);
}

}  // namespace latentlens
