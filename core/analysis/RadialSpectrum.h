#pragma once

#include <torch/types.h>

namespace latentlens {

// Frequency content of an image-shaped field f (H, W) or (C, H, W) (channels add their power),
// from its 2-D DFT F with power P(k) = |F(k)|² / (H·W) (so Σ_k P(k) = Σ f², Parseval).
// Frequencies k = (k_y, k_x) are in cycles per image (signed DFT indices) and |k| is their length.

// The radially averaged power spectrum: entry r (r = 0 .. floor(min(H, W) / 2)) is the mean of
// P(k) over the frequencies whose |k| rounds to r. The corners beyond the largest full circle are
// left out. (floor(min(H, W) / 2) + 1) float64.
torch::Tensor radialPowerSpectrum(const torch::Tensor& field);

// The power-weighted mean frequency Σ_k |k| P(k) / Σ_k P(k), over all frequencies (corners
// included), in cycles per image. A sinusoid of frequency (a, b) gives √(a² + b²). Throws Error
// for a field without power (all zeros).
double meanFrequency(const torch::Tensor& field);

}  // namespace latentlens
