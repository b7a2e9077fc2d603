#pragma once

#include <cstdint>

#include <torch/types.h>

#include "core/Progress.h"
#include "core/model/DiffusionModel.h"

namespace latentlens {

// The x̂0 that x_t implies, from one U-Net call: (x_t − √(1−ᾱ_t) ε(x_t, t)) / √ᾱ_t for ε
// prediction (and the v/sample equivalents), clipped as the scheduler clips. The instant preview
// while a slider is dragged. x: (N, C, S, S) or (C, S, S).
torch::Tensor predictCleanImage(DiffusionModel& model, const torch::Tensor& x, int64_t timestep);

// A cheap DDIM preview: x_t → x_0 on the grid of a `fullTrajectorySteps`-step trajectory (10: at most
// 10 U-Net calls, 6 from t = 0.6T). Cancellable between U-Net calls through `progress`.
torch::Tensor quickDenoise(DiffusionModel& model, const torch::Tensor& x, int64_t timestep, int64_t fullTrajectorySteps = 10,
                           const Progress& progress = {});

}  // namespace latentlens
