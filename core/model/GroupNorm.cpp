#include "core/model/GroupNorm.h"

#include <torch/torch.h>

#include "core/model/ForwardTangent.h"

namespace latentlens {

GroupNormImpl::GroupNormImpl(int64_t groups, int64_t channels, double eps)
    : groups_(groups), channels_(channels), eps_(eps) {
    weight_ = register_parameter("weight", torch::ones({channels}));
    bias_ = register_parameter("bias", torch::zeros({channels}));
}

torch::Tensor GroupNormImpl::forward(const torch::Tensor& x) const {
    const auto parts = DualParts::of(x);
    if (!parts.hasTangent()) return torch::group_norm(x, groups_, weight_, bias_, eps_, /*cudnn_enabled=*/true);
    // y = γ·x̂ + β with x̂ = (x − μ)·r per group, r = 1/√(var + eps); its derivative is
    // dy = γ·r·(dx − mean(dx) − x̂·mean(x̂·dx)), the means over each group.
    const auto input = parts.primalRows().contiguous();
    const int64_t rows = input.size(0);
    const int64_t perGroup = input.numel() / (rows * groups_);
    auto [output, mean, rstd] =
        at::native_group_norm(input, weight_, bias_, rows, channels_, input.numel() / (rows * channels_), groups_, eps_);
    const auto sizes = parts.tangent.sizes().vec();
    const auto mu = mean.reshape({rows, groups_, 1});
    const auto r = rstd.reshape({rows, groups_, 1});
    const auto normalized = (input.reshape({rows, groups_, perGroup}) - mu) * r;
    const auto dx = parts.tangent.reshape({sizes[0], groups_, perGroup});
    const auto dNormalized =
        r * (dx - dx.mean(-1, /*keepdim=*/true) - normalized * (normalized * dx).mean(-1, /*keepdim=*/true));
    std::vector<int64_t> affineShape(sizes.size(), 1);
    affineShape[1] = channels_;
    return parts.pack(output, dNormalized.reshape(sizes) * weight_.reshape(affineShape));
}

}  // namespace latentlens
