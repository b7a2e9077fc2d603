#pragma once

#include <vector>

#include <torch/types.h>

namespace latentlens {

// How alike k-dimensional subspaces are, from their principal angles θ_1..θ_k (see
// core/geometry/SubspaceSimilarity.h; rows need not be orthonormal):
//  - similarity  = (1/k) Σ cos² θ_i  ∈ [0, 1]: 1 for identical subspaces, 0 for orthogonal ones,
//    k/D on average for random k-subspaces of a D-dimensional space;
//  - distance    = ‖θ‖₂ = √(Σ θ_i²)  ∈ [0, π/2·√k]: the geodesic distance on the Grassmannian
//    Gr(k, D), the measure Park et al. (2023) use to compare tangent spaces.
double meanSquaredCosine(const torch::Tensor& a, const torch::Tensor& b);

// Both measures for every pair of N subspaces (each (k, ...) rows): (N, N) float64 each,
// symmetric, with 1 and 0 on the diagonal.
struct PairwiseSimilarity {
    torch::Tensor similarity;
    torch::Tensor distance;
};
PairwiseSimilarity pairwiseSimilarity(const std::vector<torch::Tensor>& subspaces);

// The mean of the entries above the diagonal of a square (N, N) matrix, N ≥ 2.
double meanAboveDiagonal(const torch::Tensor& matrix);

}  // namespace latentlens
