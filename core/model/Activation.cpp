#include "core/model/Activation.h"

#include <torch/torch.h>

#include "core/Error.h"
#include "core/model/ForwardTangent.h"

namespace latentlens {

Activation parseActivation(const std::string& name) {
    if (name == "silu" || name == "swish") return Activation::SiLU;
    if (name == "mish") return Activation::Mish;
    if (name == "gelu") return Activation::GELU;
    if (name == "relu") return Activation::ReLU;
    throw Error("unknown activation \"" + name + "\"");
}

torch::Tensor activate(Activation activation, const torch::Tensor& x) {
    if (activation == Activation::SiLU) {
        const auto parts = DualParts::of(x);
        if (parts.hasTangent()) {
            // silu'(x) = s·(1 + x·(1 − s)), s = sigmoid(x), on the primal rows only (ForwardTangent.h).
            const auto primal = parts.primalRows();
            const auto s = torch::sigmoid(primal);
            return parts.pack(primal * s, parts.tangent * (s * (1 + primal * (1 - s))));
        }
    }
    switch (activation) {
        case Activation::SiLU: return torch::silu(x);
        case Activation::Mish: return torch::mish(x);
        case Activation::GELU: return torch::gelu(x);
        case Activation::ReLU: return torch::relu(x);
    }
    return x;
}

}  // namespace latentlens
