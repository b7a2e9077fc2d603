#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

namespace latentlens {

// transformers' CLIPTextConfig (a Stable Diffusion text_encoder/config.json). fromJson() accepts
// exactly what ClipTextModel implements and refuses anything else by name. projection_dim and
// the legacy bos/eos/pad_token_id are read by transformers but do not change CLIPTextModel's
// outputs, so they are ignored.
struct ClipTextConfig {
    int64_t vocabSize = 49408;
    int64_t hiddenSize = 512;
    int64_t intermediateSize = 2048;
    int64_t numHiddenLayers = 12;
    int64_t numAttentionHeads = 8;
    int64_t maxPositionEmbeddings = 77;
    std::string hiddenAct = "quick_gelu";  // quick_gelu (SD 1.x) | gelu (SD 2.x, exact erf form)
    double layerNormEps = 1e-5;

    int64_t headDim() const { return hiddenSize / numAttentionHeads; }

    static ClipTextConfig fromJson(const nlohmann::json& json, const std::string& source);
    static ClipTextConfig load(const std::filesystem::path& file);
};

}  // namespace latentlens
