#pragma once

#include <cstdint>
#include <memory>
#include <optional>

#include <torch/types.h>

#include "core/Progress.h"
#include "core/geometry/BasisSolver.h"
#include "core/geometry/JacobianOperator.h"
#include "core/geometry/PullbackBasis.h"
#include "core/model/BlockId.h"

namespace latentlens {

// What a basis is a basis of: the paper's pullback directions (J = ∂h/∂x_t, h a block's output:
// directions that move the U-Net's features most) or LOCO Edit's posterior-mean directions
// (J = ∂x̂0/∂x_t, optionally under a mask: directions that change the masked region of the
// predicted image most, projected off the `nullRank` directions that change the outside most).
struct DirectionSpace {
    enum class Kind { Pullback, PosteriorMean };
    Kind kind = Kind::Pullback;
    std::optional<BlockId> block;  // pullback: where h is read (none: the denoiser's feature block)
    torch::Tensor mask;            // posterior mean: (H, W) soft mask in [0, 1] on the image grid; undefined: all of it
    int64_t nullRank = 5;          // posterior mean with a mask: outside directions to project off (0: none)

    static DirectionSpace pullback(std::optional<BlockId> block = std::nullopt);
    static DirectionSpace posteriorMean(torch::Tensor mask = {}, int64_t nullRank = 5);
    // The space a basis was found in: its kind, block, mask and null rank.
    static DirectionSpace of(const PullbackBasis& basis);
};

// The mask on the model's latent grid: as given when it is already (h, w) of the latent, else
// averaged over each latent cell of the image grid (Stable Diffusion: 8×8 pixels). Throws Error
// for a mask that is not 2-D, has another aspect than the image, or has values outside [0, 1].
torch::Tensor maskOnLatentGrid(const DiffusionPipeline& model, const torch::Tensor& mask);

// For user input: throws Error unless some of the mask is painted and some is not (an empty mask
// selects nothing; a full one has no outside to keep, so it is no local edit). `what` names the
// mask in the message (a file, "the painted mask").
void checkMaskIsPartial(const torch::Tensor& mask, const std::string& what);

// The top-k directions of `space` at x_t (options.k, tolerance, budget, seed; a warm start applies
// to the in-mask solve). With a mask this is two solves: the top nullRank right singular vectors
// N of J_out = (1 − mask)·∂x̂0/∂x_t, then the top k of J_in·(I − N Nᵀ), J_in = mask·∂x̂0/∂x_t (the
// directions have no component along N). A mask with no outside needs no projection. Products,
// time and the mask are recorded in the result. Throws Error for an all-zero mask.
PullbackBasis findBasis(const DiffusionPipeline& model, const torch::Tensor& x, int64_t timestep,
                        const DirectionSpace& space, const Conditioning& conditioning, const BasisOptions& options,
                        const Progress& progress = {});

// The Jacobian that defines `space` at x (with a mask: J_in, without the null-space projection,
// which needs a solve of its own) — what parallel transport pulls a direction back through.
std::unique_ptr<JacobianOperator> jacobianOf(const DiffusionPipeline& model, const torch::Tensor& x,
                                             int64_t timestep, const DirectionSpace& space,
                                             const Conditioning& conditioning);

}  // namespace latentlens
