#pragma once

#include <filesystem>

#include "core/geometry/PullbackBasis.h"

namespace latentlens {

// A PullbackBasis on disk: a folder with sigma.npy (k), v.npy (k, C, S, S), u.npy (k, dim h),
// xt.npy (C, S, S), mask.npy (H, W) for a masked basis, and basis.json (model, conditioning id and
// the prompts as text,
// kind, block, null rank, method, t, k, feature shape, products, residuals, timing, per-iteration
// history). Written files are float64. Folders written before the conditioning id existed read as
// unconditional (""), before the kind existed as pullback bases.
void writeBasis(const std::filesystem::path& folder, const PullbackBasis& basis);
// Reads and validates such a folder (shapes consistent with k and with each other); throws
// Error naming the file at fault.
PullbackBasis readBasis(const std::filesystem::path& folder);

}  // namespace latentlens
