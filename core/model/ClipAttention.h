#pragma once

#include <cstdint>

#include <torch/nn/module.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>

namespace latentlens {

// transformers' CLIPAttention: q_proj/k_proj/v_proj/out_proj (with biases), multi-head scaled
// dot-product attention over the sequence, scale head_dim^-0.5. With `causal`, position i sees
// positions 0..i only (CLIP's text transformer). The softmax runs in the model dtype (float32 for
// half-precision models), so a float64 model is float64 throughout.
class ClipAttentionImpl : public torch::nn::Module {
public:
    ClipAttentionImpl(int64_t hiddenSize, int64_t heads);
    // x (N, L, hiddenSize) → (N, L, hiddenSize).
    torch::Tensor forward(const torch::Tensor& x, bool causal);

private:
    int64_t hiddenSize_;
    int64_t heads_;
    int64_t headDim_;
    torch::nn::Linear qProj_{nullptr};
    torch::nn::Linear kProj_{nullptr};
    torch::nn::Linear vProj_{nullptr};
    torch::nn::Linear outProj_{nullptr};
};
TORCH_MODULE(ClipAttention);

}  // namespace latentlens
