#include "core/geometry/DirectionMatch.h"

#include <torch/torch.h>

#include "core/Error.h"
#include "core/geometry/PullbackBasis.h"

namespace latentlens {
namespace {

torch::Tensor rows(const torch::Tensor& directions) {
    return directions.reshape({directions.size(0), -1}).to(torch::kCPU, torch::kFloat64);
}

// cos between every previous (rows) and current (columns) direction.
torch::Tensor cosines(const torch::Tensor& previous, const torch::Tensor& current) {
    const auto a = rows(previous);
    const auto b = rows(current);
    if (a.size(1) != b.size(1)) {
        throw Error("cannot match directions of " + std::to_string(a.size(1)) + " and " + std::to_string(b.size(1)) +
                    " dimensions");
    }
    const auto an = a / a.norm(2, 1, true).clamp_min(1e-300);
    const auto bn = b / b.norm(2, 1, true).clamp_min(1e-300);
    return an.matmul(bn.t());
}

}  // namespace

int64_t DirectionMatch::continuationOf(int64_t i) const {
    for (size_t j = 0; j < previous.size(); ++j) {
        if (previous[j] == i) return static_cast<int64_t>(j);
    }
    return -1;
}

DirectionMatch matchDirections(const torch::Tensor& previous, const torch::Tensor& current, double minimumCosine) {
    const auto signedCosines = cosines(previous, current);
    const auto similarity = signedCosines.abs();
    const int64_t p = similarity.size(0);
    const int64_t k = similarity.size(1);
    DirectionMatch match;
    match.previous.assign(static_cast<size_t>(k), -1);
    match.cosine.assign(static_cast<size_t>(k), 0.0);
    match.opposite.assign(static_cast<size_t>(k), false);
    const auto s = similarity.accessor<double, 2>();
    const auto c = signedCosines.accessor<double, 2>();
    std::vector<bool> previousTaken(static_cast<size_t>(p), false);
    for (int64_t round = 0; round < std::min(p, k); ++round) {
        double best = -1.0;
        int64_t bestI = -1;
        int64_t bestJ = -1;
        for (int64_t i = 0; i < p; ++i) {
            if (previousTaken[i]) continue;
            for (int64_t j = 0; j < k; ++j) {
                if (match.previous[j] >= 0) continue;
                if (s[i][j] > best) {
                    best = s[i][j];
                    bestI = i;
                    bestJ = j;
                }
            }
        }
        if (bestI < 0 || best < minimumCosine) break;
        previousTaken[bestI] = true;
        match.previous[bestJ] = bestI;
        match.cosine[bestJ] = best;
        match.opposite[bestJ] = c[bestI][bestJ] < 0;
    }
    return match;
}

PullbackBasis withMatchedSigns(const PullbackBasis& current, const DirectionMatch& match) {
    PullbackBasis result = current;
    std::vector<double> signs(static_cast<size_t>(current.k), 1.0);
    bool anyFlip = false;
    for (int64_t j = 0; j < current.k && j < static_cast<int64_t>(match.opposite.size()); ++j) {
        if (match.opposite[j]) {
            signs[j] = -1.0;
            anyFlip = true;
        }
    }
    if (!anyFlip) return result;
    auto sign = torch::tensor(signs, torch::kFloat64).to(current.v.device());
    auto shape = std::vector<int64_t>(static_cast<size_t>(current.v.dim()), 1);
    shape[0] = current.k;
    result.v = current.v * sign.to(current.v.scalar_type()).view(shape);
    if (current.u.defined()) result.u = current.u * sign.to(current.u.scalar_type()).view({current.k, 1});
    return result;
}

}  // namespace latentlens
