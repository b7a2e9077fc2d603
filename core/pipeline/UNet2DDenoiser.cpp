#include "core/pipeline/UNet2DDenoiser.h"

#include <sstream>

#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include "core/Error.h"
#include "core/Text.h"
#include "core/Runtime.h"
#include "core/model/SafetensorsFile.h"

namespace latentlens {

UNet2DDenoiser::UNet2DDenoiser(UNet2DModel unet, c10::ScalarType dtype, c10::Device device)
    : unet_(std::move(unet)), dtype_(dtype), device_(device) {}

std::shared_ptr<UNet2DDenoiser> UNet2DDenoiser::load(const UNet2DConfig& config,
                                                     const std::filesystem::path& weights,
                                                     const ModelOptions& options) {
    UNet2DModel unet(config);
    unet->to(options.device, options.dtype);
    {
        SafetensorsFile file(weights);
        unet->loadWeights(file);
    }
    for (auto& parameter : unet->parameters()) parameter.set_requires_grad(false);
    unet->setSoftmaxInFloat32(options.softmaxInFloat32);
    unet->eval();
    spdlog::debug("loaded {} ({} parameters, {}, {})", weights.string(), unet->parameterCount(),
                  dtypeName(options.dtype), options.device.str());
    return std::shared_ptr<UNet2DDenoiser>(new UNet2DDenoiser(std::move(unet), options.dtype, options.device));
}

std::vector<int64_t> UNet2DDenoiser::latentShape() const {
    const auto& c = unet_->config();
    return {c.inChannels, c.sampleSize, c.sampleSize};
}

std::vector<int64_t> UNet2DDenoiser::featureShape(const BlockId& block) const { return unet_->featureShape(block); }

int64_t UNet2DDenoiser::levelCount() const { return unet_->config().numBlocks(); }

int64_t UNet2DDenoiser::parameterCount() const { return unet_->parameterCount(); }

void UNet2DDenoiser::moveTo(c10::ScalarType dtype, c10::Device device) {
    unet_->to(device, dtype);
    dtype_ = dtype;
    device_ = device;
}

Denoiser::Output UNet2DDenoiser::evaluate(const torch::Tensor& x, const torch::Tensor& timesteps,
                                          const Conditioning& conditioning, const BlockId* block,
                                          bool needPrediction) const {
    if (!conditioning.isUnconditional()) {
        throw Error("UNet2DModel is an unconditional model: it takes no prompt");
    }
    if (!block) return {unet_->forward(x, timesteps), {}};
    if (!needPrediction) return {{}, unet_->features(x, timesteps, *block)};
    auto output = unet_->forwardWithFeatures(x, timesteps, *block);
    return {output.sample, output.features};
}

std::string UNet2DDenoiser::describe() const {
    const auto& c = unet_->config();
    const auto h = unet_->featureShape(BlockId::mid());
    std::ostringstream out;
    out << "class:       UNet2DModel, " << parameterCount() << " parameters, " << dtypeName(dtype_) << " on "
        << device_.str() << "\n"
        << "input:       " << c.inChannels << " x " << c.sampleSize << " x " << c.sampleSize << "\n"
        << "blocks:      down [" << joinedText(c.downBlockTypes) << "], up [" << joinedText(c.upBlockTypes) << "]\n"
        << "channels:    [" << joinedText(c.blockOutChannels) << "], " << c.layersPerBlock << " layer(s) per block, "
        << c.normNumGroups << " norm groups, eps " << c.normEps << "\n"
        << "attention:   head dim " << (c.attentionHeadDim ? std::to_string(*c.attentionHeadDim) : "= channels")
        << ", mid-block attention " << (c.addAttention ? "on" : "off") << "\n"
        << "time:        " << c.timeEmbeddingType << " (flip_sin_to_cos " << (c.flipSinToCos ? "true" : "false")
        << ", freq_shift " << c.freqShift << "), resnet_time_scale_shift " << c.resnetTimeScaleShift << "\n"
        << "h (mid):     " << h[0] << " x " << h[1] << " x " << h[2] << " = " << h[0] * h[1] * h[2] << " dims\n";
    return out.str();
}

}  // namespace latentlens
