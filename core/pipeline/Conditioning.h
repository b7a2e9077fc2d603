#pragma once

#include <string>

#include <torch/types.h>

namespace latentlens {

// What a denoiser is conditioned on. Empty for unconditional (pixel) models; for text-conditioned
// ones the prompt embeddings (conditional and unconditional, e.g. of the negative prompt) and the
// classifier-free guidance scale. `id` names the prompt stably across runs ("" for unconditional),
// so anything derived from a conditioning (a basis, a session) can record which prompt it belongs to.
struct Conditioning {
    torch::Tensor embeddings;               // (1 or N, L, D) encoder hidden states; undefined: none
    torch::Tensor unconditionalEmbeddings;  // same shape, for guidance; undefined: no guidance
    double guidanceScale = 1.0;             // s in ε_u + s (ε_c − ε_u); 1 runs the conditional pass only
    std::string id;

    // No conditioning at all: what unconditional models take.
    static Conditioning none() { return {}; }
    // A short hash of prompt, negative prompt and guidance scale (hex, 16 digits), the same in every
    // run and build; "" when the prompt and negative prompt are empty and the scale is 1.
    static std::string idFor(const std::string& prompt, const std::string& negativePrompt, double guidanceScale);

    bool isUnconditional() const { return !embeddings.defined(); }
    // Whether predictions need the unconditional pass too (a scale other than 1 and embeddings for it).
    bool needsGuidance() const { return unconditionalEmbeddings.defined() && guidanceScale != 1.0; }
};

}  // namespace latentlens
