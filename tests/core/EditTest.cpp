// Edits on the default model: linear traversal, x-space guidance, preview, parallel transport and
// global directions, against their definitions.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "core/Error.h"
#include "core/edit/DirectionEdit.h"
#include "core/edit/EditPreview.h"
#include "core/edit/GuidanceEdit.h"
#include "core/edit/ParallelTransport.h"
#include "core/geometry/BasisSolver.h"
#include "core/geometry/FeatureJacobian.h"
#include "core/geometry/MeanBasis.h"
#include "core/geometry/SubspaceSimilarity.h"
#include "core/pipeline/DiffusionPipeline.h"
#include "core/model/SafetensorsFile.h"
#include "core/sampling/DdimSampler.h"
#include "support/TestSupport.h"

namespace latentlens {
namespace {

class DefaultModelEdit : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        model = DiffusionPipeline::load(test::defaultModelDir());
        DdimSampler sampler(*model, 20);
        xt = sampler.descend(sampler.noise(0, 1), sampler.startTimestep(), 600).result;
        FeatureJacobian jacobian(*model, xt, 600);
        BasisOptions options;
        options.k = 4;
        basis = std::make_unique<PullbackBasis>(solvePullbackBasis(jacobian, options));
    }
    static void TearDownTestSuite() {
        basis.reset();
        model.reset();
    }
    static std::shared_ptr<DiffusionPipeline> model;
    static torch::Tensor xt;
    static std::unique_ptr<PullbackBasis> basis;
};
std::shared_ptr<DiffusionPipeline> DefaultModelEdit::model;
torch::Tensor DefaultModelEdit::xt;
std::unique_ptr<PullbackBasis> DefaultModelEdit::basis;

TEST_F(DefaultModelEdit, ZeroStrengthReproducesTheUneditedSampleBitForBit) {
    auto edited = shiftAlongDirections(xt, *basis, {0, 2}, {0.0, 0.0});
    EXPECT_TRUE(torch::equal(edited, xt));
    DdimSampler sampler(*model, 20);
    auto direct = sampler.sample(sampler.noise(0, 1)).result;
    auto viaEdit = sampler.denoise(edited, 600).result;
    EXPECT_TRUE(torch::equal(direct, viaEdit));
}

TEST_F(DefaultModelEdit, ShiftIsTheWeightedSumOfDirections) {
    auto edited = shiftAlongDirections(xt, *basis, {0, 3}, {1.5, -2.0});
    const double unit = editUnit(xt);
    auto expected = (1.5 * basis->v[0] - 2.0 * basis->v[3]) * unit;
    EXPECT_LE(test::relativeError(edited - xt, expected.unsqueeze(0)), 1e-6);
    EXPECT_NEAR(unit, xt.norm().item<double>() / 20, 1e-6);
}

TEST_F(DefaultModelEdit, BadArgumentsAreClearErrors) {
    EXPECT_THROW(shiftAlongDirections(xt, *basis, {4}, {1.0}), Error);       // index ≥ k
    EXPECT_THROW(shiftAlongDirections(xt, *basis, {0, 1}, {1.0}), Error);    // one α short
    EXPECT_THROW(checkBasisFits(*basis, *model, 500), Error);                // another t
    auto other = DiffusionPipeline::load(test::fixtureDir("ddpm-rgb16"));
    EXPECT_THROW(checkBasisFits(*basis, *other, 600), Error);                // another model/resolution
    EXPECT_NO_THROW(checkBasisFits(*basis, *model, 600));
}

TEST_F(DefaultModelEdit, PreviewIsTheSchedulersCleanImageEstimate) {
    auto shifted = shiftAlongDirections(xt, *basis, {1}, {2.0});
    auto preview = predictCleanImage(*model, shifted, 600);
    torch::NoGradGuard noGrad;
    auto eps = model->denoiser().predict(shifted, 600);
    auto alpha = model->scheduler().alphasCumprod()[600];
    auto expected = ((shifted - (1 - alpha).sqrt() * eps) / alpha.sqrt()).clamp(-1, 1);
    EXPECT_LE((preview - expected).abs().max().item<float>(), 1e-6);
}

// On the fixtures, against diffusers' own ε: x̂0 = clip((x − √(1−ᾱ_t) ε) / √ᾱ_t) at t = 500.
TEST(EditPreviewFixtures, PreviewIsTheCleanImageFormulaWithDiffusersEpsilon) {
    for (const auto& name : test::unetFixtureNames()) {
        auto model = DiffusionPipeline::load(test::fixtureDir(name), ModelOptions{torch::kFloat64, c10::Device(c10::kCPU)});
        SafetensorsFile reference(test::fixtureDir(name) / "reference.safetensors");
        auto x = reference.tensor("x").clone();
        auto eps = reference.tensor("eps_t500");
        auto alpha = model->scheduler().alphasCumprod()[500].to(torch::kFloat64);
        auto expected = ((x - (1 - alpha).sqrt() * eps) / alpha.sqrt()).clamp(-1, 1);
        EXPECT_LE(test::relativeError(predictCleanImage(*model, x, 500), expected), 1e-6) << name;
    }
}

TEST_F(DefaultModelEdit, QuickPreviewIsACoarseDdimRun) {
    auto shifted = shiftAlongDirections(xt, *basis, {0}, {1.0});
    DdimSampler coarse(*model, 10);
    EXPECT_TRUE(torch::equal(quickDenoise(*model, shifted, 600), coarse.denoise(shifted, 600).result));
    EXPECT_EQ(coarse.denoisePlan(600).size(), 7u);  // 600, 500, ..., 0: seven U-Net calls
}

TEST_F(DefaultModelEdit, GuidanceWithAZeroDirectionIsANoOp) {
    auto zero = torch::zeros({1, 32, 32});
    auto out = guidanceEdit(*model, xt, 600, zero);
    EXPECT_TRUE(torch::equal(out, xt));
    // A real direction moves x_t, and more with more iterations.
    GuidanceOptions options;
    options.iterations = 4;
    auto four = guidanceEdit(*model, xt, 600, basis->v[0].to(torch::kFloat32), options);
    options.iterations = 8;
    auto eight = guidanceEdit(*model, xt, 600, basis->v[0].to(torch::kFloat32), options);
    EXPECT_GT((four - xt).norm().item<double>(), 0);
    EXPECT_GT((eight - xt).norm().item<double>(), (four - xt).norm().item<double>());
}

TEST(GuidanceSchedule, FollowsThePaperAnchors) {
    EXPECT_NEAR(defaultGuidanceGamma(1000, 1000), 0.5, 1e-12);
    EXPECT_NEAR(defaultGuidanceGamma(800, 1000), 1.0, 1e-12);
    EXPECT_NEAR(defaultGuidanceGamma(600, 1000), 4.0, 1e-12);
    EXPECT_NEAR(defaultGuidanceGamma(400, 1000), 16.0, 1e-12);
    EXPECT_NEAR(defaultGuidanceGamma(100, 1000), 16.0, 1e-12);
    EXPECT_NEAR(defaultGuidanceGamma(700, 1000), 2.0, 1e-12);  // log-linear midpoint of 1 and 4
}

TEST_F(DefaultModelEdit, TransportOntoTheSameSampleReturnsTheDirection) {
    FeatureJacobian same(*model, xt, 600);
    for (int64_t i = 0; i < basis->k; ++i) {
        auto moved = transportDirection(*basis, i, same, basis.get());
        const double cosine = (moved.v.reshape({-1}) * basis->v[i].reshape({-1})).sum().item<double>();
        EXPECT_GE(cosine, 0.999) << "direction " << i;
        EXPECT_EQ(moved.nearestIndex, i);
        EXPECT_GE(moved.nearestCosine, 0.999);
    }
    FeatureJacobian otherT(*model, xt, 500);
    EXPECT_THROW(transportDirection(*basis, 0, otherT), Error);
    EXPECT_THROW(transportDirection(*basis, 9, same), Error);
}

TEST_F(DefaultModelEdit, MeanBasisOfCopiesIsThatBasis) {
    auto mean = meanDirections({*basis, *basis, *basis}, basis->k);
    // Every direction of the copies has weight 1, so any orthonormal basis of the same subspace
    // is the answer: compare subspaces.
    EXPECT_GE(principalCosines(mean.v, basis->v).min().item<double>(), 1 - 1e-9);
    EXPECT_LE((mean.weights - 1).abs().max().item<double>(), 1e-9);
}

}  // namespace
}  // namespace latentlens
