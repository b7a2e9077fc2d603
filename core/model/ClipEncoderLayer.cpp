#include "core/model/ClipEncoderLayer.h"

#include <torch/torch.h>

namespace latentlens {

ClipEncoderLayerImpl::ClipEncoderLayerImpl(const ClipTextConfig& config) : quickGelu_(config.hiddenAct == "quick_gelu") {
    const auto layerNorm = [&] {
        return torch::nn::LayerNorm(torch::nn::LayerNormOptions({config.hiddenSize}).eps(config.layerNormEps));
    };
    selfAttn_ = register_module("self_attn", ClipAttention(config.hiddenSize, config.numAttentionHeads));
    layerNorm1_ = register_module("layer_norm1", layerNorm());
    // transformers' CLIPMLP holds only the two projections; a plain container keeps its key prefix.
    auto mlp = register_module("mlp", std::make_shared<torch::nn::Module>());
    fc1_ = mlp->register_module("fc1", torch::nn::Linear(config.hiddenSize, config.intermediateSize));
    fc2_ = mlp->register_module("fc2", torch::nn::Linear(config.intermediateSize, config.hiddenSize));
    layerNorm2_ = register_module("layer_norm2", layerNorm());
}

torch::Tensor ClipEncoderLayerImpl::forward(const torch::Tensor& x, bool causal) {
    auto h = x + selfAttn_->forward(layerNorm1_->forward(x), causal);
    auto inner = fc1_->forward(layerNorm2_->forward(h));
    inner = quickGelu_ ? inner * torch::sigmoid(1.702 * inner) : torch::gelu(inner);
    return h + fc2_->forward(inner);
}

}  // namespace latentlens
