#pragma once

#include <torch/nn/module.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>

#include "core/model/Linear.h"

namespace latentlens {

// diffusers' GEGLU: "proj" maps dimIn to 2·dimOut; the first half times the exact (erf) GELU of
// the second half.
class GEGLUImpl : public torch::nn::Module {
public:
    GEGLUImpl(int64_t dimIn, int64_t dimOut);
    torch::Tensor forward(const torch::Tensor& x);

private:
    Linear proj_{nullptr};
};
TORCH_MODULE(GEGLU);

}  // namespace latentlens
