// DDIM sampling and inversion trajectories against diffusers (fixture ddim10_traj / inv10_traj,
// float64, relative error ≤ 1e-6 per row), plus the partial-run plans.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "core/Error.h"
#include "core/pipeline/DiffusionPipeline.h"
#include "core/model/SafetensorsFile.h"
#include "core/sampling/DdimSampler.h"
#include "support/TestSupport.h"

namespace latentlens {
namespace {

using test::fixtureDir;
using test::relativeError;

class FixtureSampler : public ::testing::TestWithParam<std::string> {
protected:
    void SetUp() override {
        model = DiffusionPipeline::load(fixtureDir(GetParam()), ModelOptions{torch::kFloat64, c10::Device(c10::kCPU)});
        reference = std::make_unique<SafetensorsFile>(fixtureDir(GetParam()) / "reference.safetensors");
    }
    std::vector<int64_t> referenceTimesteps(const std::string& key) {
        auto t = reference->tensor(key);
        return std::vector<int64_t>(t.data_ptr<int64_t>(), t.data_ptr<int64_t>() + t.numel());
    }
    std::shared_ptr<DiffusionPipeline> model;
    std::unique_ptr<SafetensorsFile> reference;
};

TEST_P(FixtureSampler, Ddim10TrajectoryMatchesDiffusers) {
    DdimSampler sampler(*model, 10);
    const auto timesteps = referenceTimesteps("ddim10_timesteps");
    EXPECT_EQ(model->scheduler().timesteps(10), timesteps);
    auto x = reference->tensor("x").slice(0, 0, 1);
    auto run = sampler.sample(x, 0.0, 0, /*keepTrajectory=*/true);
    auto expected = reference->tensor("ddim10_traj");
    ASSERT_EQ(run.trajectory.size(0), expected.size(0));
    for (int64_t k = 0; k < expected.size(0); ++k) {
        EXPECT_LE(relativeError(run.trajectory[k][0], expected[k]), 1e-6) << "row " << k;
    }
    EXPECT_TRUE(torch::equal(run.result, run.trajectory[-1]));
}

TEST_P(FixtureSampler, Inversion10TrajectoryMatchesDiffusers) {
    DdimSampler sampler(*model, 10);
    const auto timesteps = referenceTimesteps("inv10_timesteps");
    EXPECT_EQ(model->scheduler().inverseTimesteps(10), timesteps);
    auto x = reference->tensor("x").slice(0, 0, 1);
    auto run = sampler.invert(x, timesteps.back(), /*keepTrajectory=*/true);
    auto expected = reference->tensor("inv10_traj");
    ASSERT_EQ(run.trajectory.size(0), expected.size(0));
    for (int64_t k = 0; k < expected.size(0); ++k) {
        EXPECT_LE(relativeError(run.trajectory[k][0], expected[k]), 1e-6) << "row " << k;
    }
}

INSTANTIATE_TEST_SUITE_P(Fixtures, FixtureSampler, ::testing::ValuesIn(test::unetFixtureNames()),
                         test::fixtureTestName);

TEST(DdimSamplerPlan, PartialRunsMirrorEachOtherOnTheGrid) {
    auto model = DiffusionPipeline::load(test::defaultModelDir());  // leading spacing, 1000 steps
    DdimSampler sampler(*model, 50);
    EXPECT_EQ(sampler.startTimestep(), 980);
    auto down = sampler.denoisePlan(600);
    ASSERT_EQ(down.size(), 31u);  // 600, 580, ..., 0
    EXPECT_EQ(down.front().from, 600);
    EXPECT_EQ(down.front().to, 580);
    EXPECT_EQ(down.back().from, 0);
    EXPECT_EQ(down.back().to, -20);  // the clean image (final alpha)
    auto up = sampler.inversionPlan(600);
    ASSERT_EQ(up.size(), down.size());
    for (size_t i = 0; i < up.size(); ++i) {
        EXPECT_EQ(up[i].from, down[down.size() - 1 - i].to);
        EXPECT_EQ(up[i].to, down[down.size() - 1 - i].from);
    }
}

TEST(DdimSamplerPlan, OffGridTimestepTakesOneShortStepOntoTheGrid) {
    auto model = DiffusionPipeline::load(test::defaultModelDir());
    DdimSampler sampler(*model, 50);
    auto down = sampler.denoisePlan(999);
    EXPECT_EQ(down.front().from, 999);
    EXPECT_EQ(down.front().to, 980);
    EXPECT_EQ(down.size(), 51u);
    auto up = sampler.inversionPlan(999);
    EXPECT_EQ(up.back().from, 980);
    EXPECT_EQ(up.back().to, 999);
    EXPECT_THROW(sampler.denoisePlan(1000), Error);
    EXPECT_THROW(sampler.inversionPlan(-1), Error);
}

TEST(DdimSamplerNoise, SeedsAreDiffusersGeneratorDraws) {
    // fixture x = torch.randn((2, C, S, S), generator=torch.Generator().manual_seed(700), dtype=float64):
    // our per-sample generator draws sample 0 the same way.
    auto model = DiffusionPipeline::load(fixtureDir("ddpm-rgb16"), ModelOptions{torch::kFloat64, c10::Device(c10::kCPU)});
    DdimSampler sampler(*model, 10);
    SafetensorsFile reference(fixtureDir("ddpm-rgb16") / "reference.safetensors");
    auto noise = sampler.noise(700, 1);
    auto first = reference.tensor("x").slice(0, 0, 1);
    EXPECT_TRUE(torch::allclose(noise, first, 0, 0)) << "max diff " << (noise - first).abs().max().item<double>();
    auto batch = sampler.noise(5, 3);
    EXPECT_TRUE(torch::equal(batch[2], sampler.noise(7, 1)[0]));
}

TEST(DdimSamplerRun, EtaNoiseIsSeededAndCancellationStops) {
    auto model = DiffusionPipeline::load(test::defaultModelDir());
    DdimSampler sampler(*model, 5);
    auto x = sampler.noise(1, 1);
    auto a = sampler.sample(x, 0.5, 11).result;
    auto b = sampler.sample(x, 0.5, 11).result;
    auto c = sampler.sample(x, 0.5, 12).result;
    auto deterministic = sampler.sample(x, 0.0).result;
    EXPECT_TRUE(torch::equal(a, b));
    EXPECT_FALSE(torch::equal(a, c));
    EXPECT_FALSE(torch::equal(a, deterministic));

    std::atomic<bool> cancel{false};
    int reports = 0;
    Progress progress;
    progress.cancelFlag = &cancel;
    progress.callback = [&](double, const std::string&) {
        if (++reports == 2) cancel = true;
    };
    EXPECT_THROW(sampler.sample(x, 0.0, 0, false, progress), Cancelled);
    EXPECT_EQ(reports, 2);
}

}  // namespace
}  // namespace latentlens
