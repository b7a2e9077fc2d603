#include "core/pipeline/AutoencoderKLCodec.h"

#include <sstream>

#include <torch/torch.h>

#include "core/Error.h"
#include "core/Runtime.h"

namespace latentlens {

AutoencoderKLCodec::AutoencoderKLCodec(AutoencoderKL vae, std::vector<int64_t> latentShape)
    : vae_(std::move(vae)), latentShape_(std::move(latentShape)) {}

std::shared_ptr<AutoencoderKLCodec> AutoencoderKLCodec::load(const std::filesystem::path& vaeFolder,
                                                             const ModelOptions& options,
                                                             const std::vector<int64_t>& latentShape) {
    auto vae = loadAutoencoderKL(vaeFolder, options.dtype, options.device, options.variant);
    vae->setSoftmaxInFloat32(options.softmaxInFloat32);
    if (latentShape.size() != 3 || latentShape[0] != vae->config().latentChannels) {
        throw Error(vaeFolder.string() + ": the VAE has " + std::to_string(vae->config().latentChannels) +
                    " latent channels but the UNet takes " +
                    (latentShape.empty() ? std::string("none") : std::to_string(latentShape[0])));
    }
    return std::shared_ptr<AutoencoderKLCodec>(new AutoencoderKLCodec(std::move(vae), latentShape));
}

std::vector<int64_t> AutoencoderKLCodec::imageShape() const {
    const int64_t f = downsamplingFactor();
    return {vae_->config().outChannels, latentShape_[1] * f, latentShape_[2] * f};
}

int64_t AutoencoderKLCodec::downsamplingFactor() const { return vae_->config().downsamplingFactor(); }

torch::Tensor AutoencoderKLCodec::encode(const torch::Tensor& images) const { return vae_->encodeLatent(images); }

torch::Tensor AutoencoderKLCodec::encodeSampled(const torch::Tensor& images, uint64_t seed) const {
    return vae_->encode(images).sample(seed) * vae_->scalingFactor();
}

torch::Tensor AutoencoderKLCodec::decode(const torch::Tensor& latents) const { return vae_->decodeLatent(latents); }

int64_t AutoencoderKLCodec::parameterCount() const { return vae_->parameterCount(); }

std::string AutoencoderKLCodec::describe() const {
    const auto& c = vae_->config();
    const auto image = imageShape();
    std::ostringstream out;
    out << "vae:         AutoencoderKL, " << parameterCount() << " parameters; image " << image[0] << " x " << image[1]
        << " x " << image[2] << " <-> latent " << c.latentChannels << " x " << latentShape_[1] << " x "
        << latentShape_[2] << " (factor " << downsamplingFactor() << "), scaling_factor " << c.scalingFactor << "\n";
    return out.str();
}

}  // namespace latentlens
