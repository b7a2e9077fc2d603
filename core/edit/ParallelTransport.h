#pragma once

#include <cstdint>

#include <torch/types.h>

#include "core/Progress.h"
#include "core/geometry/JacobianOperator.h"
#include "core/geometry/PullbackBasis.h"

namespace latentlens {

struct TransportedDirection {
    torch::Tensor v;            // (C, S, S) unit direction at sample B
    double nearestCosine = 0;   // |cos| with B's closest own basis vector (if B's basis was given)
    int64_t nearestIndex = -1;
};

// Parallel transport of direction i from sample A to sample B at the same t (Park et al.): take
// A's tangent vector u_i in H and pull it back through B's Jacobian, v ∝ J_Bᵀ u_i, normalised
// (sign: positive cosine with A's v_i). `targetBasis` (B's own basis, may be null) is used to
// report the nearest of B's directions. Throws Error if A and B differ in t or block.
TransportedDirection transportDirection(const PullbackBasis& source, int64_t index, const JacobianOperator& target,
                                        const PullbackBasis* targetBasis = nullptr, const Progress& progress = {});

}  // namespace latentlens
