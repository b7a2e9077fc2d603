#pragma once

#include <torch/nn/module.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>

#include "core/model/Conv2d.h"

namespace latentlens {

// diffusers' Downsample2D(use_conv=True, name="op"): a stride-2 3x3 "conv"; with padding 0 the
// input is first padded by one on the right and bottom.
class Downsample2DImpl : public torch::nn::Module {
public:
    Downsample2DImpl(int64_t channels, int64_t padding);
    torch::Tensor forward(const torch::Tensor& x);

private:
    int64_t padding_;
    Conv2d conv_{nullptr};
};
TORCH_MODULE(Downsample2D);

// diffusers' Upsample2D(use_conv=True): nearest-neighbour 2x, then a 3x3 "conv".
class Upsample2DImpl : public torch::nn::Module {
public:
    explicit Upsample2DImpl(int64_t channels);
    torch::Tensor forward(const torch::Tensor& x);

private:
    Conv2d conv_{nullptr};
};
TORCH_MODULE(Upsample2D);

}  // namespace latentlens
