#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <torch/types.h>

namespace latentlens {

// Prompt → the embeddings a text-conditioned denoiser attends to (e.g. CLIP's last hidden state,
// (1, L, D) in the encoder's dtype/device). Pixel models have none.
class TextEncoder {
public:
    virtual ~TextEncoder() = default;

    // The token ids the encoder reads for `prompt` (padded/truncated to its fixed length).
    virtual std::vector<int64_t> tokenIds(const std::string& prompt) const = 0;
    // (1, L, D), without gradients.
    virtual torch::Tensor encode(const std::string& prompt) const = 0;
    // (L, D) of one prompt's embeddings.
    virtual std::vector<int64_t> embeddingShape() const = 0;
    virtual int64_t parameterCount() const = 0;
    // Lines for DiffusionPipeline::describe.
    virtual std::string describe() const = 0;
};

}  // namespace latentlens
