#include "core/model/CrossAttnDownBlock2D.h"

#include <torch/torch.h>

namespace latentlens {

CrossAttnDownBlock2DImpl::CrossAttnDownBlock2DImpl(const CrossAttnDownBlock2DOptions& options) {
    const auto& block = options.block;
    Transformer2DOptions transformer = options.transformer;
    transformer.channels = block.resnet.outChannels;
    transformer.groups = block.resnet.groups;
    auto resnetList = register_module("resnets", torch::nn::ModuleList());
    auto attentionList = register_module("attentions", torch::nn::ModuleList());
    for (int64_t i = 0; i < block.numLayers; ++i) {
        ResnetBlock2DOptions resnet = block.resnet;
        if (i > 0) resnet.inChannels = resnet.outChannels;
        resnets_.emplace_back(resnet);
        resnetList->push_back(resnets_.back());
        attentions_.emplace_back(transformer);
        attentionList->push_back(attentions_.back());
    }
    if (block.addDownsample) {
        downsampler_ = Downsample2D(block.resnet.outChannels, block.downsamplePadding);
        register_module("downsamplers", torch::nn::ModuleList(downsampler_));
    }
}

torch::Tensor CrossAttnDownBlock2DImpl::forward(const torch::Tensor& x, const torch::Tensor& temb,
                                                const torch::Tensor& context, std::vector<torch::Tensor>& skips) {
    auto h = x;
    for (size_t i = 0; i < resnets_.size(); ++i) {
        h = attentions_[i]->forward(resnets_[i]->forward(h, temb), context);
        skips.push_back(h);
    }
    if (downsampler_) {
        h = downsampler_->forward(h);
        skips.push_back(h);
    }
    return h;
}

}  // namespace latentlens
