#pragma once

#include <torch/nn/module.h>
#include <torch/nn/modules/normalization.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>

#include "core/model/Attention.h"
#include "core/model/FeedForward.h"

namespace latentlens {

// diffusers' BasicTransformerBlock as Stable Diffusion uses it (norm_type "layer_norm", GEGLU
// feed-forward, no attention biases): pre-norm self-attention (norm1/attn1), cross-attention to
// the context (norm2/attn2) and feed-forward (norm3/ff), each added back to the running state.
// LayerNorms have eps 1e-5 as diffusers'. Tokens are (B, N, dim), the context (B, M, crossAttentionDim).
class BasicTransformerBlockImpl : public torch::nn::Module {
public:
    BasicTransformerBlockImpl(int64_t dim, int64_t heads, int64_t headDim, int64_t crossAttentionDim, bool upcastAttention);
    torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& context);

private:
    torch::nn::LayerNorm norm1_{nullptr};
    Attention attn1_{nullptr};
    torch::nn::LayerNorm norm2_{nullptr};
    Attention attn2_{nullptr};
    torch::nn::LayerNorm norm3_{nullptr};
    FeedForward ff_{nullptr};
};
TORCH_MODULE(BasicTransformerBlock);

}  // namespace latentlens
