#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/model/ResnetBlock2D.h"

namespace latentlens {

// A diffusers AutoencoderKL config.json (vae/config.json of a Stable Diffusion 1.x / 2.x
// pipeline). Absent keys take diffusers' defaults; fromJson() accepts exactly the options this
// project implements and rejects the rest with an Error naming the file and the option.
struct AutoencoderKLConfig {
    int64_t inChannels = 3;
    int64_t outChannels = 3;
    int64_t latentChannels = 4;
    std::vector<std::string> downBlockTypes{"DownEncoderBlock2D"};  // DownEncoderBlock2D only
    std::vector<std::string> upBlockTypes{"UpDecoderBlock2D"};      // UpDecoderBlock2D only
    std::vector<int64_t> blockOutChannels{64};
    int64_t layersPerBlock = 1;  // the decoder's up blocks have one more
    std::string actFn = "silu";  // the resnets' activation (conv_act before conv_out is always SiLU)
    int64_t normNumGroups = 32;
    int64_t sampleSize = 32;         // the training image size (informational: the VAE is convolutional)
    double scalingFactor = 0.18215;  // diffusion latent = scalingFactor · VAE latent
    // A pipeline hint: run the VAE in float32 even in a float16 pipeline. LatentLens runs models
    // in float32 or float64 only, so it holds either way.
    bool forceUpcast = true;
    bool useQuantConv = true;
    bool usePostQuantConv = true;
    bool midBlockAddAttention = true;
    // Every GroupNorm of the VAE (diffusers hard-codes it; not a config option).
    static constexpr double kNormEps = 1e-6;

    int64_t numBlocks() const { return static_cast<int64_t>(blockOutChannels.size()); }
    // Image size / latent size: 2^(number of blocks - 1), 8 for Stable Diffusion.
    int64_t downsamplingFactor() const { return int64_t(1) << (numBlocks() - 1); }
    // Every resnet of the encoder and decoder: no time embedding, norm_num_groups, kNormEps, act_fn.
    ResnetBlock2DOptions resnetOptions(int64_t in, int64_t out) const;

    // shift_factor, latents_mean and latents_std (SD3, Flux and other non-SD-1/2 VAEs) are
    // refused unless null.
    static AutoencoderKLConfig fromJson(const nlohmann::json& json, const std::string& source);
    static AutoencoderKLConfig load(const std::filesystem::path& file);
};

}  // namespace latentlens
