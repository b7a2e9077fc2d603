#include "core/geometry/NullSpaceJacobian.h"

#include <limits>

#include <torch/torch.h>

#include "core/Error.h"

namespace latentlens {

NullSpaceJacobian::NullSpaceJacobian(const JacobianOperator& inner, const torch::Tensor& excluded)
    // The inner operator chunks; here a chunk is the whole block.
    : JacobianOperator(inner.model(), inner.point(), inner.timestep(), inner.conditioning(), inner.outputShape(),
                       std::numeric_limits<int64_t>::max()),
      inner_(inner) {
    if (!excluded.defined() || excluded.numel() == 0) {
        excluded_ = torch::zeros({0, inputDim()}, torch::kFloat64);
        return;
    }
    excluded_ = excluded.reshape({excluded.size(0), -1}).to(torch::kCPU, torch::kFloat64).contiguous();
    if (excluded_.size(1) != inputDim()) {
        throw Error("the excluded directions have " + std::to_string(excluded_.size(1)) +
                    " entries each; this Jacobian's input has " + std::to_string(inputDim()));
    }
}

torch::Tensor NullSpaceJacobian::project(const torch::Tensor& V) const {
    if (excluded_.size(0) == 0) return V;
    return V - V.matmul(excluded_.t()).matmul(excluded_);
}

torch::Tensor NullSpaceJacobian::jvpChunk(const torch::Tensor& V, const Progress& progress) const {
    return inner_.jvp(project(V.to(torch::kFloat64)), progress);
}

torch::Tensor NullSpaceJacobian::vjpChunk(const torch::Tensor& U, const Progress& progress) const {
    return project(inner_.vjp(U, progress));
}

}  // namespace latentlens
