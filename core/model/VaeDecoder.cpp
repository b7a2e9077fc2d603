#include "core/model/VaeDecoder.h"

#include <torch/torch.h>

namespace latentlens {

VaeDecoderImpl::VaeDecoderImpl(const AutoencoderKLConfig& config) {
    const auto& channels = config.blockOutChannels;
    const int64_t blocks = config.numBlocks();
    const int64_t deepest = channels.back();
    convIn_ = register_module(
        "conv_in", Conv2d(torch::nn::Conv2dOptions(config.latentChannels, deepest, 3).padding(1)));
    // One attention head spanning all channels, group norm with the resnets' groups.
    midBlock_ = register_module("mid_block", UNetMidBlock2D(config.resnetOptions(deepest, deepest),
                                                            config.midBlockAddAttention, deepest, config.normNumGroups));

    auto upList = register_module("up_blocks", torch::nn::ModuleList());
    int64_t outputChannel = deepest;
    for (int64_t i = 0; i < blocks; ++i) {
        const int64_t blockChannels = channels[blocks - 1 - i];
        UpDecoderBlock2DOptions options;
        options.numLayers = config.layersPerBlock + 1;
        options.resnet = config.resnetOptions(outputChannel, blockChannels);
        outputChannel = blockChannels;
        options.addUpsample = i != blocks - 1;
        upBlocks_.emplace_back(options);
        upList->push_back(upBlocks_.back());
    }

    convNormOut_ =
        register_module("conv_norm_out", GroupNorm(config.normNumGroups, channels[0], AutoencoderKLConfig::kNormEps));
    convOut_ = register_module(
        "conv_out", Conv2d(torch::nn::Conv2dOptions(channels[0], config.outChannels, 3).padding(1)));
}

torch::Tensor VaeDecoderImpl::forward(const torch::Tensor& latent) {
    auto h = convIn_->forward(latent);
    h = midBlock_->forward(h);
    for (auto& block : upBlocks_) h = block->forward(h);
    // diffusers' conv_act is nn.SiLU whatever act_fn says.
    return convOut_->forward(torch::silu(convNormOut_->forward(h)));
}

}  // namespace latentlens
