#include "core/model/AutoencoderKLConfig.h"

#include "core/Error.h"
#include "core/config/JsonConfigReader.h"
#include "core/model/DiffusersConfigKeys.h"

namespace latentlens {

AutoencoderKLConfig AutoencoderKLConfig::fromJson(const nlohmann::json& json, const std::string& source) {
    if (!json.is_object()) throw Error(source + ": the config is not a JSON object");
    JsonConfigReader r(json, source, "", JsonConfigReader::Null::MeansAbsent);
    const std::string className = r.get<std::string>("_class_name", "AutoencoderKL");
    if (className != "AutoencoderKL") {
        throw Error(source + ": \"_class_name\" is " + className + "; only AutoencoderKL VAEs are supported");
    }

    AutoencoderKLConfig c;
    c.inChannels = r.get<int64_t>("in_channels", c.inChannels);
    c.outChannels = r.get<int64_t>("out_channels", c.outChannels);
    c.latentChannels = r.get<int64_t>("latent_channels", c.latentChannels);
    if (r.has("down_block_types")) c.downBlockTypes = r.list<std::string>("down_block_types");
    if (r.has("up_block_types")) c.upBlockTypes = r.list<std::string>("up_block_types");
    if (r.has("block_out_channels")) c.blockOutChannels = r.list<int64_t>("block_out_channels");
    c.layersPerBlock = r.get<int64_t>("layers_per_block", c.layersPerBlock);
    c.actFn = r.get<std::string>("act_fn", c.actFn);
    c.normNumGroups = r.get<int64_t>("norm_num_groups", c.normNumGroups);
    c.sampleSize = readSquareSampleSize(r, c.sampleSize);
    c.scalingFactor = r.get<double>("scaling_factor", c.scalingFactor);
    c.forceUpcast = r.get<bool>("force_upcast", c.forceUpcast);
    c.useQuantConv = r.get<bool>("use_quant_conv", c.useQuantConv);
    c.usePostQuantConv = r.get<bool>("use_post_quant_conv", c.usePostQuantConv);
    c.midBlockAddAttention = r.get<bool>("mid_block_add_attention", c.midBlockAddAttention);

    // Latent normalisations of other pipelines (SD3 and Flux shift, per-channel mean/std): refuse
    // rather than hand out latents a Stable Diffusion 1.x/2.x UNet was not trained on.
    for (const char* key : {"shift_factor", "latents_mean", "latents_std"}) {
        if (r.has(key)) r.fail(key, "is not supported (only null): LatentLens supports Stable Diffusion 1.x/2.x VAEs");
    }

    checkActFn(r, c.actFn);
    if (c.inChannels <= 0) r.fail("in_channels", "must be positive");
    if (c.outChannels <= 0) r.fail("out_channels", "must be positive");
    if (c.latentChannels <= 0) r.fail("latent_channels", "must be positive");
    if (c.layersPerBlock <= 0) r.fail("layers_per_block", "must be positive");
    if (c.sampleSize <= 0) r.fail("sample_size", "must be a positive integer");
    if (c.scalingFactor <= 0) r.fail("scaling_factor", "must be positive");
    if (c.blockOutChannels.empty()) r.fail("block_out_channels", "must not be empty");
    if (c.blockOutChannels.size() > 16) r.fail("block_out_channels", "has more than 16 blocks");
    if (c.downBlockTypes.size() != c.blockOutChannels.size()) {
        r.fail("down_block_types", "must have one entry per block_out_channels entry");
    }
    if (c.upBlockTypes.size() != c.blockOutChannels.size()) {
        r.fail("up_block_types", "must have one entry per block_out_channels entry");
    }
    for (const auto& type : c.downBlockTypes) {
        if (type != "DownEncoderBlock2D") r.fail("down_block_types", "contains " + type + "; supported: DownEncoderBlock2D");
    }
    for (const auto& type : c.upBlockTypes) {
        if (type != "UpDecoderBlock2D") r.fail("up_block_types", "contains " + type + "; supported: UpDecoderBlock2D");
    }
    checkNormNumGroups(r, c.normNumGroups, c.blockOutChannels);
    return c;
}

ResnetBlock2DOptions AutoencoderKLConfig::resnetOptions(int64_t in, int64_t out) const {
    ResnetBlock2DOptions options;
    options.inChannels = in;
    options.outChannels = out;
    options.tembChannels = 0;
    options.groups = normNumGroups;
    options.eps = kNormEps;
    options.activation = parseActivation(actFn);
    return options;
}

AutoencoderKLConfig AutoencoderKLConfig::load(const std::filesystem::path& file) {
    return fromJson(readJsonConfigFile(file, "VAE config"), file.string());
}

}  // namespace latentlens
