#include "core/model/UNet2DConditionConfig.h"

#include <algorithm>
#include <set>

#include <spdlog/spdlog.h>

#include "core/Error.h"
#include "core/Text.h"
#include "core/config/JsonConfigReader.h"
#include "core/model/DiffusersConfigKeys.h"
#include "core/model/UNetBlockFactory.h"

namespace latentlens {
namespace {

// Keys diffusers writes that this implementation reads or checks; anything else gets a warning.
const std::set<std::string>& knownKeys() {
    static const std::set<std::string> keys = {
        "sample_size", "in_channels", "out_channels", "center_input_sample", "flip_sin_to_cos", "freq_shift",
        "down_block_types", "mid_block_type", "up_block_types", "only_cross_attention", "block_out_channels",
        "layers_per_block", "downsample_padding", "mid_block_scale_factor", "dropout", "act_fn", "norm_num_groups",
        "norm_eps", "cross_attention_dim", "transformer_layers_per_block", "reverse_transformer_layers_per_block",
        "encoder_hid_dim", "encoder_hid_dim_type", "attention_head_dim", "num_attention_heads", "dual_cross_attention",
        "use_linear_projection", "class_embed_type", "addition_embed_type", "addition_time_embed_dim",
        "num_class_embeds", "upcast_attention", "resnet_time_scale_shift", "resnet_skip_time_act",
        "resnet_out_scale_factor", "time_embedding_type", "time_embedding_dim", "time_embedding_act_fn",
        "timestep_post_act", "time_cond_proj_dim", "conv_in_kernel", "conv_out_kernel",
        "projection_class_embeddings_input_dim", "attention_type", "class_embeddings_concat",
        "mid_block_only_cross_attention", "cross_attention_norm", "addition_embed_type_num_heads"};
    return keys;
}

}  // namespace

UNet2DConditionConfig UNet2DConditionConfig::fromJson(const nlohmann::json& json, const std::string& source) {
    if (!json.is_object()) throw Error(source + ": the config is not a JSON object");
    JsonConfigReader r(json, source, "", JsonConfigReader::Null::MeansAbsent);
    const std::string className = r.get<std::string>("_class_name", "UNet2DConditionModel");
    if (className != "UNet2DConditionModel") {
        throw Error(source + ": \"_class_name\" is " + className + "; expected UNet2DConditionModel");
    }
    for (const auto& item : json.items()) {
        if (item.key().empty() || item.key()[0] == '_' || knownKeys().count(item.key())) continue;
        spdlog::warn("{}: ignoring unknown UNet2DConditionModel option \"{}\"", source, item.key());
    }

    UNet2DConditionConfig c;
    c.blockOutChannels = r.list<int64_t>("block_out_channels");
    if (c.blockOutChannels.empty()) r.fail("block_out_channels", "must not be empty");
    const size_t blocks = c.blockOutChannels.size();

    // An int for every block, or a list with one entry per block.
    const auto perBlock = [&](const std::string& key, int64_t fallback) {
        if (r.has(key) && r.at(key).is_array()) {
            auto values = r.list<int64_t>(key);
            if (values.size() != blocks) r.fail(key, "must have one entry per block_out_channels entry");
            return values;
        }
        return std::vector<int64_t>(blocks, r.get<int64_t>(key, fallback));
    };

    if (r.has("sample_size") && r.at("sample_size").is_array()) {
        auto sizes = r.list<int64_t>("sample_size");
        if (sizes.size() != 2) r.fail("sample_size", "must be an integer or [height, width]");
        c.sampleHeight = sizes[0];
        c.sampleWidth = sizes[1];
    } else {
        c.sampleHeight = c.sampleWidth = r.get<int64_t>("sample_size", 0);
    }
    if (c.sampleHeight <= 0 || c.sampleWidth <= 0) r.fail("sample_size", "must be positive");
    c.inChannels = r.get<int64_t>("in_channels", 4);
    c.outChannels = r.get<int64_t>("out_channels", 4);
    c.centerInputSample = r.get<bool>("center_input_sample", false);
    c.flipSinToCos = r.get<bool>("flip_sin_to_cos", true);
    c.freqShift = r.get<double>("freq_shift", 0.0);
    c.downBlockTypes = r.list<std::string>("down_block_types");
    c.upBlockTypes = r.list<std::string>("up_block_types");
    // An explicit null means "no mid block" (BK-SDM-Small and -Tiny), not the default.
    if (json.contains("mid_block_type") && json.at("mid_block_type").is_null()) {
        c.midBlockType.clear();
    } else {
        c.midBlockType = r.get<std::string>("mid_block_type", kMidBlockCrossAttn);
        if (c.midBlockType != kMidBlockCrossAttn) {
            r.fail("mid_block_type", "is " + c.midBlockType + "; supported: " + kMidBlockCrossAttn + " or null");
        }
    }
    c.layersPerBlock = perBlock("layers_per_block", 2);
    if (r.has("transformer_layers_per_block") && r.at("transformer_layers_per_block").is_array()) {
        for (const auto& entry : r.at("transformer_layers_per_block")) {
            if (entry.is_array()) {
                r.fail("transformer_layers_per_block", "has per-layer lists (asymmetric UNets) which are not supported");
            }
        }
    }
    c.transformerLayersPerBlock = perBlock("transformer_layers_per_block", 1);
    c.crossAttentionDim = perBlock("cross_attention_dim", 1280);
    // diffusers: num_attention_heads = num_attention_heads or attention_head_dim.
    if (r.has("num_attention_heads")) {
        c.attentionHeads = perBlock("num_attention_heads", 0);
    } else {
        if (json.contains("attention_head_dim") && json.at("attention_head_dim").is_null()) {
            r.fail("attention_head_dim", "is null; it must give the number of attention heads");
        }
        c.attentionHeads = perBlock("attention_head_dim", 8);
    }
    c.useLinearProjection = r.get<bool>("use_linear_projection", false);
    c.upcastAttention = r.get<bool>("upcast_attention", false);
    c.downsamplePadding = r.get<int64_t>("downsample_padding", 1);
    c.midBlockScaleFactor = r.get<double>("mid_block_scale_factor", 1.0);
    c.actFn = r.get<std::string>("act_fn", "silu");
    if (json.contains("norm_num_groups") && json.at("norm_num_groups").is_null()) {
        r.fail("norm_num_groups", "is null (no output norm) which is not supported");
    }
    c.normNumGroups = r.get<int64_t>("norm_num_groups", 32);
    c.normEps = r.get<double>("norm_eps", 1e-5);
    c.timeEmbeddingDim = r.get<int64_t>("time_embedding_dim", 0);
    r.get<double>("dropout", 0.0);  // inference: no effect, but it must be a number

    // Options that change the math and are not implemented: refuse rather than compute something else.
    for (const char* key : {"class_embed_type", "num_class_embeds", "addition_embed_type", "encoder_hid_dim",
                            "encoder_hid_dim_type", "time_cond_proj_dim", "time_embedding_act_fn", "timestep_post_act",
                            "cross_attention_norm", "reverse_transformer_layers_per_block"}) {
        if (r.has(key)) r.fail(key, "is set (" + json.at(key).dump() + "); this option is not supported");
    }
    // diffusers' default is the only value supported.
    const auto requireDefault = [&](const std::string& key, const std::string& expected) {
        const auto value = r.get<std::string>(key, expected);
        if (value != expected) r.fail(key, "is " + value + "; only \"" + expected + "\" is supported");
    };
    requireDefault("time_embedding_type", "positional");
    requireDefault("resnet_time_scale_shift", "default");
    requireDefault("attention_type", "default");
    for (const char* key : {"dual_cross_attention", "class_embeddings_concat"}) {
        if (r.get<bool>(key, false)) r.fail(key, "is true; this option is not supported");
    }
    if (r.has("only_cross_attention")) {
        const auto& value = r.at("only_cross_attention");
        const bool any = value.is_array() ? std::any_of(value.begin(), value.end(),
                                                        [&](const auto& item) { return r.value<bool>("only_cross_attention", item); })
                                          : r.get<bool>("only_cross_attention", false);
        if (any) r.fail("only_cross_attention", "is true; this option is not supported");
    }
    for (const char* key : {"conv_in_kernel", "conv_out_kernel"}) {
        const auto kernel = r.get<int64_t>(key, 3);
        if (kernel != 3) r.fail(key, "is " + std::to_string(kernel) + "; only 3 is supported");
    }

    checkActFn(r, c.actFn);
    if (c.inChannels <= 0) r.fail("in_channels", "must be positive");
    if (c.outChannels <= 0) r.fail("out_channels", "must be positive");
    if (c.downBlockTypes.size() != blocks) r.fail("down_block_types", "must have one entry per block_out_channels entry");
    if (c.upBlockTypes.size() != blocks) r.fail("up_block_types", "must have one entry per block_out_channels entry");
    for (const auto& type : c.downBlockTypes) {
        const auto& known = unetDownBlockTypes();
        if (std::find(known.begin(), known.end(), type) == known.end()) {
            r.fail("down_block_types", "contains " + type + "; supported: " + joinedText(known));
        }
    }
    for (const auto& type : c.upBlockTypes) {
        const auto& known = unetUpBlockTypes();
        if (std::find(known.begin(), known.end(), type) == known.end()) {
            r.fail("up_block_types", "contains " + type + "; supported: " + joinedText(known));
        }
    }
    checkNormNumGroups(r, c.normNumGroups, c.blockOutChannels);
    for (int64_t layers : c.layersPerBlock) {
        if (layers <= 0) r.fail("layers_per_block", "must be positive");
    }
    for (int64_t layers : c.transformerLayersPerBlock) {
        if (layers <= 0) r.fail("transformer_layers_per_block", "must be positive");
    }
    for (int64_t dim : c.crossAttentionDim) {
        if (dim <= 0) r.fail("cross_attention_dim", "must be positive");
    }
    // Every block with attention splits its channels into whole heads (diffusers: out // heads).
    const std::string headsKey = r.has("num_attention_heads") ? "num_attention_heads" : "attention_head_dim";
    const auto checkHeads = [&](int64_t heads, int64_t channels) {
        if (heads <= 0 || channels % heads != 0) {
            r.fail(headsKey, "(" + std::to_string(heads) + " heads) must divide the channels of its attention block (" +
                                 std::to_string(channels) + ")");
        }
    };
    for (size_t i = 0; i < blocks; ++i) {
        if (isCrossAttentionBlockType(c.downBlockTypes[i])) checkHeads(c.attentionHeads[i], c.blockOutChannels[i]);
        if (isCrossAttentionBlockType(c.upBlockTypes[i])) {
            checkHeads(c.attentionHeads[blocks - 1 - i], c.blockOutChannels[blocks - 1 - i]);
        }
    }
    if (c.hasMidBlock()) checkHeads(c.attentionHeads.back(), c.midChannels());
    // One encoder_hidden_states feeds every cross-attention block (up block i uses entry blocks-1-i).
    for (size_t i = 0; i < blocks; ++i) {
        const bool usesContext = isCrossAttentionBlockType(c.downBlockTypes[i]) ||
                                 isCrossAttentionBlockType(c.upBlockTypes[blocks - 1 - i]) ||
                                 (i == blocks - 1 && c.hasMidBlock());
        if (usesContext && c.crossAttentionDim[i] != c.contextDim()) {
            r.fail("cross_attention_dim", "must be the same for every block with cross-attention");
        }
    }
    if (c.sampleHeight % c.downsamplingFactor() != 0 || c.sampleWidth % c.downsamplingFactor() != 0) {
        r.fail("sample_size", "must be divisible by 2^(number of blocks - 1)");
    }
    if (c.downsamplePadding < 0) r.fail("downsample_padding", "must be >= 0");
    if (c.normEps <= 0) r.fail("norm_eps", "must be positive");
    if (c.midBlockScaleFactor == 0) r.fail("mid_block_scale_factor", "must not be 0");
    if (c.timeEmbeddingDim < 0) r.fail("time_embedding_dim", "must be positive");
    return c;
}

int64_t UNet2DConditionConfig::contextDim() const {
    if (hasMidBlock()) return crossAttentionDim.back();
    for (size_t i = 0; i < downBlockTypes.size(); ++i) {
        if (isCrossAttentionBlockType(downBlockTypes[i])) return crossAttentionDim[i];
    }
    for (size_t i = 0; i < upBlockTypes.size(); ++i) {
        if (isCrossAttentionBlockType(upBlockTypes[i])) return crossAttentionDim[crossAttentionDim.size() - 1 - i];
    }
    return crossAttentionDim.back();
}

UNet2DConditionConfig UNet2DConditionConfig::load(const std::filesystem::path& file) {
    return fromJson(readJsonConfigFile(file, "model config"), file.string());
}

nlohmann::json UNet2DConditionConfig::toJson() const {
    nlohmann::json j;
    j["_class_name"] = "UNet2DConditionModel";
    j["sample_size"] = sampleHeight == sampleWidth ? nlohmann::json(sampleHeight) : nlohmann::json({sampleHeight, sampleWidth});
    j["in_channels"] = inChannels;
    j["out_channels"] = outChannels;
    j["center_input_sample"] = centerInputSample;
    j["flip_sin_to_cos"] = flipSinToCos;
    j["freq_shift"] = freqShift;
    j["down_block_types"] = downBlockTypes;
    j["mid_block_type"] = hasMidBlock() ? nlohmann::json(midBlockType) : nlohmann::json(nullptr);
    j["up_block_types"] = upBlockTypes;
    j["block_out_channels"] = blockOutChannels;
    j["layers_per_block"] = layersPerBlock;
    j["transformer_layers_per_block"] = transformerLayersPerBlock;
    j["attention_head_dim"] = attentionHeads;
    j["num_attention_heads"] = nullptr;
    j["cross_attention_dim"] = crossAttentionDim;
    j["use_linear_projection"] = useLinearProjection;
    j["upcast_attention"] = upcastAttention;
    j["downsample_padding"] = downsamplePadding;
    j["mid_block_scale_factor"] = midBlockScaleFactor;
    j["act_fn"] = actFn;
    j["norm_num_groups"] = normNumGroups;
    j["norm_eps"] = normEps;
    j["time_embedding_dim"] = timeEmbeddingDim > 0 ? nlohmann::json(timeEmbeddingDim) : nlohmann::json(nullptr);
    return j;
}

}  // namespace latentlens
