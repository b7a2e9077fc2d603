#pragma once

#include <torch/nn/module.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>

#include "core/model/GEGLU.h"
#include "core/model/Linear.h"

namespace latentlens {

// diffusers' FeedForward with activation_fn "geglu" (what BasicTransformerBlock uses in SD):
// net.0 = GEGLU(dim → mult·dim), net.1 = dropout (nothing at inference), net.2 = Linear back to dim.
class FeedForwardImpl : public torch::nn::Module {
public:
    explicit FeedForwardImpl(int64_t dim, int64_t mult = 4);
    torch::Tensor forward(const torch::Tensor& x);

private:
    GEGLU geglu_{nullptr};
    Linear out_{nullptr};
};
TORCH_MODULE(FeedForward);

}  // namespace latentlens
