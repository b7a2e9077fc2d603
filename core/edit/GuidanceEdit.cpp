#include "core/edit/GuidanceEdit.h"

#include <cmath>

#include <torch/torch.h>

#include "core/Error.h"
#include "core/edit/DirectionEdit.h"

namespace latentlens {

double defaultGuidanceGamma(int64_t timestep, int64_t numTrainTimesteps) {
    const double x = static_cast<double>(timestep) / static_cast<double>(numTrainTimesteps);
    // (t/T, γ) anchors from the paper; log-linear in between.
    const double anchors[][2] = {{0.4, 16.0}, {0.6, 4.0}, {0.8, 1.0}, {1.0, 0.5}};
    if (x <= anchors[0][0]) return anchors[0][1];
    for (int i = 0; i < 3; ++i) {
        if (x <= anchors[i + 1][0]) {
            const double f = (x - anchors[i][0]) / (anchors[i + 1][0] - anchors[i][0]);
            return std::exp(std::log(anchors[i][1]) * (1 - f) + std::log(anchors[i + 1][1]) * f);
        }
    }
    return anchors[3][1];
}

torch::Tensor guidanceEdit(const DiffusionPipeline& model, const torch::Tensor& xt, int64_t timestep,
                           const torch::Tensor& direction, const GuidanceOptions& options, const Progress& progress) {
    if (options.iterations < 0) throw Error("guidance iterations must be >= 0");
    const auto shape = model.latentShape();
    auto x = (xt.dim() == 3 ? xt.unsqueeze(0) : xt).to(model.tensorOptions());
    if (x.sizes().slice(1).vec() != shape || x.size(0) != 1 || direction.sizes().vec() != shape) {
        throw Error("guidance needs one x_t and one direction shaped like the model's input");
    }
    const double gamma = options.gamma.value_or(defaultGuidanceGamma(timestep, model.scheduler().numTrainTimesteps()));
    auto offset = (options.strength * editUnit(x) * direction).to(model.tensorOptions()).unsqueeze(0);
    torch::NoGradGuard noGrad;
    // A zero offset makes ε(x + offset) − ε(x) exactly zero in exact arithmetic; computed as two
    // rows of one batched call it is not bit-exactly zero on every CPU, so it is skipped.
    if (!offset.any().item<bool>()) return xt.dim() == 3 ? x[0] : x;
    auto t = torch::tensor(timestep);
    const auto predictor = model.noisePredictor(options.conditioning);
    for (int i = 0; i < options.iterations; ++i) {
        progress.throwIfCancelled();
        auto eps = predictor->predict(torch::cat({x + offset, x}), t);  // both ε in one call
        x = x + gamma * (eps[0] - eps[1]).unsqueeze(0);
        progress.report(static_cast<double>(i + 1) / options.iterations,
                        "guidance " + std::to_string(i + 1) + "/" + std::to_string(options.iterations));
    }
    return xt.dim() == 3 ? x[0] : x;
}

}  // namespace latentlens
