#pragma once

#include <set>
#include <string>

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

// Copies every parameter of `module` from the checkpoint whose key equals the parameter's name,
// converted to the parameter's dtype and device (F16/BF16/F32/F64 files all load). Strict: every
// parameter must be present with the right shape and a floating dtype, and the file must hold
// nothing else except the `ignoredKeys`; otherwise nothing is copied and one Error names the file
// and lists the problems ("<file>: <subject> does not match config.json (2 problems): missing ...;
// ... has shape [..] but the model expects [..]"). Non-finite values are an Error too.
void loadParametersStrictly(torch::nn::Module& module, const SafetensorsFile& file, const std::string& subject,
                            const std::set<std::string>& ignoredKeys = {});

}  // namespace latentlens
