#include "core/model/Transformer2DModel.h"

#include <torch/torch.h>

namespace latentlens {

Transformer2DModelImpl::Transformer2DModelImpl(const Transformer2DOptions& options) {
    const int64_t channels = options.channels;
    norm_ = register_module("norm", GroupNorm(options.groups, channels, 1e-6));
    const auto conv1x1 = [channels] { return Conv2d(torch::nn::Conv2dOptions(channels, channels, 1)); };
    if (options.useLinearProjection) {
        linearIn_ = register_module("proj_in", Linear(channels, channels));
    } else {
        convIn_ = register_module("proj_in", conv1x1());
    }
    auto blockList = register_module("transformer_blocks", torch::nn::ModuleList());
    for (int64_t i = 0; i < options.numLayers; ++i) {
        blocks_.emplace_back(channels, options.heads, channels / options.heads, options.crossAttentionDim,
                             options.upcastAttention);
        blockList->push_back(blocks_.back());
    }
    if (options.useLinearProjection) {
        linearOut_ = register_module("proj_out", Linear(channels, channels));
    } else {
        convOut_ = register_module("proj_out", conv1x1());
    }
}

torch::Tensor Transformer2DModelImpl::forward(const torch::Tensor& x, const torch::Tensor& context) {
    const int64_t batch = x.size(0), channels = x.size(1), height = x.size(2), width = x.size(3);
    // (B, C, H, W) ↔ (B, H·W, C)
    const auto toTokens = [&](const torch::Tensor& t) { return t.permute({0, 2, 3, 1}).reshape({batch, height * width, channels}); };
    const auto toImage = [&](const torch::Tensor& t) {
        return t.reshape({batch, height, width, channels}).permute({0, 3, 1, 2}).contiguous();
    };
    auto h = norm_->forward(x);
    h = linearIn_ ? linearIn_->forward(toTokens(h)) : toTokens(convIn_->forward(h));
    for (auto& block : blocks_) h = block->forward(h, context);
    h = linearOut_ ? toImage(linearOut_->forward(h)) : convOut_->forward(toImage(h));
    return h + x;
}

}  // namespace latentlens
