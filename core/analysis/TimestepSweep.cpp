#include "core/analysis/TimestepSweep.h"

#include <algorithm>
#include <cmath>
#include <functional>

#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include "core/Error.h"
#include "core/ProgressRange.h"
#include "core/geometry/FeatureJacobian.h"
#include "core/sampling/DdimSampler.h"

namespace latentlens {

std::vector<int64_t> SweepOptions::resolveTimesteps(const DiffusionPipeline& model) const {
    const int64_t total = model.scheduler().numTrainTimesteps();
    std::vector<int64_t> result = timesteps;
    if (result.empty()) {
        if (count < 1) throw Error("a timestep sweep needs at least one timestep (count " + std::to_string(count) + ")");
        if (!(from >= 0.0 && from < 1.0 && to >= 0.0 && to < 1.0)) {
            throw Error("timestep fractions must lie in [0, 1): from " + std::to_string(from) + ", to " + std::to_string(to));
        }
        for (int i = 0; i < count; ++i) {
            const double fraction = count == 1 ? from : from + (to - from) * i / (count - 1);
            result.push_back(static_cast<int64_t>(std::lround(fraction * static_cast<double>(total))));
        }
    }
    for (auto t : result) {
        if (t < 0 || t >= total) {
            throw Error("timestep " + std::to_string(t) + " is outside [0, " + std::to_string(total) + ") of model " +
                        model.name());
        }
    }
    std::sort(result.begin(), result.end(), std::greater<>());
    result.erase(std::unique(result.begin(), result.end()), result.end());
    return result;
}

torch::Tensor trajectoryLatents(DiffusionPipeline& model, const std::vector<uint64_t>& seeds,
                                const std::vector<int64_t>& timesteps, int64_t steps, const Progress& progress,
                                const Conditioning& conditioning) {
    if (seeds.empty()) throw Error("a trajectory needs at least one seed");
    if (timesteps.empty()) throw Error("a trajectory needs at least one timestep");
    if (!std::is_sorted(timesteps.begin(), timesteps.end(), std::greater<>())) {
        throw Error("trajectory timesteps must be in descending (generation) order");
    }
    DdimSampler sampler(model, steps, std::nullopt, conditioning);
    std::vector<torch::Tensor> noise;
    for (auto seed : seeds) noise.push_back(sampler.noise(seed, 1));
    // The trajectory moves from grid point to grid point of the DDIM schedule; an x_t off the grid
    // is one shortened step down from the grid point above it, exactly as descend(noise, start, t)
    // computes it, so x_t does not depend on the other timesteps of the sweep.
    std::vector<int64_t> grid;
    for (const auto& step : sampler.denoisePlan(sampler.startTimestep())) grid.push_back(step.from);
    auto onGrid = torch::cat(noise);
    int64_t gridAt = sampler.startTimestep();
    if (timesteps.front() > gridAt) {
        throw Error("timestep " + std::to_string(timesteps.front()) + " lies above the trajectory's start " +
                    std::to_string(gridAt) + " (" + std::to_string(steps) + " DDIM steps)");
    }
    std::vector<torch::Tensor> latents;
    for (size_t i = 0; i < timesteps.size(); ++i) {
        progress.throwIfCancelled();
        const int64_t t = timesteps[i];
        const double done = static_cast<double>(i) / static_cast<double>(timesteps.size());
        const double next = static_cast<double>(i + 1) / static_cast<double>(timesteps.size());
        int64_t above = gridAt;  // the lowest grid point at or above t
        for (auto point : grid) {
            if (point >= t && point < above) above = point;
        }
        if (above < gridAt) {
            onGrid = sampler.descend(onGrid, gridAt, above, false, progressRange(progress, done, next)).result;
            gridAt = above;
        }
        latents.push_back(t < gridAt ? sampler.descend(onGrid, gridAt, t).result : onGrid);
        progress.report(next, "x_t at t=" + std::to_string(t));
    }
    return torch::stack(latents);
}

std::vector<PullbackBasis> SweepBases::sampleBases(size_t n) const {
    std::vector<PullbackBasis> result;
    for (const auto& atTimestep : bases) result.push_back(atTimestep.at(n));
    return result;
}

PullbackBasis basisAt(DiffusionPipeline& model, const torch::Tensor& x, int64_t timestep, const BasisOptions& options,
                      const Progress& progress, const Conditioning& conditioning) {
    FeatureJacobian jacobian(model, x.dim() == 3 ? x.unsqueeze(0) : x, timestep, std::nullopt, 32, conditioning);
    return solvePullbackBasis(jacobian, options, progress);
}

SweepBases computeSweepBases(DiffusionPipeline& model, const std::vector<uint64_t>& seeds, const SweepOptions& options,
                             const Progress& progress) {
    SweepBases result;
    result.modelName = model.name();
    result.timesteps = options.resolveTimesteps(model);
    result.seeds = seeds;
    // Reaching the timesteps costs ~steps U-Net calls per sample; each basis costs a few hundred.
    const double trajectoryShare = 0.1;
    auto latents = trajectoryLatents(model, seeds, result.timesteps, options.steps,
                                     progressRange(progress, 0.0, trajectoryShare), options.sampling);
    const auto total = static_cast<double>(result.timesteps.size() * seeds.size());
    int64_t done = 0;
    for (size_t t = 0; t < result.timesteps.size(); ++t) {
        std::vector<PullbackBasis> atTimestep;
        for (size_t n = 0; n < seeds.size(); ++n) {
            progress.throwIfCancelled();
            const double from = trajectoryShare + (1 - trajectoryShare) * done / total;
            const double to = trajectoryShare + (1 - trajectoryShare) * (done + 1) / total;
            atTimestep.push_back(basisAt(model, latents[t][n].unsqueeze(0), result.timesteps[t], options.basis,
                                         progressRange(progress, from, to), options.jacobian));
            ++done;
            progress.report(to, "basis of seed " + std::to_string(seeds[n]) + " at t=" +
                                    std::to_string(result.timesteps[t]));
            spdlog::debug("basis of seed {} at t={}: {} products", seeds[n], result.timesteps[t],
                          atTimestep.back().products());
        }
        result.bases.push_back(std::move(atTimestep));
    }
    return result;
}

}  // namespace latentlens
