#pragma once

#include <vector>

namespace latentlens {

// Pearson's correlation of two equally long series of at least two values; NaN if the lengths
// differ, a series is shorter than two, or either is constant.
double pearsonCorrelation(const std::vector<double>& a, const std::vector<double>& b);

}  // namespace latentlens
