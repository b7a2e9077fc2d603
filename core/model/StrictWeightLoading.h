#pragma once

#include <set>
#include <string>

#include <c10/util/ArrayRef.h>
#include <torch/nn/module.h>

#include "core/model/SafetensorsFile.h"

namespace latentlens {

// "[37, 32]", for messages about tensor shapes.
std::string shapeText(c10::IntArrayRef shape);

// Copies every parameter of `module` from the checkpoint whose key equals the parameter's name,
// converted to the parameter's dtype and device (F16/BF16/F32/F64 files all load). Strict: every
// parameter must be present with the right shape and a floating dtype, and the file must hold
// nothing else except the `ignoredKeys`; otherwise nothing is copied and one Error names the file
// and lists the problems ("<file>: <subject> does not match config.json (2 problems): missing ...;
// ... has shape [..] but the model expects [..]"). Non-finite values are an Error too.
void loadParametersStrictly(torch::nn::Module& module, const SafetensorsFile& file, const std::string& subject,
                            const std::set<std::string>& ignoredKeys = {});

}  // namespace latentlens
