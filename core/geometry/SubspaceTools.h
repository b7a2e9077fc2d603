#pragma once

#include <cstdint>

#include <ATen/core/Generator.h>
#include <torch/types.h>

namespace latentlens {

// Small dense linear-algebra helpers of the basis solvers. Matrices hold vectors as columns
// (n × k), float64, CPU.

// Orthonormal columns spanning W after removing its components along `basis` (may be undefined
// or have 0 columns). Orthogonalises twice ("twice is enough"); columns that vanish (rank
// deficiency) are replaced by random directions orthogonal to everything else.
torch::Tensor orthonormalizeAgainst(const torch::Tensor& W, const torch::Tensor& basis, at::Generator& generator);

// n × k matrix with orthonormal columns from a seeded Gaussian draw.
torch::Tensor randomOrthonormal(int64_t n, int64_t k, at::Generator& generator);

// Flips each column so its largest-magnitude entry is positive; returns the signs (k) applied.
torch::Tensor fixColumnSigns(torch::Tensor& columns);

}  // namespace latentlens
