#include "core/geometry/SubspaceSimilarity.h"

#include <torch/torch.h>

#include "core/Error.h"

namespace latentlens {
namespace {

torch::Tensor orthonormalRows(const torch::Tensor& rows) {
    auto flat = rows.reshape({rows.size(0), -1}).to(torch::kFloat64);
    return std::get<0>(torch::linalg_qr(flat.t(), "reduced"));  // (n × k) columns
}

}  // namespace

torch::Tensor principalCosines(const torch::Tensor& a, const torch::Tensor& b) {
    if (a.numel() / std::max<int64_t>(a.size(0), 1) != b.numel() / std::max<int64_t>(b.size(0), 1)) {
        throw Error("subspaces of different ambient dimensions cannot be compared");
    }
    auto qa = orthonormalRows(a);
    auto qb = orthonormalRows(b);
    auto cosines = torch::linalg_svdvals(qa.t().matmul(qb));
    return cosines.clamp(0.0, 1.0);
}

double grassmannDistance(const torch::Tensor& a, const torch::Tensor& b) {
    return torch::acos(principalCosines(a, b)).norm().item<double>();
}

}  // namespace latentlens
