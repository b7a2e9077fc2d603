#pragma once

#include <cstdint>
#include <vector>

#include <torch/types.h>

#include "core/sampling/SchedulerConfig.h"

namespace latentlens {

// DDIM arithmetic exactly as diffusers' DDIMScheduler and DDIMInverseScheduler compute it:
// betas and alphas_cumprod in float32 torch tensors, step coefficients as 0-d float32 tensors
// that promote with the sample (so float64 samples see the same float32 coefficients diffusers uses).
// Pure math: no model calls here (see DdimSampler).
class DdimScheduler {
public:
    explicit DdimScheduler(SchedulerConfig config);

    const SchedulerConfig& config() const { return config_; }
    int64_t numTrainTimesteps() const { return config_.numTrainTimesteps; }
    const torch::Tensor& betas() const { return betas_; }                // (T) float32
    const torch::Tensor& alphasCumprod() const { return alphasCumprod_; } // (T) float32

    // alphas_cumprod[t] as a 0-d float32 tensor; t < 0 gives the final alpha
    // (1 if set_alpha_to_one, else alphas_cumprod[0]), as both diffusers schedulers do.
    torch::Tensor alphaProd(int64_t t) const;

    // DDIMScheduler.set_timesteps(n).timesteps (descending). Throws Error if n < 1 or n > T.
    std::vector<int64_t> timesteps(int64_t numInferenceSteps) const;
    // DDIMInverseScheduler.set_timesteps(n).timesteps (ascending). For "linspace", which diffusers'
    // inverse scheduler lacks, the reversed DDIMScheduler timesteps.
    std::vector<int64_t> inverseTimesteps(int64_t numInferenceSteps) const;
    // The step diffusers uses to find the previous timestep: T / n (integer division).
    int64_t stepRatio(int64_t numInferenceSteps) const;

    struct StepOutput {
        torch::Tensor prevSample;
        torch::Tensor predOriginalSample;
    };
    // DDIMScheduler.step from timestep t to tPrev (tPrev < 0: final alpha), with
    // use_clipped_model_output = false. eta > 0 needs `noise` shaped like the sample
    // (standard normal); it is ignored when eta == 0.
    StepOutput step(const torch::Tensor& modelOutput, int64_t t, int64_t tPrev, const torch::Tensor& sample,
                    double eta = 0.0, const torch::Tensor& noise = {}) const;
    // DDIMInverseScheduler.step: the latent `sample` sits at tFrom (tFrom < 0: initial alpha), the
    // model output was evaluated at tTo, and the result sits at tTo.
    StepOutput inverseStep(const torch::Tensor& modelOutput, int64_t tFrom, int64_t tTo,
                           const torch::Tensor& sample) const;
    // x̂0 implied by the model output at t, clipped as the scheduler clips (pred_original_sample),
    // or never clipped when !clip (the differentiable posterior mean the masked Jacobian takes).
    torch::Tensor predictOriginal(const torch::Tensor& modelOutput, int64_t t, const torch::Tensor& sample,
                                  bool clip = true) const;

private:
    SchedulerConfig config_;
    torch::Tensor betas_;
    torch::Tensor alphasCumprod_;
};

}  // namespace latentlens
