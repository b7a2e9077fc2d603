#pragma once

#include <cstdint>
#include <vector>

#include <torch/types.h>

namespace latentlens {

// Between images (N, C, H, W) of imageShape(), values in [-1, 1], and the denoiser's latents of
// its latentShape(). Pixel models use IdentityCodec; latent models (Stable Diffusion) a VAE.
class LatentCodec {
public:
    virtual ~LatentCodec() = default;

    // (C, H, W) of one image.
    virtual std::vector<int64_t> imageShape() const = 0;
    virtual torch::Tensor encode(const torch::Tensor& images) const = 0;
    virtual torch::Tensor decode(const torch::Tensor& latents) const = 0;
};

}  // namespace latentlens
