#pragma once

#include <vector>

#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>

#include "core/model/AttentionBlock.h"
#include "core/model/ResnetBlock2D.h"

namespace latentlens {

// diffusers' UNetMidBlock2D with one layer: resnets.0 → attentions.0 (if add_attention) →
// resnets.1. Its output is the H space of Park et al. With resnet.tembChannels 0 (the VAE's
// encoder and decoder) it takes no time embedding.
class UNetMidBlock2DImpl : public torch::nn::Module {
public:
    // attentionGroups == 0: the attention has no group norm.
    UNetMidBlock2DImpl(const ResnetBlock2DOptions& resnet, bool addAttention, int64_t attentionHeadDim,
                       int64_t attentionGroups);
    torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& temb = {});

private:
    ResnetBlock2D first_{nullptr};
    AttentionBlock attention_{nullptr};
    ResnetBlock2D second_{nullptr};
};
TORCH_MODULE(UNetMidBlock2D);

}  // namespace latentlens
