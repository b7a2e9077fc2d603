#pragma once

#include <cstdint>
#include <vector>

#include <torch/types.h>

#include "core/geometry/PullbackBasis.h"
#include "core/pipeline/DiffusionPipeline.h"

namespace latentlens {

// The unit of edit strengths α: ‖x_t‖ / 20, i.e. α = 20 moves x_t by its own length. x_t has RMS
// ≈ 1 per pixel at every t, so the unit is ≈ √D / 20 (1.6 for a 32×32 gray model). Calibrated on
// the default model at t = 600: α = ±1 is a visible but sane edit, ±3 changes the garment.
double editUnit(const torch::Tensor& xt);

// Checks that `basis` belongs to this model's latent shape and to timestep t; throws Error
// otherwise (a basis from another model or resolution, or computed at another t).
void checkBasisFits(const PullbackBasis& basis, const DiffusionPipeline& model, int64_t timestep);

// x_t' = x_t + Σ α_i · unit · v_{index_i} (directions composed). xt: (C, S, S) or (1, C, S, S);
// returns the same shape and dtype. Throws Error for an index ≥ k or mismatched list sizes.
torch::Tensor shiftAlongDirections(const torch::Tensor& xt, const PullbackBasis& basis,
                                   const std::vector<int64_t>& indices, const std::vector<double>& alphas);

// Every direction's −α and +α edit of xt (C, H, W) or (1, C, H, W) as one batch (2k, C, H, W):
// row 2i is x_t − α·unit·v_i, row 2i + 1 is x_t + α·unit·v_i.
torch::Tensor shiftAlongEachDirection(const torch::Tensor& xt, const PullbackBasis& basis, double alpha);

}  // namespace latentlens
