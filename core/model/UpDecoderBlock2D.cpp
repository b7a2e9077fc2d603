#include "core/model/UpDecoderBlock2D.h"

#include <torch/torch.h>

namespace latentlens {

UpDecoderBlock2DImpl::UpDecoderBlock2DImpl(const UpDecoderBlock2DOptions& options) {
    auto resnetList = register_module("resnets", torch::nn::ModuleList());
    for (int64_t i = 0; i < options.numLayers; ++i) {
        ResnetBlock2DOptions resnet = options.resnet;
        if (i > 0) resnet.inChannels = resnet.outChannels;
        resnets_.emplace_back(resnet);
        resnetList->push_back(resnets_.back());
    }
    if (options.addUpsample) {
        upsampler_ = Upsample2D(options.resnet.outChannels);
        register_module("upsamplers", torch::nn::ModuleList(upsampler_));
    }
}

torch::Tensor UpDecoderBlock2DImpl::forward(const torch::Tensor& x) {
    auto h = x;
    for (auto& resnet : resnets_) h = resnet->forward(h);
    return upsampler_ ? upsampler_->forward(h) : h;
}

}  // namespace latentlens
