#include "core/analysis/PairwiseSimilarity.h"

#include <torch/torch.h>

#include "core/Error.h"
#include "core/geometry/SubspaceSimilarity.h"

namespace latentlens {

double meanSquaredCosine(const torch::Tensor& a, const torch::Tensor& b) {
    return principalCosines(a, b).pow(2).mean().item<double>();
}

PairwiseSimilarity pairwiseSimilarity(const std::vector<torch::Tensor>& subspaces) {
    const auto n = static_cast<int64_t>(subspaces.size());
    if (n == 0) throw Error("pairwise similarity needs at least one subspace");
    PairwiseSimilarity result{torch::ones({n, n}, torch::kFloat64), torch::zeros({n, n}, torch::kFloat64)};
    auto similarity = result.similarity.accessor<double, 2>();
    auto distance = result.distance.accessor<double, 2>();
    for (int64_t i = 0; i < n; ++i) {
        for (int64_t j = i + 1; j < n; ++j) {
            auto cosines = principalCosines(subspaces[i], subspaces[j]);
            similarity[i][j] = similarity[j][i] = cosines.pow(2).mean().item<double>();
            distance[i][j] = distance[j][i] = torch::acos(cosines).norm().item<double>();
        }
    }
    return result;
}

double meanAboveDiagonal(const torch::Tensor& matrix) {
    if (matrix.dim() != 2 || matrix.size(0) != matrix.size(1) || matrix.size(0) < 2) {
        throw Error("the mean over pairs needs a square matrix of at least 2 × 2");
    }
    auto mask = torch::ones({matrix.size(0), matrix.size(1)}, torch::kBool).triu(1);
    return matrix.to(torch::kFloat64).masked_select(mask).mean().item<double>();
}

}  // namespace latentlens
