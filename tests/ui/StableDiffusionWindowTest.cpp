#include <memory>

#include <QDir>
#include <QDoubleSpinBox>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QGroupBox>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <torch/torch.h>

#include "UiTestRegistry.h"
#include "WindowTestSupport.h"
#include "core/edit/DirectionEdit.h"
#include "core/edit/EditPreview.h"
#include "core/edit/LatentRgbPreview.h"
#include "core/pipeline/DiffusionPipeline.h"
#include "core/sampling/DdimSampler.h"
#include "ui/DirectionsPanel.h"
#include "ui/ImageCanvas.h"
#include "ui/LatentState.h"
#include "ui/MainWindow.h"
#include "ui/ModelWorker.h"
#include "ui/RecentModelsMenu.h"
#include "ui/TensorImage.h"

using latentlens::ui::DirectionRequest;
using latentlens::ui::MainWindow;
using latentlens::ui::TensorImage;

namespace {

using latentlens::ui::test::kTimeoutMs;
constexpr int kSteps = latentlens::ui::test::kQuickSteps;
const char* const kPrompt = "a photo of a cat";
const QString kFolder = QStringLiteral(LATENTLENS_FIXTURES_DIR "/sd1-tiny");

}  // namespace

// The window on a Stable Diffusion pipeline (the tiny fixture, random weights: noise pictures):
// switching to it from the default model shows the prompt fields; generating with a prompt gives
// the core's guided DDIM sample, decoded by the VAE; directions are found in z_t under the
// prompt's embedding (no guidance); a slider's edit is the core's guided denoise of z_t + αv,
// decoded; cancelling an SD search leaves the window idle and usable; a session keeps the prompt.
class StableDiffusionWindowTest : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() {
        latentlens::ModelOptions options;
        pipeline_ = latentlens::DiffusionPipeline::load(kFolder.toStdString(), options);
    }

    void init() {
        window_ = latentlens::ui::test::openQuickWindow();
        QTRY_VERIFY_WITH_TIMEOUT(latentlens::ui::test::showsIdleImage(*window_), kTimeoutMs);
        QVERIFY(promptBox()->isHidden());  // the default model takes no prompt
        window_->openModelFolder(kFolder);
        QTRY_VERIFY_WITH_TIMEOUT(window_->modelInfo().takesPrompt && latentlens::ui::test::showsIdleImage(*window_),
                                 kTimeoutMs);
        QVERIFY(!promptBox()->isHidden());
        window_->findChild<QLineEdit*>(QStringLiteral("promptEdit"))->setText(QString::fromLatin1(kPrompt));
        window_->generate();
        QTRY_VERIFY_WITH_TIMEOUT(window_->viewState().latents && window_->viewState().latents->prompt == kPrompt &&
                                     !window_->isBusy(),
                                 kTimeoutMs);
    }

    void cleanup() { window_.reset(); }

    void generatesFindsDirectionsAndEditsLikeTheCore() {
        const auto sampling = pipeline_->condition(kPrompt, "", 7.5);
        const auto& view = window_->viewState();
        QCOMPARE(view.latents->sampling.id, sampling.id);
        latentlens::DdimSampler sampler(*pipeline_, kSteps, std::nullopt, sampling);
        torch::NoGradGuard noGrad;
        const auto x0 = sampler.sample(sampler.noise(0, 1)).result;
        QCOMPARE(view.image, TensorImage::toQImage(pipeline_->codec().decode(x0)));

        findDirections(3);
        const auto& found = *window_->viewState().directions;
        QCOMPARE(found.count(), 3);
        QCOMPARE(found.basis->conditioning, pipeline_->condition(kPrompt).id);  // J under the prompt, no guidance
        QCOMPARE(found.basis->v.size(1), int64_t(4));                          // directions in z_t
        QCOMPARE(found.basis->samplingPrompt, std::string(kPrompt));  // recorded as text in basis.json
        QCOMPARE(found.basis->guidance, 7.5);
        QCOMPARE(window_->directionsPanel()->cards().size(), 3);

        // Dragging: the prediction x̂0 drawn through the cheap latent → RGB map the window fit to
        // this VAE (and cached: the same file gives the test the same map).
        QSignalSpy previews(window_.get(), &MainWindow::previewShown);
        window_->previewDirectionAlpha(0, 1.5);
        QTRY_VERIFY_WITH_TIMEOUT(previews.count() >= 1 && !window_->isBusy(), kTimeoutMs);
        const auto preview = latentlens::LatentRgbPreview::forPipeline(
            *pipeline_, (QStandardPaths::writableLocation(QStandardPaths::CacheLocation) + "/latent-previews").toStdString());
        {
            const auto& at = *window_->viewState().latents;
            const auto shifted = latentlens::shiftAlongDirections(at.latent, *found.basis, {0}, {1.5});
            const auto clean = latentlens::predictCleanImage(*pipeline_, shifted, at.timestep, sampling);
            QCOMPARE(latentlens::ui::test::canvas(*window_)->image(), TensorImage::toQImage(preview.render(clean)));
        }

        window_->setDirectionAlpha(0, 2.0);
        QTRY_VERIFY_WITH_TIMEOUT(window_->viewState().hasEdit() && !window_->isBusy(), kTimeoutMs);
        const auto& latents = *window_->viewState().latents;
        const auto moved = latentlens::shiftAlongDirections(latents.latent, *found.basis, {0}, {2.0});
        const auto edited = sampler.denoise(moved, latents.timestep, 0.0, 0, false).result;
        QCOMPARE(latentlens::ui::test::canvas(*window_)->image(),
                 TensorImage::toQImage(pipeline_->codec().decode(edited)));
    }

    void cancellingAStableDiffusionSearchLeavesTheWindowUsable() {
        DirectionRequest slow;
        slow.k = 24;
        slow.tolerance = 1e-12;
        slow.maxProducts = 200000;
        QSignalSpy progress(window_->worker(), &latentlens::ui::ModelWorker::progress);
        window_->findDirectionsWith(slow);
        QTRY_VERIFY_WITH_TIMEOUT(progress.count() >= 2, kTimeoutMs);
        QVERIFY(window_->isBusy());
        QElapsedTimer sinceCancel;
        sinceCancel.start();
        window_->cancelJobs();
        QTRY_VERIFY_WITH_TIMEOUT(!window_->isBusy(), kTimeoutMs);
        QVERIFY2(sinceCancel.elapsed() < 5000, "cancel should stop the search within a chunk of U-Net calls");
        QCOMPARE(window_->statusText(), QStringLiteral("Cancelled"));
        QVERIFY(!window_->viewState().directions);
        findDirections(3);
        QCOMPARE(window_->viewState().directions->count(), 3);
    }

    // File › Open recent model lists the built-in model first and the SD folder just opened; choosing
    // them switches back and forth (the prompt box follows the model).
    void recentModelsSwitchBetweenPixelAndStableDiffusion() {
        auto* menu = window_->findChild<latentlens::ui::RecentModelsMenu*>(QStringLiteral("recentModelsMenu"));
        QVERIFY(menu);
        const QString sd = QFileInfo(kFolder).canonicalFilePath();
        QVERIFY(menu->recentFolders().contains(sd));
        const auto actions = menu->actions();
        QVERIFY(!actions.isEmpty());
        QVERIFY2(actions.first()->text().contains(QStringLiteral("built in")), qPrintable(actions.first()->text()));
        actions.first()->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(window_->modelInfo().name == QStringLiteral("fmnist32") &&
                                     latentlens::ui::test::showsIdleImage(*window_),
                                 kTimeoutMs);
        QVERIFY(promptBox()->isHidden());
        QAction* again = nullptr;
        for (QAction* action : menu->actions()) {
            if (action->data().toString() == sd) again = action;
        }
        QVERIFY(again);
        again->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(window_->modelInfo().takesPrompt && latentlens::ui::test::showsIdleImage(*window_),
                                 kTimeoutMs);
        QVERIFY(!promptBox()->isHidden());
    }

    void sessionKeepsThePromptAndReopensTheSamePicture() {
        findDirections(3);
        window_->setDirectionAlpha(1, -1.5);
        QTRY_VERIFY_WITH_TIMEOUT(window_->viewState().hasEdit() && !window_->isBusy(), kTimeoutMs);
        const QImage saved = latentlens::ui::test::canvas(*window_)->image();
        QTemporaryDir dir;
        const QString folder = dir.filePath(QStringLiteral("sd-session"));
        window_->saveSession(folder);
        QTRY_VERIFY_WITH_TIMEOUT(!window_->isBusy(), kTimeoutMs);

        window_.reset();
        window_ = latentlens::ui::test::openQuickWindow();  // back on the default model
        QTRY_VERIFY_WITH_TIMEOUT(latentlens::ui::test::showsIdleImage(*window_), kTimeoutMs);
        window_->openSession(folder);
        QTRY_VERIFY_WITH_TIMEOUT(window_->viewState().hasEdit() && !window_->isBusy(), kTimeoutMs);
        QVERIFY(window_->modelInfo().takesPrompt);
        QCOMPARE(window_->findChild<QLineEdit*>(QStringLiteral("promptEdit"))->text(), QString::fromLatin1(kPrompt));
        QCOMPARE(window_->findChild<QDoubleSpinBox*>(QStringLiteral("guidanceSpinBox"))->value(), 7.5);
        QCOMPARE(latentlens::ui::test::canvas(*window_)->image(), saved);
        QCOMPARE(window_->viewState().alphas.value(1), -1.5);
    }

private:
    void findDirections(int k) {
        DirectionRequest request;
        request.k = k;
        request.maxProducts = 120;
        window_->findDirectionsWith(request);
        QTRY_VERIFY_WITH_TIMEOUT(window_->viewState().directions && !window_->isBusy(), kTimeoutMs);
    }
    QGroupBox* promptBox() const { return window_->findChild<QGroupBox*>(QStringLiteral("promptBox")); }

    std::shared_ptr<latentlens::DiffusionPipeline> pipeline_;
    std::unique_ptr<MainWindow> window_;
};

LATENTLENS_UI_TEST(StableDiffusionWindowTest);
#include "StableDiffusionWindowTest.moc"
