#include "core/sampling/DdimScheduler.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <utility>

#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include "core/Error.h"

// Every line below mirrors diffusers' scheduling_ddim.py / scheduling_ddim_inverse.py. The schedule
// tensors and step coefficients are float32 torch tensors built with the same ops diffusers uses, so
// the numbers are bit-identical; keep it that way when editing (no C++ double shortcuts).

namespace latentlens {
namespace {

// CPython evaluates `x ** y` on floats with libm's pow(); a compile-time exponent would let the
// compiler rewrite pow(x, 2.0) as x * x, which is not guaranteed to round the same way.
double pythonPow(double base, double exponent) {
    volatile double e = exponent;
    return std::pow(base, e);
}

// diffusers.schedulers.scheduling_ddim.betas_for_alpha_bar (cosine): Python doubles, then float32.
torch::Tensor betasForAlphaBar(int64_t numDiffusionTimesteps, double maxBeta = 0.999) {
    const double pi = 3.141592653589793;  // math.pi
    auto alphaBar = [&](double t) { return pythonPow(std::cos((t + 0.008) / 1.008 * pi / 2), 2.0); };
    std::vector<float> betas;
    betas.reserve(static_cast<size_t>(numDiffusionTimesteps));
    for (int64_t i = 0; i < numDiffusionTimesteps; ++i) {
        const double t1 = static_cast<double>(i) / static_cast<double>(numDiffusionTimesteps);
        const double t2 = static_cast<double>(i + 1) / static_cast<double>(numDiffusionTimesteps);
        const double beta = 1 - alphaBar(t2) / alphaBar(t1);
        // Python's min(a, b) keeps a unless b < a.
        betas.push_back(static_cast<float>(maxBeta < beta ? maxBeta : beta));
    }
    return torch::tensor(betas, torch::kFloat32);
}

// diffusers.schedulers.scheduling_ddim.rescale_zero_terminal_snr
torch::Tensor rescaleZeroTerminalSnr(const torch::Tensor& betasIn) {
    torch::Tensor alphas = 1.0 - betasIn;
    torch::Tensor alphasCumprod = torch::cumprod(alphas, 0);
    torch::Tensor alphasBarSqrt = alphasCumprod.sqrt();

    torch::Tensor alphasBarSqrt0 = alphasBarSqrt[0].clone();
    torch::Tensor alphasBarSqrtT = alphasBarSqrt[-1].clone();

    alphasBarSqrt -= alphasBarSqrtT;
    alphasBarSqrt *= alphasBarSqrt0 / (alphasBarSqrt0 - alphasBarSqrtT);

    torch::Tensor alphasBar = alphasBarSqrt.pow(2);
    const int64_t n = alphasBar.size(0);
    torch::Tensor ratios = alphasBar.slice(0, 1, n) / alphasBar.slice(0, 0, n - 1);
    alphas = torch::cat({alphasBar.slice(0, 0, 1), ratios});
    return 1 - alphas;
}

torch::Tensor makeBetas(const SchedulerConfig& c) {
    torch::Tensor betas;
    if (!c.trainedBetas.empty()) {
        std::vector<float> values(c.trainedBetas.begin(), c.trainedBetas.end());
        betas = torch::tensor(values, torch::kFloat32);
    } else if (c.betaSchedule == "linear") {
        betas = torch::linspace(c.betaStart, c.betaEnd, c.numTrainTimesteps, torch::kFloat32);
    } else if (c.betaSchedule == "scaled_linear") {
        betas = torch::linspace(pythonPow(c.betaStart, 0.5), pythonPow(c.betaEnd, 0.5), c.numTrainTimesteps,
                                torch::kFloat32)
                    .pow(2);
    } else if (c.betaSchedule == "squaredcos_cap_v2") {
        betas = betasForAlphaBar(c.numTrainTimesteps);
    } else {
        throw Error("scheduler config: beta_schedule \"" + c.betaSchedule + "\" is not supported");
    }
    if (c.rescaleBetasZeroSnr) betas = rescaleZeroTerminalSnr(betas);
    return betas;
}

// numpy's round(): half to even (the default floating-point rounding mode).
int64_t roundHalfEven(double x) { return static_cast<int64_t>(std::nearbyint(x)); }

// np.arange(start, stop, step) for a float step, as numpy fills it: the first two entries are
// start and start + step, the rest start + i * ((start + step) - start).
std::vector<double> numpyArange(double start, double stop, double step) {
    const double lengthValue = std::ceil((stop - start) / step);
    const int64_t length = lengthValue > 0 ? static_cast<int64_t>(lengthValue) : 0;
    std::vector<double> out;
    out.reserve(static_cast<size_t>(length));
    if (length >= 1) out.push_back(start);
    if (length >= 2) out.push_back(start + step);
    const double delta = length >= 2 ? out[1] - start : 0.0;
    for (int64_t i = 2; i < length; ++i) out.push_back(start + static_cast<double>(i) * delta);
    return out;
}

void checkSampleTensors(const torch::Tensor& modelOutput, const torch::Tensor& sample, const char* what) {
    if (!modelOutput.defined() || !sample.defined()) {
        throw Error(std::string(what) + ": the model output and the sample must both be given");
    }
    if (!modelOutput.is_floating_point() || !sample.is_floating_point()) {
        throw Error(std::string(what) + ": the model output and the sample must be floating-point tensors");
    }
    if (modelOutput.sizes() != sample.sizes()) {
        throw Error(std::string(what) + ": the model output " + c10::str(modelOutput.sizes()) +
                    " and the sample " + c10::str(sample.sizes()) + " differ in shape");
    }
    if (modelOutput.device() != sample.device()) {
        throw Error(std::string(what) + ": the model output and the sample are on different devices");
    }
}

struct Prediction {
    torch::Tensor original;  // pred_original_sample (clipped as configured)
    torch::Tensor epsilon;   // pred_epsilon (from the unclipped prediction)
};

// Steps 3 and 4 shared by DDIMScheduler.step and DDIMInverseScheduler.step.
Prediction predict(const SchedulerConfig& config, const torch::Tensor& modelOutput, const torch::Tensor& sample,
                   const torch::Tensor& alphaProdT, const torch::Tensor& betaProdT, bool clip = true) {
    Prediction p;
    if (config.predictionType == "epsilon") {
        p.original = (sample - betaProdT.pow(0.5) * modelOutput) / alphaProdT.pow(0.5);
        p.epsilon = modelOutput;
    } else if (config.predictionType == "sample") {
        p.original = modelOutput;
        p.epsilon = (sample - alphaProdT.pow(0.5) * p.original) / betaProdT.pow(0.5);
    } else if (config.predictionType == "v_prediction") {
        p.original = alphaProdT.pow(0.5) * sample - betaProdT.pow(0.5) * modelOutput;
        p.epsilon = alphaProdT.pow(0.5) * modelOutput + betaProdT.pow(0.5) * sample;
    } else {
        throw Error("DDIM scheduler: prediction_type \"" + config.predictionType + "\" is not supported");
    }
    if (clip && config.clipSample) p.original = p.original.clamp(-config.clipSampleRange, config.clipSampleRange);
    return p;
}

}  // namespace

DdimScheduler::DdimScheduler(SchedulerConfig config) {
    // A config built in C++ gets the same validation as one read from a file.
    config_ = SchedulerConfig::fromJson(config.toJson(), "scheduler config");
    betas_ = makeBetas(config_);
    alphasCumprod_ = torch::cumprod(1.0 - betas_, 0);
}

torch::Tensor DdimScheduler::alphaProd(int64_t t) const {
    if (t >= config_.numTrainTimesteps) {
        throw Error("DDIM scheduler: timestep " + std::to_string(t) + " is outside [0, " +
                    std::to_string(config_.numTrainTimesteps) + ")");
    }
    if (t < 0) {
        // final_alpha_cumprod / initial_alpha_cumprod: torch.tensor(1.0) or alphas_cumprod[0].
        return config_.setAlphaToOne ? torch::scalar_tensor(1.0, torch::kFloat32) : alphasCumprod_[0].clone();
    }
    return alphasCumprod_[t].clone();
}

int64_t DdimScheduler::stepRatio(int64_t numInferenceSteps) const {
    if (numInferenceSteps < 1 || numInferenceSteps > config_.numTrainTimesteps) {
        throw Error("DDIM scheduler: the number of inference steps (" + std::to_string(numInferenceSteps) +
                    ") must lie in [1, num_train_timesteps = " + std::to_string(config_.numTrainTimesteps) + "]");
    }
    return config_.numTrainTimesteps / numInferenceSteps;
}

std::vector<int64_t> DdimScheduler::timesteps(int64_t numInferenceSteps) const {
    const int64_t ratio = stepRatio(numInferenceSteps);  // validates numInferenceSteps
    const int64_t trainSteps = config_.numTrainTimesteps;
    const int64_t n = numInferenceSteps;
    std::vector<int64_t> out;
    out.reserve(static_cast<size_t>(n));

    if (config_.timestepSpacing == "linspace") {
        // np.linspace(0, T - 1, n).round()[::-1]
        const double stop = static_cast<double>(trainSteps - 1);
        std::vector<double> y(static_cast<size_t>(n));
        if (n > 1) {
            const double step = stop / static_cast<double>(n - 1);
            for (int64_t i = 0; i < n; ++i) {
                y[static_cast<size_t>(i)] = (step == 0.0)
                                                ? static_cast<double>(i) / static_cast<double>(n - 1) * stop
                                                : static_cast<double>(i) * step;
            }
            y.back() = stop;
        } else {
            y[0] = 0.0;
        }
        for (auto it = y.rbegin(); it != y.rend(); ++it) out.push_back(roundHalfEven(*it));
    } else if (config_.timestepSpacing == "leading") {
        // (np.arange(0, n) * (T // n)).round()[::-1] + steps_offset
        for (int64_t i = n - 1; i >= 0; --i) out.push_back(i * ratio + config_.stepsOffset);
        if (out.front() >= trainSteps) {
            throw Error("DDIM scheduler: steps_offset " + std::to_string(config_.stepsOffset) + " with " +
                        std::to_string(n) + " steps gives timestep " + std::to_string(out.front()) +
                        ", beyond the last training timestep " + std::to_string(trainSteps - 1));
        }
    } else if (config_.timestepSpacing == "trailing") {
        // np.round(np.arange(T, 0, -T / n)) - 1
        const double floatRatio = static_cast<double>(trainSteps) / static_cast<double>(n);
        for (double value : numpyArange(static_cast<double>(trainSteps), 0.0, -floatRatio)) {
            out.push_back(roundHalfEven(value) - 1);
        }
        // For some n (e.g. T = 1000, n = 61) numpy's float arange yields n + 1 entries, the last one
        // rounding to timestep -1; diffusers would then index alphas_cumprod[-1] (its noisiest alpha).
        // Keep the n real timesteps.
        if (static_cast<int64_t>(out.size()) > n) {
            spdlog::debug("DDIM trailing spacing: dropping diffusers' spurious extra timestep {} for {} steps",
                          out.back(), n);
            out.resize(static_cast<size_t>(n));
        }
    } else {
        throw Error("DDIM scheduler: timestep_spacing \"" + config_.timestepSpacing + "\" is not supported");
    }
    return out;
}

std::vector<int64_t> DdimScheduler::inverseTimesteps(int64_t numInferenceSteps) const {
    // DDIMInverseScheduler's leading and trailing timesteps are exactly the DDIMScheduler ones in
    // ascending order; for linspace (no inverse in diffusers) the reversed DDIM timesteps too.
    std::vector<int64_t> out = timesteps(numInferenceSteps);
    std::reverse(out.begin(), out.end());
    return out;
}

torch::Tensor DdimScheduler::predictOriginal(const torch::Tensor& modelOutput, int64_t t,
                                             const torch::Tensor& sample, bool clip) const {
    checkSampleTensors(modelOutput, sample, "DDIM predictOriginal");
    if (t < 0 || t >= config_.numTrainTimesteps) {
        throw Error("DDIM predictOriginal: timestep " + std::to_string(t) + " is outside [0, " +
                    std::to_string(config_.numTrainTimesteps) + ")");
    }
    const torch::Tensor alphaProdT = alphasCumprod_[t];
    const torch::Tensor betaProdT = 1 - alphaProdT;
    return predict(config_, modelOutput, sample, alphaProdT, betaProdT, clip).original;
}


DdimScheduler::StepOutput DdimScheduler::step(const torch::Tensor& modelOutput, int64_t t, int64_t tPrev,
                                              const torch::Tensor& sample, double eta,
                                              const torch::Tensor& noise) const {
    checkSampleTensors(modelOutput, sample, "DDIM step");
    const int64_t trainSteps = config_.numTrainTimesteps;
    if (t < 0 || t >= trainSteps) {
        throw Error("DDIM step: timestep " + std::to_string(t) + " is outside [0, " + std::to_string(trainSteps) + ")");
    }
    if (tPrev >= trainSteps) {
        throw Error("DDIM step: previous timestep " + std::to_string(tPrev) + " is beyond the last training timestep " +
                    std::to_string(trainSteps - 1));
    }
    if (!std::isfinite(eta) || eta < 0.0) {
        throw Error("DDIM step: eta must be a finite number >= 0 (got " + std::to_string(eta) + ")");
    }
    if (eta > 0.0) {
        if (!noise.defined()) throw Error("DDIM step: eta > 0 needs variance noise, none was given");
        if (noise.sizes() != sample.sizes()) {
            throw Error("DDIM step: the noise " + c10::str(noise.sizes()) + " must have the sample's shape " +
                        c10::str(sample.sizes()));
        }
        if (!noise.is_floating_point() || noise.device() != sample.device()) {
            throw Error("DDIM step: the noise must be a floating-point tensor on the sample's device");
        }
    }

    // 2. compute alphas, betas (0-d float32 tensors)
    const torch::Tensor alphaProdT = alphasCumprod_[t];
    const torch::Tensor alphaProdTPrev = alphaProd(tPrev);
    const torch::Tensor betaProdT = 1 - alphaProdT;

    // 3./4. predicted x_0, clipped
    Prediction p = predict(config_, modelOutput, sample, alphaProdT, betaProdT);

    // 5. variance (DDIMScheduler._get_variance) and sigma_t
    const torch::Tensor betaProdTPrev = 1 - alphaProdTPrev;
    const torch::Tensor variance = (betaProdTPrev / betaProdT) * (1 - alphaProdT / alphaProdTPrev);
    const torch::Tensor stdDevT = variance.pow(0.5) * eta;

    // 6. direction pointing to x_t
    const torch::Tensor predSampleDirection = (1 - alphaProdTPrev - stdDevT.pow(2)).pow(0.5) * p.epsilon;

    // 7. x_{t-1} without noise, then the noise
    torch::Tensor prevSample = alphaProdTPrev.pow(0.5) * p.original + predSampleDirection;
    if (eta > 0.0) prevSample = prevSample + stdDevT * noise;
    return {prevSample, p.original};
}

DdimScheduler::StepOutput DdimScheduler::inverseStep(const torch::Tensor& modelOutput, int64_t tFrom, int64_t tTo,
                                                     const torch::Tensor& sample) const {
    checkSampleTensors(modelOutput, sample, "DDIM inverse step");
    const int64_t trainSteps = config_.numTrainTimesteps;
    if (tTo < 0 || tTo >= trainSteps) {
        throw Error("DDIM inverse step: timestep " + std::to_string(tTo) + " is outside [0, " +
                    std::to_string(trainSteps) + ")");
    }
    // diffusers: timestep = min(t - T // n, T - 1)
    tFrom = std::min(tFrom, trainSteps - 1);

    const torch::Tensor alphaProdT = alphaProd(tFrom);  // tFrom < 0: initial_alpha_cumprod
    const torch::Tensor alphaProdTPrev = alphasCumprod_[tTo];
    const torch::Tensor betaProdT = 1 - alphaProdT;

    Prediction p = predict(config_, modelOutput, sample, alphaProdT, betaProdT);

    const torch::Tensor predSampleDirection = (1 - alphaProdTPrev).pow(0.5) * p.epsilon;
    torch::Tensor prevSample = alphaProdTPrev.pow(0.5) * p.original + predSampleDirection;
    return {prevSample, p.original};
}

}  // namespace latentlens
