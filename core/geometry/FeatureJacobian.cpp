#include "core/geometry/FeatureJacobian.h"

#include <torch/torch.h>

#include "core/geometry/ForwardAdLevel.h"

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

torch::Tensor FeatureJacobian::features() const {
    torch::NoGradGuard noGrad;
    return denoiser_.features(point(), timestep(), block_, conditioning()).reshape({-1}).to(torch::kFloat64);
}

torch::Tensor FeatureJacobian::jvpChunk(const torch::Tensor& V, const Progress&) const {
    const int64_t k = V.size(0);
    const auto shape = batchShape(k);
    torch::NoGradGuard noGrad;
    ForwardAdLevel level;
    auto primal = point().expand(shape).contiguous();
    auto tangent = V.to(model().tensorOptions()).reshape(shape).contiguous();
    auto h = denoiser_.features(level.makeDual(primal, tangent), timestep(), block_, conditioning());
    auto result = level.tangent(h);
    if (!result.defined()) return torch::zeros({k, outputDim()}, torch::kFloat64);
    return result.reshape({k, outputDim()}).to(torch::kCPU, torch::kFloat64);
}

torch::Tensor FeatureJacobian::vjpChunk(const torch::Tensor& U, const Progress&) const {
    const int64_t k = U.size(0);
    torch::AutoGradMode enableGrad(true);
    auto input = point().expand(batchShape(k)).contiguous().requires_grad_(true);
    auto h = denoiser_.features(input, timestep(), block_, conditioning());
    auto cotangent = U.to(model().tensorOptions()).reshape(h.sizes());
    auto grads = torch::autograd::grad({h}, {input}, {cotangent});
    return grads[0].reshape({k, inputDim()}).to(torch::kCPU, torch::kFloat64);
}

}  // namespace latentlens
