#include "core/model/Resampling2D.h"

#include <torch/torch.h>

namespace latentlens {

Downsample2DImpl::Downsample2DImpl(int64_t channels, int64_t padding) : padding_(padding) {
    conv_ = register_module("conv",
                            Conv2d(torch::nn::Conv2dOptions(channels, channels, 3).stride(2).padding(padding)));
}

torch::Tensor Downsample2DImpl::forward(const torch::Tensor& x) {
    if (padding_ == 0) return conv_->forward(torch::constant_pad_nd(x, {0, 1, 0, 1}, 0));
    return conv_->forward(x);
}

Upsample2DImpl::Upsample2DImpl(int64_t channels) {
    conv_ = register_module("conv", Conv2d(torch::nn::Conv2dOptions(channels, channels, 3).padding(1)));
}

torch::Tensor Upsample2DImpl::forward(const torch::Tensor& x) {
    auto upsampled = torch::upsample_nearest2d(x, {x.size(2) * 2, x.size(3) * 2});
    return conv_->forward(upsampled);
}

}  // namespace latentlens
