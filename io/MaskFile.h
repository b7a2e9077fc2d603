#pragma once

#include <filesystem>
#include <string>

#include <torch/types.h>

namespace latentlens {

struct LoadedMask {
    torch::Tensor mask;  // (H, W) float64 in [0, 1]: 1 (white) = edit, 0 (black) = keep
    std::string note;    // what was done to fit the image (resize, colour conversion); empty if nothing
};

// Reads a mask image (PNG, JPEG, BMP, ...; gray levels are a soft mask, colour is converted to
// gray, alpha is dropped) and resizes it to height × width when it has another size (INTER_AREA
// when shrinking, linear when enlarging; the note says so). Throws Error naming the file if it is
// missing or cannot be decoded.
LoadedMask readMask(const std::filesystem::path& path, int height, int width);

// Writes a (H, W) mask with values in [0, 1] as an 8-bit gray image (by the file extension).
void writeMask(const std::filesystem::path& path, const torch::Tensor& mask);

}  // namespace latentlens
