#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <torch/types.h>

namespace latentlens {

// Between images (N, C, H, W) of imageShape(), values in [-1, 1], and the denoiser's latents of
// its latentShape(). Pixel models use IdentityCodec; latent models (Stable Diffusion) a VAE
// (AutoencoderKLCodec). Other sizes work where the codec allows (multiples of its factor).
class LatentCodec {
public:
    virtual ~LatentCodec() = default;

    // (C, H, W) of one image.
    virtual std::vector<int64_t> imageShape() const = 0;
    // How many image pixels one latent pixel spans per side (1 for pixel models).
    virtual int64_t downsamplingFactor() const { return 1; }
    // The deterministic latent of each image (a VAE's posterior mean, scaled).
    virtual torch::Tensor encode(const torch::Tensor& images) const = 0;
    // A latent drawn from the posterior with a seeded generator; deterministic codecs return encode().
    virtual torch::Tensor encodeSampled(const torch::Tensor& images, uint64_t /*seed*/) const { return encode(images); }
    // Latents → images, not clamped.
    virtual torch::Tensor decode(const torch::Tensor& latents) const = 0;

    virtual int64_t parameterCount() const { return 0; }
    // Lines for DiffusionPipeline::describe ("" for the identity).
    virtual std::string describe() const { return {}; }
};

}  // namespace latentlens
