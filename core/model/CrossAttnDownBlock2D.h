#pragma once

#include <vector>

#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>

#include "core/model/DownBlock2D.h"
#include "core/model/Resampling2D.h"
#include "core/model/ResnetBlock2D.h"
#include "core/model/Transformer2DModel.h"

namespace latentlens {

// diffusers' CrossAttnDownBlock2D: DownBlock2D's layout (block.attention unused) with a
// Transformer2DModel after every resnet. The transformer's channels and groups come from the
// resnets; heads, layers, cross-attention width and projection kind from `transformer`.
struct CrossAttnDownBlock2DOptions {
    DownBlock2DOptions block;
    Transformer2DOptions transformer;
};

class CrossAttnDownBlock2DImpl : public torch::nn::Module {
public:
    explicit CrossAttnDownBlock2DImpl(const CrossAttnDownBlock2DOptions& options);
    // Appends every resnet+transformer output and the downsampled state to `skips`.
    torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& temb, const torch::Tensor& context,
                          std::vector<torch::Tensor>& skips);

private:
    std::vector<ResnetBlock2D> resnets_;
    std::vector<Transformer2DModel> attentions_;
    Downsample2D downsampler_{nullptr};
};
TORCH_MODULE(CrossAttnDownBlock2D);

}  // namespace latentlens
