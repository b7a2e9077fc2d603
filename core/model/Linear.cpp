#include "core/model/Linear.h"

#include <torch/torch.h>

#include "core/model/ForwardTangent.h"

namespace latentlens {

torch::Tensor LinearImpl::forward(const torch::Tensor& x) {
    const auto parts = DualParts::of(x);
    if (!parts.hasTangent()) return torch::nn::LinearImpl::forward(x);
    return parts.pack(torch::linear(parts.primalRows(), weight, bias), torch::matmul(parts.tangent, weight.t()));
}

}  // namespace latentlens
