#pragma once

#include <utility>

#include "core/pipeline/LatentCodec.h"

namespace latentlens {

// The codec of pixel models: latents are the images, encode and decode return their input.
class IdentityCodec : public LatentCodec {
public:
    explicit IdentityCodec(std::vector<int64_t> imageShape) : imageShape_(std::move(imageShape)) {}

    std::vector<int64_t> imageShape() const override { return imageShape_; }
    torch::Tensor encode(const torch::Tensor& images) const override { return images; }
    torch::Tensor decode(const torch::Tensor& latents) const override { return latents; }

private:
    std::vector<int64_t> imageShape_;
};

}  // namespace latentlens
