#include "core/model/UNet2DConditionModel.h"

#include <algorithm>

#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include "core/Error.h"
#include "core/Runtime.h"
#include "core/model/ModelFolder.h"
#include "core/model/Attention.h"
#include "core/model/ModuleWeights.h"

namespace latentlens {

UNet2DConditionModelImpl::UNet2DConditionModelImpl(UNet2DConditionConfig config)
    : config_(std::move(config)), activation_(parseActivation(config_.actFn)) {
    const auto& channels = config_.blockOutChannels;
    const int64_t blocks = config_.numBlocks();
    const int64_t tembDim = config_.timeEmbedDim();

    convIn_ = register_module(
        "conv_in", Conv2d(torch::nn::Conv2dOptions(config_.inChannels, channels[0], 3).padding(1)));
    timeProj_ = register_module("time_proj", TimestepProjection(channels[0], config_.flipSinToCos, config_.freqShift));
    timeEmbedding_ = register_module("time_embedding", TimestepEmbedding(timeProj_->outputDim(), tembDim, activation_));

    UNetBlockSpec base;
    base.resnet.tembChannels = tembDim;
    base.resnet.groups = config_.normNumGroups;
    base.resnet.eps = config_.normEps;
    base.resnet.activation = activation_;
    base.downsamplePadding = config_.downsamplePadding;
    base.transformer.useLinearProjection = config_.useLinearProjection;
    base.transformer.upcastAttention = config_.upcastAttention;
    // Block i's options; `index` picks the per-block entries (diffusers reverses them for the up path).
    const auto spec = [&](size_t index) {
        UNetBlockSpec s = base;
        s.numLayers = config_.layersPerBlock[index];
        s.transformer.heads = config_.attentionHeads[index];
        s.transformer.numLayers = config_.transformerLayersPerBlock[index];
        s.transformer.crossAttentionDim = config_.crossAttentionDim[index];
        return s;
    };

    auto downList = register_module("down_blocks", torch::nn::ModuleList());
    int64_t outputChannel = channels[0];
    for (int64_t i = 0; i < blocks; ++i) {
        UNetBlockSpec s = spec(i);
        s.inChannels = outputChannel;
        outputChannel = channels[i];
        s.outChannels = outputChannel;
        s.addResample = i != blocks - 1;
        downBlocks_.push_back(makeUNetDownBlock(config_.downBlockTypes[i], s));
        downList->push_back(downBlocks_.back().module);
    }

    if (config_.hasMidBlock()) {
        UNetBlockSpec s = spec(blocks - 1);
        s.numLayers = 1;
        s.inChannels = s.outChannels = channels.back();
        s.resnet.outputScaleFactor = config_.midBlockScaleFactor;
        midBlock_ = makeUNetMidBlock(config_.midBlockType, s);
        register_module("mid_block", midBlock_.module);
    }

    auto upList = register_module("up_blocks", torch::nn::ModuleList());
    outputChannel = channels.back();
    for (int64_t i = 0; i < blocks; ++i) {
        UNetBlockSpec s = spec(blocks - 1 - i);
        s.numLayers += 1;
        s.prevOutputChannels = outputChannel;
        outputChannel = channels[blocks - 1 - i];
        s.outChannels = outputChannel;
        s.inChannels = channels[std::max<int64_t>(blocks - 2 - i, 0)];
        s.addResample = i != blocks - 1;
        upBlocks_.push_back(makeUNetUpBlock(config_.upBlockTypes[i], s));
        upList->push_back(upBlocks_.back().module);
    }

    convNormOut_ = register_module("conv_norm_out", GroupNorm(config_.normNumGroups, channels[0], config_.normEps));
    convOut_ = register_module(
        "conv_out", Conv2d(torch::nn::Conv2dOptions(channels[0], config_.outChannels, 3).padding(1)));
    eval();
}

void UNet2DConditionModelImpl::checkBlock(const BlockId& block) const {
    if (block.kind == BlockId::Kind::Mid) {
        if (!hasMidBlock()) {
            throw Error("block mid does not exist: this UNet has no mid block (mid_block_type is null); use down.N or up.N");
        }
        return;
    }
    if (block.index < 0 || block.index >= config_.numBlocks()) {
        throw Error("block " + block.name() + " does not exist: this model has " + std::to_string(config_.numBlocks()) +
                    " down and up blocks (0.." + std::to_string(config_.numBlocks() - 1) + ")");
    }
}

torch::Tensor UNet2DConditionModelImpl::checkedContext(const torch::Tensor& context, const torch::Tensor& x) const {
    if (!context.defined() || context.dim() != 3 || context.size(2) != config_.contextDim() ||
        (context.size(0) != 1 && context.size(0) != x.size(0))) {
        throw Error("encoder_hidden_states must have shape (N or 1, tokens, " + std::to_string(config_.contextDim()) +
                    ") for a batch of " + std::to_string(x.size(0)) + ", got " +
                    (context.defined() ? shapeText(context.sizes()) : std::string("none")));
    }
    if (context.scalar_type() != x.scalar_type()) {
        throw Error(std::string("encoder_hidden_states have dtype ") + c10::toString(context.scalar_type()) +
                    " but the model runs in " + c10::toString(x.scalar_type()));
    }
    return context.size(0) == x.size(0) ? context : context.expand({x.size(0), context.size(1), context.size(2)});
}

UNet2DConditionModelImpl::Output UNet2DConditionModelImpl::run(const torch::Tensor& input, const torch::Tensor& timesteps,
                                                               const torch::Tensor& encoderHiddenStates,
                                                               const BlockId* block, bool needSample, Stages* stages) {
    const int64_t factor = config_.downsamplingFactor();
    if (input.dim() != 4 || input.size(1) != config_.inChannels || input.size(2) % factor != 0 ||
        input.size(3) % factor != 0 || input.size(2) == 0 || input.size(3) == 0) {
        throw Error("model input must have shape (N, " + std::to_string(config_.inChannels) +
                    ", H, W) with H and W positive multiples of " + std::to_string(factor) + ", got " +
                    shapeText(input.sizes()));
    }
    if (block) checkBlock(*block);
    const auto dtype = convIn_->weight.scalar_type();
    if (input.scalar_type() != dtype) {
        throw Error(std::string("model input has dtype ") + c10::toString(input.scalar_type()) + " but the model runs in " +
                    c10::toString(dtype));
    }
    const auto context = checkedContext(encoderHiddenStates, input);
    const auto record = [stages](const char* name, const torch::Tensor& value) {
        if (stages) (*stages)[name] = value;
    };
    const auto recordBlock = [stages](const char* list, size_t i, const torch::Tensor& value) {
        if (stages) (*stages)[std::string(list) + "." + std::to_string(i)] = value;
    };

    Output output;
    auto x = config_.centerInputSample ? 2 * input - 1.0 : input;
    // diffusers: the sinusoidal projection in float32, cast to the model dtype before the MLP.
    auto projected = timeProj_->forward(broadcastTimesteps(timesteps, x.size(0), x.device()));
    record("time_proj", projected);
    auto temb = timeEmbedding_->forward(projected.to(dtype));
    record("time_embedding", temb);

    auto h = convIn_->forward(x);
    record("conv_in", h);
    std::vector<torch::Tensor> skips{h};
    for (size_t i = 0; i < downBlocks_.size(); ++i) {
        h = downBlocks_[i].forward(h, temb, context, skips);
        recordBlock("down_blocks", i, h);
        if (block && block->kind == BlockId::Kind::Down && block->index == static_cast<int>(i)) {
            output.features = h;
            if (!needSample) return output;
        }
    }
    if (midBlock_.module) {
        h = midBlock_.forward(h, temb, context, skips);
        record("mid_block", h);
        if (block && block->kind == BlockId::Kind::Mid) {
            output.features = h;
            if (!needSample) return output;
        }
    }
    for (size_t i = 0; i < upBlocks_.size(); ++i) {
        h = upBlocks_[i].forward(h, temb, context, skips);
        recordBlock("up_blocks", i, h);
        if (block && block->kind == BlockId::Kind::Up && block->index == static_cast<int>(i)) output.features = h;
    }
    h = convNormOut_->forward(h);
    record("conv_norm_out", h);
    h = convOut_->forward(activate(activation_, h));
    record("conv_out", h);
    output.sample = h;
    return output;
}

torch::Tensor UNet2DConditionModelImpl::forward(const torch::Tensor& x, const torch::Tensor& timesteps,
                                                const torch::Tensor& encoderHiddenStates) {
    return run(x, timesteps, encoderHiddenStates, nullptr, true, nullptr).sample;
}

torch::Tensor UNet2DConditionModelImpl::forward(const torch::Tensor& x, int64_t timestep,
                                                const torch::Tensor& encoderHiddenStates) {
    return forward(x, torch::tensor(timestep, torch::kLong), encoderHiddenStates);
}

torch::Tensor UNet2DConditionModelImpl::features(const torch::Tensor& x, const torch::Tensor& timesteps,
                                                 const torch::Tensor& encoderHiddenStates, const BlockId& block) {
    return run(x, timesteps, encoderHiddenStates, &block, false, nullptr).features;
}

torch::Tensor UNet2DConditionModelImpl::features(const torch::Tensor& x, int64_t timestep,
                                                 const torch::Tensor& encoderHiddenStates, const BlockId& block) {
    return features(x, torch::tensor(timestep, torch::kLong), encoderHiddenStates, block);
}

UNet2DConditionModelImpl::Output UNet2DConditionModelImpl::forwardWithFeatures(const torch::Tensor& x,
                                                                               const torch::Tensor& timesteps,
                                                                               const torch::Tensor& encoderHiddenStates,
                                                                               const BlockId& block) {
    return run(x, timesteps, encoderHiddenStates, &block, true, nullptr);
}

std::map<std::string, torch::Tensor> UNet2DConditionModelImpl::stageOutputs(const torch::Tensor& x,
                                                                            const torch::Tensor& timesteps,
                                                                            const torch::Tensor& encoderHiddenStates) {
    Stages stages;
    run(x, timesteps, encoderHiddenStates, nullptr, true, &stages);
    return stages;
}

std::vector<int64_t> UNet2DConditionModelImpl::featureShape(const BlockId& block) const {
    return featureShape(block, config_.sampleHeight, config_.sampleWidth);
}

std::vector<int64_t> UNet2DConditionModelImpl::featureShape(const BlockId& block, int64_t height, int64_t width) const {
    checkBlock(block);
    return unetBlockOutputShape(block, config_.blockOutChannels, height, width);
}

int64_t UNet2DConditionModelImpl::parameterCount() const { return countParameters(*this); }

void UNet2DConditionModelImpl::setSoftmaxInFloat32(bool enabled) {
    for (const auto& module : modules(/*include_self=*/false)) {
        if (auto* attention = dynamic_cast<AttentionImpl*>(module.get())) attention->setSoftmaxInFloat32(enabled);
    }
}

void UNet2DConditionModelImpl::loadWeights(const SafetensorsFile& file) { loadParametersStrict(*this, file); }

UNet2DConditionModel loadUNet2DConditionModel(const std::filesystem::path& folder, c10::ScalarType dtype,
                                              c10::Device device, const std::string& variant) {
    checkComputeDtype(dtype, device, folder.string());
    const auto files = ModelFolder::resolve(folder, variant);
    UNet2DConditionModel unet(UNet2DConditionConfig::load(files.config));
    unet->to(device, dtype);
    {
        SafetensorsFile weights(files.weights);
        unet->loadWeights(weights);
    }
    for (auto& parameter : unet->parameters()) parameter.set_requires_grad(false);
    unet->eval();
    spdlog::debug("loaded {} ({} parameters, {}, {})", files.weights.string(), unet->parameterCount(),
                  c10::toString(dtype), device.str());
    return unet;
}

}  // namespace latentlens
