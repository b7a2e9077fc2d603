#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <torch/types.h>

namespace latentlens {

// One iteration of a basis solver, for progress displays and the bench.
struct BasisIteration {
    int iteration = 0;
    int64_t products = 0;            // Jacobian-vector products so far (J·v and Jᵀ·u)
    double seconds = 0.0;            // wall time since the solver started
    std::vector<double> sigma;       // current estimates of σ_1..σ_k
    std::vector<double> residuals;   // ‖JᵀJ v_i − σ_i² v_i‖ / σ_1² of the current estimates
};

// The local basis of the pullback metric JᵀJ at x_t (Park et al. 2023): the top-k right singular
// vectors v_i of J = ∂h/∂x_t (image-shaped directions in X), the singular values σ_i, and the
// tangent basis in H, u_i = J v_i / σ_i. Signs are fixed: the largest-magnitude component of each
// v_i is positive (u_i follows), so results are reproducible.
//
// The same record holds the masked directions of LOCO Edit (kind "posterior-mean", see
// DirectionSpace): there J = diag(mask)·∂x̂0/∂x_t restricted to the null space of the outside's top
// `nullRank` directions, block = "x0", and u_i lives in x̂0's space. Edits, exports, transport and
// sessions treat both kinds alike.
struct PullbackBasis {
    static constexpr const char* kPullback = "pullback";
    static constexpr const char* kPosteriorMean = "posterior-mean";

    std::string modelName;
    std::string conditioning;  // Conditioning::id of the prompt it was found under ("" unconditional)
    // Text-conditioned models, as text: J was taken under jacobianPrompt (whose id is
    // `conditioning`); x_t came from sampling under samplingPrompt against negativePrompt at
    // `guidance`. Empty (and 1) for unconditional models and bases that did not record them.
    std::string jacobianPrompt;
    std::string samplingPrompt;
    std::string negativePrompt;
    double guidance = 1.0;
    std::string kind = kPullback;  // kPullback or kPosteriorMean
    std::string block = "mid";     // pullback: the block h is read at; posterior mean: "x0"
    torch::Tensor mask;            // posterior mean: (H, W) float64 soft mask on the image grid, 1 = edit; undefined: none
    int64_t nullRank = 0;          // posterior mean with a mask: outside directions projected off
    std::vector<double> outsideSigma;  // their singular values under the outside weight (1 − mask)
    std::string method;
    int64_t timestep = 0;
    int64_t k = 0;
    torch::Tensor sigma;       // (k) float64, descending
    torch::Tensor v;           // (k, C, S, S) float64, unit norm, orthonormal
    torch::Tensor u;           // (k, dim h) float64, unit norm
    torch::Tensor xt;          // (C, S, S): the point the basis belongs to
    std::vector<int64_t> featureShape;  // shape of h (C, H, W)
    int64_t jvpProducts = 0;
    int64_t vjpProducts = 0;
    std::vector<double> residuals;  // final ‖JᵀJ v_i − σ_i² v_i‖ / σ_1²
    int iterations = 0;
    bool converged = false;
    double wallSeconds = 0.0;
    uint64_t seed = 0;
    std::vector<BasisIteration> history;

    int64_t products() const { return jvpProducts + vjpProducts; }
    bool isMasked() const { return mask.defined(); }
    double worstResidual() const;
};

}  // namespace latentlens
