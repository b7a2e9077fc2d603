// Park et al. (2023), Algorithm 1: subspace (power) iteration on JᵀJ. Kept as the reference the
// default Krylov method is measured against.
#include <chrono>
#include <sstream>

#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

#include "core/Error.h"
#include "core/geometry/SolverMethods.h"
#include "core/geometry/SubspaceTools.h"

namespace latentlens {

SolverOutput solvePowerIteration(const JacobianOperator& jacobian, const BasisOptions& options, const Progress& progress) {
    const int64_t n = jacobian.inputDim();
    const int64_t k = options.k;
    auto generator = at::detail::createCPUGenerator(options.seed);
    const int64_t startProducts = jacobian.jvpCount() + jacobian.vjpCount();
    const auto startTime = std::chrono::steady_clock::now();
    const int64_t budget = options.maxProducts > 0 ? options.maxProducts : int64_t(1) << 62;

    SolverOutput out;
    // A warm start replaces the random start block (topped up to k columns).
    auto V = randomOrthonormal(n, k, generator);
    if (options.start.defined() && options.start.numel() > 0) {
        auto start = options.start.reshape({options.start.size(0), -1}).to(torch::kCPU, torch::kFloat64).t();
        if (start.size(0) != n) {
            throw Error("the warm-start directions have " + std::to_string(start.size(0)) +
                        " entries each; this Jacobian's input has " + std::to_string(n));
        }
        start = orthonormalizeAgainst(start.slice(1, 0, std::min<int64_t>(k, start.size(1))), torch::Tensor(), generator);
        if (start.size(1) < k) start = torch::cat({start, orthonormalizeAgainst(V.slice(1, 0, k - start.size(1)), start, generator)}, 1);
        V = start;
    }
    torch::Tensor sigma;
    for (int iteration = 1; iteration <= options.powerMaxIterations; ++iteration) {
        auto JV = jacobian.jvp(V.t(), progress);          // (k × m)
        auto W = jacobian.vjp(JV, progress).t();           // JᵀJ V (n × k)
        // Residual of the current V, from the product already in hand.
        auto rayleigh = (V * W).sum(0);                    // v_iᵀ JᵀJ v_i
        auto residual = (W - V * rayleigh.unsqueeze(0)).norm(2, 0);
        auto [Q, S, Vh] = torch::linalg_svd(W, /*full_matrices=*/false);
        auto nextV = Q.clone();
        fixColumnSigns(nextV);
        sigma = S.sqrt();
        const double sigma1Squared = std::max(S[0].item<double>(), 1e-300);

        BasisIteration record;
        record.iteration = iteration;
        record.products = jacobian.jvpCount() + jacobian.vjpCount() - startProducts;
        record.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - startTime).count();
        for (int64_t i = 0; i < k; ++i) {
            record.sigma.push_back(sigma[i].item<double>());
            record.residuals.push_back(residual[i].item<double>() / sigma1Squared);
        }
        out.history.push_back(record);
        std::ostringstream message;
        message << "power iteration " << iteration << ": " << record.products << " products, σ1 " << record.sigma[0];
        progress.report(static_cast<double>(iteration) / options.powerMaxIterations, message.str());

        const double change = (nextV - V).abs().max().item<double>();
        V = nextV;
        out.iterations = iteration;
        if (iteration >= options.powerMinIterations && change <= options.powerAtol) {
            out.converged = true;
            break;
        }
        if (record.products + 2 * k > budget) break;
    }
    // u_i = J v_i / ‖J v_i‖ (= J v_i / σ_i once converged; normalised so the H-space basis is
    // unit even when the iteration stopped early), and the final residuals of the returned V.
    auto JV = jacobian.jvp(V.t(), progress).t();  // (m × k)
    out.U = JV / JV.norm(2, 0).clamp_min(1e-300).unsqueeze(0);
    auto W = jacobian.vjp(JV.t(), progress).t();
    auto rayleigh = (V * W).sum(0);
    auto residual = (W - V * rayleigh.unsqueeze(0)).norm(2, 0);
    const double sigma1Squared = std::max(rayleigh.max().item<double>(), 1e-300);
    for (int64_t i = 0; i < k; ++i) out.residuals.push_back(residual[i].item<double>() / sigma1Squared);
    out.sigma = sigma;
    out.V = V;
    return out;
}

}  // namespace latentlens
