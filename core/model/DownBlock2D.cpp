#include "core/model/DownBlock2D.h"

#include <torch/torch.h>

namespace latentlens {

DownBlock2DImpl::DownBlock2DImpl(const DownBlock2DOptions& options) {
    auto resnetList = register_module("resnets", torch::nn::ModuleList());
    torch::nn::ModuleList attentionList;
    if (options.attention) attentionList = register_module("attentions", torch::nn::ModuleList());
    for (int64_t i = 0; i < options.numLayers; ++i) {
        ResnetBlock2DOptions resnet = options.resnet;
        if (i > 0) resnet.inChannels = resnet.outChannels;
        resnets_.emplace_back(resnet);
        resnetList->push_back(resnets_.back());
        if (options.attention) {
            attentions_.emplace_back(resnet.outChannels, options.attentionHeadDim, resnet.groups, resnet.eps,
                                     resnet.outputScaleFactor);
            attentionList->push_back(attentions_.back());
        }
    }
    if (options.addDownsample) {
        downsampler_ = Downsample2D(options.resnet.outChannels, options.downsamplePadding);
        register_module("downsamplers", torch::nn::ModuleList(downsampler_));
    }
}

torch::Tensor DownBlock2DImpl::forward(const torch::Tensor& x, const torch::Tensor& temb,
                                       std::vector<torch::Tensor>& skips) {
    auto h = x;
    for (size_t i = 0; i < resnets_.size(); ++i) {
        h = resnets_[i]->forward(h, temb);
        if (!attentions_.empty()) h = attentions_[i]->forward(h);
        skips.push_back(h);
    }
    if (downsampler_) {
        h = downsampler_->forward(h);
        skips.push_back(h);
    }
    return h;
}

}  // namespace latentlens
