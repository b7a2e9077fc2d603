#include "core/model/DownEncoderBlock2D.h"

#include <torch/torch.h>

namespace latentlens {

DownEncoderBlock2DImpl::DownEncoderBlock2DImpl(const DownEncoderBlock2DOptions& options) {
    auto resnetList = register_module("resnets", torch::nn::ModuleList());
    for (int64_t i = 0; i < options.numLayers; ++i) {
        ResnetBlock2DOptions resnet = options.resnet;
        if (i > 0) resnet.inChannels = resnet.outChannels;
        resnets_.emplace_back(resnet);
        resnetList->push_back(resnets_.back());
    }
    if (options.addDownsample) {
        downsampler_ = Downsample2D(options.resnet.outChannels, options.downsamplePadding);
        register_module("downsamplers", torch::nn::ModuleList(downsampler_));
    }
}

torch::Tensor DownEncoderBlock2DImpl::forward(const torch::Tensor& x) {
    auto h = x;
    for (auto& resnet : resnets_) h = resnet->forward(h);
    return downsampler_ ? downsampler_->forward(h) : h;
}

}  // namespace latentlens
