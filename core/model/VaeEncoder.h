#pragma once

#include <vector>

#include <torch/nn/module.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>

#include "core/model/AutoencoderKLConfig.h"
#include "core/model/Conv2d.h"
#include "core/model/DownEncoderBlock2D.h"
#include "core/model/GroupNorm.h"
#include "core/model/UNetMidBlock2D.h"

namespace latentlens {

// diffusers' VAE Encoder (AutoencoderKL.encoder, double_z): conv_in → down_blocks
// (DownEncoderBlock2D) → mid_block (resnet, attention, resnet; no time embedding) →
// conv_norm_out → SiLU → conv_out to 2·latent_channels (mean and logvar, before quant_conv).
class VaeEncoderImpl : public torch::nn::Module {
public:
    explicit VaeEncoderImpl(const AutoencoderKLConfig& config);
    // image (N, in_channels, H, W) → (N, 2·latent_channels, H/f, W/f), f = 2^(blocks - 1).
    torch::Tensor forward(const torch::Tensor& image);

private:
    Conv2d convIn_{nullptr};
    std::vector<DownEncoderBlock2D> downBlocks_;
    UNetMidBlock2D midBlock_{nullptr};
    GroupNorm convNormOut_{nullptr};
    Conv2d convOut_{nullptr};
};
TORCH_MODULE(VaeEncoder);

}  // namespace latentlens
