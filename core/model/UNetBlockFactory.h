#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <torch/nn/module.h>
#include <torch/types.h>

#include "core/model/ResnetBlock2D.h"
#include "core/model/Transformer2DModel.h"

namespace latentlens {

// What diffusers' get_down_block / get_mid_block / get_up_block receive.
struct UNetBlockSpec {
    int64_t numLayers = 1;           // resnets (mid blocks: transformer+resnet pairs, always 1 here)
    int64_t inChannels = 0;          // down/mid: input channels; up: channels of the deepest skip consumed
    int64_t outChannels = 0;
    int64_t prevOutputChannels = 0;  // up blocks: channels coming from the block below
    ResnetBlock2DOptions resnet;     // temb channels, groups, eps, activation, output scale; channels set per resnet
    bool addResample = true;         // down: Downsample2D; up: Upsample2D
    int64_t downsamplePadding = 1;
    Transformer2DOptions transformer;  // cross-attention blocks: heads, layers, context width, projection, upcast
};

// A down, mid or up block of any type behind one call: down blocks append their skip states to
// `skips`, up blocks pop theirs from its back, mid blocks leave it alone; `context` is the
// encoder_hidden_states (ignored by blocks without cross-attention).
struct UNetBlock {
    std::shared_ptr<torch::nn::Module> module;
    std::function<torch::Tensor(const torch::Tensor& x, const torch::Tensor& temb, const torch::Tensor& context,
                                std::vector<torch::Tensor>& skips)>
        forward;
};

// Builds a block by its diffusers type name; throws Error for a name not in the lists below.
UNetBlock makeUNetDownBlock(const std::string& type, const UNetBlockSpec& spec);
UNetBlock makeUNetMidBlock(const std::string& type, const UNetBlockSpec& spec);
UNetBlock makeUNetUpBlock(const std::string& type, const UNetBlockSpec& spec);

const std::vector<std::string>& unetDownBlockTypes();  // DownBlock2D, CrossAttnDownBlock2D
const std::vector<std::string>& unetUpBlockTypes();    // UpBlock2D, CrossAttnUpBlock2D
bool isCrossAttentionBlockType(const std::string& type);

}  // namespace latentlens
