// The analyses of issue #7 (core/analysis): each metric on synthetic inputs with known answers,
// then one small run of each analysis on the default model checking shapes, ranges and
// consistency with the building blocks it is made of.
#include <atomic>
#include <cmath>

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "core/analysis/CoarseToFine.h"
#include "core/analysis/Curvedness.h"
#include "core/analysis/PairwiseSimilarity.h"
#include "core/analysis/RadialSpectrum.h"
#include "core/analysis/SampleSimilarity.h"
#include "core/analysis/TimestepSimilarity.h"
#include "core/analysis/TimestepSweep.h"
#include "core/sampling/DdimSampler.h"
#include "support/TestSupport.h"

namespace latentlens {
namespace {

// cos(2π (a·y + b·x) / S) on an S × S grid.
torch::Tensor sinusoid(int64_t size, double a, double b) {
    auto grid = torch::arange(size, torch::kFloat64);
    auto phase = (grid.unsqueeze(1) * a + grid.unsqueeze(0) * b) * (2 * M_PI / static_cast<double>(size));
    return torch::cos(phase);
}

// span(e_1..e_k) and the subspace rotated by the angles θ_i into e_{k+1}..e_{2k}, in 4k dims.
std::pair<torch::Tensor, torch::Tensor> rotatedPair(const std::vector<double>& angles) {
    const auto k = static_cast<int64_t>(angles.size());
    auto e = torch::eye(4 * k, torch::kFloat64);
    std::vector<torch::Tensor> rotated;
    for (int64_t i = 0; i < k; ++i) rotated.push_back(std::cos(angles[i]) * e[i] + std::sin(angles[i]) * e[k + i]);
    return {e.slice(0, 0, k), torch::stack(rotated)};
}

TEST(AnalysisSimilarity, IdenticalSubspacesAreSimilarityOneDistanceZero) {
    auto a = torch::randn({5, 64}, torch::TensorOptions().dtype(torch::kFloat64));
    // The same span from other, non-orthonormal rows.
    auto mixed = torch::randn({5, 5}, torch::kFloat64).matmul(a);
    EXPECT_NEAR(meanSquaredCosine(a, mixed), 1.0, 1e-12);
    auto pair = pairwiseSimilarity({a, mixed});
    EXPECT_NEAR(pair.distance[0][1].item<double>(), 0.0, 1e-6);  // acos near 1 loses half the digits
    EXPECT_NEAR(pair.similarity[1][0].item<double>(), 1.0, 1e-12);
}

TEST(AnalysisSimilarity, OrthogonalSubspacesAreSimilarityZeroDistanceHalfPiRootK) {
    auto e = torch::eye(12, torch::kFloat64);
    const int64_t k = 4;
    auto pair = pairwiseSimilarity({e.slice(0, 0, k), e.slice(0, k, 2 * k)});
    EXPECT_NEAR(pair.similarity[0][1].item<double>(), 0.0, 1e-12);
    EXPECT_NEAR(pair.distance[0][1].item<double>(), M_PI / 2 * std::sqrt(static_cast<double>(k)), 1e-12);
}

TEST(AnalysisSimilarity, RotatedSubspaceHasTheKnownAngles) {
    const std::vector<double> angles{0.1, 0.4, 0.9, 1.3};
    auto [a, b] = rotatedPair(angles);
    double cos2 = 0.0, theta2 = 0.0;
    for (double angle : angles) {
        cos2 += std::cos(angle) * std::cos(angle) / angles.size();
        theta2 += angle * angle;
    }
    // Image-shaped rows (k, 1, 4, 4) are flattened the same way.
    auto pair = pairwiseSimilarity({a.reshape({4, 1, 4, 4}), b.reshape({4, 1, 4, 4}), a});
    EXPECT_NEAR(pair.similarity[0][1].item<double>(), cos2, 1e-12);
    EXPECT_NEAR(pair.distance[0][1].item<double>(), std::sqrt(theta2), 1e-12);
    EXPECT_NEAR(pair.similarity[1][2].item<double>(), cos2, 1e-12);
    EXPECT_NEAR(pair.similarity[0][2].item<double>(), 1.0, 1e-12);
    EXPECT_TRUE(torch::equal(pair.similarity, pair.similarity.t()));
    EXPECT_TRUE(torch::all(pair.similarity.diagonal() == 1).item<bool>());
    // Mean over the 3 pairs: (cos2 + 1 + cos2) / 3.
    EXPECT_NEAR(meanAboveDiagonal(pair.similarity), (2 * cos2 + 1) / 3, 1e-12);
    EXPECT_THROW(meanAboveDiagonal(torch::ones({1, 1})), Error);
}

TEST(AnalysisSpectrum, PureSinusoidFallsInItsFrequencyBin) {
    for (auto [a, b, bin] : std::vector<std::tuple<double, double, int64_t>>{{0, 3, 3}, {2, 0, 2}, {3, 4, 5}, {0, 8, 8}}) {
        auto field = sinusoid(16, a, b);
        auto spectrum = radialPowerSpectrum(field);
        ASSERT_EQ(spectrum.size(0), 9);
        EXPECT_EQ(spectrum.argmax().item<int64_t>(), bin) << a << "," << b;
        // All the power is in that bin; other bins are zero to rounding.
        EXPECT_LT((spectrum.sum() - spectrum[bin]).item<double>(), 1e-20 * spectrum[bin].item<double>() + 1e-24);
        EXPECT_NEAR(meanFrequency(field), std::hypot(a, b), 1e-12) << a << "," << b;
    }
    // cos(2π·3x/16) carries 16·16/2 = 128 of energy in 2 of the 8 frequencies of radius ≈ 3
    // (the bin's mean power is 128 / count).
    auto spectrum = radialPowerSpectrum(sinusoid(16, 0, 3));
    const double power = spectrum[3].item<double>();
    int64_t count = 0;
    for (int ky = -8; ky < 8; ++ky) {
        for (int kx = -8; kx < 8; ++kx) count += std::lround(std::hypot(ky, kx)) == 3;
    }
    EXPECT_NEAR(power * count, 128.0, 1e-9);
}

TEST(AnalysisSpectrum, ChannelsAddAndBadFieldsAreErrors) {
    auto field = torch::stack({sinusoid(8, 0, 1), sinusoid(8, 0, 3)});  // (2, 8, 8)
    EXPECT_NEAR(meanFrequency(field), 2.0, 1e-12);  // equal power at 1 and 3
    EXPECT_NEAR(meanFrequency(torch::ones({8, 8})), 0.0, 1e-12);
    EXPECT_THROW(meanFrequency(torch::zeros({8, 8})), Error);
    EXPECT_THROW(radialPowerSpectrum(torch::zeros({8})), Error);
}

PullbackBasis syntheticBasis(int64_t timestep, const std::vector<torch::Tensor>& rows) {
    PullbackBasis basis;
    basis.timestep = timestep;
    basis.k = static_cast<int64_t>(rows.size());
    auto v = torch::stack(rows).reshape({basis.k, -1});
    v = v / v.norm(2, 1, true);
    basis.v = v.reshape({basis.k, 1, 16, 16});
    basis.u = v.slice(1, 0, 32).clone();
    basis.sigma = torch::arange(basis.k, 0, -1, torch::kFloat64);
    return basis;
}

TEST(AnalysisCoarseToFine, MeanFrequencyOfSinusoidBasesPerTimestep) {
    // Early: frequencies 1 and 2; late: 5 and 7.
    std::vector<PullbackBasis> bases{syntheticBasis(900, {sinusoid(16, 0, 1), sinusoid(16, 2, 0)}),
                                     syntheticBasis(100, {sinusoid(16, 3, 4), sinusoid(16, 7, 0)})};
    auto result = coarseToFine(bases);
    EXPECT_EQ(result.timesteps, (std::vector<int64_t>{900, 100}));
    ASSERT_EQ(result.spectra.sizes(), (c10::IntArrayRef{2, 2, 9}));
    ASSERT_EQ(result.meanFrequency.sizes(), (c10::IntArrayRef{2, 2}));
    EXPECT_NEAR(result.averageFrequency[0].item<double>(), 1.5, 1e-12);
    EXPECT_NEAR(result.averageFrequency[1].item<double>(), 6.0, 1e-12);
    EXPECT_EQ(result.spectra[1][0].argmax().item<int64_t>(), 5);
    EXPECT_EQ(result.firstDirection.sizes(), (c10::IntArrayRef{2, 1, 16, 16}));
    bases.push_back(syntheticBasis(50, {sinusoid(16, 0, 1)}));
    EXPECT_THROW(coarseToFine(bases), Error);
}

TEST(AnalysisTimestepSimilarity, KnownRotationBetweenTimesteps) {
    auto e = torch::eye(256, torch::kFloat64);
    const double theta = 0.5;
    auto first = syntheticBasis(800, {e[0].reshape({16, 16}), e[1].reshape({16, 16})});
    auto second = syntheticBasis(400, {e[0].reshape({16, 16}),
                                       (std::cos(theta) * e[1] + std::sin(theta) * e[2]).reshape({16, 16})});
    auto result = timestepSimilarity({first, second, first});
    ASSERT_EQ(result.xSimilarity.sizes(), (c10::IntArrayRef{3, 3}));
    EXPECT_NEAR(result.xSimilarity[0][1].item<double>(), (1 + std::cos(theta) * std::cos(theta)) / 2, 1e-12);
    EXPECT_NEAR(result.xDistance[0][1].item<double>(), theta, 1e-12);
    EXPECT_NEAR(result.xDistance[0][2].item<double>(), 0.0, 1e-6);
    // u = the first 32 entries of v here: the same rotation.
    EXPECT_NEAR(result.hDistance[1][0].item<double>(), theta, 1e-12);
}

TEST(AnalysisSampleSimilarity, PerTimestepMatricesAndMeans) {
    auto e = torch::eye(256, torch::kFloat64);
    auto span01 = syntheticBasis(700, {e[0].reshape({16, 16}), e[1].reshape({16, 16})});
    auto span23 = syntheticBasis(700, {e[2].reshape({16, 16}), e[3].reshape({16, 16})});
    SweepBases sweep;
    sweep.timesteps = {700, 300};
    sweep.seeds = {4, 5, 6};
    sweep.bases = {{span01, span01, span01}, {span01, span23, span01}};
    auto result = sampleSimilarity(sweep);
    ASSERT_EQ(result.xSimilarity.sizes(), (c10::IntArrayRef{2, 3, 3}));
    EXPECT_NEAR(result.meanXSimilarity[0].item<double>(), 1.0, 1e-12);
    EXPECT_NEAR(result.meanXSimilarity[1].item<double>(), 1.0 / 3, 1e-12);  // pairs: 0, 1, 0
    EXPECT_NEAR(result.meanXDistance[1].item<double>(), 2.0 / 3 * M_PI / 2 * std::sqrt(2.0), 1e-12);
    EXPECT_EQ(result.k, 2);
    EXPECT_EQ(result.xDim, 256);
    EXPECT_EQ(result.hDim, 32);
    sweep.seeds = {4};
    EXPECT_THROW(sampleSimilarity(sweep), Error);
}

TEST(AnalysisCurvedness, StraightLineInAFlatSpaceHasNoCurvedness) {
    // h = A x: the Jacobian is A everywhere, so every point has the same top-3 tangent space (the
    // top right singular vectors of A, found here through autograd at each point).
    torch::manual_seed(3);
    auto A = torch::randn({10, 20}, torch::kFloat64);
    auto tangentSpace = [&](const torch::Tensor& x, const Progress&) {
        auto input = x.detach().clone().requires_grad_(true);
        auto output = A.matmul(input);
        std::vector<torch::Tensor> rows;
        for (int64_t i = 0; i < output.size(0); ++i) {
            rows.push_back(torch::autograd::grad({output[i]}, {input}, {}, /*retain_graph=*/true)[0]);
        }
        auto jacobian = torch::stack(rows);
        auto vh = std::get<2>(torch::linalg_svd(jacobian, false));
        return vh.slice(0, 0, 3);
    };
    auto path = measureCurvedness(torch::randn({20}, torch::kFloat64), torch::randn({20}, torch::kFloat64), 6,
                                  tangentSpace);
    EXPECT_EQ(path.stepDistance.size(0), 6);
    EXPECT_NEAR(path.turning, 0.0, 1e-6);
    EXPECT_NEAR(path.curvedness, 0.0, 1e-6);
    EXPECT_NEAR(path.chord, 0.0, 1e-6);
}

TEST(AnalysisCurvedness, TangentLineTurningAtAKnownRate) {
    // In R³, the tangent line at x is span(cos(a·x_0) e_1 + sin(a·x_0) e_2): it turns a radians per
    // unit moved along e_0. From x_0 = 0 to 2 it turns 2a = 2.4 rad in all; the end lines are
    // π − 2.4 apart (a line's angle lives in [0, π/2]).
    const double a = 1.2;
    auto tangentSpace = [&](const torch::Tensor& x, const Progress&) {
        const double angle = a * x[0].item<double>();
        return torch::tensor({0.0, std::cos(angle), std::sin(angle)}, torch::kFloat64).unsqueeze(0);
    };
    auto path = measureCurvedness(torch::zeros({3}, torch::kFloat64), torch::tensor({2.0, 0.0, 0.0}, torch::kFloat64),
                                  8, tangentSpace);
    EXPECT_NEAR(path.euclideanLength, 2.0, 1e-12);
    EXPECT_NEAR(path.turning, 2 * a, 1e-9);
    EXPECT_NEAR(path.curvedness, a, 1e-9);
    EXPECT_NEAR(path.chord, M_PI - 2 * a, 1e-9);
    EXPECT_NEAR(path.stepDistance.max().item<double>(), 2 * a / 8, 1e-9);
    EXPECT_THROW(measureCurvedness(torch::zeros({3}), torch::zeros({3}), 4, tangentSpace), Error);
    EXPECT_THROW(measureCurvedness(torch::zeros({3}), torch::ones({3}), 0, tangentSpace), Error);
}

TEST(AnalysisSweep, DefaultTimestepsAreTenFromNinetyToTenPercent) {
    auto model = DiffusionPipeline::load(test::defaultModelDir());
    SweepOptions options;
    EXPECT_EQ(options.resolveTimesteps(*model),
              (std::vector<int64_t>{900, 811, 722, 633, 544, 456, 367, 278, 189, 100}));
    options.timesteps = {100, 500, 500, 300};
    EXPECT_EQ(options.resolveTimesteps(*model), (std::vector<int64_t>{500, 300, 100}));
    options.timesteps = {1000};
    EXPECT_THROW(options.resolveTimesteps(*model), Error);
    options.timesteps = {};
    options.count = 0;
    EXPECT_THROW(options.resolveTimesteps(*model), Error);
}

// One small sweep on the default model (2 seeds, 2 timesteps, k = 3): the analyses' shapes and
// ranges, the trajectory against a direct DDIM descent, and the bases against direct solves.
TEST(AnalysisSweep, SmallRunOnTheDefaultModel) {
    auto model = DiffusionPipeline::load(test::defaultModelDir());
    SweepOptions options;
    options.timesteps = {700, 300};
    options.basis.k = 3;
    options.steps = 10;
    double lastFraction = 0.0;
    Progress progress;
    progress.callback = [&](double fraction, const std::string&) {
        EXPECT_GE(fraction, lastFraction - 1e-12);
        EXPECT_LE(fraction, 1.0 + 1e-12);
        lastFraction = fraction;
    };
    auto sweep = computeSweepBases(*model, {0, 1}, options, progress);
    EXPECT_NEAR(lastFraction, 1.0, 1e-9);
    ASSERT_EQ(sweep.bases.size(), 2u);
    ASSERT_EQ(sweep.bases[0].size(), 2u);

    // Every x_t is the direct descent to t, whatever other timesteps the sweep holds (the 10-step
    // grid is 900, 800, ..., 0: 850 and 650 are off it, 700 and 300 on it).
    DdimSampler sampler(*model, 10);
    auto x700 = sampler.descend(sampler.noise(1, 1), sampler.startTimestep(), 700).result;
    EXPECT_LT(test::maxRelativeError(sweep.bases[0][1].xt.reshape({1, 1, 32, 32}), x700), 1e-6);
    const std::vector<int64_t> mixed{850, 700, 650, 300};
    auto swept = trajectoryLatents(*model, {0, 1}, mixed, 10);
    ASSERT_EQ(swept.sizes(), (c10::IntArrayRef{4, 2, 1, 32, 32}));
    for (size_t i = 0; i < mixed.size(); ++i) {
        auto direct = sampler.descend(sampler.noise(0, 1), sampler.startTimestep(), mixed[i]).result;
        EXPECT_LT(test::maxRelativeError(swept[static_cast<int64_t>(i)][0].unsqueeze(0), direct), 1e-6) << mixed[i];
    }
    // The sweep descends both seeds in one float32 batch: x_t agrees to rounding, the basis to
    // 6.4e-7 (measured).
    auto direct = basisAt(*model, x700, 700, options.basis);
    EXPECT_LT(test::maxRelativeError(sweep.bases[0][1].v, direct.v), 1e-5);

    auto spectrum = coarseToFine(sweep.sampleBases(0));
    EXPECT_EQ(spectrum.spectra.sizes(), (c10::IntArrayRef{2, 3, 17}));
    EXPECT_TRUE(torch::all(spectrum.meanFrequency > 0).item<bool>());
    EXPECT_TRUE(torch::all(spectrum.meanFrequency < 16 * std::sqrt(2.0)).item<bool>());

    auto samples = sampleSimilarity(sweep);
    EXPECT_EQ(samples.xSimilarity.sizes(), (c10::IntArrayRef{2, 2, 2}));
    EXPECT_EQ(samples.hDim, 64 * 8 * 8);
    for (const auto& matrix : {samples.xSimilarity, samples.hSimilarity}) {
        EXPECT_TRUE(torch::all(matrix >= 0).item<bool>());
        EXPECT_TRUE(torch::all(matrix <= 1 + 1e-12).item<bool>());
    }
    EXPECT_TRUE(torch::all(samples.xDistance <= M_PI / 2 * std::sqrt(3.0) + 1e-12).item<bool>());

    auto timesteps = timestepSimilarity(sweep.sampleBases(1));
    EXPECT_EQ(timesteps.hDistance.sizes(), (c10::IntArrayRef{2, 2}));
    EXPECT_NEAR(timesteps.xSimilarity[0][0].item<double>(), 1.0, 1e-12);
}

TEST(AnalysisSweep, CurvednessOnTheDefaultModelAndCancel) {
    auto model = DiffusionPipeline::load(test::defaultModelDir());
    SweepOptions options;
    options.timesteps = {500};
    options.basis.k = 3;
    options.steps = 10;
    auto result = curvednessOverTimesteps(*model, 0, 1, 2, options);
    ASSERT_EQ(result.paths.size(), 1u);
    const auto& path = result.paths[0];
    EXPECT_EQ(path.stepDistance.size(0), 2);
    EXPECT_GE(path.turning, path.chord - 1e-9);  // the triangle inequality on the Grassmannian
    EXPECT_LE(path.stepDistance.max().item<double>(), M_PI / 2 * std::sqrt(3.0) + 1e-12);
    EXPECT_GT(path.euclideanLength, 1.0);
    EXPECT_NEAR(result.curvedness[0].item<double>(), path.turning / path.euclideanLength, 1e-12);
    EXPECT_THROW(curvednessOverTimesteps(*model, 3, 3, 2, options), Error);

    std::atomic<bool> cancel{true};
    Progress cancelled;
    cancelled.cancelFlag = &cancel;
    EXPECT_THROW(computeSweepBases(*model, {0, 1}, options, cancelled), Cancelled);
}

}  // namespace
}  // namespace latentlens
