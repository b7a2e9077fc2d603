#pragma once

#include <cstdint>
#include <string>

#include <torch/types.h>

#include "core/Progress.h"
#include "core/geometry/JacobianOperator.h"
#include "core/geometry/PullbackBasis.h"

namespace latentlens {

struct BasisOptions {
    int64_t k = 10;
    // "krylov" (default): block Golub–Kahan–Lanczos with full reorthogonalisation and
    // Rayleigh–Ritz, stopping when every requested pair has ‖JᵀJ v − σ² v‖ / σ_1² ≤ tolerance or
    // the product budget is spent. "power": the paper's Algorithm 1 (subspace iteration on JᵀJ).
    std::string method = "krylov";
    double tolerance = 1e-3;
    int64_t maxProducts = 0;   // Jacobian-vector products budget (0: automatic, 60·blockSize + max(200, 12k))
    int64_t blockSize = 0;     // krylov vectors per block (0: ceil(k/4), or warm the start's width up to k; 4..32)
    uint64_t seed = 0;         // start vectors
    // Warm start (krylov): directions (s, C, H, W) or (s, n), e.g. a previous basis's v at a
    // nearby timestep or point. The solver starts from their span (topped up with seeded random
    // directions to a full block), then grows the space by the residuals of the pairs that have
    // not converged. Same answer within the tolerance, fewer products when the start is close.
    // Undefined: a seeded random start.
    torch::Tensor start;
    int powerMinIterations = 10;
    int powerMaxIterations = 50;
    double powerAtol = 1e-4;   // power: stop when no entry of V moves by more than this

    // A rough warm update of k directions, quick enough to follow the user (the window's live
    // directions): to 1e-2, in blocks of max(4, ⌈k/2⌉), within the start's 2k products and one
    // expansion. The caller sets `start` (and the method).
    static BasisOptions liveUpdate(int64_t k);
};

// Computes the top-k pullback basis of `jacobian` (see PullbackBasis). Deterministic for a seed.
// Reports progress after every block of products and checks the cancel flag between chunks of
// Jacobian products (throws Cancelled). Throws Error for bad options (k larger than the input
// dimension, unknown method, ...).
PullbackBasis solvePullbackBasis(const JacobianOperator& jacobian, const BasisOptions& options,
                                 const Progress& progress = {});

}  // namespace latentlens
