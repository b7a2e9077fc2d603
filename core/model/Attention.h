#pragma once

#include <torch/nn/module.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>

#include "core/model/Linear.h"

namespace latentlens {

struct AttentionOptions {
    int64_t queryDim = 0;
    int64_t crossAttentionDim = 0;  // width of the context; 0: self-attention (context = the input)
    int64_t heads = 1;
    int64_t headDim = 0;
    bool bias = false;            // to_q/to_k/to_v biases (diffusers' attention_bias)
    bool upcastAttention = false;  // q·kᵀ and the softmax in float32
    bool upcastSoftmax = false;    // the softmax in float32
};

// diffusers' Attention as the transformer blocks build it, with the classic AttnProcessor math:
// to_q / to_k / to_v / to_out.0, heads × head_dim, scores scaled by 1/sqrt(head_dim), softmax over
// the context tokens. Input (B, N, queryDim) and context (B, M, crossAttentionDim); no residual.
class AttentionImpl : public torch::nn::Module {
public:
    explicit AttentionImpl(const AttentionOptions& options);
    // context undefined: self-attention.
    torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& context = {});

    // diffusers implements upcast_attention / upcast_softmax as .float(): that widens half
    // precision and (the default here, true) also rounds a float64 model's scores to float32.
    // false: the upcasts only ever widen, so a float64 model stays float64 throughout.
    void setSoftmaxInFloat32(bool enabled) { softmaxInFloat32_ = enabled; }

private:
    bool castsToFloat32(torch::ScalarType dtype) const;

    AttentionOptions options_;
    bool softmaxInFloat32_ = true;
    Linear toQ_{nullptr};
    Linear toK_{nullptr};
    Linear toV_{nullptr};
    torch::nn::ModuleList toOut_{nullptr};
    Linear outProjection_{nullptr};
};
TORCH_MODULE(Attention);

}  // namespace latentlens
