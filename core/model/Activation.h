#pragma once

#include <string>

#include <torch/types.h>

namespace latentlens {

// The activations diffusers' get_activation() knows by name.
enum class Activation { SiLU, Mish, GELU, ReLU };

Activation parseActivation(const std::string& name);  // "silu"/"swish", "mish", "gelu", "relu"
torch::Tensor activate(Activation activation, const torch::Tensor& x);

}  // namespace latentlens
