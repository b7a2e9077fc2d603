#pragma once

#include <vector>

#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>

#include "core/model/ResnetBlock2D.h"
#include "core/model/Transformer2DModel.h"

namespace latentlens {

// diffusers' UNetMidBlock2DCrossAttn with one layer: resnets.0 → attentions.0 (a
// Transformer2DModel cross-attending to the context) → resnets.1. `resnet` gives channels (in =
// out), time embedding, groups, eps and mid_block_scale_factor; the transformer's channels and
// groups follow it. Its output is the H space.
class UNetMidBlock2DCrossAttnImpl : public torch::nn::Module {
public:
    UNetMidBlock2DCrossAttnImpl(const ResnetBlock2DOptions& resnet, const Transformer2DOptions& transformer);
    torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& temb, const torch::Tensor& context);

private:
    ResnetBlock2D first_{nullptr};
    Transformer2DModel attention_{nullptr};
    ResnetBlock2D second_{nullptr};
};
TORCH_MODULE(UNetMidBlock2DCrossAttn);

}  // namespace latentlens
