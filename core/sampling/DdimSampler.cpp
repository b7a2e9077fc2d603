#include "core/sampling/DdimSampler.h"

#include <algorithm>

#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include "core/Error.h"

namespace latentlens {

namespace {

SchedulerConfig withClip(SchedulerConfig config, std::optional<bool> clipSample) {
    if (clipSample) config.clipSample = *clipSample;
    return config;
}

}  // namespace

DdimSampler::DdimSampler(std::shared_ptr<const NoisePredictor> predictor, const SchedulerConfig& scheduler,
                         Latents latents, int64_t numInferenceSteps, std::optional<bool> clipSample)
    : predictor_(std::move(predictor)),
      latents_(std::move(latents)),
      scheduler_(withClip(scheduler, clipSample)),
      numInferenceSteps_(numInferenceSteps),
      stepRatio_(scheduler_.stepRatio(numInferenceSteps)),
      grid_(scheduler_.timesteps(numInferenceSteps)),
      inverseGrid_(scheduler_.inverseTimesteps(numInferenceSteps)) {
    if (!predictor_) throw Error("a sampler needs a noise predictor");
}

DdimSampler::DdimSampler(const DiffusionPipeline& pipeline, int64_t numInferenceSteps,
                         std::optional<bool> clipSample, const Conditioning& conditioning)
    : DdimSampler(pipeline.noisePredictor(conditioning), pipeline.scheduler().config(),
                  Latents{pipeline.latentShape(), pipeline.tensorOptions(), pipeline.name()}, numInferenceSteps,
                  clipSample) {}

void DdimSampler::checkTimestep(int64_t t) const {
    const int64_t last = scheduler_.numTrainTimesteps() - 1;
    if (t < 0 || t > last) {
        throw Error("timestep " + std::to_string(t) + " is outside 0.." + std::to_string(last));
    }
}

void DdimSampler::checkLatents(const torch::Tensor& x) const {
    const auto& shape = latents_.shape;
    if (!x.defined() || x.dim() != 4 || x.size(1) != shape[0] || x.size(2) != shape[1] || x.size(3) != shape[2]) {
        throw Error("latents must have shape (N, " + std::to_string(shape[0]) + ", " + std::to_string(shape[1]) + ", " +
                    std::to_string(shape[2]) + ") for model " + latents_.modelName);
    }
}

std::vector<DdimStep> DdimSampler::denoisePlan(int64_t fromTimestep) const {
    checkTimestep(fromTimestep);
    std::vector<DdimStep> plan;
    std::vector<int64_t> below;
    for (int64_t t : grid_) {
        if (t <= fromTimestep) below.push_back(t);
    }
    if (below.empty() || below.front() != fromTimestep) {
        plan.push_back({fromTimestep, below.empty() ? int64_t(-1) : below.front()});
    }
    for (int64_t t : below) plan.push_back({t, t - stepRatio_});  // diffusers: prev = t - T // n
    return plan;
}

std::vector<DdimStep> DdimSampler::inversionPlan(int64_t toTimestep) const {
    checkTimestep(toTimestep);
    const int64_t last = scheduler_.numTrainTimesteps() - 1;
    std::vector<DdimStep> plan;
    for (int64_t t : inverseGrid_) {
        if (t <= toTimestep) plan.push_back({std::min(t - stepRatio_, last), t});  // DDIMInverseScheduler.step
    }
    if (plan.empty()) {
        plan.push_back({-1, toTimestep});
    } else if (plan.back().to != toTimestep) {
        plan.push_back({plan.back().to, toTimestep});
    }
    return plan;
}

torch::Tensor DdimSampler::noise(uint64_t seed, int64_t count) const {
    const auto& shape = latents_.shape;
    std::vector<torch::Tensor> samples;
    for (int64_t i = 0; i < count; ++i) {
        auto generator = at::detail::createCPUGenerator(seed + static_cast<uint64_t>(i));
        samples.push_back(at::randn({shape[0], shape[1], shape[2]}, generator, torch::kFloat64));
    }
    return torch::stack(samples).to(latents_.options);
}

DdimRun DdimSampler::sample(const torch::Tensor& xT, double eta, uint64_t noiseSeed, bool keepTrajectory,
                            const Progress& progress) const {
    return denoise(xT, startTimestep(), eta, noiseSeed, keepTrajectory, progress);
}

DdimRun DdimSampler::denoise(const torch::Tensor& xt, int64_t t, double eta, uint64_t noiseSeed, bool keepTrajectory,
                             const Progress& progress) const {
    if (eta < 0) throw Error("eta must be >= 0");
    return run(xt, denoisePlan(t), /*inverse=*/false, eta, noiseSeed, keepTrajectory, progress);
}

DdimRun DdimSampler::descend(const torch::Tensor& x, int64_t from, int64_t to, bool keepTrajectory,
                             const Progress& progress) const {
    checkTimestep(to);
    if (to > from) throw Error("cannot descend from timestep " + std::to_string(from) + " up to " + std::to_string(to));
    std::vector<DdimStep> plan;
    for (auto step : denoisePlan(from)) {
        if (step.from <= to) break;
        if (step.to < to) step.to = to;
        plan.push_back(step);
    }
    return run(x, plan, /*inverse=*/false, 0.0, 0, keepTrajectory, progress);
}

DdimRun DdimSampler::invert(const torch::Tensor& x0, int64_t t, bool keepTrajectory, const Progress& progress) const {
    return run(x0, inversionPlan(t), /*inverse=*/true, 0.0, 0, keepTrajectory, progress);
}

DdimRun DdimSampler::run(const torch::Tensor& start, const std::vector<DdimStep>& plan, bool inverse, double eta,
                         uint64_t noiseSeed, bool keepTrajectory, const Progress& progress) const {
    checkLatents(start);
    torch::NoGradGuard noGrad;
    const auto& predictor = *predictor_;
    const auto& scheduler = scheduler_;
    auto x = start.to(latents_.options);
    DdimRun result;
    result.steps = plan;
    std::vector<torch::Tensor> trajectory;
    if (keepTrajectory) trajectory.push_back(x);
    c10::optional<at::Generator> generator;
    if (eta > 0) generator = at::detail::createCPUGenerator(noiseSeed);

    for (size_t i = 0; i < plan.size(); ++i) {
        progress.throwIfCancelled();
        const auto& step = plan[i];
        if (inverse) {
            auto eps = predictor.predict(x, step.to);
            x = scheduler.inverseStep(eps, step.from, step.to, x).prevSample;
        } else {
            auto eps = predictor.predict(x, step.from);
            torch::Tensor variance;
            if (eta > 0) variance = at::randn(x.sizes(), *generator, torch::kFloat64).to(x.options());
            x = scheduler.step(eps, step.from, step.to, x, eta, variance).prevSample;
        }
        if (keepTrajectory) trajectory.push_back(x);
        progress.report(static_cast<double>(i + 1) / static_cast<double>(plan.size()),
                        std::string(inverse ? "inverting" : "denoising") + ": step " + std::to_string(i + 1) + "/" +
                            std::to_string(plan.size()) + " (t=" + std::to_string(inverse ? step.to : step.from) + ")");
    }
    result.result = x;
    if (keepTrajectory) result.trajectory = torch::stack(trajectory);
    return result;
}

}  // namespace latentlens
