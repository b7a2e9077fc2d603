#include "core/model/AutoencoderKL.h"

#include <string>

#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include "core/Error.h"
#include "core/Runtime.h"
#include "core/model/AttentionBlock.h"
#include "core/model/ComponentWeights.h"
#include "core/model/ModuleWeights.h"

namespace latentlens {

AutoencoderKLImpl::AutoencoderKLImpl(AutoencoderKLConfig config) : config_(std::move(config)) {
    encoder_ = register_module("encoder", VaeEncoder(config_));
    decoder_ = register_module("decoder", VaeDecoder(config_));
    const int64_t moments = 2 * config_.latentChannels;
    if (config_.useQuantConv) {
        quantConv_ = register_module("quant_conv", Conv2d(torch::nn::Conv2dOptions(moments, moments, 1)));
    }
    if (config_.usePostQuantConv) {
        postQuantConv_ = register_module(
            "post_quant_conv",
            Conv2d(torch::nn::Conv2dOptions(config_.latentChannels, config_.latentChannels, 1)));
    }
    eval();
}

void AutoencoderKLImpl::checkInput(const torch::Tensor& input, int64_t channels, int64_t multiple,
                                   const char* what) const {
    if (input.dim() != 4 || input.size(1) != channels || input.size(2) == 0 || input.size(3) == 0 ||
        input.size(2) % multiple != 0 || input.size(3) % multiple != 0) {
        const std::string sizes =
            multiple > 1 ? ", H and W positive multiples of " + std::to_string(multiple) : ", H and W positive";
        throw Error(std::string("VAE ") + what + " must have shape (N, " + std::to_string(channels) + ", H, W)" +
                    sizes + "; got " + shapeText(input.sizes()));
    }
    const auto dtype = encoder_->parameters().front().scalar_type();
    if (input.scalar_type() != dtype) {
        throw Error(std::string("VAE ") + what + " has dtype " + dtypeName(input.scalar_type()) +
                    " but the VAE runs in " + dtypeName(dtype));
    }
}

DiagonalGaussianDistribution AutoencoderKLImpl::encode(const torch::Tensor& image) {
    checkInput(image, config_.inChannels, config_.downsamplingFactor(), "input image");
    auto moments = encoder_->forward(image);
    if (quantConv_) moments = quantConv_->forward(moments);
    return DiagonalGaussianDistribution(moments);
}

torch::Tensor AutoencoderKLImpl::decode(const torch::Tensor& latent) {
    checkInput(latent, config_.latentChannels, 1, "latent");
    auto z = postQuantConv_ ? postQuantConv_->forward(latent) : latent;
    return decoder_->forward(z);
}

torch::Tensor AutoencoderKLImpl::encodeLatent(const torch::Tensor& image) {
    return encode(image).mean() * config_.scalingFactor;
}

torch::Tensor AutoencoderKLImpl::decodeLatent(const torch::Tensor& scaledLatent) {
    return decode(scaledLatent / config_.scalingFactor);
}

int64_t AutoencoderKLImpl::parameterCount() const { return countParameters(*this); }

void AutoencoderKLImpl::setSoftmaxInFloat32(bool enabled) { setAttentionSoftmaxInFloat32(*this, enabled); }

void AutoencoderKLImpl::loadWeights(const SafetensorsFile& file) { loadParametersStrict(*this, file); }

AutoencoderKL loadAutoencoderKL(const std::filesystem::path& folder, c10::ScalarType dtype, c10::Device device,
                                const std::string& variant) {
    checkComputeDtype(dtype, device, folder.string());
    AutoencoderKL vae(AutoencoderKLConfig::load(folder / "config.json"));
    const auto weightsPath = findComponentWeights(folder, "diffusion_pytorch_model", variant);
    vae->to(device, dtype);
    {
        SafetensorsFile weights(weightsPath);
        vae->loadWeights(weights);
    }
    for (auto& parameter : vae->parameters()) parameter.set_requires_grad(false);
    vae->eval();
    spdlog::debug("loaded {} ({} parameters, {}, {})", weightsPath.string(), vae->parameterCount(), dtypeName(dtype),
                  device.str());
    return vae;
}

}  // namespace latentlens
