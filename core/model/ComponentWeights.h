#pragma once

#include <filesystem>
#include <string>

namespace latentlens {

// The safetensors file of one diffusers/transformers component folder (unet/, vae/,
// text_encoder/), whose weights are called `stem` ("diffusion_pytorch_model" or "model"), as
// from_pretrained(variant=...) picks it:
//  - variant "" : stem.safetensors; when only stem.fp16.safetensors exists, that one (logged);
//  - variant "fp16" (any name): stem.fp16.safetensors; when the folder has no such file but
//    stem.safetensors, that one with a warning.
// A pickle checkpoint (.bin) alone gives an Error saying safetensors is required and how to
// convert; nothing at all gives an Error naming the folder and the file looked for.
std::filesystem::path findComponentWeights(const std::filesystem::path& folder, const std::string& stem,
                                           const std::string& variant = {});

}  // namespace latentlens
