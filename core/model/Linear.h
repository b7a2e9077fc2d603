#pragma once

#include <torch/nn/modules/linear.h>

namespace latentlens {

// torch.nn.Linear (parameters "weight" and "bias"), whose forward-mode tangent is one matrix
// product without bias (ForwardTangent.h). The networks' every linear layer is one of these.
class LinearImpl : public torch::nn::LinearImpl {
public:
    using torch::nn::LinearImpl::LinearImpl;
    torch::Tensor forward(const torch::Tensor& x);
};
TORCH_MODULE(Linear);

}  // namespace latentlens
