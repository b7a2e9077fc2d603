#include "core/model/GroupNorm.h"

#include <torch/torch.h>

namespace latentlens {

GroupNormImpl::GroupNormImpl(int64_t groups, int64_t channels, double eps)
    : groups_(groups), channels_(channels), eps_(eps) {
    weight_ = register_parameter("weight", torch::ones({channels}));
    bias_ = register_parameter("bias", torch::zeros({channels}));
}

torch::Tensor GroupNormImpl::forward(const torch::Tensor& x) const {
    // Forward-mode AD only ever uses level 0 (LibTorch 1.13 has no nested levels).
    if (!x._fw_grad(/*level=*/0).defined()) {
        return torch::group_norm(x, groups_, weight_, bias_, eps_, /*cudnn_enabled=*/true);
    }
    const auto sizes = x.sizes().vec();
    auto grouped = x.reshape({sizes[0], groups_, -1});
    auto mean = grouped.mean(-1, /*keepdim=*/true);
    auto centered = grouped - mean;
    auto variance = (centered * centered).mean(-1, /*keepdim=*/true);  // biased, as GroupNorm
    auto normalized = (centered * torch::rsqrt(variance + eps_)).reshape(sizes);
    std::vector<int64_t> affineShape(sizes.size(), 1);
    affineShape[1] = channels_;
    return normalized * weight_.reshape(affineShape) + bias_.reshape(affineShape);
}

}  // namespace latentlens
