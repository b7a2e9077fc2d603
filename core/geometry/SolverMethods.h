#pragma once

#include <vector>

#include <torch/types.h>

#include "core/Progress.h"
#include "core/geometry/BasisSolver.h"
#include "core/geometry/JacobianOperator.h"
#include "core/geometry/PullbackBasis.h"

namespace latentlens {

// What a basis method returns to solvePullbackBasis (columns are vectors, float64, CPU).
struct SolverOutput {
    torch::Tensor sigma;  // (k) descending
    torch::Tensor V;      // (n × k) right singular vectors
    torch::Tensor U;      // (m × k) left singular vectors, J v_i = σ_i u_i
    std::vector<double> residuals;
    int iterations = 0;
    bool converged = false;
    std::vector<BasisIteration> history;
};

SolverOutput solveBlockKrylov(const JacobianOperator& jacobian, const BasisOptions& options, const Progress& progress);
SolverOutput solvePowerIteration(const JacobianOperator& jacobian, const BasisOptions& options, const Progress& progress);

// The budget of Jacobian-vector products for `options` (maxProducts or the automatic default).
int64_t productBudget(const BasisOptions& options, int64_t blockSize);

}  // namespace latentlens
