#include "core/analysis/RadialSpectrum.h"

#include <cmath>

#include <torch/torch.h>

#include "core/Error.h"

namespace latentlens {
namespace {

struct FieldPower {
    torch::Tensor power;   // (H, W) float64, channels summed
    torch::Tensor radius;  // (H, W) float64, |k| in cycles per image
};

FieldPower fieldPower(const torch::Tensor& field) {
    if (!field.defined() || (field.dim() != 2 && field.dim() != 3) || field.numel() == 0) {
        throw Error("a power spectrum needs a non-empty field of shape (H, W) or (C, H, W)");
    }
    auto f = field.to(torch::kCPU, torch::kFloat64);
    if (f.dim() == 2) f = f.unsqueeze(0);
    const int64_t height = f.size(1), width = f.size(2);
    auto transform = torch::fft::fft2(f);
    auto power = (transform.abs().pow(2)).sum(0) / static_cast<double>(height * width);
    // Signed DFT indices: fftfreq(n) · n = 0, 1, .., -2, -1.
    auto ky = torch::fft::fftfreq(height, torch::kFloat64) * static_cast<double>(height);
    auto kx = torch::fft::fftfreq(width, torch::kFloat64) * static_cast<double>(width);
    auto radius = (ky.unsqueeze(1).pow(2) + kx.unsqueeze(0).pow(2)).sqrt();
    return {power, radius};
}

}  // namespace

torch::Tensor radialPowerSpectrum(const torch::Tensor& field) {
    auto [power, radius] = fieldPower(field);
    const int64_t bins = std::min(power.size(0), power.size(1)) / 2 + 1;
    auto bin = radius.round().to(torch::kLong).flatten();
    auto inside = bin < bins;
    auto selectedBins = bin.masked_select(inside);
    auto selectedPower = power.flatten().masked_select(inside);
    auto sums = torch::zeros({bins}, torch::kFloat64).index_add_(0, selectedBins, selectedPower);
    auto counts = torch::zeros({bins}, torch::kFloat64)
                      .index_add_(0, selectedBins, torch::ones_like(selectedPower));
    return sums / counts.clamp_min(1.0);
}

double meanFrequency(const torch::Tensor& field) {
    auto [power, radius] = fieldPower(field);
    const double total = power.sum().item<double>();
    if (!(total > 0.0) || !std::isfinite(total)) throw Error("the mean frequency of a field without power is undefined");
    return (power * radius).sum().item<double>() / total;
}

}  // namespace latentlens
