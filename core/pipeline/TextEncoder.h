#pragma once

#include <string>

#include <torch/types.h>

namespace latentlens {

// Prompt → the embeddings a text-conditioned denoiser attends to (e.g. CLIP's last hidden state,
// (1, L, D) in the encoder's dtype/device). Pixel models have none.
class TextEncoder {
public:
    virtual ~TextEncoder() = default;

    virtual torch::Tensor encode(const std::string& prompt) const = 0;
};

}  // namespace latentlens
