#include "core/model/UpBlock2D.h"

#include <torch/torch.h>

namespace latentlens {

ResnetBlock2DOptions upBlockResnetOptions(const UpBlock2DOptions& options, int64_t index) {
    const int64_t out = options.resnet.outChannels;
    const int64_t skipChannels = (index == options.numLayers - 1) ? options.inChannels : out;
    const int64_t runningChannels = (index == 0) ? options.prevOutputChannels : out;
    ResnetBlock2DOptions resnet = options.resnet;
    resnet.inChannels = runningChannels + skipChannels;
    return resnet;
}

UpBlock2DImpl::UpBlock2DImpl(const UpBlock2DOptions& options) {
    auto resnetList = register_module("resnets", torch::nn::ModuleList());
    torch::nn::ModuleList attentionList;
    if (options.attention) attentionList = register_module("attentions", torch::nn::ModuleList());
    const int64_t out = options.resnet.outChannels;
    for (int64_t i = 0; i < options.numLayers; ++i) {
        const ResnetBlock2DOptions resnet = upBlockResnetOptions(options, i);
        resnets_.emplace_back(resnet);
        resnetList->push_back(resnets_.back());
        if (options.attention) {
            attentions_.emplace_back(out, options.attentionHeadDim, resnet.groups, resnet.eps, resnet.outputScaleFactor);
            attentionList->push_back(attentions_.back());
        }
    }
    if (options.addUpsample) {
        upsampler_ = Upsample2D(out);
        register_module("upsamplers", torch::nn::ModuleList(upsampler_));
    }
}

torch::Tensor UpBlock2DImpl::forward(const torch::Tensor& x, const torch::Tensor& temb,
                                     std::vector<torch::Tensor>& skips) {
    auto h = x;
    for (size_t i = 0; i < resnets_.size(); ++i) {
        h = torch::cat({h, skips.back()}, 1);
        skips.pop_back();
        h = resnets_[i]->forward(h, temb);
        if (!attentions_.empty()) h = attentions_[i]->forward(h);
    }
    if (upsampler_) h = upsampler_->forward(h);
    return h;
}

}  // namespace latentlens
