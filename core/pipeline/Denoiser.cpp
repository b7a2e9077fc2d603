#include "core/pipeline/Denoiser.h"

#include <torch/torch.h>

namespace latentlens {

torch::Tensor Denoiser::predict(const torch::Tensor& x, const torch::Tensor& timesteps,
                                const Conditioning& conditioning) const {
    return evaluate(x, timesteps, conditioning, nullptr, true).prediction;
}

torch::Tensor Denoiser::predict(const torch::Tensor& x, int64_t timestep, const Conditioning& conditioning) const {
    return predict(x, torch::tensor(timestep, torch::kLong), conditioning);
}

torch::Tensor Denoiser::features(const torch::Tensor& x, const torch::Tensor& timesteps, const BlockId& block,
                                 const Conditioning& conditioning) const {
    return evaluate(x, timesteps, conditioning, &block, false).features;
}

torch::Tensor Denoiser::features(const torch::Tensor& x, int64_t timestep, const BlockId& block,
                                 const Conditioning& conditioning) const {
    return features(x, torch::tensor(timestep, torch::kLong), block, conditioning);
}

Denoiser::Output Denoiser::predictWithFeatures(const torch::Tensor& x, const torch::Tensor& timesteps,
                                               const BlockId& block, const Conditioning& conditioning) const {
    return evaluate(x, timesteps, conditioning, &block, true);
}

}  // namespace latentlens
