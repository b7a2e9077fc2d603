#include "core/model/GEGLU.h"

#include <torch/torch.h>

#include "core/model/Activation.h"

namespace latentlens {

GEGLUImpl::GEGLUImpl(int64_t dimIn, int64_t dimOut) {
    proj_ = register_module("proj", Linear(dimIn, 2 * dimOut));
}

torch::Tensor GEGLUImpl::forward(const torch::Tensor& x) {
    auto parts = proj_->forward(x).chunk(2, -1);
    return parts[0] * activate(Activation::GELU, parts[1]);
}

}  // namespace latentlens
