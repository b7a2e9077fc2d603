#include "core/analysis/Curvedness.h"

#include <torch/torch.h>

#include "core/Error.h"
#include "core/ProgressRange.h"
#include "core/geometry/SubspaceSimilarity.h"

namespace latentlens {

CurvednessPath measureCurvedness(const torch::Tensor& xA, const torch::Tensor& xB, int64_t segments,
                                 const TangentSpaceAt& tangentSpace, const Progress& progress) {
    if (segments < 1) throw Error("curvedness needs at least one segment (got " + std::to_string(segments) + ")");
    if (!xA.defined() || !xB.defined() || xA.sizes() != xB.sizes()) {
        throw Error("curvedness needs two points of the same shape");
    }
    CurvednessPath path;
    path.euclideanLength = (xB.to(torch::kFloat64) - xA.to(torch::kFloat64)).norm().item<double>();
    if (!(path.euclideanLength > 0.0)) throw Error("curvedness needs two different points");
    path.s = torch::linspace(0.0, 1.0, segments + 1, torch::kFloat64);
    std::vector<torch::Tensor> spaces;
    for (int64_t j = 0; j <= segments; ++j) {
        progress.throwIfCancelled();
        const double s = path.s[j].item<double>();
        auto x = xA * (1.0 - s) + xB * s;
        const double from = static_cast<double>(j) / static_cast<double>(segments + 1);
        const double to = static_cast<double>(j + 1) / static_cast<double>(segments + 1);
        spaces.push_back(tangentSpace(x, progressRange(progress, from, to)));
        progress.report(to, "tangent space at s=" + std::to_string(s));
    }
    std::vector<double> steps;
    for (int64_t j = 0; j < segments; ++j) steps.push_back(grassmannDistance(spaces[j], spaces[j + 1]));
    path.stepDistance = torch::tensor(steps, torch::kFloat64);
    path.turning = path.stepDistance.sum().item<double>();
    path.chord = grassmannDistance(spaces.front(), spaces.back());
    path.curvedness = path.turning / path.euclideanLength;
    return path;
}

CurvednessSweep curvednessOverTimesteps(DiffusionPipeline& model, uint64_t seedA, uint64_t seedB, int64_t segments,
                                        const SweepOptions& options, const Progress& progress) {
    if (seedA == seedB) throw Error("curvedness needs two different seeds (both are " + std::to_string(seedA) + ")");
    CurvednessSweep result;
    result.modelName = model.name();
    result.timesteps = options.resolveTimesteps(model);
    result.seedA = seedA;
    result.seedB = seedB;
    const double trajectoryShare = 0.05;
    auto latents = trajectoryLatents(model, {seedA, seedB}, result.timesteps, options.steps,
                                     progressRange(progress, 0.0, trajectoryShare));
    const auto count = static_cast<double>(result.timesteps.size());
    std::vector<double> curvedness, turning, chord, length;
    for (size_t t = 0; t < result.timesteps.size(); ++t) {
        const int64_t timestep = result.timesteps[t];
        auto tangentSpace = [&](const torch::Tensor& x, const Progress& part) {
            return basisAt(model, x.unsqueeze(0), timestep, options.basis, part).v;
        };
        const double from = trajectoryShare + (1 - trajectoryShare) * t / count;
        const double to = trajectoryShare + (1 - trajectoryShare) * (t + 1) / count;
        auto path = measureCurvedness(latents[t][0], latents[t][1], segments, tangentSpace,
                                      progressRange(progress, from, to));
        progress.report(to, "curvedness at t=" + std::to_string(timestep));
        curvedness.push_back(path.curvedness);
        turning.push_back(path.turning);
        chord.push_back(path.chord);
        length.push_back(path.euclideanLength);
        result.paths.push_back(std::move(path));
    }
    result.curvedness = torch::tensor(curvedness, torch::kFloat64);
    result.turning = torch::tensor(turning, torch::kFloat64);
    result.chord = torch::tensor(chord, torch::kFloat64);
    result.euclideanLength = torch::tensor(length, torch::kFloat64);
    return result;
}

}  // namespace latentlens
