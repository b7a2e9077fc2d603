#pragma once

#include <cstdint>

#include <torch/types.h>

#include "core/Progress.h"
#include "core/pipeline/Conditioning.h"
#include "core/pipeline/DiffusionPipeline.h"

namespace latentlens {

// The x̂0 that x_t implies, from one model call (the pipeline's noise predictor under `conditioning`): (x_t − √(1−ᾱ_t) ε(x_t, t)) / √ᾱ_t for ε
// prediction (and the v/sample equivalents), clipped as the scheduler clips. The instant preview
// while a slider is dragged. x: (N, C, S, S) or (C, S, S).
torch::Tensor predictCleanImage(const DiffusionPipeline& pipeline, const torch::Tensor& x, int64_t timestep,
                                const Conditioning& conditioning = {});

// A cheap DDIM preview: x_t → x_0 on the grid of a `fullTrajectorySteps`-step trajectory (10: at most
// 10 U-Net calls, 6 from t = 0.6T). Cancellable between U-Net calls through `progress`.
torch::Tensor quickDenoise(const DiffusionPipeline& pipeline, const torch::Tensor& x, int64_t timestep,
                           int64_t fullTrajectorySteps = 10, const Progress& progress = {},
                           const Conditioning& conditioning = {});

}  // namespace latentlens
