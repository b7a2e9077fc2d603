// UNet2DModel against diffusers' own float64 outputs (../shared/fixtures/*/reference.safetensors and
// intermediates.safetensors). Tolerances (issue 3): relative error ≤ 1e-6 in float64, ≤ 1e-4 in float32.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "core/geometry/ForwardAdLevel.h"
#include "core/pipeline/DiffusionPipeline.h"
#include "core/model/SafetensorsFile.h"
#include "support/TestSupport.h"

namespace latentlens {
namespace {

using test::fixtureDir;
using test::relativeError;

constexpr double kFloat64Tolerance = 1e-6;
constexpr double kFloat32Tolerance = 1e-4;
const int64_t kTimesteps[] = {0, 10, 500, 999};

class FixtureModel : public ::testing::TestWithParam<std::string> {
protected:
    std::shared_ptr<DiffusionPipeline> load(c10::ScalarType dtype) {
        return DiffusionPipeline::load(fixtureDir(GetParam()), ModelOptions{dtype, c10::Device(c10::kCPU)});
    }
    torch::Tensor reference(const std::string& key) {
        SafetensorsFile file(fixtureDir(GetParam()) / "reference.safetensors");
        return file.tensor(key).clone();
    }
};

TEST_P(FixtureModel, EpsilonAndMidFeaturesMatchDiffusersInFloat64) {
    auto model = load(torch::kFloat64);
    auto x = reference("x");
    torch::NoGradGuard noGrad;
    for (int64_t t : kTimesteps) {
        auto out = model->denoiser().predictWithFeatures(x, torch::tensor(t), BlockId::mid());
        const auto suffix = "_t" + std::to_string(t);
        EXPECT_LE(relativeError(out.prediction, reference("eps" + suffix)), kFloat64Tolerance) << "eps at t=" << t;
        EXPECT_LE(relativeError(out.features, reference("h" + suffix)), kFloat64Tolerance) << "h at t=" << t;
        // features() stops after the mid block and must give the same h.
        EXPECT_TRUE(torch::equal(model->denoiser().features(x, t, BlockId::mid()), out.features));
    }
}

TEST_P(FixtureModel, EpsilonAndMidFeaturesMatchDiffusersInFloat32) {
    auto model = load(torch::kFloat32);
    auto x = reference("x").to(torch::kFloat32);
    torch::NoGradGuard noGrad;
    for (int64_t t : kTimesteps) {
        auto out = model->denoiser().predictWithFeatures(x, torch::tensor(t), BlockId::mid());
        const auto suffix = "_t" + std::to_string(t);
        EXPECT_EQ(out.prediction.scalar_type(), torch::kFloat32);
        EXPECT_LE(relativeError(out.prediction, reference("eps" + suffix)), kFloat32Tolerance) << "eps at t=" << t;
        EXPECT_LE(relativeError(out.features, reference("h" + suffix)), kFloat32Tolerance) << "h at t=" << t;
    }
}

TEST_P(FixtureModel, EveryBlockOutputMatchesDiffusersIntermediates) {
    auto model = load(torch::kFloat64);
    auto x = reference("x");
    SafetensorsFile intermediates(fixtureDir(GetParam()) / "intermediates.safetensors");
    torch::NoGradGuard noGrad;
    const auto t = torch::tensor(int64_t(500));
    const int blocks = static_cast<int>(model->denoiser().levelCount());
    for (int i = 0; i < blocks; ++i) {
        const BlockId down{BlockId::Kind::Down, i};
        const BlockId up{BlockId::Kind::Up, i};
        auto downOut = model->denoiser().features(x, t, down);
        EXPECT_LE(relativeError(downOut, intermediates.tensor("down_blocks." + std::to_string(i))), kFloat64Tolerance)
            << down.name();
        auto upOut = model->denoiser().predictWithFeatures(x, t, up).features;
        EXPECT_LE(relativeError(upOut, intermediates.tensor("up_blocks." + std::to_string(i))), kFloat64Tolerance)
            << up.name();
        const auto expectedShape = model->denoiser().featureShape(down);
        EXPECT_EQ(downOut.sizes().slice(1).vec(), expectedShape) << down.name();
        EXPECT_EQ(upOut.sizes().slice(1).vec(), model->denoiser().featureShape(up)) << up.name();
    }
    auto eps = model->denoiser().predict(x, t);
    EXPECT_LE(relativeError(eps, intermediates.tensor("conv_out")), kFloat64Tolerance);
}

TEST_P(FixtureModel, PerSampleTimestepsEqualSeparateCalls) {
    auto model = load(torch::kFloat64);
    auto x = reference("x");
    torch::NoGradGuard noGrad;
    auto both = model->denoiser().predict(x, torch::tensor({int64_t(10), int64_t(999)}));
    EXPECT_LE(relativeError(both[0], reference("eps_t10")[0]), kFloat64Tolerance);
    EXPECT_LE(relativeError(both[1], reference("eps_t999")[1]), kFloat64Tolerance);
}

// The Jacobian work differentiates h(x) with forward-mode AD: a dual input must give the
// directional derivative J·v. Checked against a central finite difference in float64 (softmax in
// float64 too: diffusers' float32 softmax would put 1e-7 noise into the difference quotient).
TEST_P(FixtureModel, MidFeaturesSupportForwardModeAD) {
    ModelOptions options{torch::kFloat64, c10::Device(c10::kCPU)};
    options.softmaxInFloat32 = false;
    auto model = DiffusionPipeline::load(fixtureDir(GetParam()), options);
    auto x = reference("x").slice(0, 0, 1);
    auto generator = at::detail::createCPUGenerator(3);
    auto v = at::randn(x.sizes(), generator, torch::kFloat64);
    v = v / v.norm();
    torch::Tensor jvp;
    {
        torch::NoGradGuard noGrad;
        ForwardAdLevel level;
        auto h = model->denoiser().features(level.makeDual(x, v), 500, BlockId::mid());
        jvp = level.tangent(h);
    }
    ASSERT_TRUE(jvp.defined());
    torch::NoGradGuard noGrad;
    const double step = 1e-5;
    auto plus = model->denoiser().features(x + step * v, 500, BlockId::mid());
    auto minus = model->denoiser().features(x - step * v, 500, BlockId::mid());
    auto finiteDifference = (plus - minus) / (2 * step);
    EXPECT_LE(relativeError(jvp, finiteDifference), 1e-6);
}

INSTANTIATE_TEST_SUITE_P(Fixtures, FixtureModel, ::testing::ValuesIn(test::unetFixtureNames()),
                         test::fixtureTestName);

TEST(DefaultModel, LoadsWithTheDocumentedArchitecture) {
    auto model = DiffusionPipeline::load(test::defaultModelDir());
    EXPECT_EQ(model->parameterCount(), 1112801);  // MODEL_CARD.md
    EXPECT_EQ(model->latentShape(), (std::vector<int64_t>{1, 32, 32}));
    EXPECT_EQ(model->denoiser().featureShape(BlockId::mid()), (std::vector<int64_t>{64, 8, 8}));
    EXPECT_EQ(model->scheduler().config().className, "DDPMScheduler");
    torch::NoGradGuard noGrad;
    auto eps = model->denoiser().predict(torch::zeros({2, 1, 32, 32}), 500);
    EXPECT_EQ(eps.sizes().vec(), (std::vector<int64_t>{2, 1, 32, 32}));
    EXPECT_TRUE(torch::isfinite(eps).all().item<bool>());
}

}  // namespace
}  // namespace latentlens
