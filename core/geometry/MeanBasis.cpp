#include "core/geometry/MeanBasis.h"

#include <torch/torch.h>

#include "core/Error.h"
#include "core/geometry/SubspaceTools.h"

namespace latentlens {

MeanDirections meanDirections(const std::vector<PullbackBasis>& bases, int64_t k) {
    if (bases.empty()) throw Error("global directions need at least one basis");
    std::vector<torch::Tensor> rows;
    const auto shape = bases.front().v.sizes().slice(1).vec();
    for (const auto& basis : bases) {
        if (basis.v.sizes().slice(1).vec() != shape || basis.timestep != bases.front().timestep) {
            throw Error("global directions need bases of the same model and timestep");
        }
        rows.push_back(basis.v.reshape({basis.k, -1}).to(torch::kFloat64));
    }
    auto stacked = torch::cat(rows);  // (Σk × D); its Gram Vᵀ V is Σ_n V_nᵀ V_n
    if (k < 1 || k > stacked.size(0)) throw Error("k must be between 1 and the total number of directions");
    auto [U, S, Vh] = torch::linalg_svd(stacked, /*full_matrices=*/false);
    auto columns = Vh.slice(0, 0, k).t().contiguous();  // (D × k)
    fixColumnSigns(columns);
    std::vector<int64_t> vShape{k};
    vShape.insert(vShape.end(), shape.begin(), shape.end());
    MeanDirections result;
    result.v = columns.t().contiguous().reshape(vShape);
    result.weights = (S.slice(0, 0, k) * S.slice(0, 0, k)) / static_cast<double>(bases.size());
    return result;
}

}  // namespace latentlens
