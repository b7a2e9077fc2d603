#include "core/pipeline/UNet2DConditionDenoiser.h"

#include <sstream>

#include <torch/torch.h>

#include "core/Error.h"
#include "core/Text.h"
#include "core/Runtime.h"

namespace latentlens {

UNet2DConditionDenoiser::UNet2DConditionDenoiser(UNet2DConditionModel unet, c10::ScalarType dtype, c10::Device device)
    : unet_(std::move(unet)), dtype_(dtype), device_(device) {}

std::shared_ptr<UNet2DConditionDenoiser> UNet2DConditionDenoiser::load(const std::filesystem::path& unetFolder,
                                                                       const ModelOptions& options) {
    auto unet = loadUNet2DConditionModel(unetFolder, options.dtype, options.device, options.variant);
    unet->setSoftmaxInFloat32(options.softmaxInFloat32);
    return std::shared_ptr<UNet2DConditionDenoiser>(
        new UNet2DConditionDenoiser(std::move(unet), options.dtype, options.device));
}

std::vector<int64_t> UNet2DConditionDenoiser::latentShape() const {
    const auto& c = unet_->config();
    return {c.inChannels, c.sampleHeight, c.sampleWidth};
}

std::vector<int64_t> UNet2DConditionDenoiser::featureShape(const BlockId& block) const {
    return unet_->featureShape(block);
}

BlockId UNet2DConditionDenoiser::defaultFeatureBlock() const {
    return unet_->hasMidBlock() ? BlockId::mid() : BlockId{BlockId::Kind::Down, static_cast<int>(levelCount() - 1)};
}

int64_t UNet2DConditionDenoiser::levelCount() const { return unet_->config().numBlocks(); }

int64_t UNet2DConditionDenoiser::parameterCount() const { return unet_->parameterCount(); }

void UNet2DConditionDenoiser::moveTo(c10::ScalarType dtype, c10::Device device) {
    checkComputeDtype(dtype, device, "UNet2DConditionModel");
    unet_->to(device, dtype);
    dtype_ = dtype;
    device_ = device;
}

Denoiser::Output UNet2DConditionDenoiser::evaluate(const torch::Tensor& x, const torch::Tensor& timesteps,
                                                   const Conditioning& conditioning, const BlockId* block,
                                                   bool needPrediction) const {
    if (conditioning.isUnconditional()) {
        throw Error("UNet2DConditionModel needs prompt embeddings: condition it on a prompt (the empty prompt for none)");
    }
    if (conditioning.needsGuidance()) {
        throw Error("UNet2DConditionModel: classifier-free guidance is applied by the noise predictor, not the denoiser");
    }
    const auto& context = conditioning.embeddings;
    if (!block) return {unet_->forward(x, timesteps, context), {}};
    if (!needPrediction) return {{}, unet_->features(x, timesteps, context, *block)};
    auto output = unet_->forwardWithFeatures(x, timesteps, context, *block);
    return {output.sample, output.features};
}

std::string UNet2DConditionDenoiser::describe() const {
    const auto& c = unet_->config();
    const auto featureBlock = defaultFeatureBlock();
    const auto h = unet_->featureShape(featureBlock);
    std::ostringstream out;
    out << "class:       UNet2DConditionModel, " << parameterCount() << " parameters, " << dtypeName(dtype_) << " on "
        << device_.str() << "\n"
        << "input:       latent " << c.inChannels << " x " << c.sampleHeight << " x " << c.sampleWidth
        << ", prompt embeddings of width " << c.contextDim() << "\n"
        << "blocks:      down [" << joinedText(c.downBlockTypes) << "], mid "
        << (c.hasMidBlock() ? c.midBlockType : std::string("none")) << ", up [" << joinedText(c.upBlockTypes) << "]\n"
        << "channels:    [" << joinedText(c.blockOutChannels) << "], layers per block [" << joinedText(c.layersPerBlock) << "], "
        << c.normNumGroups << " norm groups, eps " << c.normEps << "\n"
        << "attention:   heads [" << joinedText(c.attentionHeads) << "], transformer layers ["
        << joinedText(c.transformerLayersPerBlock) << "], " << (c.useLinearProjection ? "linear" : "conv")
        << " projections, upcast " << (c.upcastAttention ? "on" : "off") << "\n"
        << "time:        flip_sin_to_cos " << (c.flipSinToCos ? "true" : "false") << ", freq_shift " << c.freqShift
        << "\n"
        << "h (" << featureBlock.name() << "):"
        << std::string(featureBlock.name().size() < 7 ? 8 - featureBlock.name().size() : 1, ' ')
        << h[0] << " x " << h[1] << " x " << h[2] << " = " << h[0] * h[1] * h[2] << " dims\n";
    return out.str();
}

}  // namespace latentlens
