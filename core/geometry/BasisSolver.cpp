#include "core/geometry/BasisSolver.h"

#include <chrono>

#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include "core/Error.h"
#include "core/geometry/SolverMethods.h"
#include "core/geometry/SubspaceTools.h"

namespace latentlens {

int64_t productBudget(const BasisOptions& options, int64_t blockSize) {
    return options.maxProducts > 0 ? options.maxProducts : 60 * blockSize + std::max<int64_t>(200, 12 * options.k);
}

BasisOptions BasisOptions::liveUpdate(int64_t k) {
    BasisOptions options;
    options.k = k;
    options.tolerance = 1e-2;
    options.blockSize = std::max<int64_t>(4, (k + 1) / 2);
    options.maxProducts = 2 * k + 2 * options.blockSize;
    return options;
}

PullbackBasis solvePullbackBasis(const JacobianOperator& jacobian, const BasisOptions& options, const Progress& progress) {
    const int64_t n = jacobian.inputDim();
    const int64_t m = jacobian.outputDim();
    if (options.k < 1 || options.k > std::min(n, m)) {
        throw Error("k = " + std::to_string(options.k) + " directions requested; this model allows 1.." +
                    std::to_string(std::min(n, m)));
    }
    if (!(options.tolerance > 0)) throw Error("the basis tolerance must be positive");
    if (options.method != "krylov" && options.method != "power") {
        throw Error("unknown basis method \"" + options.method + "\": expected krylov or power");
    }
    const auto start = std::chrono::steady_clock::now();
    const int64_t jvpBefore = jacobian.jvpCount();
    const int64_t vjpBefore = jacobian.vjpCount();
    SolverOutput solved = options.method == "power" ? solvePowerIteration(jacobian, options, progress)
                                                    : solveBlockKrylov(jacobian, options, progress);

    PullbackBasis basis;
    basis.method = options.method;
    basis.block = jacobian.outputName();
    basis.timestep = jacobian.timestep();
    basis.k = options.k;
    basis.seed = options.seed;
    basis.featureShape = jacobian.outputShape();
    basis.modelName = jacobian.model().name();
    basis.conditioning = jacobian.conditioning().id;
    basis.xt = jacobian.point()[0].to(torch::kCPU, torch::kFloat64);
    auto V = solved.V;
    auto signs = fixColumnSigns(V);
    auto U = solved.U * signs.unsqueeze(0);
    std::vector<int64_t> vShape{options.k};
    vShape.insert(vShape.end(), jacobian.inputShape().begin(), jacobian.inputShape().end());
    basis.sigma = solved.sigma.contiguous();
    basis.v = V.t().contiguous().reshape(vShape);
    basis.u = U.t().contiguous();
    basis.residuals = solved.residuals;
    basis.iterations = solved.iterations;
    basis.converged = solved.converged;
    basis.history = std::move(solved.history);
    basis.jvpProducts = jacobian.jvpCount() - jvpBefore;
    basis.vjpProducts = jacobian.vjpCount() - vjpBefore;
    basis.wallSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    spdlog::debug("{} basis k={} at t={}: {} products, {} iterations, worst residual {:.2e}, {:.3f} s", basis.method,
                  basis.k, basis.timestep, basis.products(), basis.iterations, basis.worstResidual(), basis.wallSeconds);
    return basis;
}

}  // namespace latentlens
