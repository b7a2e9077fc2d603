#pragma once

#include <vector>

#include <torch/nn/module.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>

#include "core/model/BasicTransformerBlock.h"
#include "core/model/Conv2d.h"
#include "core/model/GroupNorm.h"
#include "core/model/Linear.h"

namespace latentlens {

struct Transformer2DOptions {
    int64_t channels = 0;  // in = out channels = heads × head dim
    int64_t heads = 1;
    int64_t numLayers = 1;  // BasicTransformerBlocks (transformer_layers_per_block)
    int64_t crossAttentionDim = 0;
    int64_t groups = 32;
    bool useLinearProjection = false;  // proj_in/proj_out Linear (SD 2.x), else 1x1 conv (SD 1.x)
    bool upcastAttention = false;
};

// diffusers' Transformer2DModel for continuous inputs, as the SD U-Net blocks build it:
// GroupNorm (eps 1e-6) → proj_in → H·W tokens through transformer_blocks (cross-attending to the
// context) → proj_out → plus the input.
class Transformer2DModelImpl : public torch::nn::Module {
public:
    explicit Transformer2DModelImpl(const Transformer2DOptions& options);
    // x (B, C, H, W), context (B, M, crossAttentionDim) → (B, C, H, W).
    torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& context);

private:
    GroupNorm norm_{nullptr};
    // proj_in / proj_out: Linear with use_linear_projection, else 1x1 Conv2d (the other is null).
    Linear linearIn_{nullptr}, linearOut_{nullptr};
    Conv2d convIn_{nullptr}, convOut_{nullptr};
    std::vector<BasicTransformerBlock> blocks_;
};
TORCH_MODULE(Transformer2DModel);

}  // namespace latentlens
