#pragma once

#include <string>

#include <c10/core/Device.h>
#include <c10/core/ScalarType.h>
#include <c10/util/ArrayRef.h>

namespace latentlens {

// Sets LibTorch's intra-op threads (0: $LATENTLENS_THREADS if set, else one per core). Debian's
// LibTorch otherwise runs one thread.
void configureThreads(int threads = 0);

// "auto" (CUDA when this LibTorch build has a usable GPU, else CPU), "cpu", "cuda" or "cuda:N".
c10::Device resolveDevice(const std::string& name);

// "float32" / "float64" (also "f32", "f64", "double").
c10::ScalarType parseDtype(const std::string& name);
std::string dtypeName(c10::ScalarType dtype);
// "[2, 3, 32, 32]": a tensor shape for messages.
std::string shapeText(c10::IntArrayRef shape);

}  // namespace latentlens
