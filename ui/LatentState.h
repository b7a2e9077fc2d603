#pragma once

#include <cstdint>
#include <memory>

#include <torch/types.h>

#include "core/pipeline/Conditioning.h"
#include "core/pipeline/DiffusionPipeline.h"
#include "core/sampling/LatentTrajectory.h"

namespace latentlens::ui {

// The tensors behind what the window shows: made and read by ModelWorker only. The widgets hold
// it as an opaque, immutable std::shared_ptr (see ViewState), so undo can restore it exactly and
// later features (semantic directions) can start from x_t without recomputing it.
struct LatentState {
    std::weak_ptr<DiffusionPipeline> model;  // the model that made it; the worker refuses others' states
    uint64_t imageId = 0;                 // one per generated or opened image, shared by its timestep views
    int64_t steps = 0;                    // the DDIM grid of the trajectory
    double eta = 0.0;
    // Text-conditioned models: the prompt the image was made with, the conditioning of its DDIM
    // runs (guidance included) and the prompt's embedding alone, which directions are found under.
    // Unconditional models: empty, Conditioning::none() twice.
    std::string prompt;
    std::string negativePrompt;
    double guidance = 1.0;
    Conditioning sampling;
    Conditioning jacobian;
    torch::Tensor image;  // (1, C, H, W) the clean image in the big canvas
    LatentTrajectory trajectory;
    int64_t timestep = 0;             // t of `latent`
    torch::Tensor latent;             // x_t (1, C, H, W), a latent of the pipeline
    torch::Tensor predictedOriginal;  // x̂0 implied by x_t (see predictCleanImage), decoded to an image
};

}  // namespace latentlens::ui
