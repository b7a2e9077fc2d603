#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/config/JsonConfigReader.h"

namespace latentlens {

// Keys that UNet2DModel, UNet2DConditionModel and AutoencoderKL configs share, read and checked
// the same way in each; failures name the key (JsonConfigReader::fail).

// sample_size as an integer or a square [size, size] list ("must be square" otherwise);
// `fallback` when absent. The caller checks the value.
int64_t readSquareSampleSize(const JsonConfigReader& r, int64_t fallback);

// act_fn must be one of the activations parseActivation() knows ("act_fn" is tanh; expected
// silu, swish, mish, gelu or relu).
void checkActFn(const JsonConfigReader& r, const std::string& actFn);

// norm_num_groups must be positive and divide every block_out_channels entry.
void checkNormNumGroups(const JsonConfigReader& r, int64_t normNumGroups, const std::vector<int64_t>& blockOutChannels);

}  // namespace latentlens
