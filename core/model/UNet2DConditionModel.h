#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include <c10/core/Device.h>
#include <c10/core/ScalarType.h>
#include <torch/nn/module.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>

#include "core/model/Activation.h"
#include "core/model/BlockId.h"
#include "core/model/Conv2d.h"
#include "core/model/GroupNorm.h"
#include "core/model/SafetensorsFile.h"
#include "core/model/TimestepEmbedding.h"
#include "core/model/UNet2DConditionConfig.h"
#include "core/model/UNetBlockFactory.h"

namespace latentlens {

// diffusers' UNet2DConditionModel (the Stable Diffusion U-Net), built from its config.json.
// Module and parameter names equal the diffusers state-dict keys
// (down_blocks.1.attentions.0.transformer_blocks.0.attn2.to_k.weight, ...), so loadWeights() is a
// strict name and shape match. The output is the raw network output (ε or v, as the checkpoint
// was trained; the prediction type is the scheduler's business). Plain differentiable tensor ops
// throughout, so forward-mode AD duals pass through.
//
// x is (N, in_channels, H, W) with H and W multiples of config().downsamplingFactor() (any size,
// not only sample_size); encoderHiddenStates (the text embedding) is (N, L, cross_attention_dim)
// or (1, L, cross_attention_dim) for every sample; timesteps a 0-d or (1) tensor for the whole
// batch, or (N) per sample. All in the model's dtype and device (timesteps: any numeric dtype).
class UNet2DConditionModelImpl : public torch::nn::Module {
public:
    explicit UNet2DConditionModelImpl(UNet2DConditionConfig config);

    const UNet2DConditionConfig& config() const { return config_; }
    bool hasMidBlock() const { return config_.hasMidBlock(); }

    torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& timesteps, const torch::Tensor& encoderHiddenStates);
    torch::Tensor forward(const torch::Tensor& x, int64_t timestep, const torch::Tensor& encoderHiddenStates);

    // Output of one block with the same time embedding as the full forward. For down and mid
    // blocks the forward stops there. "mid" on a model without a mid block throws Error.
    torch::Tensor features(const torch::Tensor& x, const torch::Tensor& timesteps,
                           const torch::Tensor& encoderHiddenStates, const BlockId& block);
    torch::Tensor features(const torch::Tensor& x, int64_t timestep, const torch::Tensor& encoderHiddenStates,
                           const BlockId& block);

    struct Output {
        torch::Tensor sample;    // the model output
        torch::Tensor features;  // the requested block's output
    };
    Output forwardWithFeatures(const torch::Tensor& x, const torch::Tensor& timesteps,
                               const torch::Tensor& encoderHiddenStates, const BlockId& block);

    // Every stage of one forward pass by diffusers' module name, as forward hooks would catch
    // them: time_proj (float32, as diffusers computes it), time_embedding, conv_in,
    // down_blocks.i, mid_block (if any), up_blocks.i, conv_norm_out (before the activation),
    // conv_out (= the output).
    std::map<std::string, torch::Tensor> stageOutputs(const torch::Tensor& x, const torch::Tensor& timesteps,
                                                      const torch::Tensor& encoderHiddenStates);

    // (C, H, W) of a block's output for inputs of sample_size, or of height × width. Throws Error
    // for a block this model does not have (including "mid" without a mid block).
    std::vector<int64_t> featureShape(const BlockId& block) const;
    std::vector<int64_t> featureShape(const BlockId& block, int64_t height, int64_t width) const;
    int64_t parameterCount() const;
    // See AttentionImpl::setSoftmaxInFloat32: true (default) reproduces diffusers' upcast_attention
    // float32 rounding; false keeps a float64 model in float64 throughout.
    void setSoftmaxInFloat32(bool enabled);

    // Copies every parameter from the checkpoint (F32, F16, BF16 or F64, converted to the
    // parameter's dtype/device). Strict: see loadParametersStrict (core/model/ModuleWeights.h).
    void loadWeights(const SafetensorsFile& file);

private:
    using Stages = std::map<std::string, torch::Tensor>;
    // Runs the network; stops early when only a down/mid block's features are needed.
    Output run(const torch::Tensor& x, const torch::Tensor& timesteps, const torch::Tensor& encoderHiddenStates,
               const BlockId* block, bool needSample, Stages* stages);
    torch::Tensor checkedContext(const torch::Tensor& encoderHiddenStates, const torch::Tensor& x) const;
    void checkBlock(const BlockId& block) const;

    UNet2DConditionConfig config_;
    Activation activation_;
    TimestepProjection timeProj_{nullptr};
    TimestepEmbedding timeEmbedding_{nullptr};
    Conv2d convIn_{nullptr};
    std::vector<UNetBlock> downBlocks_;
    UNetBlock midBlock_;  // module null without a mid block
    std::vector<UNetBlock> upBlocks_;
    GroupNorm convNormOut_{nullptr};
    Conv2d convOut_{nullptr};
};
TORCH_MODULE(UNet2DConditionModel);

// Builds the model from a diffusers UNet folder (config.json + diffusion_pytorch_model.safetensors,
// or the .fp16.safetensors variant when only that exists; a pipeline folder's unet/ also works),
// loads the weights converted to `dtype` on `device`, without parameter gradients, in eval mode.
// Throws Error naming the file on any problem.
// `variant` picks the weight file as findComponentWeights does (core/model/ComponentWeights.h).
UNet2DConditionModel loadUNet2DConditionModel(const std::filesystem::path& folder, c10::ScalarType dtype = c10::kFloat,
                                              c10::Device device = c10::Device(c10::kCPU),
                                              const std::string& variant = {});

}  // namespace latentlens
