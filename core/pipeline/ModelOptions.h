#pragma once

#include <string>

#include <c10/core/Device.h>
#include <c10/core/ScalarType.h>

namespace latentlens {

// How a pipeline's networks are loaded: weights in `dtype` on `device`, no parameter gradients.
// float32 and float64 run everywhere, float16 and bfloat16 on CUDA only (checkComputeDtype).
struct ModelOptions {
    ModelOptions() = default;
    ModelOptions(c10::ScalarType dtype_, c10::Device device_) : dtype(dtype_), device(device_) {}

    c10::ScalarType dtype = c10::kFloat;
    c10::Device device = c10::Device(c10::kCPU);
    // Attention softmax in float32 even for float64 models, exactly as diffusers computes it
    // (its upcast_softmax calls .float()). Turn off for float64 throughout.
    bool softmaxInFloat32 = true;
    // Weight files of a variant, e.g. "fp16" for *.fp16.safetensors (diffusers' variant=); ""
    // reads the plain files (or the fp16 ones where only those exist). See findComponentWeights.
    std::string variant;
};

}  // namespace latentlens
