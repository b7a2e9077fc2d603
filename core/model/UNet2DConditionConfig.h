#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace latentlens {

// A diffusers UNet2DConditionModel config.json (the Stable Diffusion U-Net): the options SD 1.x,
// SD 2.x (base and 768-v) and the distilled BK-SDM / small-sd / tiny-sd checkpoints use. Options
// that diffusers turns into different math and this project does not implement (class or
// addition embeddings such as SDXL's "text_time", dual or only-cross attention, encoder_hid_dim,
// time_cond_proj_dim, other kernels, scale-shift time embedding, gated attention, ...) are
// refused with an Error naming the option and the file. Per-block options are stored expanded to
// one entry per down block (diffusers' order; the up path uses them reversed).
struct UNet2DConditionConfig {
    static constexpr const char* kMidBlockCrossAttn = "UNetMidBlock2DCrossAttn";

    int64_t sampleHeight = 64;  // sample_size: the latent size the model was trained at
    int64_t sampleWidth = 64;
    int64_t inChannels = 4;
    int64_t outChannels = 4;
    bool centerInputSample = false;
    bool flipSinToCos = true;
    double freqShift = 0.0;
    std::vector<std::string> downBlockTypes;  // CrossAttnDownBlock2D | DownBlock2D
    std::vector<std::string> upBlockTypes;    // CrossAttnUpBlock2D | UpBlock2D
    std::string midBlockType = kMidBlockCrossAttn;  // "" when mid_block_type is null (no mid block)
    std::vector<int64_t> blockOutChannels;
    std::vector<int64_t> layersPerBlock;             // resnets per down block (up blocks: one more)
    std::vector<int64_t> transformerLayersPerBlock;  // BasicTransformerBlocks per Transformer2DModel
    // Attention heads per block. diffusers' legacy naming: "attention_head_dim" holds the number of
    // heads (SD 1.x: 8; SD 2.x: [5, 10, 20, 20]) unless "num_attention_heads" is given.
    std::vector<int64_t> attentionHeads;
    std::vector<int64_t> crossAttentionDim;  // width of encoder_hidden_states, per block
    bool useLinearProjection = false;        // Transformer2DModel proj_in/proj_out: Linear, else 1x1 conv
    bool upcastAttention = false;            // attention scores in float32 (SD 2.1-768-v)
    int64_t downsamplePadding = 1;
    double midBlockScaleFactor = 1.0;
    std::string actFn = "silu";  // silu | swish | mish | gelu | relu
    int64_t normNumGroups = 32;
    double normEps = 1e-5;
    int64_t timeEmbeddingDim = 0;  // 0: 4 * blockOutChannels[0]

    int64_t numBlocks() const { return static_cast<int64_t>(blockOutChannels.size()); }
    int64_t timeEmbedDim() const { return timeEmbeddingDim > 0 ? timeEmbeddingDim : 4 * blockOutChannels.at(0); }
    bool hasMidBlock() const { return !midBlockType.empty(); }
    // Height and width must be multiples of this (2^(blocks - 1)).
    int64_t downsamplingFactor() const { return int64_t(1) << (numBlocks() - 1); }
    int64_t midChannels() const { return blockOutChannels.back(); }
    // Width of encoder_hidden_states: the cross_attention_dim every cross-attention block shares.
    int64_t contextDim() const;

    static UNet2DConditionConfig fromJson(const nlohmann::json& json, const std::string& source);
    static UNet2DConditionConfig load(const std::filesystem::path& file);
    // The same model as a config.json diffusers reads (per-block options as lists,
    // attention_head_dim as the heads).
    nlohmann::json toJson() const;
};

}  // namespace latentlens
