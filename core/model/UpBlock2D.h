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

struct UpBlock2DOptions {
    int64_t numLayers = 1;
    int64_t inChannels = 0;          // channels of the deepest skip this block consumes
    int64_t prevOutputChannels = 0;  // channels coming from the block below
    ResnetBlock2DOptions resnet;     // outChannels, temb, groups, eps, activation, scale/shift
    bool attention = false;          // AttnUpBlock2D
    int64_t attentionHeadDim = 0;
    bool addUpsample = true;
};

// The options of resnet `index` of an up block (UpBlock2D, AttnUpBlock2D, CrossAttnUpBlock2D): its
// input is the running state (prevOutputChannels into the first, resnet.outChannels after)
// concatenated with a skip (inChannels for the last, resnet.outChannels before).
ResnetBlock2DOptions upBlockResnetOptions(const UpBlock2DOptions& options, int64_t index);

// diffusers' UpBlock2D and AttnUpBlock2D: each resnet takes the running state concatenated with
// the next skip (popped from the back), optionally followed by attention; then an optional
// Upsample2D.
class UpBlock2DImpl : public torch::nn::Module {
public:
    explicit UpBlock2DImpl(const UpBlock2DOptions& options);
    torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& temb, std::vector<torch::Tensor>& skips);

private:
    std::vector<ResnetBlock2D> resnets_;
    std::vector<AttentionBlock> attentions_;
    Upsample2D upsampler_{nullptr};
};
TORCH_MODULE(UpBlock2D);

}  // namespace latentlens
