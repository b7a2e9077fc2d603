#pragma once

#include <filesystem>

#include <torch/types.h>

namespace latentlens {

// NumPy .npy files (format versions 1.0, 2.0 and 3.0 on read; 1.0 on write, 2.0 if the header
// needs it). Read: little-endian float32, float64, int64, int32, uint8, bool; C or Fortran
// order; any rank. Every header field and the byte count are validated; a bad file throws
// latentlens::Error naming the file and what is wrong. Write: float32, float64, int64, int32,
// uint8, bool tensors (moved to CPU, made contiguous), C order.
torch::Tensor readNpy(const std::filesystem::path& path);
void writeNpy(const std::filesystem::path& path, const torch::Tensor& tensor);

}  // namespace latentlens
