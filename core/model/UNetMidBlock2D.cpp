#include "core/model/UNetMidBlock2D.h"

#include <torch/torch.h>

namespace latentlens {

UNetMidBlock2DImpl::UNetMidBlock2DImpl(const ResnetBlock2DOptions& resnet, bool addAttention, int64_t attentionHeadDim,
                                       int64_t attentionGroups) {
    first_ = ResnetBlock2D(resnet);
    second_ = ResnetBlock2D(resnet);
    register_module("resnets", torch::nn::ModuleList(first_, second_));
    if (addAttention) {
        attention_ = AttentionBlock(resnet.outChannels, attentionHeadDim, attentionGroups, resnet.eps,
                                    resnet.outputScaleFactor);
        register_module("attentions", torch::nn::ModuleList(attention_));
    }
}

torch::Tensor UNetMidBlock2DImpl::forward(const torch::Tensor& x, const torch::Tensor& temb) {
    auto h = first_->forward(x, temb);
    if (attention_) h = attention_->forward(h);
    return second_->forward(h, temb);
}

}  // namespace latentlens
