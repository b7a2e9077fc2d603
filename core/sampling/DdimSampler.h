#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <torch/types.h>

#include "core/Progress.h"
#include "core/pipeline/Conditioning.h"
#include "core/pipeline/DiffusionPipeline.h"
#include "core/sampling/DdimScheduler.h"
#include "core/sampling/NoisePredictor.h"

namespace latentlens {

// One DDIM update: the latent sits at `from` and moves to `to` (a negative timestep stands for
// the scheduler's final/initial alpha, i.e. the clean image).
struct DdimStep {
    int64_t from;
    int64_t to;
};

struct DdimRun {
    torch::Tensor result;           // (N, C, S, S)
    torch::Tensor trajectory;       // (steps + 1, N, C, S, S), start included; undefined unless requested
    std::vector<DdimStep> steps;    // what was run
};

// Deterministic (eta = 0) or seeded stochastic (eta > 0) DDIM sampling, partial denoising from any
// t to 0, and DDIM inversion from 0 to any t, exactly as diffusers' DDIMScheduler and
// DDIMInverseScheduler step. `numInferenceSteps` is the step count of a full 0..T trajectory
// (diffusers' set_timesteps); a partial run uses the steps of that grid that lie below t, plus
// one short step from t onto the grid when t is not a grid point. So invert(x0, t) and
// denoise(·, t) run mirrored steps, and a round trip is as close as DDIM inversion gets.
// Every model call goes through a NoisePredictor (denoiser + conditioning, guidance included).
class DdimSampler {
public:
    // What the sampler needs besides the predictor: the latents it accepts and makes.
    struct Latents {
        std::vector<int64_t> shape;      // (C, H, W)
        torch::TensorOptions options;    // dtype/device
        std::string modelName;           // for messages
    };

    // clipSample overrides scheduler_config.json's clip_sample (clamping of the predicted x_0 at
    // every step) for this sampler; unset keeps the config's value, as diffusers does.
    DdimSampler(std::shared_ptr<const NoisePredictor> predictor, const SchedulerConfig& scheduler, Latents latents,
                int64_t numInferenceSteps, std::optional<bool> clipSample = std::nullopt);
    // The pipeline's denoiser under `conditioning` (none for unconditional models) and its scheduler.
    DdimSampler(const DiffusionPipeline& pipeline, int64_t numInferenceSteps,
                std::optional<bool> clipSample = std::nullopt, const Conditioning& conditioning = {});

    int64_t numInferenceSteps() const { return numInferenceSteps_; }
    // The first timestep of a full trajectory (where sample() starts), e.g. 980 for leading/50.
    int64_t startTimestep() const { return grid_.front(); }

    std::vector<DdimStep> denoisePlan(int64_t fromTimestep) const;
    std::vector<DdimStep> inversionPlan(int64_t toTimestep) const;

    // Standard normal (N, C, S, S) latents: sample i is drawn from its own generator seeded
    // seed + i, in float64, then cast to the model dtype (float32 and float64 runs share noise).
    torch::Tensor noise(uint64_t seed, int64_t count) const;

    // Full generation from x_T (latents at startTimestep()).
    DdimRun sample(const torch::Tensor& xT, double eta = 0.0, uint64_t noiseSeed = 0, bool keepTrajectory = false,
                   const Progress& progress = {}) const;
    // x_t at timestep t → x_0.
    DdimRun denoise(const torch::Tensor& xt, int64_t t, double eta = 0.0, uint64_t noiseSeed = 0,
                    bool keepTrajectory = false, const Progress& progress = {}) const;
    // x at timestep `from` → x at the lower timestep `to` along the denoising plan of `from` (the
    // last step is shortened to land on `to` exactly). descend(noise, startTimestep(), t) is x_t
    // of the generation trajectory.
    DdimRun descend(const torch::Tensor& x, int64_t from, int64_t to, bool keepTrajectory = false,
                    const Progress& progress = {}) const;
    // x_0 → x_t (deterministic DDIM inversion).
    DdimRun invert(const torch::Tensor& x0, int64_t t, bool keepTrajectory = false, const Progress& progress = {}) const;

private:
    DdimRun run(const torch::Tensor& start, const std::vector<DdimStep>& plan, bool inverse, double eta,
                uint64_t noiseSeed, bool keepTrajectory, const Progress& progress) const;
    void checkTimestep(int64_t t) const;
    void checkLatents(const torch::Tensor& x) const;

    std::shared_ptr<const NoisePredictor> predictor_;
    Latents latents_;
    DdimScheduler scheduler_;
    int64_t numInferenceSteps_;
    int64_t stepRatio_;
    std::vector<int64_t> grid_;         // descending (DDIMScheduler.timesteps)
    std::vector<int64_t> inverseGrid_;  // ascending (DDIMInverseScheduler.timesteps)
};

}  // namespace latentlens
