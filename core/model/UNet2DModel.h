#pragma once

#include <cstdint>
#include <vector>

#include <torch/nn/module.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>

#include "core/model/Activation.h"
#include "core/model/BlockId.h"
#include "core/model/Conv2d.h"
#include "core/model/DownBlock2D.h"
#include "core/model/GroupNorm.h"
#include "core/model/SafetensorsFile.h"
#include "core/model/TimestepEmbedding.h"
#include "core/model/UNet2DConfig.h"
#include "core/model/UNetMidBlock2D.h"
#include "core/model/UpBlock2D.h"

namespace latentlens {

// diffusers' UNet2DModel, built from its config.json. Module and parameter names equal the
// diffusers state-dict keys (conv_in.weight, down_blocks.0.resnets.0.norm1.weight, ...), so
// loadWeights() is a strict name and shape match. Everything is plain differentiable tensor
// ops, so forward-mode AD duals pass through (see core/geometry).
class UNet2DModelImpl : public torch::nn::Module {
public:
    explicit UNet2DModelImpl(UNet2DConfig config);

    const UNet2DConfig& config() const { return config_; }

    // ε (the model output) for x (N, C, S, S) at `timesteps`: a 0-d or (1) tensor for the whole
    // batch, or (N) per sample.
    torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& timesteps);
    torch::Tensor forward(const torch::Tensor& x, int64_t timestep);

    // Output of one block with the same time embedding as the full forward. For down and mid
    // blocks the forward stops there (no wasted up-path work).
    torch::Tensor features(const torch::Tensor& x, const torch::Tensor& timesteps, const BlockId& block);
    torch::Tensor features(const torch::Tensor& x, int64_t timestep, const BlockId& block);

    struct Output {
        torch::Tensor sample;    // ε
        torch::Tensor features;  // the requested block's output
    };
    Output forwardWithFeatures(const torch::Tensor& x, const torch::Tensor& timesteps, const BlockId& block);

    // (C, H, W) of a block's output; throws Error for a block this model does not have.
    std::vector<int64_t> featureShape(const BlockId& block) const;
    int64_t parameterCount() const;
    // See AttentionBlockImpl::setSoftmaxInFloat32 (default true: diffusers' numerics).
    void setSoftmaxInFloat32(bool enabled);

    // Copies every parameter from the checkpoint (converted to the parameter's dtype/device).
    // Strict: every parameter must be present with the right shape and the file must hold
    // nothing else; otherwise throws Error listing the problems and naming the file. Attention
    // parameters may use diffusers' legacy names (see loadParametersStrict, core/model/ModuleWeights.h).
    void loadWeights(const SafetensorsFile& file);

private:
    torch::Tensor embedTime(const torch::Tensor& timesteps, int64_t batch, torch::ScalarType dtype, torch::Device device);
    // Runs the network; stops early when only a down/mid block's features are needed.
    Output run(const torch::Tensor& x, const torch::Tensor& timesteps, const BlockId* block, bool needSample);
    void checkBlock(const BlockId& block) const;

    UNet2DConfig config_;
    Activation activation_;
    TimestepProjection timeProj_{nullptr};
    TimestepEmbedding timeEmbedding_{nullptr};
    Conv2d convIn_{nullptr};
    std::vector<DownBlock2D> downBlocks_;
    UNetMidBlock2D midBlock_{nullptr};
    std::vector<UpBlock2D> upBlocks_;
    GroupNorm convNormOut_{nullptr};
    Conv2d convOut_{nullptr};
};
TORCH_MODULE(UNet2DModel);

}  // namespace latentlens
