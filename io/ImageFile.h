#pragma once

#include <filesystem>
#include <string>

#include <torch/types.h>

namespace latentlens {

struct LoadedImage {
    torch::Tensor pixels;  // (C, H, W) float32 in [-1, 1]
    std::string note;      // what was done to fit the model (resize, crop, colour conversion); empty if nothing
};

// Reads a PNG/JPEG/BMP/... with OpenCV and fits it to a model's input: converts to `channels`
// (1: grayscale, 3: RGB; alpha dropped), resizes the shorter side to `size` (INTER_AREA when
// shrinking, INTER_CUBIC when enlarging) and center-crops to size x size. Throws latentlens::Error
// naming the file if it is missing or cannot be decoded.
LoadedImage readImage(const std::filesystem::path& path, int channels, int size);

// Converts (C, H, W) or (1, C, H, W) values in [-1, 1] (clamped) to 8-bit and writes a PNG/JPEG by
// the file extension, scaled up by `upscale` with nearest-neighbour so pixels stay sharp.
// C is 1 (grayscale) or 3 (RGB). Throws Error if the file cannot be written.
void writeImage(const std::filesystem::path& path, const torch::Tensor& image, int upscale = 1);

// A (N, C, H, W) batch laid out as a grid with `columns` columns and a 1-pixel border
// (before upscaling), written like writeImage.
void writeImageGrid(const std::filesystem::path& path, const torch::Tensor& images, int columns, int upscale = 1);

}  // namespace latentlens
