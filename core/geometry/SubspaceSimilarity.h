#pragma once

#include <torch/types.h>

namespace latentlens {

// Comparisons of k-dimensional subspaces given by k vectors each (rows; any trailing shape,
// flattened). The rows need not be orthonormal: each set is orthonormalised first.

// Cosines of the principal angles, descending (k).
torch::Tensor principalCosines(const torch::Tensor& a, const torch::Tensor& b);
// Geodesic distance on the Grassmannian: ‖θ‖₂ over the principal angles θ.
double grassmannDistance(const torch::Tensor& a, const torch::Tensor& b);

}  // namespace latentlens
