#pragma once

#include <vector>

#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>

#include "core/model/Resampling2D.h"
#include "core/model/ResnetBlock2D.h"
#include "core/model/Transformer2DModel.h"
#include "core/model/UpBlock2D.h"

namespace latentlens {

// diffusers' CrossAttnUpBlock2D: UpBlock2D's layout (block.attention unused) with a
// Transformer2DModel after every resnet; channels and groups of the transformers come from the
// resnets.
struct CrossAttnUpBlock2DOptions {
    UpBlock2DOptions block;
    Transformer2DOptions transformer;
};

class CrossAttnUpBlock2DImpl : public torch::nn::Module {
public:
    explicit CrossAttnUpBlock2DImpl(const CrossAttnUpBlock2DOptions& options);
    // Each resnet takes the running state concatenated with the skip popped from the back of `skips`.
    torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& temb, const torch::Tensor& context,
                          std::vector<torch::Tensor>& skips);

private:
    std::vector<ResnetBlock2D> resnets_;
    std::vector<Transformer2DModel> attentions_;
    Upsample2D upsampler_{nullptr};
};
TORCH_MODULE(CrossAttnUpBlock2D);

}  // namespace latentlens
