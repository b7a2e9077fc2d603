#include "core/model/UNet2DModel.h"

#include <algorithm>

#include <torch/torch.h>

#include "core/Error.h"
#include "core/model/ModuleWeights.h"

namespace latentlens {

UNet2DModelImpl::UNet2DModelImpl(UNet2DConfig config)
    : config_(std::move(config)), activation_(parseActivation(config_.actFn)) {
    const auto& channels = config_.blockOutChannels;
    const int64_t blocks = config_.numBlocks();
    const int64_t tembDim = config_.timeEmbedDim();

    convIn_ = register_module(
        "conv_in", Conv2d(torch::nn::Conv2dOptions(config_.inChannels, channels[0], 3).padding(1)));
    timeProj_ = register_module("time_proj", TimestepProjection(config_));
    timeEmbedding_ = register_module("time_embedding", TimestepEmbedding(timeProj_->outputDim(), tembDim, activation_));

    ResnetBlock2DOptions resnet;
    resnet.tembChannels = tembDim;
    resnet.groups = config_.normNumGroups;
    resnet.eps = config_.normEps;
    resnet.activation = activation_;
    resnet.scaleShift = config_.resnetTimeScaleShift == "scale_shift";

    const auto headDim = [&](int64_t width) { return config_.attentionHeadDim.value_or(width); };

    auto downList = register_module("down_blocks", torch::nn::ModuleList());
    int64_t outputChannel = channels[0];
    for (int64_t i = 0; i < blocks; ++i) {
        DownBlock2DOptions options;
        options.numLayers = config_.layersPerBlock;
        options.resnet = resnet;
        options.resnet.inChannels = outputChannel;
        outputChannel = channels[i];
        options.resnet.outChannels = outputChannel;
        options.attention = config_.downBlockTypes[i] == "AttnDownBlock2D";
        options.attentionHeadDim = headDim(outputChannel);
        options.addDownsample = i != blocks - 1;
        options.downsamplePadding = config_.downsamplePadding;
        downBlocks_.emplace_back(options);
        downList->push_back(downBlocks_.back());
    }

    ResnetBlock2DOptions mid = resnet;
    mid.inChannels = mid.outChannels = channels.back();
    mid.outputScaleFactor = config_.midBlockScaleFactor;
    // diffusers: attention groups default to the resnet groups only with "default" time scale shift.
    const int64_t midAttentionGroups =
        config_.attnNormNumGroups.value_or(resnet.scaleShift ? 0 : config_.normNumGroups);
    midBlock_ = register_module(
        "mid_block", UNetMidBlock2D(mid, config_.addAttention, headDim(channels.back()), midAttentionGroups));

    auto upList = register_module("up_blocks", torch::nn::ModuleList());
    std::vector<int64_t> reversed(channels.rbegin(), channels.rend());
    outputChannel = reversed[0];
    for (int64_t i = 0; i < blocks; ++i) {
        UpBlock2DOptions options;
        options.numLayers = config_.layersPerBlock + 1;
        options.prevOutputChannels = outputChannel;
        outputChannel = reversed[i];
        options.inChannels = reversed[std::min(i + 1, blocks - 1)];
        options.resnet = resnet;
        options.resnet.outChannels = outputChannel;
        options.attention = config_.upBlockTypes[i] == "AttnUpBlock2D";
        options.attentionHeadDim = headDim(outputChannel);
        options.addUpsample = i != blocks - 1;
        upBlocks_.emplace_back(options);
        upList->push_back(upBlocks_.back());
    }

    convNormOut_ = register_module("conv_norm_out", GroupNorm(config_.normNumGroups, channels[0], config_.normEps));
    convOut_ = register_module(
        "conv_out", Conv2d(torch::nn::Conv2dOptions(channels[0], config_.outChannels, 3).padding(1)));
    eval();
}

torch::Tensor UNet2DModelImpl::embedTime(const torch::Tensor& timesteps, int64_t batch, torch::ScalarType dtype,
                                         torch::Device device) {
    auto t = broadcastTimesteps(timesteps, batch, device);
    auto projected = timeProj_->forward(t).to(dtype);
    return timeEmbedding_->forward(projected);
}

void UNet2DModelImpl::checkBlock(const BlockId& block) const {
    if (block.kind != BlockId::Kind::Mid && (block.index < 0 || block.index >= config_.numBlocks())) {
        throw Error("block " + block.name() + " does not exist: this model has " + std::to_string(config_.numBlocks()) +
                    " down and up blocks (0.." + std::to_string(config_.numBlocks() - 1) + ")");
    }
}

UNet2DModelImpl::Output UNet2DModelImpl::run(const torch::Tensor& input, const torch::Tensor& timesteps,
                                             const BlockId* block, bool needSample) {
    if (input.dim() != 4 || input.size(1) != config_.inChannels || input.size(2) != config_.sampleSize ||
        input.size(3) != config_.sampleSize) {
        throw Error("model input must have shape (N, " + std::to_string(config_.inChannels) + ", " +
                    std::to_string(config_.sampleSize) + ", " + std::to_string(config_.sampleSize) + "), got " +
                    shapeText(input.sizes()));
    }
    if (block) checkBlock(*block);
    const auto dtype = convIn_->weight.scalar_type();
    if (input.scalar_type() != dtype) {
        throw Error(std::string("model input has dtype ") + c10::toString(input.scalar_type()) + " but the model runs in " +
                    c10::toString(dtype));
    }
    Output output;
    auto x = config_.centerInputSample ? 2 * input - 1.0 : input;
    auto temb = embedTime(timesteps, x.size(0), dtype, x.device());

    auto h = convIn_->forward(x);
    std::vector<torch::Tensor> skips{h};
    for (size_t i = 0; i < downBlocks_.size(); ++i) {
        h = downBlocks_[i]->forward(h, temb, skips);
        if (block && block->kind == BlockId::Kind::Down && block->index == static_cast<int>(i)) {
            output.features = h;
            if (!needSample) return output;
        }
    }
    h = midBlock_->forward(h, temb);
    if (block && block->kind == BlockId::Kind::Mid) {
        output.features = h;
        if (!needSample) return output;
    }
    for (size_t i = 0; i < upBlocks_.size(); ++i) {
        h = upBlocks_[i]->forward(h, temb, skips);
        if (block && block->kind == BlockId::Kind::Up && block->index == static_cast<int>(i)) output.features = h;
    }
    h = convOut_->forward(activate(activation_, convNormOut_->forward(h)));
    if (config_.timeEmbeddingType == "fourier") {
        // diffusers divides the output by the (noise-level) timestep for Fourier embeddings.
        auto t = timesteps.to(h.device(), h.scalar_type()).reshape({-1, 1, 1, 1});
        h = h / t;
    }
    output.sample = h;
    return output;
}

torch::Tensor UNet2DModelImpl::forward(const torch::Tensor& x, const torch::Tensor& timesteps) {
    return run(x, timesteps, nullptr, true).sample;
}

torch::Tensor UNet2DModelImpl::forward(const torch::Tensor& x, int64_t timestep) {
    return forward(x, torch::tensor(timestep, torch::kLong));
}

torch::Tensor UNet2DModelImpl::features(const torch::Tensor& x, const torch::Tensor& timesteps, const BlockId& block) {
    return run(x, timesteps, &block, false).features;
}

torch::Tensor UNet2DModelImpl::features(const torch::Tensor& x, int64_t timestep, const BlockId& block) {
    return features(x, torch::tensor(timestep, torch::kLong), block);
}

UNet2DModelImpl::Output UNet2DModelImpl::forwardWithFeatures(const torch::Tensor& x, const torch::Tensor& timesteps,
                                                             const BlockId& block) {
    return run(x, timesteps, &block, true);
}

std::vector<int64_t> UNet2DModelImpl::featureShape(const BlockId& block) const {
    checkBlock(block);
    return unetBlockOutputShape(block, config_.blockOutChannels, config_.sampleSize, config_.sampleSize);
}

int64_t UNet2DModelImpl::parameterCount() const { return countParameters(*this); }

void UNet2DModelImpl::setSoftmaxInFloat32(bool enabled) { setAttentionSoftmaxInFloat32(*this, enabled); }

void UNet2DModelImpl::loadWeights(const SafetensorsFile& file) { loadParametersStrict(*this, file); }

}  // namespace latentlens
