#include "core/geometry/ForwardAdLevel.h"

#include <torch/csrc/autograd/forward_grad.h>
#include <torch/torch.h>

namespace latentlens {

ForwardAdLevel::ForwardAdLevel() : index_(torch::autograd::ForwardADLevel::get_next_idx()) {}

ForwardAdLevel::~ForwardAdLevel() { torch::autograd::ForwardADLevel::release_idx(index_); }

torch::Tensor ForwardAdLevel::makeDual(const torch::Tensor& primal, const torch::Tensor& tangent) const {
    return at::_make_dual(primal, tangent, static_cast<int64_t>(index_));
}

torch::Tensor ForwardAdLevel::tangent(const torch::Tensor& dual) const {
    auto unpacked = at::_unpack_dual(dual, static_cast<int64_t>(index_));
    auto t = std::get<1>(unpacked);
    return t.defined() ? t.clone() : t;
}

torch::Tensor ForwardAdLevel::primal(const torch::Tensor& dual) const {
    return std::get<0>(at::_unpack_dual(dual, static_cast<int64_t>(index_))).clone();
}

}  // namespace latentlens
