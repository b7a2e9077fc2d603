#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include <torch/types.h>

#include "core/Progress.h"
#include "core/analysis/TimestepSweep.h"

namespace latentlens {

// How much the tangent space turns along the straight segment x(s) = (1 − s)·x_A + s·x_B,
// s ∈ [0, 1], sampled at s_j = j/M (j = 0..M) with T_j = the top-k tangent space at x(s_j):
//   L = Σ_j d(T_j, T_{j+1})          total turning, radians (d: Grassmannian geodesic distance)
//   κ = L / ‖x_B − x_A‖              curvedness: turning per unit of Euclidean length in X
//   D = d(T_0, T_M)                  chord: how far the end spaces are apart (D ≤ L)
// A flat latent space (a Jacobian that does not change along the segment) gives L = κ = 0. L is a
// lower bound of the continuous path length that the sampling converges to as M grows.
struct CurvednessPath {
    torch::Tensor s;              // (M + 1)
    torch::Tensor stepDistance;   // (M) d(T_j, T_{j+1})
    double turning = 0.0;         // L
    double chord = 0.0;           // D
    double euclideanLength = 0.0; // ‖x_B − x_A‖
    double curvedness = 0.0;      // κ
};

// The tangent space (k, ...) rows at a point x of the segment.
using TangentSpaceAt = std::function<torch::Tensor(const torch::Tensor& x, const Progress& progress)>;

// x(s_j) for s_j = j / segments, computed as measureCurvedness does.
torch::Tensor segmentPoint(const torch::Tensor& xA, const torch::Tensor& xB, int64_t segments, int64_t j);
// The measures of a segment of length ‖x_B − x_A‖ = euclideanLength from its M + 1 tangent
// spaces T_0..T_M (each (k, ...) rows). Error for fewer than two spaces or a length ≤ 0.
CurvednessPath curvednessOfSpaces(const std::vector<torch::Tensor>& spaces, double euclideanLength);

// Measures the segment with M = `segments` ≥ 1 pieces. Throws Error for bad arguments (different
// shapes, x_A = x_B, segments < 1); Cancelled between tangent spaces.
CurvednessPath measureCurvedness(const torch::Tensor& xA, const torch::Tensor& xB, int64_t segments,
                                 const TangentSpaceAt& tangentSpace, const Progress& progress = {});

// The curvedness of X between the generation trajectories of two seeds at every timestep of a
// sweep (tangent spaces: span of the pullback basis v_1..v_k of the mid block).
struct CurvednessSweep {
    std::string modelName;
    std::vector<int64_t> timesteps;
    uint64_t seedA = 0;
    uint64_t seedB = 1;
    std::vector<CurvednessPath> paths;  // one per timestep
    torch::Tensor curvedness;           // (T) κ
    torch::Tensor turning;              // (T) L
    torch::Tensor chord;                // (T) D
    torch::Tensor euclideanLength;      // (T)
};
// The sweep's series from one path per timestep.
CurvednessSweep curvednessSweepOf(std::string modelName, std::vector<int64_t> timesteps, uint64_t seedA, uint64_t seedB,
                                  std::vector<CurvednessPath> paths);
CurvednessSweep curvednessOverTimesteps(DiffusionPipeline& model, uint64_t seedA, uint64_t seedB, int64_t segments,
                                        const SweepOptions& options, const Progress& progress = {});

}  // namespace latentlens
