#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "core/model/AutoencoderKL.h"
#include "core/pipeline/LatentCodec.h"
#include "core/pipeline/ModelOptions.h"

namespace latentlens {

// diffusers' AutoencoderKL as the codec of a latent diffusion model: images in [-1, 1] ↔ the
// diffusion latents z = scaling_factor · (VAE latent), as StableDiffusionPipeline scales them.
// encode() is the posterior mean (deterministic), encodeSampled() a seeded posterior sample.
class AutoencoderKLCodec : public LatentCodec {
public:
    // Loads a diffusers vae/ folder (see loadAutoencoderKL) in options' dtype/device and variant.
    // `latentShape` is the denoiser's (C, h, w); the codec's images are (out_channels, h·f, w·f).
    static std::shared_ptr<AutoencoderKLCodec> load(const std::filesystem::path& vaeFolder, const ModelOptions& options,
                                                    const std::vector<int64_t>& latentShape);

    std::vector<int64_t> imageShape() const override;
    int64_t downsamplingFactor() const override;
    torch::Tensor encode(const torch::Tensor& images) const override;
    torch::Tensor encodeSampled(const torch::Tensor& images, uint64_t seed) const override;
    torch::Tensor decode(const torch::Tensor& latents) const override;
    int64_t parameterCount() const override;
    std::string describe() const override;

    const AutoencoderKLConfig& config() const { return vae_->config(); }

private:
    AutoencoderKLCodec(AutoencoderKL vae, std::vector<int64_t> latentShape);

    mutable AutoencoderKL vae_;
    std::vector<int64_t> latentShape_;
};

}  // namespace latentlens
