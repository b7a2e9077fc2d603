#pragma once

#include <torch/nn/modules/conv.h>

namespace latentlens {

// torch.nn.Conv2d (parameters "weight" and "bias"), whose forward-mode tangent is one
// convolution without bias (ForwardTangent.h) instead of LibTorch's three. The networks' every
// convolution is one of these.
class Conv2dImpl : public torch::nn::Conv2dImpl {
public:
    using torch::nn::Conv2dImpl::Conv2dImpl;
    torch::Tensor forward(const torch::Tensor& x);
};
TORCH_MODULE(Conv2d);

}  // namespace latentlens
