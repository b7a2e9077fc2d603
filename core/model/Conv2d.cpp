#include "core/model/Conv2d.h"

#include <torch/torch.h>

#include "core/model/ForwardTangent.h"

namespace latentlens {

torch::Tensor Conv2dImpl::forward(const torch::Tensor& x) {
    const auto parts = DualParts::of(x);
    if (!parts.hasTangent()) return torch::nn::Conv2dImpl::forward(x);
    const auto* padding = c10::get_if<torch::ExpandingArray<2>>(&options.padding());
    const bool zeroPadding = c10::get_if<torch::enumtype::kZeros>(&options.padding_mode()) != nullptr;
    if (!padding || !zeroPadding) return torch::nn::Conv2dImpl::forward(x);  // LibTorch's own tangent
    const auto convolve = [&](const torch::Tensor& input, const torch::Tensor& bias) {
        return torch::conv2d(input, weight, bias, options.stride(), *padding, options.dilation(), options.groups());
    };
    return parts.pack(convolve(parts.primalRows(), bias), convolve(parts.tangent, torch::Tensor()));
}

}  // namespace latentlens
