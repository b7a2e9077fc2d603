#pragma once

#include <filesystem>
#include <string>

namespace latentlens {

// Where the files of a diffusers model live. Accepts
//  - a UNet folder: config.json + diffusion_pytorch_model.safetensors (+ scheduler_config.json
//    beside it, or in a sibling ../scheduler/ folder as diffusers pipelines lay it out);
//  - a pipeline folder with unet/ and scheduler/ subfolders (model_index.json optional).
// The weights are picked as findComponentWeights (core/model/ComponentWeights.h) picks them, with
// `variant` ("fp16") as diffusers' from_pretrained(variant=...).
// Throws Error naming the folder and the missing file; a pickle (.bin) checkpoint gets a
// message saying safetensors is required and how to convert.
struct ModelFolder {
    std::filesystem::path root;             // what the user named
    std::filesystem::path config;           // UNet config.json
    std::filesystem::path weights;          // .safetensors
    std::filesystem::path schedulerConfig;  // empty if none was found
    std::string name;                       // folder name, for display

    static ModelFolder resolve(const std::filesystem::path& folder, const std::string& variant = {});
    // The embedded default model (resources/models/fmnist32): beside the executable's install
    // prefix (share/latentlens/models), in the source tree, or $LATENTLENS_MODEL_DIR.
    static std::filesystem::path defaultModelPath();
};

}  // namespace latentlens
