#pragma once

#include <cstdint>

#include <torch/nn/module.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/normalization.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>

#include "core/model/ClipAttention.h"
#include "core/model/ClipTextConfig.h"

namespace latentlens {

// transformers' CLIPEncoderLayer, pre-LN:
//   h = x + self_attn(layer_norm1(x)),  out = h + mlp.fc2(act(mlp.fc1(layer_norm2(h)))),
// act quick_gelu (x·sigmoid(1.702x)) or gelu (erf form) as the config says.
class ClipEncoderLayerImpl : public torch::nn::Module {
public:
    explicit ClipEncoderLayerImpl(const ClipTextConfig& config);
    // x (N, L, hidden) → (N, L, hidden); `causal` as in ClipAttention.
    torch::Tensor forward(const torch::Tensor& x, bool causal);

private:
    bool quickGelu_;
    ClipAttention selfAttn_{nullptr};
    torch::nn::LayerNorm layerNorm1_{nullptr};
    torch::nn::Linear fc1_{nullptr};  // registered as mlp.fc1
    torch::nn::Linear fc2_{nullptr};  // registered as mlp.fc2
    torch::nn::LayerNorm layerNorm2_{nullptr};
};
TORCH_MODULE(ClipEncoderLayer);

}  // namespace latentlens
