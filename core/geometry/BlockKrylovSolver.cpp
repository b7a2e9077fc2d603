// Block Golub–Kahan–Lanczos bidiagonalisation of J with full reorthogonalisation, and
// Rayleigh–Ritz on the two Krylov bases. Every step pushes one block through J (forward mode)
// and one through Jᵀ (reverse mode); the Ritz triplets satisfy J v = σ u exactly, and the stored
// Jᵀ U products give each pair's residual ‖JᵀJ v − σ² v‖ without further products.
//
// Warm starts: the first block is the given start directions (all of them), and each later block
// is the residual directions JᵀJ v − σ² v of the worst unconverged Ritz pairs (a Davidson-style
// expansion; Rayleigh–Ritz is exact on any subspace since span U ⊇ J·span V by construction).
// Near a converged start this spends its products where the error is.
#include <algorithm>
#include <chrono>
#include <sstream>

#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

#include "core/Error.h"
#include "core/geometry/SolverMethods.h"
#include "core/geometry/SubspaceTools.h"

namespace latentlens {
namespace {

std::string summary(const BasisIteration& it) {
    double worst = 0;
    for (double r : it.residuals) worst = std::max(worst, r);
    std::ostringstream out;
    out << "iteration " << it.iteration << ": " << it.products << " products, worst residual " << worst
        << ", σ1 " << (it.sigma.empty() ? 0.0 : it.sigma.front());
    return out.str();
}

}  // namespace

SolverOutput solveBlockKrylov(const JacobianOperator& jacobian, const BasisOptions& options, const Progress& progress) {
    const int64_t n = jacobian.inputDim();
    const int64_t k = options.k;
    const bool warm = options.start.defined() && options.start.numel() > 0;
    // Small blocks grow the Krylov space in fine steps: on the default model k = 10 needs 72
    // products with blocks of 4 against 144 with blocks of 12 (bench/README.md). A warm start
    // expands by residuals as wide as the start: a few more products than blocks of 4, but wider
    // batches cost less per vector, and that wins on the clock (bench/README.md, warm starts).
    const int64_t automaticBlock =
        std::clamp<int64_t>(warm ? std::min(options.start.size(0), k) : (k + 3) / 4, 4, 32);
    const int64_t b = std::min(n, options.blockSize > 0 ? options.blockSize : automaticBlock);
    const int64_t budget = productBudget(options, b);
    // Keep the two n-row bases (V and JᵀU) under ~512 MiB, and never larger than the space.
    const int64_t memoryBlocks = std::max<int64_t>(2, (int64_t(512) << 20) / (16 * n * b));
    const int64_t maxBlocks = std::max<int64_t>(2, std::min<int64_t>(memoryBlocks, (n + b - 1) / b));
    auto generator = at::detail::createCPUGenerator(options.seed);

    SolverOutput out;
    const int64_t startProducts = jacobian.jvpCount() + jacobian.vjpCount();
    const auto startTime = std::chrono::steady_clock::now();
    torch::Tensor block;  // next V block (n × b, or the start's width first)
    if (warm) {
        auto start = options.start.reshape({options.start.size(0), -1}).to(torch::kCPU, torch::kFloat64).t();
        if (start.size(0) != n) {
            throw Error("the warm-start directions have " + std::to_string(start.size(0)) +
                        " entries each; this Jacobian's input has " + std::to_string(n));
        }
        if (start.size(1) > n) start = start.slice(1, 0, n);
        block = orthonormalizeAgainst(start, torch::Tensor(), generator);
        if (block.size(1) < b) {
            block = torch::cat({block, orthonormalizeAgainst(at::randn({n, b - block.size(1)}, generator, torch::kFloat64),
                                                             block, generator)},
                               1);
        }
    } else {
        block = randomOrthonormal(n, b, generator);
    }
    std::vector<torch::Tensor> vBlocks, pBlocks, uBlocks, gBlocks;

    for (int iteration = 1;; ++iteration) {
        // J V_j, then a new orthonormal block of U spanning it.
        auto P = jacobian.jvp(block.t(), progress).t();  // (m × b)
        vBlocks.push_back(block);
        pBlocks.push_back(P);
        auto Uall = uBlocks.empty() ? torch::Tensor() : torch::cat(uBlocks, 1);
        auto Ublock = orthonormalizeAgainst(P, Uall, generator);
        uBlocks.push_back(Ublock);
        gBlocks.push_back(jacobian.vjp(Ublock.t(), progress).t());  // Jᵀ U_j (n × b)

        auto V = torch::cat(vBlocks, 1);
        auto U = torch::cat(uBlocks, 1);
        auto G = torch::cat(gBlocks, 1);
        auto M = U.t().matmul(torch::cat(pBlocks, 1));  // Uᵀ J V, exact since span U ⊇ J·span V
        auto [Y, S, Wh] = torch::linalg_svd(M, /*full_matrices=*/false);
        const int64_t keep = std::min<int64_t>(k, S.size(0));
        auto sigma = S.slice(0, 0, keep);
        auto ritzV = V.matmul(Wh.t().slice(1, 0, keep));
        auto ritzY = Y.slice(1, 0, keep);
        // JᵀJ v_i = σ_i Jᵀ u_i = σ_i G y_i.
        auto JtJv = G.matmul(ritzY) * sigma.unsqueeze(0);
        auto residual = (JtJv - ritzV * (sigma * sigma).unsqueeze(0)).norm(2, 0);
        const double sigma1Squared = std::max(S[0].item<double>() * S[0].item<double>(), 1e-300);

        BasisIteration record;
        record.iteration = iteration;
        record.products = jacobian.jvpCount() + jacobian.vjpCount() - startProducts;
        record.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - startTime).count();
        for (int64_t i = 0; i < keep; ++i) {
            record.sigma.push_back(sigma[i].item<double>());
            record.residuals.push_back(residual[i].item<double>() / sigma1Squared);
        }
        out.history.push_back(record);
        const bool spaceExhausted = V.size(1) >= n;
        const bool converged =
            keep == k && std::all_of(record.residuals.begin(), record.residuals.end(),
                                     [&](double r) { return r <= options.tolerance; });
        progress.report(std::min(1.0, static_cast<double>(record.products) / static_cast<double>(budget)),
                        summary(record));
        out.iterations = iteration;
        if (converged || spaceExhausted || record.products + 2 * b > budget) {
            out.converged = converged || spaceExhausted;
            out.sigma = sigma.clone();
            out.V = ritzV;
            out.U = U.matmul(ritzY);
            out.residuals = record.residuals;
            return out;
        }
        if (static_cast<int64_t>(vBlocks.size()) >= maxBlocks) {
            // Explicit restart from the best b Ritz vectors (warm: all k of them).
            const int64_t restartWidth = std::min<int64_t>(warm ? std::max(b, keep) : b, S.size(0));
            block = orthonormalizeAgainst(V.matmul(Wh.t().slice(1, 0, restartWidth)), torch::Tensor(), generator);
            if (block.size(1) < b) {
                block = torch::cat({block, orthonormalizeAgainst(at::randn({n, b - block.size(1)}, generator, torch::kFloat64), block, generator)}, 1);
            }
            vBlocks.clear();
            pBlocks.clear();
            uBlocks.clear();
            gBlocks.clear();
            continue;
        }
        if (warm) {
            // Next right block: the residual directions of the b worst unconverged pairs.
            std::vector<int64_t> order(static_cast<size_t>(keep));
            for (int64_t i = 0; i < keep; ++i) order[static_cast<size_t>(i)] = i;
            std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t c) {
                return record.residuals[static_cast<size_t>(a)] > record.residuals[static_cast<size_t>(c)];
            });
            std::vector<int64_t> chosen;
            for (int64_t i : order) {
                if (static_cast<int64_t>(chosen.size()) == b) break;
                if (record.residuals[static_cast<size_t>(i)] > options.tolerance) chosen.push_back(i);
            }
            if (chosen.empty()) chosen.push_back(order.front());  // keep < k: grow anyway
            auto directions = (JtJv - ritzV * (sigma * sigma).unsqueeze(0))
                                  .index_select(1, torch::tensor(chosen, torch::kLong));
            block = orthonormalizeAgainst(directions, V, generator);
            continue;
        }
        // Next right block: Jᵀ U_j made orthogonal to all of V.
        block = orthonormalizeAgainst(gBlocks.back(), V, generator);
    }
}

}  // namespace latentlens
