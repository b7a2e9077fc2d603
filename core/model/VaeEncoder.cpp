#include "core/model/VaeEncoder.h"

#include <torch/torch.h>

namespace latentlens {

VaeEncoderImpl::VaeEncoderImpl(const AutoencoderKLConfig& config) {
    const auto& channels = config.blockOutChannels;
    const int64_t blocks = config.numBlocks();
    convIn_ = register_module(
        "conv_in", Conv2d(torch::nn::Conv2dOptions(config.inChannels, channels[0], 3).padding(1)));

    auto downList = register_module("down_blocks", torch::nn::ModuleList());
    int64_t outputChannel = channels[0];
    for (int64_t i = 0; i < blocks; ++i) {
        DownEncoderBlock2DOptions options;
        options.numLayers = config.layersPerBlock;
        options.resnet = config.resnetOptions(outputChannel, channels[i]);
        outputChannel = channels[i];
        options.addDownsample = i != blocks - 1;
        options.downsamplePadding = 0;
        downBlocks_.emplace_back(options);
        downList->push_back(downBlocks_.back());
    }

    const int64_t deepest = channels.back();
    // One attention head spanning all channels, group norm with the resnets' groups.
    midBlock_ = register_module("mid_block", UNetMidBlock2D(config.resnetOptions(deepest, deepest),
                                                            config.midBlockAddAttention, deepest, config.normNumGroups));
    convNormOut_ =
        register_module("conv_norm_out", GroupNorm(config.normNumGroups, deepest, AutoencoderKLConfig::kNormEps));
    convOut_ = register_module(
        "conv_out", Conv2d(torch::nn::Conv2dOptions(deepest, 2 * config.latentChannels, 3).padding(1)));
}

torch::Tensor VaeEncoderImpl::forward(const torch::Tensor& image) {
    auto h = convIn_->forward(image);
    for (auto& block : downBlocks_) h = block->forward(h);
    h = midBlock_->forward(h);
    // diffusers' conv_act is nn.SiLU whatever act_fn says.
    return convOut_->forward(torch::silu(convNormOut_->forward(h)));
}

}  // namespace latentlens
