#include "core/geometry/SubspaceTools.h"

#include <torch/torch.h>

namespace latentlens {
namespace {

torch::Tensor project(const torch::Tensor& W, const torch::Tensor& basis) {
    if (!basis.defined() || basis.size(1) == 0) return W;
    auto out = W - basis.matmul(basis.t().matmul(W));
    return out - basis.matmul(basis.t().matmul(out));
}

}  // namespace

torch::Tensor randomOrthonormal(int64_t n, int64_t k, at::Generator& generator) {
    auto draw = at::randn({n, k}, generator, torch::kFloat64);
    return std::get<0>(torch::linalg_qr(draw, "reduced"));
}

torch::Tensor orthonormalizeAgainst(const torch::Tensor& W, const torch::Tensor& basis, at::Generator& generator) {
    const int64_t n = W.size(0);
    const double scale = std::max(W.abs().max().item<double>(), 1e-300);
    auto projected = project(W, basis);
    auto [q, r] = torch::linalg_qr(projected, "reduced");
    auto diagonal = r.diagonal().abs();
    const double threshold = 1e-10 * scale;
    if ((diagonal > threshold).all().item<bool>()) return q;
    // Rank deficient: keep the well-defined columns, fill the rest with random directions.
    std::vector<torch::Tensor> kept;
    for (int64_t i = 0; i < q.size(1); ++i) {
        if (diagonal[i].item<double>() > threshold) kept.push_back(q.select(1, i).unsqueeze(1));
    }
    auto good = kept.empty() ? torch::zeros({n, 0}, torch::kFloat64) : torch::cat(kept, 1);
    auto combined = basis.defined() && basis.size(1) > 0 ? torch::cat({basis, good}, 1) : good;
    const int64_t missing = W.size(1) - good.size(1);
    auto filler = project(at::randn({n, missing}, generator, torch::kFloat64), combined);
    auto fillerQ = std::get<0>(torch::linalg_qr(filler, "reduced"));
    return torch::cat({good, fillerQ}, 1);
}

torch::Tensor fixColumnSigns(torch::Tensor& columns) {
    auto index = columns.abs().argmax(0);  // (k)
    auto signs = columns.gather(0, index.unsqueeze(0)).squeeze(0).sign();
    signs = torch::where(signs == 0, torch::ones_like(signs), signs);
    columns = columns * signs.unsqueeze(0);
    return signs;
}

}  // namespace latentlens
