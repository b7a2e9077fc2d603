#pragma once

#include <cstdint>
#include <optional>

#include <torch/types.h>

#include "core/Progress.h"
#include "core/pipeline/Conditioning.h"
#include "core/pipeline/DiffusionPipeline.h"

namespace latentlens {

struct GuidanceOptions {
    std::optional<double> gamma;  // unset: defaultGuidanceGamma(t)
    int iterations = 16;          // n, the paper's default
    double strength = 1.0;        // s: the direction is added as s · editUnit(x_t) · v
    Conditioning conditioning;    // what ε is conditioned on (none for unconditional models)
};

// Park et al.'s guidance strength as a function of t: 0.5 at t = T, 1 at 0.8T, 4 at 0.6T and 16
// at 0.4T and below, linear in log γ between those points.
double defaultGuidanceGamma(int64_t timestep, int64_t numTrainTimesteps);

// The paper's x-space guidance: repeat n times x ← x + γ (ε(x + s·v) − ε(x)), both ε in one
// batched model call. direction: (C, S, S) unit vector v; xt: (C, S, S) or (1, C, S, S).
// Checks the cancel flag between U-Net calls. A zero direction (or strength 0) returns x_t
// unchanged without calling the model.
torch::Tensor guidanceEdit(const DiffusionPipeline& model, const torch::Tensor& xt, int64_t timestep,
                           const torch::Tensor& direction, const GuidanceOptions& options = {},
                           const Progress& progress = {});

}  // namespace latentlens
