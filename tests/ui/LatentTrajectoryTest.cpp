#include <atomic>
#include <memory>

#include <QTest>

#include <torch/torch.h>

#include "UiTestRegistry.h"
#include "core/Error.h"
#include "core/Progress.h"
#include "core/model/DiffusionModel.h"
#include "core/sampling/DdimSampler.h"
#include "ui/LatentTrajectory.h"

using latentlens::DdimSampler;
using latentlens::DiffusionModel;
using latentlens::ui::LatentTrajectory;

// The fmnist32 default model, 5 DDIM steps: the generation grid is 800, 600, 400, 200, 0.
class LatentTrajectoryTest : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() {
        model_ = DiffusionModel::load(LATENTLENS_DEFAULT_MODEL_DIR);
        sampler_ = std::make_unique<DdimSampler>(*model_, kSteps);
        run_ = sampler_->sample(sampler_->noise(7, 1), 0.0, 7, /*keepTrajectory=*/true);
    }

    void generationHeldByTimestep() {
        const auto trajectory = LatentTrajectory::fromRun(run_);
        QCOMPARE(trajectory.size(), size_t(6));
        QCOMPARE(trajectory.top(), int64_t(800));
        QVERIFY(torch::equal(trajectory.at(800), run_.trajectory[0]));
        QVERIFY(torch::equal(trajectory.at(400), run_.trajectory[2]));
        QVERIFY(torch::equal(trajectory.clean(), run_.result));
        QVERIFY(!trajectory.at(300).defined());
    }

    void gridTimestepNeedsNoModelCall() {
        const auto lookup = LatentTrajectory::fromRun(run_).latentAt(*model_, kSteps, 600);
        QCOMPARE(lookup.modelCalls, 0);
        QVERIFY(torch::equal(lookup.latent, run_.trajectory[1]));
    }

    void offGridStepsDownFromNearestAbove() {
        const auto lookup = LatentTrajectory::fromRun(run_).latentAt(*model_, kSteps, 300);
        QCOMPARE(lookup.modelCalls, 1);
        torch::NoGradGuard noGrad;
        const auto x400 = run_.trajectory[2];
        const auto expected = model_->scheduler().step(model_->unet()->forward(x400, 400), 400, 300, x400).prevSample;
        QVERIFY(torch::equal(lookup.latent, expected));
    }

    void aboveTheTopContinuesTheInversion() {
        // Inverting to 400 and then looking at 800 equals inverting to 800 in one go.
        const auto inverted = sampler_->invert(run_.result, 400, /*keepTrajectory=*/true);
        const auto trajectory = LatentTrajectory::fromRun(inverted);
        QCOMPARE(trajectory.top(), int64_t(400));
        const auto lookup = trajectory.latentAt(*model_, kSteps, 800);
        QCOMPARE(lookup.modelCalls, 2);
        const auto direct = sampler_->invert(run_.result, 800);
        QVERIFY(torch::equal(lookup.latent, direct.result));
        QCOMPARE(lookup.trajectory.top(), int64_t(800));
        QVERIFY(lookup.trajectory.at(600).defined());
    }

    void cancelledBetweenModelCalls() {
        std::atomic<bool> cancel{true};
        latentlens::Progress progress;
        progress.cancelFlag = &cancel;
        const auto trajectory = LatentTrajectory::fromRun(run_);
        QVERIFY_THROWS_EXCEPTION(latentlens::Cancelled, trajectory.latentAt(*model_, kSteps, 999, progress));
        QVERIFY_THROWS_EXCEPTION(latentlens::Error, trajectory.latentAt(*model_, kSteps, 1000));
    }

private:
    static constexpr int64_t kSteps = 5;
    std::shared_ptr<DiffusionModel> model_;
    std::unique_ptr<DdimSampler> sampler_;
    latentlens::DdimRun run_;
};

LATENTLENS_UI_TEST(LatentTrajectoryTest);

#include "LatentTrajectoryTest.moc"
