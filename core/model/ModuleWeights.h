#pragma once

#include <cstdint>
#include <string>

#include <c10/util/ArrayRef.h>
#include <torch/nn/module.h>

#include "core/model/SafetensorsFile.h"

namespace latentlens {

// "[2, 4, 16, 16]", for messages.
std::string shapeText(c10::IntArrayRef shape);

// Number of parameter elements of `module` and its children.
int64_t countParameters(const torch::nn::Module& module);

// Copies every parameter of `module` from the checkpoint, converted to the parameter's dtype and
// device (so F16/BF16/F64 files load into a float32 or float64 model). Strict: every parameter
// must be present (state-dict name = module path) with the right shape and a floating dtype, the
// file must hold nothing else, and no value may be NaN or infinite; otherwise throws one Error
// naming the file and every problem (the first six spelled out) before anything is copied. A NaN
// or infinite value throws too, with the module partly loaded: discard it.
void loadParametersStrict(torch::nn::Module& module, const SafetensorsFile& file);

}  // namespace latentlens
