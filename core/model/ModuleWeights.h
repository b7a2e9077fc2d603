#pragma once

#include <cstdint>
#include <set>
#include <string>

#include <c10/util/ArrayRef.h>
#include <torch/nn/module.h>

#include "core/model/SafetensorsFile.h"

namespace latentlens {

// "[2, 4, 16, 16]", for messages.
std::string shapeText(c10::IntArrayRef shape);

// Number of parameter elements of `module` and its children.
int64_t countParameters(const torch::nn::Module& module);

struct StrictLoadOptions {
    // What the file is called in the mismatch message: "<file>: <subject> does not match config.json".
    std::string subject = "checkpoint";
    // File keys that are no parameter and are skipped, not reported as unexpected (CLIP's
    // text_model.embeddings.position_ids buffer).
    std::set<std::string> ignoredKeys;
};

// The one checkpoint loader of every network (UNet2DModel, UNet2DConditionModel, AutoencoderKL,
// ClipTextModel): copies every parameter of `module` from the file, where its key is the
// parameter's name (the module path, as the diffusers/transformers state dict), converted to
// the parameter's dtype and device (F16/BF16/F32/F64 files all load into a float32 or float64
// model). Inside an AttentionBlock a parameter may also come under diffusers' legacy name
// (query/key/value/proj_attn, see AttentionBlockImpl::legacyParameterName), as diffusers'
// from_pretrained accepts for the VAE and UNet2DModel.
//
// Strict: every parameter must be present with the right shape and a floating dtype, and the
// file must hold nothing else but options.ignoredKeys; otherwise throws one Error naming the
// file and the number of problems, the first six spelled out ("<file>: checkpoint does not
// match config.json (2 problems): missing ... [64]; ... has shape [..] but the model expects
// [..]"), before anything is copied. A NaN or infinite value throws an Error naming the file and
// the key, with the module partly loaded: discard it.
void loadParametersStrict(torch::nn::Module& module, const SafetensorsFile& file,
                          const StrictLoadOptions& options = {});

}  // namespace latentlens
