#include "core/model/UNetMidBlock2DCrossAttn.h"

#include <torch/torch.h>

namespace latentlens {

UNetMidBlock2DCrossAttnImpl::UNetMidBlock2DCrossAttnImpl(const ResnetBlock2DOptions& resnet,
                                                         const Transformer2DOptions& transformer) {
    Transformer2DOptions options = transformer;
    options.channels = resnet.outChannels;
    options.groups = resnet.groups;
    first_ = ResnetBlock2D(resnet);
    second_ = ResnetBlock2D(resnet);
    attention_ = Transformer2DModel(options);
    register_module("attentions", torch::nn::ModuleList(attention_));
    register_module("resnets", torch::nn::ModuleList(first_, second_));
}

torch::Tensor UNetMidBlock2DCrossAttnImpl::forward(const torch::Tensor& x, const torch::Tensor& temb,
                                                   const torch::Tensor& context) {
    auto h = first_->forward(x, temb);
    h = attention_->forward(h, context);
    return second_->forward(h, temb);
}

}  // namespace latentlens
