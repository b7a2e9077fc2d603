#pragma once

#include <vector>

#include <torch/nn/module.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>

#include "core/model/AttentionBlock.h"
#include "core/model/Resampling2D.h"
#include "core/model/ResnetBlock2D.h"

namespace latentlens {

struct DownBlock2DOptions {
    int64_t numLayers = 1;
    ResnetBlock2DOptions resnet;  // in/out channels of the first resnet; later ones map out → out
    bool attention = false;       // AttnDownBlock2D
    int64_t attentionHeadDim = 0;
    bool addDownsample = true;
    int64_t downsamplePadding = 1;
};

// diffusers' DownBlock2D and AttnDownBlock2D: `numLayers` resnets (each followed by an attention
// block for the Attn variant), then an optional Downsample2D. Returns the block output and
// every intermediate state the up path uses as a skip connection.
class DownBlock2DImpl : public torch::nn::Module {
public:
    explicit DownBlock2DImpl(const DownBlock2DOptions& options);
    torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& temb, std::vector<torch::Tensor>& skips);

private:
    std::vector<ResnetBlock2D> resnets_;
    std::vector<AttentionBlock> attentions_;
    Downsample2D downsampler_{nullptr};
};
TORCH_MODULE(DownBlock2D);

}  // namespace latentlens
