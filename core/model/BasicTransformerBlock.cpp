#include "core/model/BasicTransformerBlock.h"

#include <torch/torch.h>

namespace latentlens {

BasicTransformerBlockImpl::BasicTransformerBlockImpl(int64_t dim, int64_t heads, int64_t headDim,
                                                     int64_t crossAttentionDim, bool upcastAttention) {
    const auto layerNorm = [dim] { return torch::nn::LayerNorm(torch::nn::LayerNormOptions({dim}).eps(1e-5)); };
    AttentionOptions attention;
    attention.queryDim = dim;
    attention.heads = heads;
    attention.headDim = headDim;
    attention.upcastAttention = upcastAttention;
    norm1_ = register_module("norm1", layerNorm());
    attn1_ = register_module("attn1", Attention(attention));
    attention.crossAttentionDim = crossAttentionDim;
    norm2_ = register_module("norm2", layerNorm());
    attn2_ = register_module("attn2", Attention(attention));
    norm3_ = register_module("norm3", layerNorm());
    ff_ = register_module("ff", FeedForward(dim));
}

torch::Tensor BasicTransformerBlockImpl::forward(const torch::Tensor& x, const torch::Tensor& context) {
    auto h = attn1_->forward(norm1_->forward(x)) + x;
    h = attn2_->forward(norm2_->forward(h), context) + h;
    return ff_->forward(norm3_->forward(h)) + h;
}

}  // namespace latentlens
