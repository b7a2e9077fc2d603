#pragma once

#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>

namespace latentlens {

// torch.nn.GroupNorm (affine), parameters "weight" and "bias", eps from the config. Runs the
// fused native kernel; an input carrying a forward-mode tangent (LibTorch 1.13 has no group-norm
// forward formula that takes every layout) gets its tangent from the closed-form derivative
// (ForwardTangent.h).
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
