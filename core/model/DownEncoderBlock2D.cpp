#include "core/model/DownEncoderBlock2D.h"

#include <torch/torch.h>

namespace latentlens {

DownEncoderBlock2DImpl::DownEncoderBlock2DImpl(const DownEncoderBlock2DOptions& options) {
    resnets_ = registerResnetStack(*this, options.resnet, options.numLayers);
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
