#pragma once

#include <torch/types.h>

#include "core/geometry/JacobianOperator.h"

namespace latentlens {

// J·P for another Jacobian J and the projector P = I − N Nᵀ onto the orthogonal complement of
// span N (N: orthonormal directions in x_t). Its top right singular vectors are the directions
// that move J's output most among those with no component along N — LOCO Edit's null-space
// projection done as one problem: the in-mask Jacobian restricted to the null space of the
// outside's top directions, rather than each in-mask direction projected afterwards.
// Products go through `inner` (which counts them too); J itself is never formed.
class NullSpaceJacobian : public JacobianOperator {
public:
    // excluded: (r, C, H, W) or (r, inputDim) orthonormal rows; r may be 0. `inner` must outlive this.
    NullSpaceJacobian(const JacobianOperator& inner, const torch::Tensor& excluded);

    std::string outputName() const override { return inner_.outputName(); }
    // v − N Nᵀ v for rows v of V (k, inputDim), float64.
    torch::Tensor project(const torch::Tensor& V) const;

private:
    torch::Tensor jvpChunk(const torch::Tensor& V, const Progress& progress) const override;
    torch::Tensor vjpChunk(const torch::Tensor& U, const Progress& progress) const override;

    const JacobianOperator& inner_;
    torch::Tensor excluded_;  // (r, inputDim) float64
};

}  // namespace latentlens
