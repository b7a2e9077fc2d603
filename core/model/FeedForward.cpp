#include "core/model/FeedForward.h"

#include <torch/torch.h>

namespace latentlens {

FeedForwardImpl::FeedForwardImpl(int64_t dim, int64_t mult) {
    const int64_t inner = dim * mult;
    geglu_ = GEGLU(dim, inner);
    out_ = Linear(inner, dim);
    // The parameter-free dropout keeps index 1, so the output projection is "net.2" as in diffusers.
    register_module("net", torch::nn::ModuleList(geglu_, torch::nn::Identity(), out_));
}

torch::Tensor FeedForwardImpl::forward(const torch::Tensor& x) { return out_->forward(geglu_->forward(x)); }

}  // namespace latentlens
