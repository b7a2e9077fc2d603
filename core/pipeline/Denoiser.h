#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <c10/core/Device.h>
#include <c10/core/ScalarType.h>
#include <torch/types.h>

#include "core/model/BlockId.h"
#include "core/pipeline/Conditioning.h"

namespace latentlens {

// The network of a diffusion model, seen from outside: at a timestep it maps latents x (N, C, H, W)
// of latentShape() to the model output (ε or v, as the scheduler's prediction_type says) and can
// read a block's output as features. Every call takes the Conditioning (empty for unconditional
// models); its `embeddings` are used as given (1 or N rows) — guidance is the caller's business
// (see GuidedNoisePredictor). Evaluation does not change the network, so the calls are const.
// Implementations keep everything differentiable: forward-mode AD duals and autograd pass through.
class Denoiser {
public:
    struct Output {
        torch::Tensor prediction;  // the model output, shaped like x
        torch::Tensor features;    // the requested block's output
    };

    virtual ~Denoiser() = default;

    // The diffusers class it implements, e.g. "UNet2DModel".
    virtual std::string className() const = 0;
    // (C, H, W) of one latent (for pixel models the image itself).
    virtual std::vector<int64_t> latentShape() const = 0;
    // (C, H, W) of a block's output; throws Error for a block the network does not have.
    virtual std::vector<int64_t> featureShape(const BlockId& block) const = 0;
    // The block whose output is "the" feature space (the mid block: Park et al.'s H).
    virtual BlockId defaultFeatureBlock() const { return BlockId::mid(); }
    // Latents of another height and width work when both are positive multiples of this; 0: only
    // latentShape() (the default).
    virtual int64_t sizeMultiple() const { return 0; }
    // Resolution levels n: the blocks are down.0..down.n−1, mid, up.0..up.n−1.
    virtual int64_t levelCount() const = 0;
    virtual int64_t parameterCount() const = 0;
    virtual c10::ScalarType dtype() const = 0;
    virtual c10::Device device() const = 0;
    // Moves the weights (and later calls' inputs) to dtype/device.
    virtual void moveTo(c10::ScalarType dtype, c10::Device device) = 0;
    // Lines "class: …" to "h (mid): …" of the model summary (see DiffusionPipeline::describe).
    virtual std::string describe() const = 0;

    // timesteps: a 0-d or (1) tensor for the whole batch, or (N) per sample.
    torch::Tensor predict(const torch::Tensor& x, const torch::Tensor& timesteps,
                          const Conditioning& conditioning = {}) const;
    torch::Tensor predict(const torch::Tensor& x, int64_t timestep, const Conditioning& conditioning = {}) const;
    // A block's output; the forward may stop at that block.
    torch::Tensor features(const torch::Tensor& x, const torch::Tensor& timesteps, const BlockId& block,
                           const Conditioning& conditioning = {}) const;
    torch::Tensor features(const torch::Tensor& x, int64_t timestep, const BlockId& block,
                           const Conditioning& conditioning = {}) const;
    Output predictWithFeatures(const torch::Tensor& x, const torch::Tensor& timesteps, const BlockId& block,
                               const Conditioning& conditioning = {}) const;

protected:
    // One network run: the prediction unless !needPrediction, and the features of *block if given.
    virtual Output evaluate(const torch::Tensor& x, const torch::Tensor& timesteps, const Conditioning& conditioning,
                            const BlockId* block, bool needPrediction) const = 0;
};

}  // namespace latentlens
