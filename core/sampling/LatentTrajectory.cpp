#include "core/sampling/LatentTrajectory.h"

#include <string>
#include <vector>

#include <torch/torch.h>

#include "core/Error.h"

namespace latentlens {

LatentTrajectory LatentTrajectory::fromRun(const DdimRun& run) {
    if (!run.trajectory.defined() || run.steps.empty()) throw Error("the run kept no trajectory");
    if (run.trajectory.size(0) != static_cast<int64_t>(run.steps.size()) + 1)
        throw Error("the run's trajectory does not match its steps");
    LatentTrajectory trajectory;
    const auto place = [](int64_t t) { return t < 0 ? kClean : t; };
    trajectory.latents_[place(run.steps.front().from)] = run.trajectory[0];
    for (size_t i = 0; i < run.steps.size(); ++i)
        trajectory.latents_[place(run.steps[i].to)] = run.trajectory[static_cast<int64_t>(i) + 1];
    return trajectory;
}

int64_t LatentTrajectory::top() const {
    if (latents_.empty()) throw Error("empty trajectory");
    return latents_.rbegin()->first;
}

torch::Tensor LatentTrajectory::at(int64_t t) const {
    auto found = latents_.find(t);
    return found == latents_.end() ? torch::Tensor() : found->second;
}

TrajectoryLookup LatentTrajectory::latentAt(const DiffusionPipeline& pipeline, int64_t steps, int64_t t,
                                            const Progress& progress, const Conditioning& conditioning) const {
    const int64_t last = pipeline.numTrainTimesteps() - 1;
    if (t < 0 || t > last) throw Error("timestep " + std::to_string(t) + " is outside 0.." + std::to_string(last));
    if (latents_.empty()) throw Error("no latents to start from");
    TrajectoryLookup lookup;
    lookup.trajectory = *this;
    if (auto held = at(t); held.defined()) {
        lookup.latent = held;
        return lookup;
    }
    torch::NoGradGuard noGrad;
    const auto predictor = pipeline.noisePredictor(conditioning);
    const auto& scheduler = pipeline.scheduler();

    if (auto above = latents_.upper_bound(t); above != latents_.end()) {
        // One deterministic DDIM step down from the nearest held latent above t.
        progress.throwIfCancelled();
        const auto& [from, x] = *above;
        auto eps = predictor->predict(x, from);
        lookup.latent = scheduler.step(eps, from, t, x).prevSample;
        lookup.modelCalls = 1;
        progress.report(1.0, "stepping from t=" + std::to_string(from) + " to t=" + std::to_string(t));
        return lookup;
    }

    // Above the top: continue the inversion along the grid, then one short step to t.
    std::vector<int64_t> targets;
    const int64_t top = this->top();
    bool onGrid = false;
    for (int64_t g : scheduler.inverseTimesteps(steps)) {
        if (g > top && g < t) targets.push_back(g);
        onGrid = onGrid || g == t;
    }
    targets.push_back(t);
    int64_t from = top;
    torch::Tensor x = latents_.rbegin()->second;
    for (size_t i = 0; i < targets.size(); ++i) {
        progress.throwIfCancelled();
        const int64_t to = targets[i];
        auto eps = predictor->predict(x, to);
        x = scheduler.inverseStep(eps, from, to, x).prevSample;
        if (i + 1 < targets.size() || onGrid) lookup.trajectory.latents_[to] = x;  // grid points only
        from = to;
        ++lookup.modelCalls;
        progress.report(static_cast<double>(i + 1) / static_cast<double>(targets.size()),
                        "inverting: step " + std::to_string(i + 1) + "/" + std::to_string(targets.size()) +
                            " (t=" + std::to_string(to) + ")");
    }
    lookup.latent = x;
    return lookup;
}

}  // namespace latentlens
