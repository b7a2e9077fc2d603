#pragma once

#include <torch/nn/module.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>

#include "core/model/Activation.h"
#include "core/model/Linear.h"
#include "core/model/UNet2DConfig.h"

namespace latentlens {

// diffusers' Timesteps (sinusoidal, computed in float32 from the timestep as diffusers does),
// GaussianFourierProjection ("fourier", parameter time_proj.weight) or a learned nn.Embedding,
// selected by time_embedding_type. Registered as "time_proj" in UNet2DModel.
class TimestepProjectionImpl : public torch::nn::Module {
public:
    explicit TimestepProjectionImpl(const UNet2DConfig& config);
    // The sinusoidal ("positional") projection on its own, as UNet2DConditionModel builds it.
    TimestepProjectionImpl(int64_t channels, bool flipSinToCos, double freqShift);
    // timesteps: (N) integer or floating tensor. Returns (N, outputDim()) float32 (positional,
    // fourier) — the caller casts to the model dtype, as diffusers does.
    torch::Tensor forward(const torch::Tensor& timesteps) const;
    int64_t outputDim() const { return outputDim_; }

private:
    std::string type_;
    int64_t channels_;
    int64_t outputDim_;
    bool flipSinToCos_;
    double freqShift_;
    torch::Tensor weight_;  // fourier: (C) frequencies; learned: (T, C) table
};
TORCH_MODULE(TimestepProjection);

// The timesteps of a UNet call as one (batch) tensor on `device`, as diffusers broadcasts them: a
// 0-d or (1) tensor is expanded to every sample; (batch) is used as is. Anything else throws Error.
torch::Tensor broadcastTimesteps(const torch::Tensor& timesteps, int64_t batch, torch::Device device);

// diffusers' TimestepEmbedding: linear_1 → act → linear_2. Registered as "time_embedding".
class TimestepEmbeddingImpl : public torch::nn::Module {
public:
    TimestepEmbeddingImpl(int64_t inChannels, int64_t embedDim, Activation activation);
    torch::Tensor forward(const torch::Tensor& projected);

private:
    Linear linear1_{nullptr};
    Linear linear2_{nullptr};
    Activation activation_;
};
TORCH_MODULE(TimestepEmbedding);

}  // namespace latentlens
