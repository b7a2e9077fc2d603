#include "core/model/UNet2DConfig.h"

#include <set>

#include "core/Error.h"
#include "core/config/JsonConfigReader.h"
#include "core/model/DiffusersConfigKeys.h"

namespace latentlens {

UNet2DConfig UNet2DConfig::fromJson(const nlohmann::json& json, const std::string& source) {
    if (!json.is_object()) throw Error(source + ": the config is not a JSON object");
    JsonConfigReader r(json, source, "", JsonConfigReader::Null::MeansAbsent);
    const std::string className = r.get<std::string>("_class_name", "UNet2DModel");
    if (className != "UNet2DModel") {
        throw Error(source + ": \"_class_name\" is " + className +
                    "; only unconditional pixel-space UNet2DModel checkpoints are supported");
    }

    UNet2DConfig c;
    c.sampleSize = readSquareSampleSize(r, 0);
    if (c.sampleSize <= 0) r.fail("sample_size", "must be a positive integer");
    c.inChannels = r.get<int64_t>("in_channels", 3);
    c.outChannels = r.get<int64_t>("out_channels", 3);
    c.centerInputSample = r.get<bool>("center_input_sample", false);
    c.timeEmbeddingType = r.get<std::string>("time_embedding_type", "positional");
    c.timeEmbeddingDim = r.optional<int64_t>("time_embedding_dim");
    c.freqShift = r.get<double>("freq_shift", 0.0);
    c.flipSinToCos = r.get<bool>("flip_sin_to_cos", true);
    c.downBlockTypes = r.list<std::string>("down_block_types");
    c.upBlockTypes = r.list<std::string>("up_block_types");
    c.blockOutChannels = r.list<int64_t>("block_out_channels");
    c.layersPerBlock = r.get<int64_t>("layers_per_block", 2);
    c.midBlockScaleFactor = r.get<double>("mid_block_scale_factor", 1.0);
    c.downsamplePadding = r.get<int64_t>("downsample_padding", 1);
    c.actFn = r.get<std::string>("act_fn", "silu");
    // diffusers' default is 8; an explicit null means one head spanning all channels.
    c.attentionHeadDim = json.contains("attention_head_dim") ? r.optional<int64_t>("attention_head_dim")
                                                             : std::optional<int64_t>(8);
    c.normNumGroups = r.get<int64_t>("norm_num_groups", 32);
    c.attnNormNumGroups = r.optional<int64_t>("attn_norm_num_groups");
    c.normEps = r.get<double>("norm_eps", 1e-5);
    c.resnetTimeScaleShift = r.get<std::string>("resnet_time_scale_shift", "default");
    c.addAttention = r.get<bool>("add_attention", true);
    c.numTrainTimesteps = r.optional<int64_t>("num_train_timesteps");

    // Options this implementation does not have: refuse rather than compute something else.
    if (r.has("class_embed_type")) r.fail("class_embed_type", "(class-conditional UNets) is not supported");
    if (r.has("num_class_embeds")) r.fail("num_class_embeds", "(class-conditional UNets) is not supported");
    if (r.has("cross_attention_dim") || r.has("encoder_hid_dim")) {
        throw Error(source + ": text-conditional UNets (cross_attention_dim) are not supported; "
                             "LatentLens needs an unconditional UNet2DModel");
    }
    const std::string midType = r.get<std::string>("mid_block_type", "UNetMidBlock2D");
    if (midType != "UNetMidBlock2D") r.fail("mid_block_type", "is " + midType + "; only UNetMidBlock2D is supported");
    const std::string downType = r.get<std::string>("downsample_type", "conv");
    if (downType != "conv") r.fail("downsample_type", "is " + downType + "; only \"conv\" is supported");
    const std::string upType = r.get<std::string>("upsample_type", "conv");
    if (upType != "conv") r.fail("upsample_type", "is " + upType + "; only \"conv\" is supported");

    static const std::set<std::string> timeTypes = {"positional", "fourier", "learned"};
    if (!timeTypes.count(c.timeEmbeddingType)) r.fail("time_embedding_type", "is " + c.timeEmbeddingType + "; expected positional, fourier or learned");
    if (c.timeEmbeddingType == "learned" && !c.numTrainTimesteps) r.fail("num_train_timesteps", "is required with time_embedding_type \"learned\"");
    checkActFn(r, c.actFn);
    if (c.resnetTimeScaleShift != "default" && c.resnetTimeScaleShift != "scale_shift") {
        r.fail("resnet_time_scale_shift", "is " + c.resnetTimeScaleShift + "; expected default or scale_shift");
    }
    if (c.inChannels <= 0) r.fail("in_channels", "must be positive");
    if (c.outChannels <= 0) r.fail("out_channels", "must be positive");
    if (c.layersPerBlock <= 0) r.fail("layers_per_block", "must be positive");
    if (c.blockOutChannels.empty()) r.fail("block_out_channels", "must not be empty");
    if (c.downBlockTypes.size() != c.blockOutChannels.size()) r.fail("down_block_types", "must have one entry per block_out_channels entry");
    if (c.upBlockTypes.size() != c.blockOutChannels.size()) r.fail("up_block_types", "must have one entry per block_out_channels entry");
    for (const auto& type : c.downBlockTypes) {
        if (type != "DownBlock2D" && type != "AttnDownBlock2D") r.fail("down_block_types", "contains " + type + "; supported: DownBlock2D, AttnDownBlock2D");
    }
    for (const auto& type : c.upBlockTypes) {
        if (type != "UpBlock2D" && type != "AttnUpBlock2D") r.fail("up_block_types", "contains " + type + "; supported: UpBlock2D, AttnUpBlock2D");
    }
    checkNormNumGroups(r, c.normNumGroups, c.blockOutChannels);
    if (c.attentionHeadDim) {
        // Every block with attention must split its channels into whole heads.
        std::vector<int64_t> attentionWidths;
        if (c.addAttention) attentionWidths.push_back(c.midChannels());
        for (size_t i = 0; i < c.blockOutChannels.size(); ++i) {
            if (c.downBlockTypes[i] == "AttnDownBlock2D") attentionWidths.push_back(c.blockOutChannels[i]);
            if (c.upBlockTypes[i] == "AttnUpBlock2D") attentionWidths.push_back(c.blockOutChannels[c.blockOutChannels.size() - 1 - i]);
        }
        for (int64_t width : attentionWidths) {
            if (*c.attentionHeadDim <= 0 || width % *c.attentionHeadDim != 0) {
                r.fail("attention_head_dim", "(" + std::to_string(*c.attentionHeadDim) +
                                                 ") must divide the channels of every attention block (" +
                                                 std::to_string(width) + ")");
            }
        }
    }
    if (c.attnNormNumGroups && (*c.attnNormNumGroups <= 0 || c.midChannels() % *c.attnNormNumGroups != 0)) {
        r.fail("attn_norm_num_groups", "must divide the mid-block channels");
    }
    if (c.sampleSize % (int64_t(1) << (c.numBlocks() - 1)) != 0) {
        r.fail("sample_size", "must be divisible by 2^(number of blocks - 1)");
    }
    if (c.downsamplePadding < 0) r.fail("downsample_padding", "must be >= 0");
    if (c.normEps <= 0) r.fail("norm_eps", "must be positive");
    if (c.midBlockScaleFactor == 0) r.fail("mid_block_scale_factor", "must not be 0");
    return c;
}

UNet2DConfig UNet2DConfig::load(const std::filesystem::path& file) {
    return fromJson(readJsonConfigFile(file, "model config"), file.string());
}

}  // namespace latentlens
