#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <c10/core/Device.h>
#include <c10/core/ScalarType.h>
#include <torch/types.h>

#include "core/model/ModelFolder.h"
#include "core/pipeline/Conditioning.h"
#include "core/pipeline/Denoiser.h"
#include "core/pipeline/LatentCodec.h"
#include "core/pipeline/ModelOptions.h"
#include "core/pipeline/TextEncoder.h"
#include "core/sampling/DdimScheduler.h"
#include "core/sampling/NoisePredictor.h"

namespace latentlens {

// A loaded diffusion model as its parts: the Denoiser (the network), the LatentCodec between images
// and latents, an optional TextEncoder (none for pixel models) and the DDIM scheduler. Shared by
// the CLI, the GUI's worker and the tests; everything that runs the model goes through it.
class DiffusionPipeline {
public:
    DiffusionPipeline(ModelFolder folder, std::shared_ptr<Denoiser> denoiser, std::shared_ptr<LatentCodec> codec,
                      std::shared_ptr<TextEncoder> textEncoder, DdimScheduler scheduler);

    // See PipelineLoader::load.
    static std::shared_ptr<DiffusionPipeline> load(const std::filesystem::path& folder, const ModelOptions& options = {});

    const ModelFolder& folder() const { return folder_; }
    const std::string& name() const { return folder_.name; }
    const Denoiser& denoiser() const { return *denoiser_; }
    const LatentCodec& codec() const { return *codec_; }
    // Null for models that take no prompt.
    const TextEncoder* textEncoder() const { return textEncoder_.get(); }
    const DdimScheduler& scheduler() const { return scheduler_; }
    int64_t numTrainTimesteps() const { return scheduler_.numTrainTimesteps(); }
    c10::ScalarType dtype() const { return denoiser_->dtype(); }
    c10::Device device() const { return denoiser_->device(); }
    int64_t parameterCount() const { return denoiser_->parameterCount(); }

    // (C, H, W) of one latent x_t (what the denoiser and sampler see) and of one image.
    std::vector<int64_t> latentShape() const { return denoiser_->latentShape(); }
    std::vector<int64_t> imageShape() const { return codec_->imageShape(); }
    // Tensor options for model inputs.
    torch::TensorOptions tensorOptions() const;

    // The conditioning of a prompt. Without a text encoder only the empty prompt at guidance 1 is
    // valid (giving Conditioning::none()); anything else throws Error naming the model.
    Conditioning condition(const std::string& prompt, const std::string& negativePrompt = {},
                           double guidanceScale = 1.0) const;
    // The denoiser under `conditioning`, guidance included (see GuidedNoisePredictor).
    std::shared_ptr<const NoisePredictor> noisePredictor(const Conditioning& conditioning = {}) const;

    // A multi-line human-readable summary: architecture, parameters, scheduler.
    std::string describe() const;

private:
    ModelFolder folder_;
    std::shared_ptr<Denoiser> denoiser_;
    std::shared_ptr<LatentCodec> codec_;
    std::shared_ptr<TextEncoder> textEncoder_;
    DdimScheduler scheduler_;
};

}  // namespace latentlens
