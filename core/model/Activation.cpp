#include "core/model/Activation.h"

#include <torch/torch.h>

#include "core/Error.h"

namespace latentlens {

Activation parseActivation(const std::string& name) {
    if (name == "silu" || name == "swish") return Activation::SiLU;
    if (name == "mish") return Activation::Mish;
    if (name == "gelu") return Activation::GELU;
    if (name == "relu") return Activation::ReLU;
    throw Error("unknown activation \"" + name + "\"");
}

torch::Tensor activate(Activation activation, const torch::Tensor& x) {
    switch (activation) {
        case Activation::SiLU: return torch::silu(x);
        case Activation::Mish: return torch::mish(x);
        case Activation::GELU: return torch::gelu(x);
        case Activation::ReLU: return torch::relu(x);
    }
    return x;
}

}  // namespace latentlens
