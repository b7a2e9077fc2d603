#include "core/model/CrossAttnUpBlock2D.h"

#include <torch/torch.h>

namespace latentlens {

CrossAttnUpBlock2DImpl::CrossAttnUpBlock2DImpl(const CrossAttnUpBlock2DOptions& options) {
    const auto& block = options.block;
    const int64_t out = block.resnet.outChannels;
    Transformer2DOptions transformer = options.transformer;
    transformer.channels = out;
    transformer.groups = block.resnet.groups;
    auto resnetList = register_module("resnets", torch::nn::ModuleList());
    auto attentionList = register_module("attentions", torch::nn::ModuleList());
    for (int64_t i = 0; i < block.numLayers; ++i) {
        resnets_.emplace_back(upBlockResnetOptions(block, i));
        resnetList->push_back(resnets_.back());
        attentions_.emplace_back(transformer);
        attentionList->push_back(attentions_.back());
    }
    if (block.addUpsample) {
        upsampler_ = Upsample2D(out);
        register_module("upsamplers", torch::nn::ModuleList(upsampler_));
    }
}

torch::Tensor CrossAttnUpBlock2DImpl::forward(const torch::Tensor& x, const torch::Tensor& temb,
                                              const torch::Tensor& context, std::vector<torch::Tensor>& skips) {
    auto h = x;
    for (size_t i = 0; i < resnets_.size(); ++i) {
        h = torch::cat({h, skips.back()}, 1);
        skips.pop_back();
        h = attentions_[i]->forward(resnets_[i]->forward(h, temb), context);
    }
    if (upsampler_) h = upsampler_->forward(h);
    return h;
}

}  // namespace latentlens
