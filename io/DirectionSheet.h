#pragma once

#include <filesystem>

#include <torch/types.h>

namespace latentlens {

// Colours for a signed field (H, W): each value divided by the field's own max |value|, then a
// diverging map (blue −1, white 0, red +1). Returns (3, H, W) float32 in [−1, 1] (image range).
torch::Tensor divergingColors(const torch::Tensor& field);

// A direction v (C, H, W) as a picture: (3, H, W) float32 in [−1, 1]. One channel in the diverging
// map on its own scale; otherwise v / max|v|, its first three channels (fewer: their mean as gray).
// The one rendering of a direction, used by the sheet, the CLI's analyses and the GUI.
torch::Tensor directionPicture(const torch::Tensor& v);

// A PNG sheet of k directions v (k, C, S, S): one tile each, enlarged with nearest-neighbour,
// each tile a directionPicture, and "v_i  σ=…" written under each tile. `sigma` (k) may be undefined.
void writeDirectionSheet(const std::filesystem::path& path, const torch::Tensor& directions, const torch::Tensor& sigma,
                         int columns = 5);

}  // namespace latentlens
