#pragma once

#include <cstdint>
#include <optional>

#include <torch/types.h>

#include "core/Progress.h"
#include "core/model/BlockId.h"
#include "core/pipeline/Conditioning.h"
#include "core/pipeline/DiffusionPipeline.h"

namespace latentlens {

// J = ∂h/∂x_t at one point x_t and timestep t, where h is a block's output of the pipeline's
// Denoiser (its default feature block unless one is named) under a conditioning. J is used only
// through products: J·V by forward-mode AD and Jᵀ·U by reverse mode, each batched over a block of
// vectors (the batch dimension carries the block: x repeated, tangents or cotangents = the block)
// and chunked to bound memory. J itself is never formed.
class FeatureJacobian {
public:
    // x: (1, C, H, W) or (C, H, W), a latent of the pipeline's latentShape().
    FeatureJacobian(const DiffusionPipeline& model, const torch::Tensor& x, int64_t timestep,
                    std::optional<BlockId> block = std::nullopt, int64_t chunkSize = 32,
                    Conditioning conditioning = {});

    int64_t inputDim() const { return inputDim_; }    // C·H·W
    int64_t outputDim() const { return outputDim_; }  // dim h
    const std::vector<int64_t>& inputShape() const { return inputShape_; }  // (C, H, W)
    const std::vector<int64_t>& outputShape() const { return outputShape_; }
    int64_t timestep() const { return timestep_; }
    const DiffusionPipeline& model() const { return model_; }
    const Conditioning& conditioning() const { return conditioning_; }
    // The point x_t, (1, C, H, W) in the model's dtype.
    const torch::Tensor& point() const { return x_; }
    const BlockId& block() const { return block_; }

    // h(x) flattened, (outputDim).
    torch::Tensor features() const;
    // V: (k, inputDim) → J·V as (k, outputDim), in float64.
    torch::Tensor jvp(const torch::Tensor& V, const Progress& progress = {}) const;
    // U: (k, outputDim) → Jᵀ·U as (k, inputDim), in float64.
    torch::Tensor vjp(const torch::Tensor& U, const Progress& progress = {}) const;

    // Vectors pushed through J (jvp) and Jᵀ (vjp) so far.
    int64_t jvpCount() const { return jvpCount_; }
    int64_t vjpCount() const { return vjpCount_; }

private:
    torch::Tensor jvpChunk(const torch::Tensor& V) const;
    torch::Tensor vjpChunk(const torch::Tensor& U) const;

    const DiffusionPipeline& model_;
    const Denoiser& denoiser_;
    Conditioning conditioning_;
    torch::Tensor x_;  // (1, C, H, W)
    int64_t timestep_;
    BlockId block_;
    int64_t chunkSize_;
    std::vector<int64_t> inputShape_;
    std::vector<int64_t> outputShape_;
    int64_t inputDim_;
    int64_t outputDim_;
    mutable int64_t jvpCount_ = 0;
    mutable int64_t vjpCount_ = 0;
};

}  // namespace latentlens
