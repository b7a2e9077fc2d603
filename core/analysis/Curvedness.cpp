#include "core/analysis/Curvedness.h"

#include <torch/torch.h>

#include "core/Error.h"
#include "core/ProgressRange.h"
#include "core/geometry/SubspaceSimilarity.h"

namespace latentlens {

torch::Tensor segmentPoint(const torch::Tensor& xA, const torch::Tensor& xB, int64_t segments, int64_t j) {
    const double s = torch::linspace(0.0, 1.0, segments + 1, torch::kFloat64)[j].item<double>();
    return xA * (1.0 - s) + xB * s;
}

CurvednessPath curvednessOfSpaces(const std::vector<torch::Tensor>& spaces, double euclideanLength) {
    if (spaces.size() < 2) throw Error("curvedness needs the tangent spaces of at least two points");
    if (!(euclideanLength > 0.0)) throw Error("curvedness needs two different points");
    const auto segments = static_cast<int64_t>(spaces.size()) - 1;
    CurvednessPath path;
    path.euclideanLength = euclideanLength;
    path.s = torch::linspace(0.0, 1.0, segments + 1, torch::kFloat64);
    std::vector<double> steps;
    for (int64_t j = 0; j < segments; ++j) steps.push_back(grassmannDistance(spaces[j], spaces[j + 1]));
    path.stepDistance = torch::tensor(steps, torch::kFloat64);
    path.turning = path.stepDistance.sum().item<double>();
    path.chord = grassmannDistance(spaces.front(), spaces.back());
    path.curvedness = path.turning / path.euclideanLength;
    return path;
}

CurvednessPath measureCurvedness(const torch::Tensor& xA, const torch::Tensor& xB, int64_t segments,
                                 const TangentSpaceAt& tangentSpace, const Progress& progress) {
    if (segments < 1) throw Error("curvedness needs at least one segment (got " + std::to_string(segments) + ")");
    if (!xA.defined() || !xB.defined() || xA.sizes() != xB.sizes()) {
        throw Error("curvedness needs two points of the same shape");
    }
    const double length = (xB.to(torch::kFloat64) - xA.to(torch::kFloat64)).norm().item<double>();
    if (!(length > 0.0)) throw Error("curvedness needs two different points");
    std::vector<torch::Tensor> spaces;
    for (int64_t j = 0; j <= segments; ++j) {
        progress.throwIfCancelled();
        const double from = static_cast<double>(j) / static_cast<double>(segments + 1);
        const double to = static_cast<double>(j + 1) / static_cast<double>(segments + 1);
        spaces.push_back(tangentSpace(segmentPoint(xA, xB, segments, j), progressRange(progress, from, to)));
        progress.report(to, "tangent space " + std::to_string(j) + " of " + std::to_string(segments));
    }
    return curvednessOfSpaces(spaces, length);
}

CurvednessSweep curvednessSweepOf(std::string modelName, std::vector<int64_t> timesteps, uint64_t seedA, uint64_t seedB,
                                  std::vector<CurvednessPath> paths) {
    if (paths.size() != timesteps.size()) throw Error("the curvedness sweep has no path for some timesteps");
    CurvednessSweep result;
    result.modelName = std::move(modelName);
    result.timesteps = std::move(timesteps);
    result.seedA = seedA;
    result.seedB = seedB;
    std::vector<double> curvedness, turning, chord, length;
    for (const auto& path : paths) {
        curvedness.push_back(path.curvedness);
        turning.push_back(path.turning);
        chord.push_back(path.chord);
        length.push_back(path.euclideanLength);
    }
    result.paths = std::move(paths);
    result.curvedness = torch::tensor(curvedness, torch::kFloat64);
    result.turning = torch::tensor(turning, torch::kFloat64);
    result.chord = torch::tensor(chord, torch::kFloat64);
    result.euclideanLength = torch::tensor(length, torch::kFloat64);
    return result;
}

CurvednessSweep curvednessOverTimesteps(DiffusionPipeline& model, uint64_t seedA, uint64_t seedB, int64_t segments,
                                        const SweepOptions& options, const Progress& progress) {
    if (seedA == seedB) throw Error("curvedness needs two different seeds (both are " + std::to_string(seedA) + ")");
    const auto timesteps = options.resolveTimesteps(model);
    const double trajectoryShare = 0.05;
    auto latents = trajectoryLatents(model, {seedA, seedB}, timesteps, options.steps,
                                     progressRange(progress, 0.0, trajectoryShare), options.sampling);
    const auto count = static_cast<double>(timesteps.size());
    std::vector<CurvednessPath> paths;
    for (size_t t = 0; t < timesteps.size(); ++t) {
        const int64_t timestep = timesteps[t];
        auto tangentSpace = [&](const torch::Tensor& x, const Progress& part) {
            return basisAt(model, x.unsqueeze(0), timestep, options.basis, part, options.jacobian).v;
        };
        const double from = trajectoryShare + (1 - trajectoryShare) * t / count;
        const double to = trajectoryShare + (1 - trajectoryShare) * (t + 1) / count;
        paths.push_back(measureCurvedness(latents[t][0], latents[t][1], segments, tangentSpace,
                                          progressRange(progress, from, to)));
        progress.report(to, "curvedness at t=" + std::to_string(timestep));
    }
    return curvednessSweepOf(model.name(), timesteps, seedA, seedB, std::move(paths));
}

}  // namespace latentlens
