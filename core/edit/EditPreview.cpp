#include "core/edit/EditPreview.h"

#include <torch/torch.h>

#include "core/sampling/DdimSampler.h"

namespace latentlens {

torch::Tensor predictCleanImage(const DiffusionPipeline& pipeline, const torch::Tensor& x, int64_t timestep,
                                const Conditioning& conditioning) {
    torch::NoGradGuard noGrad;
    auto batch = x.dim() == 3 ? x.unsqueeze(0) : x;
    auto eps = pipeline.noisePredictor(conditioning)->predict(batch, timestep);
    auto clean = pipeline.scheduler().predictOriginal(eps, timestep, batch);
    return x.dim() == 3 ? clean[0] : clean;
}

torch::Tensor quickDenoise(const DiffusionPipeline& pipeline, const torch::Tensor& x, int64_t timestep,
                           int64_t fullTrajectorySteps, const Progress& progress, const Conditioning& conditioning) {
    DdimSampler sampler(pipeline, fullTrajectorySteps, std::nullopt, conditioning);
    auto batch = x.dim() == 3 ? x.unsqueeze(0) : x;
    auto clean = sampler.denoise(batch, timestep, 0.0, 0, false, progress).result;
    return x.dim() == 3 ? clean[0] : clean;
}

}  // namespace latentlens
