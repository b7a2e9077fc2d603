#pragma once

#include <cstdint>

#include <torch/types.h>

#include "core/model/DiffusionModel.h"

namespace latentlens {

// The x̂0 that x_t implies, from one U-Net call: (x_t − √(1−ᾱ_t) ε(x_t, t)) / √ᾱ_t for ε
// prediction (and the v/sample equivalents), clipped as the scheduler clips. The instant preview
// while a slider is dragged. x: (N, C, S, S) or (C, S, S).
torch::Tensor predictCleanImage(DiffusionModel& model, const torch::Tensor& x, int64_t timestep);

}  // namespace latentlens
