#pragma once

#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>

namespace latentlens {

// torch.nn.GroupNorm (affine), parameters "weight" and "bias". Written with plain tensor ops
// (mean/var/rsqrt) rather than the fused native_group_norm kernel so that forward-mode AD
// (the Jacobian-vector products of core/geometry) works on LibTorch 1.13.
class GroupNormImpl : public torch::nn::Module {
public:
    GroupNormImpl(int64_t groups, int64_t channels, double eps);
    torch::Tensor forward(const torch::Tensor& x) const;  // (N, C, ...) → same shape

    int64_t groups() const { return groups_; }

private:
    int64_t groups_;
    int64_t channels_;
    double eps_;
    torch::Tensor weight_;
    torch::Tensor bias_;
};
TORCH_MODULE(GroupNorm);

}  // namespace latentlens
