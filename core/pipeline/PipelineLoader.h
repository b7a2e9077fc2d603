#pragma once

#include <filesystem>
#include <memory>

#include "core/pipeline/ModelOptions.h"

namespace latentlens {

class DiffusionPipeline;

// Builds a DiffusionPipeline from a diffusers folder, choosing the parts by model_index.json's
// and the network config's "_class_name":
//  - a UNet2DModel folder, or a pipeline folder with unet/ + scheduler/ (see ModelFolder):
//    UNet2DDenoiser + IdentityCodec, no text encoder;
//  - a StableDiffusionPipeline folder (see StableDiffusionFolder): UNet2DConditionDenoiser,
//    AutoencoderKLCodec, ClipTextEncoder and the scheduler's betas run as DDIM;
//  - a lone UNet2DConditionModel folder: Error asking for its pipeline folder.
// Throws Error on any problem; nothing is half-loaded.
class PipelineLoader {
public:
    static std::shared_ptr<DiffusionPipeline> load(const std::filesystem::path& folder, const ModelOptions& options = {});
};

}  // namespace latentlens
