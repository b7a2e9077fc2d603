#include "core/model/ClipTextConfig.h"

#include "core/Error.h"
#include "core/config/JsonConfigReader.h"

namespace latentlens {

ClipTextConfig ClipTextConfig::fromJson(const nlohmann::json& json, const std::string& source) {
    if (!json.is_object()) throw Error(source + ": the text encoder config is not a JSON object");
    JsonConfigReader r(json, source, "", JsonConfigReader::Null::MeansAbsent);

    const std::string modelType = r.get<std::string>("model_type", "clip_text_model");
    if (modelType != "clip_text_model") {
        r.fail("model_type", "is " + modelType + "; only a CLIPTextModel config (clip_text_model) is supported");
    }
    if (r.has("architectures")) {
        for (const auto& architecture : r.list<std::string>("architectures")) {
            if (architecture != "CLIPTextModel") {
                r.fail("architectures", "contains " + architecture + "; only CLIPTextModel is supported");
            }
        }
    }

    ClipTextConfig c;
    c.vocabSize = r.get<int64_t>("vocab_size", c.vocabSize);
    c.hiddenSize = r.get<int64_t>("hidden_size", c.hiddenSize);
    c.intermediateSize = r.get<int64_t>("intermediate_size", c.intermediateSize);
    c.numHiddenLayers = r.get<int64_t>("num_hidden_layers", c.numHiddenLayers);
    c.numAttentionHeads = r.get<int64_t>("num_attention_heads", c.numAttentionHeads);
    c.maxPositionEmbeddings = r.get<int64_t>("max_position_embeddings", c.maxPositionEmbeddings);
    c.hiddenAct = r.get<std::string>("hidden_act", c.hiddenAct);
    c.layerNormEps = r.get<double>("layer_norm_eps", c.layerNormEps);
    (void)r.get<int64_t>("projection_dim", 0);  // type-checked, otherwise unused

    if (c.vocabSize <= 0) r.fail("vocab_size", "must be positive");
    if (c.hiddenSize <= 0) r.fail("hidden_size", "must be positive");
    if (c.intermediateSize <= 0) r.fail("intermediate_size", "must be positive");
    if (c.numHiddenLayers < 0) r.fail("num_hidden_layers", "must not be negative");
    if (c.numAttentionHeads <= 0 || c.hiddenSize % c.numAttentionHeads != 0) {
        r.fail("num_attention_heads", "(" + std::to_string(c.numAttentionHeads) + ") must divide hidden_size (" +
                                          std::to_string(c.hiddenSize) + ")");
    }
    if (c.maxPositionEmbeddings < 2) r.fail("max_position_embeddings", "must be at least 2 (BOS and EOS)");
    if (c.hiddenAct != "quick_gelu" && c.hiddenAct != "gelu") {
        r.fail("hidden_act", "is " + c.hiddenAct + "; supported: quick_gelu, gelu");
    }
    if (!(c.layerNormEps > 0)) r.fail("layer_norm_eps", "must be positive");
    return c;
}

ClipTextConfig ClipTextConfig::load(const std::filesystem::path& file) {
    return fromJson(readJsonConfigFile(file, "text encoder config"), file.string());
}

}  // namespace latentlens
