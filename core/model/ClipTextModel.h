#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <c10/core/Device.h>
#include <c10/core/ScalarType.h>
#include <torch/nn/module.h>
#include <torch/nn/modules/embedding.h>
#include <torch/nn/modules/normalization.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>

#include "core/model/ClipEncoderLayer.h"
#include "core/model/ClipTextConfig.h"
#include "core/model/SafetensorsFile.h"

namespace latentlens {

// transformers' CLIPTextModel, the text encoder of Stable Diffusion 1.x / 2.x. Module and
// parameter names equal the transformers state-dict keys (text_model.embeddings.token_embedding.weight,
// text_model.encoder.layers.N.self_attn.q_proj.weight, ..., text_model.final_layer_norm.bias), so
// loadWeights() is a strict name and shape match. The forward is what StableDiffusionPipeline
// calls: no attention mask (padding positions are attended like any other), a causal mask.
class ClipTextModelImpl : public torch::nn::Module {
public:
    explicit ClipTextModelImpl(ClipTextConfig config);

    const ClipTextConfig& config() const { return config_; }

    struct Output {
        torch::Tensor lastHiddenState;  // (N, L, hidden), after final_layer_norm: SD's conditioning
        torch::Tensor pooled;           // (N, hidden): lastHiddenState at each row's argmax id (EOS)
    };
    // ids (N, L) integer, 1 <= L <= max_position_embeddings, every id < vocab_size; on any device
    // (moved to the model's). Throws Error for bad shapes or ids.
    Output forward(const torch::Tensor& ids);

    int64_t parameterCount() const;

    // Copies every parameter from the checkpoint (converted to the parameter's dtype/device;
    // F16/BF16/F32/F64 files all load). Strict (loadParametersStrict, core/model/ModuleWeights.h):
    // every parameter present with the right shape and nothing else in the file except the
    // optional buffer text_model.embeddings.position_ids; otherwise throws Error listing the
    // problems and naming the file.
    void loadWeights(const SafetensorsFile& file);

private:
    ClipTextConfig config_;
    torch::nn::Embedding tokenEmbedding_{nullptr};     // text_model.embeddings.token_embedding
    torch::nn::Embedding positionEmbedding_{nullptr};  // text_model.embeddings.position_embedding
    std::vector<ClipEncoderLayer> layers_;             // text_model.encoder.layers.N
    torch::nn::LayerNorm finalLayerNorm_{nullptr};     // text_model.final_layer_norm
};
TORCH_MODULE(ClipTextModel);

// A transformers text_encoder/ folder (config.json + model.safetensors) loaded strictly, in
// `dtype` (float32 or float64; float16/bfloat16 on CUDA) on `device`, in eval mode, parameters without gradients.
// `variant` picks the weight file as findComponentWeights does (core/model/ComponentWeights.h).
ClipTextModel loadClipTextModel(const std::filesystem::path& folder, c10::ScalarType dtype = c10::kFloat,
                                c10::Device device = c10::Device(c10::kCPU), const std::string& variant = {});

}  // namespace latentlens
