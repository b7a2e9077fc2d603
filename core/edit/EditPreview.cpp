#include "core/edit/EditPreview.h"

#include <torch/torch.h>

#include "core/sampling/DdimSampler.h"

namespace latentlens {

torch::Tensor predictCleanImage(DiffusionModel& model, const torch::Tensor& x, int64_t timestep) {
    torch::NoGradGuard noGrad;
    auto batch = x.dim() == 3 ? x.unsqueeze(0) : x;
    auto eps = model.unet()->forward(batch, timestep);
    auto clean = model.scheduler().predictOriginal(eps, timestep, batch);
    return x.dim() == 3 ? clean[0] : clean;
}

torch::Tensor quickDenoise(DiffusionModel& model, const torch::Tensor& x, int64_t timestep, int64_t fullTrajectorySteps,
                           const Progress& progress) {
    DdimSampler sampler(model, fullTrajectorySteps);
    auto batch = x.dim() == 3 ? x.unsqueeze(0) : x;
    auto clean = sampler.denoise(batch, timestep, 0.0, 0, false, progress).result;
    return x.dim() == 3 ? clean[0] : clean;
}

}  // namespace latentlens
