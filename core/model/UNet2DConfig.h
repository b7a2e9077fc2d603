#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace latentlens {

// A diffusers UNet2DModel config.json. fromJson() accepts exactly the options this project
// implements and rejects anything else with an Error naming the option, so a checkpoint is
// never run with an architecture it was not trained with.
struct UNet2DConfig {
    int64_t sampleSize = 32;  // square inputs only
    int64_t inChannels = 3;
    int64_t outChannels = 3;
    bool centerInputSample = false;
    std::string timeEmbeddingType = "positional";  // positional | fourier | learned
    std::optional<int64_t> timeEmbeddingDim;       // default: 4 * blockOutChannels[0]
    double freqShift = 0.0;
    bool flipSinToCos = true;
    std::vector<std::string> downBlockTypes;  // DownBlock2D | AttnDownBlock2D
    std::vector<std::string> upBlockTypes;    // UpBlock2D | AttnUpBlock2D
    std::vector<int64_t> blockOutChannels;
    int64_t layersPerBlock = 2;
    double midBlockScaleFactor = 1.0;
    int64_t downsamplePadding = 1;
    std::string actFn = "silu";                 // silu | swish | mish | gelu | relu
    std::optional<int64_t> attentionHeadDim;    // null: one head over all channels
    int64_t normNumGroups = 32;
    std::optional<int64_t> attnNormNumGroups;   // mid-block attention groups
    double normEps = 1e-5;
    std::string resnetTimeScaleShift = "default";  // default | scale_shift
    bool addAttention = true;
    std::optional<int64_t> numTrainTimesteps;   // only for time_embedding_type "learned"

    int64_t timeEmbedDim() const { return timeEmbeddingDim.value_or(4 * blockOutChannels.at(0)); }
    int64_t numBlocks() const { return static_cast<int64_t>(blockOutChannels.size()); }
    // Spatial size and channels of the mid-block output (the H space).
    int64_t midChannels() const { return blockOutChannels.back(); }
    int64_t midResolution() const { return sampleSize >> (numBlocks() - 1); }

    static UNet2DConfig fromJson(const nlohmann::json& json, const std::string& source);
    static UNet2DConfig load(const std::filesystem::path& file);
};

}  // namespace latentlens
