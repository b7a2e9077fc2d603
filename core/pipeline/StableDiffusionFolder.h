#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace latentlens {

// The files of a diffusers Stable Diffusion pipeline folder, checked before anything is loaded:
// model_index.json with "_class_name" StableDiffusionPipeline (or StableDiffusionImg2ImgPipeline,
// the same parts) and the components
//   unet/ (UNet2DConditionModel), vae/ (AutoencoderKL), text_encoder/ (CLIPTextModel),
//   tokenizer/ (CLIPTokenizer or CLIPTokenizerFast: vocab.json + merges.txt), scheduler/ (any
//   diffusers scheduler config, run as DDIM).
// safety_checker, feature_extractor and image_encoder are ignored (a log line says so when the
// index names one); any other component, another class for a known one, or another pipeline
// class is refused by name. A missing folder or file gives an Error naming it.
struct StableDiffusionFolder {
    std::filesystem::path root;
    std::string pipelineClass;
    std::filesystem::path unet;
    std::filesystem::path vae;
    std::filesystem::path textEncoder;
    std::filesystem::path tokenizer;
    std::filesystem::path schedulerConfig;
    std::vector<std::string> ignoredComponents;  // named in the index but not loaded

    // Whether `folder` holds a model_index.json whose "_class_name" starts with "StableDiffusion".
    // A model_index.json that is no valid JSON throws Error naming it.
    static bool isStableDiffusion(const std::filesystem::path& folder);
    static StableDiffusionFolder resolve(const std::filesystem::path& folder);
};

}  // namespace latentlens
