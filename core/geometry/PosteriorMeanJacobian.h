#pragma once

#include <cstdint>

#include <torch/types.h>

#include "core/geometry/JacobianOperator.h"

namespace latentlens {

// J = W·∂x̂0/∂x_t: the Jacobian of the posterior mean x̂0(x_t) — the scheduler's x̂0 formula
// applied to the full U-Net's output under a conditioning (its prompt embedding, no guidance), never
// clipped — weighted entrywise by a soft mask W (LOCO Edit's J_in = P_mask·∂x̂0/∂x_t; J_out takes
// 1 − mask). For latent-diffusion pipelines x̂0 is a latent and the mask lives on the latent grid.
class PosteriorMeanJacobian : public JacobianOperator {
public:
    // weight: undefined (no mask, W = 1), (H, W) on the latent grid (shared by the channels), or
    // (C, H, W); values are used as given (a soft mask in [0, 1]).
    PosteriorMeanJacobian(const DiffusionPipeline& model, const torch::Tensor& x, int64_t timestep,
                          torch::Tensor weight = {}, int64_t chunkSize = 32, Conditioning conditioning = {});

    std::string outputName() const override { return "x0"; }
    // W as (1, 1 or C, H, W) in the model's dtype; undefined without a mask.
    const torch::Tensor& weight() const { return weight_; }

    // W·x̂0(x_t) flattened, (outputDim), float64.
    torch::Tensor posteriorMean() const;

private:
    torch::Tensor jvpChunk(const torch::Tensor& V, const Progress& progress) const override;
    torch::Tensor vjpChunk(const torch::Tensor& U, const Progress& progress) const override;
    torch::Tensor weightedMeanAt(const torch::Tensor& x) const;  // W·x̂0 of a batch of inputs

    torch::Tensor weight_;
};

}  // namespace latentlens
