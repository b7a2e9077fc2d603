#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include <torch/types.h>

#include "core/Progress.h"
#include "core/pipeline/DiffusionPipeline.h"

namespace latentlens {

// A cheap picture of a latent for latent-diffusion pipelines: an affine map from the latent's
// channels to RGB at every latent pixel, fit by least squares to the pipeline's own VAE, then
// upsampled (bilinear) to the image size. Microseconds instead of a VAE decode; colours and coarse
// layout only. What the window shows while a slider is dragged; the exact decode follows on
// release.
class LatentRgbPreview {
public:
    LatentRgbPreview() = default;
    static constexpr int64_t kFitSide = 16;  // fit() decodes latents of at most this many pixels a side

    // Whether the pipeline has a latent space to preview: a codec that downsamples, decoding RGB.
    static bool suits(const DiffusionPipeline& pipeline);
    // Decodes `count` seeded standard-normal latents of the pipeline's latent channels (at most
    // kFitSide pixels a side) and fits the map to the decoded images averaged over each latent
    // cell (fitPairs).
    static LatentRgbPreview fit(const DiffusionPipeline& pipeline, int64_t count = 4, uint64_t seed = 0,
                                const Progress& progress = {});
    // The least-squares map from latents (N, C, h, w) to images (N, 3, f·h, f·w) averaged over
    // each f × f cell: min ‖[z, 1]·W − rgb‖ over all N·h·w latent pixels, in float64.
    static LatentRgbPreview fitPairs(const torch::Tensor& latents, const torch::Tensor& images);
    // The map of this pipeline from `cacheFolder` when one was fit to the same VAE files (name,
    // size and modification time), else fit() and written there (a failed write only logs).
    static LatentRgbPreview forPipeline(const DiffusionPipeline& pipeline, const std::filesystem::path& cacheFolder,
                                        const Progress& progress = {});
    // Where forPipeline keeps this pipeline's map: cacheFolder/latent-rgb-<fingerprint>.json.
    static std::filesystem::path cacheFile(const DiffusionPipeline& pipeline, const std::filesystem::path& cacheFolder);

    bool isValid() const { return weights_.defined(); }
    // (C + 1, 3) float64: one row per latent channel, then the bias.
    const torch::Tensor& weights() const { return weights_; }
    // Root-mean-square residual of the fit, in image units ([-1, 1] pixels).
    double fitRms() const { return fitRms_; }
    int64_t factor() const { return factor_; }

    // Latents (N, C, h, w) or (C, h, w) → images (N, 3, factor·h, factor·w) in the latents' dtype,
    // not clamped.
    torch::Tensor render(const torch::Tensor& latents) const;

    std::string toJson(const std::string& fingerprint) const;
    // Throws Error naming `where` for a malformed description or another fingerprint.
    static LatentRgbPreview fromJson(const std::string& text, const std::string& fingerprint, const std::string& where);

private:
    torch::Tensor weights_;
    double fitRms_ = 0.0;
    int64_t factor_ = 1;
};

}  // namespace latentlens
