#pragma once

#include <string>

#include <c10/core/Device.h>
#include <c10/core/ScalarType.h>

namespace latentlens {

// Sets LibTorch's intra-op threads (0: $LATENTLENS_THREADS if set, else one per core). Debian's
// LibTorch otherwise runs one thread.
void configureThreads(int threads = 0);

// "auto" (CUDA when this LibTorch build has a usable GPU, else CPU), "cpu", "cuda" or "cuda:N".
c10::Device resolveDevice(const std::string& name);

// "float32" / "float64" (also "f32", "f64", "double"), "float16" ("fp16", "half") and
// "bfloat16" ("bf16").
c10::ScalarType parseDtype(const std::string& name);
std::string dtypeName(c10::ScalarType dtype);

// Throws Error unless networks can compute in `dtype` on `device`: float32 and float64
// everywhere, float16 and bfloat16 on CUDA only (LibTorch's CPU kernels for half precision are
// incomplete and slow). `what` names the model in the message.
void checkComputeDtype(c10::ScalarType dtype, c10::Device device, const std::string& what);

}  // namespace latentlens
