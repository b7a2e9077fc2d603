#include "core/geometry/FeatureJacobian.h"

#include <torch/torch.h>

namespace latentlens {
namespace {

BlockId blockOf(const DiffusionPipeline& model, const std::optional<BlockId>& block) {
    return block.value_or(model.denoiser().defaultFeatureBlock());
}

}  // namespace

FeatureJacobian::FeatureJacobian(const DiffusionPipeline& model, const torch::Tensor& x, int64_t timestep,
                                 std::optional<BlockId> block, int64_t chunkSize, Conditioning conditioning)
    : JacobianOperator(model, x, timestep, std::move(conditioning),
                       model.denoiser().featureShape(blockOf(model, block)), chunkSize),
      denoiser_(model.denoiser()),
      block_(blockOf(model, block)) {}

torch::Tensor FeatureJacobian::featuresAt(const torch::Tensor& x) const {
    return denoiser_.features(x, timestep(), block_, conditioning());
}

torch::Tensor FeatureJacobian::features() const {
    torch::NoGradGuard noGrad;
    return featuresAt(point()).reshape({-1}).to(torch::kFloat64);
}

torch::Tensor FeatureJacobian::jvpChunk(const torch::Tensor& V, const Progress&) const {
    return forwardProducts([this](const torch::Tensor& x) { return featuresAt(x); }, V);
}

torch::Tensor FeatureJacobian::vjpChunk(const torch::Tensor& U, const Progress&) const {
    return reverseProducts([this](const torch::Tensor& x) { return featuresAt(x); }, U);
}

}  // namespace latentlens
