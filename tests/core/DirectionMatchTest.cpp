// Matching a recomputed basis to the previous one: a known permutation, sign flips and
// perturbation are recovered; an unrelated direction is no match; signs follow the previous basis.
#include <cmath>

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "core/Error.h"
#include "core/geometry/DirectionMatch.h"
#include "core/geometry/PullbackBasis.h"

namespace latentlens {
namespace {

// k orthonormal rows of dimension n (QR of a seeded Gaussian matrix).
torch::Tensor orthonormalRows(int64_t k, int64_t n, uint64_t seed) {
    auto generator = at::detail::createCPUGenerator(seed);
    auto gaussian = at::normal(0.0, 1.0, {n, k}, generator, torch::TensorOptions().dtype(torch::kFloat64));
    return std::get<0>(torch::linalg_qr(gaussian)).t().contiguous();
}

PullbackBasis basisOf(const torch::Tensor& v) {
    PullbackBasis basis;
    basis.k = v.size(0);
    basis.v = v.reshape({v.size(0), 1, 5, 10});
    auto generator = at::detail::createCPUGenerator(9);
    const auto map = at::normal(0.0, 1.0, {30, 50}, generator, torch::TensorOptions().dtype(torch::kFloat64));
    basis.u = v.matmul(map.t());  // any H vectors of the directions
    basis.sigma = torch::linspace(10, 1, v.size(0), torch::kFloat64);
    return basis;
}

TEST(DirectionMatch, RecoversAPermutationWithSignFlipsUnderNoise) {
    const auto previous = orthonormalRows(6, 50, 1);
    // New direction j continues previous order[j], some with the sign turned, all perturbed by
    // ~5 % and re-orthonormalised (cosines stay above 0.99; QR may turn signs too).
    const std::vector<int64_t> order{1, 0, 2, 4, 3, 5};
    const std::vector<double> sign{1, -1, 1, -1, 1, 1};
    auto current = torch::empty_like(previous);
    for (int64_t j = 0; j < 6; ++j) current[j] = sign[j] * previous[order[j]];
    current = current + 0.05 * orthonormalRows(6, 50, 2) / std::sqrt(6.0);
    current = std::get<0>(torch::linalg_qr(current.t())).t().contiguous();

    const auto match = matchDirections(basisOf(previous).v, basisOf(current).v);
    ASSERT_EQ(match.previous.size(), 6u);
    for (int64_t j = 0; j < 6; ++j) {
        EXPECT_EQ(match.previous[j], order[j]) << j;
        EXPECT_GT(match.cosine[j], 0.99) << j;
        EXPECT_LE(match.cosine[j], 1.0 + 1e-12) << j;
        EXPECT_EQ(match.continuationOf(order[j]), j);
    }

    const auto aligned = withMatchedSigns(basisOf(current), match);
    const auto a = aligned.v.reshape({6, -1});
    for (int64_t j = 0; j < 6; ++j) {
        EXPECT_GT(a[j].dot(previous[order[j]]).item<double>(), 0.99) << j;
        // v_j is ±the unaligned v_j, and u_j turned with it.
        const double turned = a[j].dot(current[j]).item<double>();
        EXPECT_NEAR(std::abs(turned), 1.0, 1e-12) << j;
        EXPECT_LE((aligned.u[j] - turned * basisOf(current).u[j]).abs().max().item<double>(), 1e-12) << j;
    }
    EXPECT_TRUE(torch::equal(aligned.sigma, basisOf(current).sigma));  // order and σ kept
}

TEST(DirectionMatch, AMatchIsOneToOneAndAnUnrelatedDirectionIsNone) {
    const auto q = orthonormalRows(5, 40, 3);
    const auto previous = q.slice(0, 0, 3);
    // Current: previous 2, then a direction orthogonal to all previous ones, then previous 0; and
    // a fourth close to both previous 0 and 1 (cos 0.707 each) after 0 is taken.
    auto current = torch::stack({previous[2], q[3], previous[0], (previous[0] + previous[1]) / std::sqrt(2.0)});
    const auto match = matchDirections(previous, current);
    EXPECT_EQ(match.previous, (std::vector<int64_t>{2, -1, 0, 1}));
    EXPECT_NEAR(match.cosine[0], 1.0, 1e-12);
    EXPECT_EQ(match.cosine[1], 0.0);
    EXPECT_NEAR(match.cosine[3], 1.0 / std::sqrt(2.0), 1e-12);
    EXPECT_EQ(match.continuationOf(1), 3);
    EXPECT_EQ(match.opposite, (std::vector<bool>{false, false, false, false}));
    // Below the minimum cosine the fourth is no match either.
    EXPECT_EQ(matchDirections(previous, current, 0.8).previous, (std::vector<int64_t>{2, -1, 0, -1}));
    // Itself: the identity.
    EXPECT_EQ(matchDirections(previous, previous).previous, (std::vector<int64_t>{0, 1, 2}));
    EXPECT_THROW(matchDirections(previous, orthonormalRows(2, 41, 4)), Error);
}

}  // namespace
}  // namespace latentlens
