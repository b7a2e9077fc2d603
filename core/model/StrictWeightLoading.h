#pragma once

#include <torch/nn/module.h>

#include "core/model/SafetensorsFile.h"

namespace latentlens {

// Copies every parameter of `model` from a diffusers checkpoint whose keys are the module's
// parameter names, converted to the parameter's dtype and device (F16, BF16, F32 and F64 files
// all load). Strict: every parameter must be present with the right shape and a floating dtype
// and the file must hold nothing else; otherwise throws one Error naming the file and listing
// the problems, before anything is copied. Inside an AttentionBlock a parameter may also come
// under its legacy name (query/key/value/proj_attn), as diffusers' from_pretrained accepts.
// NaN or infinite values throw an Error naming the file and the key.
void loadWeightsStrictly(torch::nn::Module& model, const SafetensorsFile& file);

}  // namespace latentlens
