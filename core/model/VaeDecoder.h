#pragma once

#include <vector>

#include <torch/nn/module.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>

#include "core/model/AutoencoderKLConfig.h"
#include "core/model/Conv2d.h"
#include "core/model/GroupNorm.h"
#include "core/model/UNetMidBlock2D.h"
#include "core/model/UpDecoderBlock2D.h"

namespace latentlens {

// diffusers' VAE Decoder (AutoencoderKL.decoder, norm_type "group"): conv_in → mid_block
// (resnet, attention, resnet; no time embedding) → up_blocks (UpDecoderBlock2D with
// layers_per_block + 1 resnets) → conv_norm_out → SiLU → conv_out to out_channels.
class VaeDecoderImpl : public torch::nn::Module {
public:
    explicit VaeDecoderImpl(const AutoencoderKLConfig& config);
    // latent (N, latent_channels, h, w), after post_quant_conv → image (N, out_channels, h·f, w·f).
    torch::Tensor forward(const torch::Tensor& latent);

private:
    Conv2d convIn_{nullptr};
    UNetMidBlock2D midBlock_{nullptr};
    std::vector<UpDecoderBlock2D> upBlocks_;
    GroupNorm convNormOut_{nullptr};
    Conv2d convOut_{nullptr};
};
TORCH_MODULE(VaeDecoder);

}  // namespace latentlens
