#pragma once

#include <cstdint>
#include <optional>

#include <torch/types.h>

#include "core/geometry/JacobianOperator.h"
#include "core/model/BlockId.h"

namespace latentlens {

// J = ∂h/∂x_t at one point x_t and timestep t, where h is a block's output of the pipeline's
// Denoiser (its default feature block unless one is named) under a conditioning: the Jacobian of
// Park et al.'s pullback metric JᵀJ. The batch dimension carries the block of vectors (x repeated,
// tangents or cotangents = the block).
class FeatureJacobian : public JacobianOperator {
public:
    // x: (1, C, H, W) or (C, H, W), a latent of the pipeline's latentShape().
    FeatureJacobian(const DiffusionPipeline& model, const torch::Tensor& x, int64_t timestep,
                    std::optional<BlockId> block = std::nullopt, int64_t chunkSize = 32,
                    Conditioning conditioning = {});

    const BlockId& block() const { return block_; }
    std::string outputName() const override { return block_.name(); }

    // h(x) flattened, (outputDim).
    torch::Tensor features() const;

private:
    torch::Tensor featuresAt(const torch::Tensor& x) const;  // h of a batch of inputs
    torch::Tensor jvpChunk(const torch::Tensor& V, const Progress& progress) const override;
    torch::Tensor vjpChunk(const torch::Tensor& U, const Progress& progress) const override;

    const Denoiser& denoiser_;
    BlockId block_;
};

}  // namespace latentlens
