#pragma once

#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>

namespace latentlens {

// torch.nn.GroupNorm (affine), parameters "weight" and "bias", eps from the config. Runs the
// fused native kernel, except for inputs carrying a forward-mode AD tangent: LibTorch 1.13's
// group-norm JVP fails on non-contiguous tangents, so those take the same math in plain ops
// (mean, variance, rsqrt), whose derivatives always work.
class GroupNormImpl : public torch::nn::Module {
public:
    GroupNormImpl(int64_t groups, int64_t channels, double eps);
    torch::Tensor forward(const torch::Tensor& x) const;  // (N, C, ...) → same shape

private:
    int64_t groups_;
    int64_t channels_;
    double eps_;
    torch::Tensor weight_;
    torch::Tensor bias_;
};
TORCH_MODULE(GroupNorm);

}  // namespace latentlens
