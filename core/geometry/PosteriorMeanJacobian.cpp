#include "core/geometry/PosteriorMeanJacobian.h"

#include <torch/torch.h>

#include "core/Error.h"
#include "core/model/ModuleWeights.h"

namespace latentlens {

PosteriorMeanJacobian::PosteriorMeanJacobian(const DiffusionPipeline& model, const torch::Tensor& x, int64_t timestep,
                                             torch::Tensor weight, int64_t chunkSize, Conditioning conditioning)
    : JacobianOperator(model, x, timestep, std::move(conditioning), model.latentShape(), chunkSize) {
    if (!weight.defined()) return;
    const auto& shape = inputShape();
    const bool grid = weight.dim() == 2 && weight.size(0) == shape[1] && weight.size(1) == shape[2];
    const bool full = weight.dim() == 3 && weight.size(0) == shape[0] && weight.size(1) == shape[1] &&
                      weight.size(2) == shape[2];
    if (!grid && !full) {
        throw Error("the posterior-mean mask is " + shapeText(weight.sizes()) + "; the latent grid is " +
                    shapeText({shape[1], shape[2]}));
    }
    weight_ = (grid ? weight.unsqueeze(0) : weight).unsqueeze(0).detach().to(model.tensorOptions()).contiguous();
}

torch::Tensor PosteriorMeanJacobian::weightedMeanAt(const torch::Tensor& x) const {
    const auto prediction = model().denoiser().predict(x, timestep(), conditioning());
    const auto x0 = model().scheduler().predictOriginal(prediction, timestep(), x, /*clip=*/false);
    return weight_.defined() ? x0 * weight_ : x0;
}

torch::Tensor PosteriorMeanJacobian::posteriorMean() const {
    torch::NoGradGuard noGrad;
    return weightedMeanAt(point()).reshape({-1}).to(torch::kCPU, torch::kFloat64);
}

torch::Tensor PosteriorMeanJacobian::jvpChunk(const torch::Tensor& V, const Progress&) const {
    return forwardProducts([this](const torch::Tensor& x) { return weightedMeanAt(x); }, V);
}

torch::Tensor PosteriorMeanJacobian::vjpChunk(const torch::Tensor& U, const Progress&) const {
    return reverseProducts([this](const torch::Tensor& x) { return weightedMeanAt(x); }, U);
}

}  // namespace latentlens
