#include "core/model/UpDecoderBlock2D.h"

#include <torch/torch.h>

namespace latentlens {

UpDecoderBlock2DImpl::UpDecoderBlock2DImpl(const UpDecoderBlock2DOptions& options) {
    resnets_ = registerResnetStack(*this, options.resnet, options.numLayers);
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
