// LatentTrajectory: x_t at any timestep from a held DDIM trajectory, with as few model calls as
// possible (moved from tests/ui with the class).
#include <atomic>
#include <memory>

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "core/Error.h"
#include "core/Progress.h"
#include "core/pipeline/DiffusionPipeline.h"
#include "core/sampling/DdimSampler.h"
#include "core/sampling/LatentTrajectory.h"
#include "support/TestSupport.h"

namespace latentlens {
namespace {

// The fmnist32 default model, 5 DDIM steps: the generation grid is 800, 600, 400, 200, 0.
class LatentTrajectoryTest : public ::testing::Test {
protected:
    static constexpr int64_t kSteps = 5;

    static void SetUpTestSuite() {
        model = DiffusionPipeline::load(test::defaultModelDir());
        sampler = std::make_unique<DdimSampler>(*model, kSteps);
        run = sampler->sample(sampler->noise(7, 1), 0.0, 7, /*keepTrajectory=*/true);
    }
    static void TearDownTestSuite() {
        sampler.reset();
        model.reset();
        run = {};
    }

    static std::shared_ptr<DiffusionPipeline> model;
    static std::unique_ptr<DdimSampler> sampler;
    static DdimRun run;
};

std::shared_ptr<DiffusionPipeline> LatentTrajectoryTest::model;
std::unique_ptr<DdimSampler> LatentTrajectoryTest::sampler;
DdimRun LatentTrajectoryTest::run;

TEST_F(LatentTrajectoryTest, GenerationHeldByTimestep) {
    const auto trajectory = LatentTrajectory::fromRun(run);
    EXPECT_EQ(trajectory.size(), size_t(6));
    EXPECT_EQ(trajectory.top(), int64_t(800));
    EXPECT_TRUE(torch::equal(trajectory.at(800), run.trajectory[0]));
    EXPECT_TRUE(torch::equal(trajectory.at(400), run.trajectory[2]));
    EXPECT_TRUE(torch::equal(trajectory.clean(), run.result));
    EXPECT_FALSE(trajectory.at(300).defined());
}

TEST_F(LatentTrajectoryTest, GridTimestepNeedsNoModelCall) {
    const auto lookup = LatentTrajectory::fromRun(run).latentAt(*model, kSteps, 600);
    EXPECT_EQ(lookup.modelCalls, 0);
    EXPECT_TRUE(torch::equal(lookup.latent, run.trajectory[1]));
}

TEST_F(LatentTrajectoryTest, OffGridStepsDownFromNearestAbove) {
    const auto lookup = LatentTrajectory::fromRun(run).latentAt(*model, kSteps, 300);
    EXPECT_EQ(lookup.modelCalls, 1);
    torch::NoGradGuard noGrad;
    const auto x400 = run.trajectory[2];
    const auto expected = model->scheduler().step(model->denoiser().predict(x400, 400), 400, 300, x400).prevSample;
    EXPECT_TRUE(torch::equal(lookup.latent, expected));
}

TEST_F(LatentTrajectoryTest, AboveTheTopContinuesTheInversion) {
    // Inverting to 400 and then looking at 800 equals inverting to 800 in one go.
    const auto inverted = sampler->invert(run.result, 400, /*keepTrajectory=*/true);
    const auto trajectory = LatentTrajectory::fromRun(inverted);
    EXPECT_EQ(trajectory.top(), int64_t(400));
    const auto lookup = trajectory.latentAt(*model, kSteps, 800);
    EXPECT_EQ(lookup.modelCalls, 2);
    const auto direct = sampler->invert(run.result, 800);
    EXPECT_TRUE(torch::equal(lookup.latent, direct.result));
    EXPECT_EQ(lookup.trajectory.top(), int64_t(800));
    EXPECT_TRUE(lookup.trajectory.at(600).defined());
}

TEST_F(LatentTrajectoryTest, CancelledBetweenModelCalls) {
    std::atomic<bool> cancel{true};
    Progress progress;
    progress.cancelFlag = &cancel;
    const auto trajectory = LatentTrajectory::fromRun(run);
    EXPECT_THROW(trajectory.latentAt(*model, kSteps, 999, progress), Cancelled);
    EXPECT_THROW(trajectory.latentAt(*model, kSteps, 1000), Error);
}

}  // namespace
}  // namespace latentlens
