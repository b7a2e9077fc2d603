#pragma once

#include <cstdint>

#include <torch/types.h>

namespace latentlens {

// RAII scope of one forward-mode AD level (LibTorch's C++ counterpart of Python's
// torch.autograd.forward_ad.dual_level). Inside it, makeDual() attaches tangents to a tensor
// and every differentiable op on it carries J·v along; tangent() reads it back.
class ForwardAdLevel {
public:
    ForwardAdLevel();
    ~ForwardAdLevel();
    ForwardAdLevel(const ForwardAdLevel&) = delete;
    ForwardAdLevel& operator=(const ForwardAdLevel&) = delete;

    uint64_t index() const { return index_; }
    torch::Tensor makeDual(const torch::Tensor& primal, const torch::Tensor& tangent) const;
    // The tangent of `dual` at this level (undefined if it has none); detached from the level.
    torch::Tensor tangent(const torch::Tensor& dual) const;
    torch::Tensor primal(const torch::Tensor& dual) const;

private:
    uint64_t index_;
};

}  // namespace latentlens
