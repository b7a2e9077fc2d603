#include "core/analysis/Correlation.h"

#include <cmath>

#include <torch/torch.h>

namespace latentlens {

double pearsonCorrelation(const std::vector<double>& a, const std::vector<double>& b) {
    if (a.size() != b.size() || a.size() < 2) return std::nan("");
    auto x = torch::tensor(a, torch::kFloat64), y = torch::tensor(b, torch::kFloat64);
    x = x - x.mean();
    y = y - y.mean();
    const double denominator = (x.norm() * y.norm()).item<double>();
    return denominator > 0 ? (x * y).sum().item<double>() / denominator : std::nan("");
}

}  // namespace latentlens
