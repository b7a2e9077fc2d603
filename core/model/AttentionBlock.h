#pragma once

#include <string>

#include <torch/nn/module.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>

#include "core/model/GroupNorm.h"
#include "core/model/Linear.h"

namespace latentlens {

// diffusers' Attention as built by the UNet2D blocks (_from_deprecated_attn_block): optional
// group_norm, to_q/to_k/to_v/to_out.0, multi-head self-attention over the H*W positions with
// the classic AttnProcessor math (bmm, scale 1/sqrt(head_dim), softmax in float32 like diffusers'
// upcast_softmax unless told otherwise), residual connection, division by rescale_output_factor.
class AttentionBlockImpl : public torch::nn::Module {
public:
    // groups == 0: no group norm (diffusers' mid block with resnet_time_scale_shift "scale_shift").
    AttentionBlockImpl(int64_t channels, int64_t headDim, int64_t groups, double eps, double rescaleOutputFactor);
    torch::Tensor forward(const torch::Tensor& x);
    // true (default, diffusers parity): the softmax runs in float32 whatever the model dtype.
    // false: it runs in the model dtype (float64 models are then float64 throughout).
    void setSoftmaxInFloat32(bool enabled) { softmaxInFloat32_ = enabled; }

    // The name diffusers' old AttentionBlock gave a parameter ("to_q.weight" → "query.weight";
    // key, value, proj_attn = to_out.0 likewise; group_norm kept its name), which checkpoints
    // saved before the rename still use and diffusers' from_pretrained renames on load. `name` is
    // relative to the block; "" if the parameter never had another name.
    static std::string legacyParameterName(const std::string& name);

private:
    int64_t channels_;
    int64_t heads_;
    int64_t headDim_;
    double rescaleOutputFactor_;
    bool softmaxInFloat32_ = true;
    GroupNorm groupNorm_{nullptr};
    Linear toQ_{nullptr};
    Linear toK_{nullptr};
    Linear toV_{nullptr};
    torch::nn::ModuleList toOut_{nullptr};
    Linear outProjection_{nullptr};
};
TORCH_MODULE(AttentionBlock);

// setSoftmaxInFloat32(enabled) on every AttentionBlock inside `model`.
void setAttentionSoftmaxInFloat32(torch::nn::Module& model, bool enabled);

}  // namespace latentlens
