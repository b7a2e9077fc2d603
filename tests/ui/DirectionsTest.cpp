#include <algorithm>
#include <filesystem>
#include <memory>

#include <QAction>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QImage>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include <torch/torch.h>

#include "UiTestRegistry.h"
#include "WindowTestSupport.h"
#include "core/edit/DirectionEdit.h"
#include "core/edit/EditPreview.h"
#include "core/geometry/BasisSolver.h"
#include "core/geometry/FeatureJacobian.h"
#include "core/geometry/PullbackBasis.h"
#include "core/model/BlockId.h"
#include "core/pipeline/DiffusionPipeline.h"
#include "core/sampling/DdimSampler.h"
#include "io/BasisFile.h"
#include "io/FrameExport.h"
#include "ui/DetentSlider.h"
#include "ui/DirectionCard.h"
#include "ui/DirectionSlider.h"
#include "ui/DirectionsPanel.h"
#include "ui/ImageCanvas.h"
#include "ui/LatentState.h"
#include "ui/MainWindow.h"
#include "ui/ModelWorker.h"
#include "ui/SigmaChart.h"
#include "ui/SliderStack.h"
#include "ui/TensorImage.h"

using latentlens::ui::DirectionRequest;
using latentlens::ui::DirectionSet;
using latentlens::ui::ImageCanvas;
using latentlens::ui::MainWindow;
using latentlens::ui::TensorImage;
using latentlens::ui::ViewState;

namespace {

using latentlens::ui::test::kTimeoutMs;
constexpr int kSteps = latentlens::ui::test::kQuickSteps;

}  // namespace

// The directions workflow on the real window: find directions (worker thread, progress, cancel),
// cards and σ chart, sliders (drag preview, release → full re-denoise, composition), undo, export
// and sessions. Edited canvases are compared with the core's own edit of the same x_t.
class DirectionsTest : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { model_ = latentlens::DiffusionPipeline::load(LATENTLENS_DEFAULT_MODEL_DIR); }

    void init() {
        window_ = latentlens::ui::test::openQuickWindow();
        QTRY_VERIFY_WITH_TIMEOUT(latentlens::ui::test::showsIdleImage(*window_), kTimeoutMs);
    }

    void cleanup() { window_.reset(); }  // joins the worker thread

    void findDirectionsShowsCardsAndChart() {
        QVERIFY(window_->directionsPanel()->cards().isEmpty());
        QVERIFY(!action("actionExportTraversal")->isEnabled());
        findDirections(3);
        const auto& view = window_->viewState();
        QVERIFY(view.directions);
        QCOMPARE(view.directions->count(), 3);
        QCOMPARE(view.directions->timestep, 600);
        QCOMPARE(view.directions->basis->k, int64_t(3));
        QCOMPARE(window_->directionsPanel()->cards().size(), 3);
        QCOMPARE(window_->findChild<latentlens::ui::SigmaChart*>(QStringLiteral("sigmaChart"))->barCount(), 3);
        // σ descending; each card shows v_i and two different edits.
        for (int i = 0; i < 3; ++i) {
            const auto& card = view.directions->cards[i];
            QCOMPARE(card.sigma, view.directions->basis->sigma[i].item<double>());
            if (i > 0) QVERIFY(card.sigma <= view.directions->cards[i - 1].sigma);
            QCOMPARE(card.direction.size(), QSize(32, 32));
            QVERIFY(card.minus != card.plus);
        }
        QVERIFY2(window_->statusText().startsWith(QStringLiteral("Found 3 directions at t = 600 in ")),
                 qPrintable(window_->statusText()));
        QVERIFY(action("actionExportTraversal")->isEnabled());
        // The overlay of the active direction (the first until one is chosen).
        QVERIFY(canvas()->overlay().isNull());
        action("actionOverlayDirection")->trigger();
        QCOMPARE(canvas()->overlay().size(), QSize(32, 32));
        QVERIFY(canvas()->overlay().hasAlphaChannel());
        const QImage firstOverlay = canvas()->overlay();
        // Clicking a card adds its slider.
        auto* card = window_->directionsPanel()->cards().at(1);
        QTest::mouseClick(card, Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(window_->viewState().sliders == QList<int>{1} && !window_->isBusy(), kTimeoutMs);
        QVERIFY(window_->sliderStack()->sliderFor(1));
        QVERIFY(card->isOnStack());
        QCOMPARE(window_->activeDirection(), 1);
        QVERIFY(canvas()->overlay() != firstOverlay);  // follows the active direction
        action("actionOverlayDirection")->trigger();
        QVERIFY(canvas()->overlay().isNull());
    }

    // Live directions: moving the timestep recomputes the directions there from the shown ones
    // (warm start), matched to them; the slider stays on its direction with its α and the canvas
    // shows the core's edit along the new direction. Against a cold solve of the new x_t: the same
    // subspace (tolerance 1e-3: (1/k)Σcos² ≥ 0.99) and σ within 1 %.
    void directionsFollowTheTimestep() {
        QVERIFY(action("actionFollowTimestep")->isChecked());  // on by default
        findDirections(3);
        const auto before = window_->viewState().directions;
        window_->setDirectionAlpha(0, 2.0);
        waitIdle();
        QVERIFY(window_->viewState().hasEdit());

        // Live first (BasisOptions::liveUpdate, the cards keeping the edits of t = 600), then refined.
        std::shared_ptr<const DirectionSet> live;
        const auto watch = connect(window_.get(), &MainWindow::viewChanged, [&](const ViewState& shown) {
            if (shown.directions && shown.directions->live && shown.timestep == 400) live = shown.directions;
        });
        window_->showTimestep(400);
        QTRY_VERIFY_WITH_TIMEOUT(window_->viewState().timestep == 400 && window_->viewState().directions &&
                                     !window_->isBusy(),
                                 kTimeoutMs);
        disconnect(watch);
        QVERIFY(live);
        QCOMPARE(live->followedTimestep, 600);
        QVERIFY(live->basis->products() <= 2 * 3 + 2 * 4);  // the start and one expansion
        for (const auto& card : live->cards) {
            QCOMPARE(card.editsTimestep, 600);
            if (card.continues >= 0) QCOMPARE(card.minus, before->cards[card.continues].minus);
        }
        const auto& view = window_->viewState();
        const auto& followed = *view.directions;
        QVERIFY(!followed.live);
        for (const auto& card : followed.cards) {
            QCOMPARE(card.editsTimestep, -1);
            QVERIFY(!card.minus.isNull() && !card.plus.isNull());
        }
        QVERIFY(followed.isFollowed());
        QCOMPARE(followed.followedTimestep, 600);
        QCOMPARE(followed.timestep, 400);
        QCOMPARE(followed.count(), 3);
        QCOMPARE(window_->directionsPanel()->cards().size(), 3);
        QVERIFY2(window_->statusText().startsWith(QStringLiteral("Updated 3 directions from t = 600 to t = 400: refined and rendered in ")),
                 qPrintable(window_->statusText()));

        // The new basis is the cold one of the new x_t.
        latentlens::FeatureJacobian jacobian(*model_, view.latents->latent, 400, latentlens::BlockId::parse("mid"));
        latentlens::BasisOptions options;
        options.k = 3;
        const auto cold = latentlens::solvePullbackBasis(jacobian, options);
        const auto a = followed.basis->v.reshape({3, -1});
        const auto b = cold.v.reshape({3, -1}).to(a.scalar_type());
        QVERIFY(torch::linalg_svdvals(a.matmul(b.t())).pow(2).mean().item<double>() >= 0.99);
        QVERIFY(((followed.basis->sigma - cold.sigma).abs() / cold.sigma).max().item<double>() <= 0.01);

        // Each card names the direction it continues; signs agree with it; the slider moved along.
        const auto previous = before->basis->v.reshape({3, -1});
        int continuesFirst = -1;
        for (int j = 0; j < 3; ++j) {
            const int i = followed.cards[j].continues;
            if (i < 0) continue;
            QVERIFY(followed.cards[j].continuesCosine >= 0.5);
            QVERIFY(a[j].dot(previous[i].to(a.scalar_type())).item<double>() > 0);
            if (i == 0) continuesFirst = j;
        }
        QVERIFY2(continuesFirst >= 0, "direction 1 of t = 600 is continued at t = 400");
        QCOMPARE(view.sliders, QList<int>{continuesFirst});
        QCOMPARE(view.alphas.value(continuesFirst), 2.0);
        QVERIFY(window_->sliderStack()->isEnabled());
        QCOMPARE(canvas()->image(), coreEdit({continuesFirst}, {2.0}));

        // Undo goes back to t = 400 without directions, then to t = 600 with the first ones.
        action("actionUndo")->trigger();
        QCOMPARE(window_->viewState().timestep, 400);
        QVERIFY(!window_->viewState().directions);
        action("actionUndo")->trigger();
        QCOMPARE(window_->viewState().directions, before);

        // Turned off, a new timestep has no directions until asked for.
        action("actionFollowTimestep")->setChecked(false);
        window_->showTimestep(200);
        QTRY_VERIFY_WITH_TIMEOUT(window_->viewState().timestep == 200 && !window_->isBusy(), kTimeoutMs);
        QVERIFY(!window_->viewState().directions);
        QVERIFY(window_->directionsPanel()->cards().isEmpty());
        action("actionFollowTimestep")->setChecked(true);
    }

    void sliderMoveShowsTheCoreEdit() {
        findDirections(3);
        const QImage before = canvas()->image();
        window_->addDirectionSlider(0);
        waitIdle();
        auto* slider = window_->sliderStack()->sliderFor(0)->slider();
        slider->setValue(150);  // α = 1.5, as the keyboard would: a final edit
        QTRY_VERIFY_WITH_TIMEOUT(window_->viewState().alphas.value(0) == 1.5 && !window_->isBusy(), kTimeoutMs);
        QVERIFY(canvas()->image() != before);
        QCOMPARE(canvas()->image(), coreEdit({0}, {1.5}));
        QVERIFY(window_->statusText().startsWith(QStringLiteral("Rendered the edit in ")));
        QVERIFY(window_->viewState().hasEdit());
    }

    void dragPreviewsThenReleaseRenders() {
        findDirections(3);
        window_->addDirectionSlider(2);
        waitIdle();
        auto* slider = window_->sliderStack()->sliderFor(2)->slider();
        QSignalSpy previews(window_.get(), &MainWindow::previewShown);
        slider->setSliderDown(true);
        slider->setValue(-200);
        QTRY_VERIFY_WITH_TIMEOUT(previews.count() >= 1 && !window_->isBusy(), kTimeoutMs);
        // The instant preview: x̂0 of the moved x_t, one U-Net call.
        QCOMPARE(canvas()->image(), corePreview({2}, {-2.0}));
        QVERIFY(window_->viewState().alphas.value(2) == 0.0);  // not committed yet
        slider->setSliderDown(false);  // release
        QTRY_VERIFY_WITH_TIMEOUT(window_->viewState().alphas.value(2) == -2.0 && !window_->isBusy(), kTimeoutMs);
        QCOMPARE(canvas()->image(), coreEdit({2}, {-2.0}));
    }

    void newDragSupersedesRunningFinalEdit() {
        // 200 steps: the final re-denoise from t = 600 runs 120 U-Net calls, long enough to catch.
        constexpr int kLongSteps = 200;
        spinBox("stepsSpinBox")->setValue(kLongSteps);
        window_->generateSeed(1);
        QTRY_VERIFY_WITH_TIMEOUT(window_->viewState().seed == 1 && !window_->isBusy(), kTimeoutMs);
        findDirections(3);
        window_->addDirectionSlider(0);
        waitIdle();
        QSignalSpy started(window_->worker(), &latentlens::ui::ModelWorker::jobStarted);
        QSignalSpy cancelled(window_->worker(), &latentlens::ui::ModelWorker::cancelled);
        auto* slider = window_->sliderStack()->sliderFor(0)->slider();
        slider->setValue(300);  // the final edit for α = 3 starts
        QTRY_VERIFY_WITH_TIMEOUT(started.count() >= 1, kTimeoutMs);
        const quint64 finalJob = started.last().at(0).toULongLong();
        QSignalSpy previews(window_.get(), &MainWindow::previewShown);
        slider->setSliderDown(true);  // a new drag
        slider->setValue(-100);
        QTRY_VERIFY_WITH_TIMEOUT(previews.count() >= 1 && !window_->isBusy(), kTimeoutMs);
        QCOMPARE(cancelled.count(), 1);
        QCOMPARE(cancelled.at(0).at(0).toULongLong(), finalJob);
        QCOMPARE(window_->viewState().alphas.value(0), 0.0);  // the stopped edit left nothing
        QCOMPARE(slider->value(), -100);                      // and did not move the held slider
        QCOMPARE(canvas()->image(), corePreview({0}, {-1.0}));
        slider->setSliderDown(false);
        QTRY_VERIFY_WITH_TIMEOUT(window_->viewState().alphas.value(0) == -1.0 && !window_->isBusy(), kTimeoutMs);
        latentlens::DdimSampler sampler(*model_, kLongSteps);
        QCOMPARE(canvas()->image(),
                 TensorImage::toQImage(sampler.denoise(movedLatent({0}, {-1.0}), 600, 0.0, 0, false).result));
        action("actionUndo")->trigger();
        QCOMPARE(window_->viewState().alphas.value(0), 0.0);
        QVERIFY(!window_->viewState().hasEdit());
    }

    void addingASliderKeepsAReleaseStillRendering() {
        findDirections(3);
        window_->addDirectionSlider(0);
        waitIdle();
        window_->sliderStack()->sliderFor(0)->slider()->setValue(120);  // the final edit starts...
        window_->addDirectionSlider(2);                                 // ...and a card is clicked at once
        QTRY_VERIFY_WITH_TIMEOUT(window_->viewState().sliders.size() == 2 && !window_->isBusy(), kTimeoutMs);
        QCOMPARE(window_->viewState().sliders, (QList<int>{0, 2}));
        QCOMPARE(window_->viewState().alphas.value(0), 1.2);
        QCOMPARE(canvas()->image(), coreEdit({0, 2}, {1.2, 0.0}));
    }

    void slidersCompose() {
        findDirections(3);
        window_->setDirectionAlpha(0, 1.0);
        waitIdle();
        window_->setDirectionAlpha(1, -2.5);
        waitIdle();
        QCOMPARE(window_->viewState().sliders, (QList<int>{0, 1}));
        QCOMPARE(window_->sliderStack()->sliderFor(1)->alpha(), -2.5);
        QCOMPARE(canvas()->image(), coreEdit({0, 1}, {1.0, -2.5}));
        QVERIFY(canvas()->image() != coreEdit({1}, {-2.5}));
    }

    void resetAllAndBeforeAfter() {
        findDirections(3);
        const QImage original = canvas()->image();
        window_->setDirectionAlpha(0, 3.0);
        waitIdle();
        const QImage edited = canvas()->image();
        QVERIFY(edited != original);
        auto* beforeAfter = window_->findChild<QPushButton*>(QStringLiteral("beforeAfterButton"));
        beforeAfter->click();
        QCOMPARE(canvas()->image(), original);
        beforeAfter->click();
        QCOMPARE(canvas()->image(), edited);
        window_->findChild<QPushButton*>(QStringLiteral("resetAllButton"))->click();
        QTRY_VERIFY_WITH_TIMEOUT(window_->viewState().alphas.value(0) == 0.0 && !window_->isBusy(), kTimeoutMs);
        QCOMPARE(canvas()->image(), original);
        QVERIFY(!window_->viewState().hasEdit());
        QCOMPARE(window_->sliderStack()->sliderFor(0)->alpha(), 0.0);
    }

    void undoRestoresSlidersAndDirectionsExactly() {
        const QImage original = canvas()->image();
        findDirections(3);
        window_->setDirectionAlpha(0, 2.0);
        waitIdle();
        const QImage edited = canvas()->image();
        window_->setDirectionAlpha(0, -1.0);
        waitIdle();
        const QImage second = canvas()->image();
        QVERIFY(second != edited);

        action("actionUndo")->trigger();  // back to α = 2
        QCOMPARE(canvas()->image(), edited);
        QCOMPARE(window_->sliderStack()->sliderFor(0)->alpha(), 2.0);
        action("actionUndo")->trigger();  // the slider added at α = 2 goes
        QCOMPARE(canvas()->image(), original);
        QVERIFY(window_->viewState().sliders.isEmpty());
        QVERIFY(!window_->sliderStack()->sliderFor(0));
        action("actionUndo")->trigger();  // the directions go
        QVERIFY(!window_->viewState().directions);
        QVERIFY(window_->directionsPanel()->cards().isEmpty());
        QCOMPARE(canvas()->image(), original);

        action("actionRedo")->trigger();
        action("actionRedo")->trigger();
        action("actionRedo")->trigger();
        QCOMPARE(canvas()->image(), second);
        QCOMPARE(window_->sliderStack()->sliderFor(0)->alpha(), -1.0);
        QCOMPARE(window_->directionsPanel()->cards().size(), 3);
    }

    void cancelDuringBasisLeavesAppIdleAndUsable() {
        DirectionRequest slow;
        slow.k = 48;
        slow.tolerance = 1e-12;
        slow.maxProducts = 200000;
        auto* bar = window_->directionsPanel()->findChild<QWidget*>(QStringLiteral("directionsProgressBar"));
        QSignalSpy progress(window_->worker(), &latentlens::ui::ModelWorker::progress);
        window_->findDirectionsWith(slow);
        QVERIFY(window_->directionsPanel()->isRunning());
        QVERIFY(!bar->isHidden());
        QTRY_VERIFY_WITH_TIMEOUT(progress.count() >= 2, kTimeoutMs);  // the solver is iterating
        QVERIFY(window_->isBusy());
        QElapsedTimer sinceCancel;
        sinceCancel.start();
        window_->findChild<QPushButton*>(QStringLiteral("cancelDirectionsButton"))->click();
        QTRY_VERIFY_WITH_TIMEOUT(!window_->isBusy(), kTimeoutMs);
        QVERIFY2(sinceCancel.elapsed() < 3000, "cancel should stop the search within one U-Net call");
        QCOMPARE(window_->statusText(), QStringLiteral("Cancelled"));
        QVERIFY(!window_->viewState().directions);
        QVERIFY(!window_->directionsPanel()->isRunning());
        QVERIFY(bar->isHidden());
        QVERIFY(window_->worker()->thread()->isRunning());
        // Usable: the next search runs to the end.
        findDirections(3);
        QCOMPARE(window_->viewState().directions->count(), 3);
    }

    void exportsTraversalBasisAndEditedImage() {
        findDirections(3);
        window_->setDirectionAlpha(1, 2.0);
        waitIdle();
        QTemporaryDir dir;
        const QString gif = dir.filePath(QStringLiteral("traversal.gif"));
        window_->exportTraversal(gif, 1, 5, 2);
        waitIdle();
        int width = 0;
        QCOMPARE(latentlens::readGifFrameCount(gif.toStdString(), &width), 5);
        QCOMPARE(width, 64);
        const QString mp4 = dir.filePath(QStringLiteral("traversal.mp4"));
        window_->exportTraversal(mp4, 0, 4, 2);
        waitIdle();
        QCOMPARE(latentlens::readVideoFrameCount(mp4.toStdString()), 4);
        const QString strip = dir.filePath(QStringLiteral("strip.png"));
        window_->exportTraversal(strip, 1, 3, 1);
        waitIdle();
        const QImage stripImage(strip);
        QCOMPARE(stripImage.width(), 3 * 32 + 2);
        // The middle frame (α = 0 for direction 2) equals the plain image: other sliders are 0.
        QCOMPARE(stripImage.copy(33, 0, 32, 32).convertToFormat(QImage::Format_Grayscale8), window_->viewState().image);

        const QString basisFolder = dir.filePath(QStringLiteral("basis"));
        window_->exportBasis(basisFolder);
        waitIdle();
        const auto basis = latentlens::readBasis(basisFolder.toStdString());
        QCOMPARE(basis.k, int64_t(3));
        QVERIFY(torch::equal(basis.v, window_->viewState().directions->basis->v));
        QVERIFY(QFileInfo::exists(QDir(basisFolder).filePath(QStringLiteral("directions.png"))));

        const QString png = dir.filePath(QStringLiteral("edited.png"));
        window_->exportImage(png, 1);
        waitIdle();
        QCOMPARE(QImage(png).convertToFormat(QImage::Format_Grayscale8), canvas()->image());
        QVERIFY(canvas()->image() != window_->viewState().image);
    }

    void sessionSaveThenOpenReproducesTheCanvas() {
        findDirections(3);
        window_->setDirectionAlpha(2, 1.75);
        waitIdle();
        window_->setDirectionAlpha(0, -0.5);
        waitIdle();
        const QImage saved = canvas()->image();
        const auto savedView = window_->viewState();
        QTemporaryDir dir;
        const QString folder = dir.filePath(QStringLiteral("my-session"));
        window_->saveSession(folder);
        waitIdle();
        QVERIFY(QFileInfo::exists(QDir(folder).filePath(QStringLiteral("session.json"))));

        // A corrupt session changes nothing and says what is wrong.
        const QString broken = dir.filePath(QStringLiteral("broken"));
        QVERIFY(QDir().mkpath(broken));
        QFile file(QDir(broken).filePath(QStringLiteral("session.json")));
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("{ not json");
        file.close();
        QSignalSpy errors(window_.get(), &MainWindow::errorShown);
        window_->openSession(broken);
        QTRY_COMPARE_WITH_TIMEOUT(errors.count(), 1, kTimeoutMs);
        waitIdle();
        QVERIFY2(errors.at(0).at(0).toString().contains(QStringLiteral("session.json")),
                 qPrintable(errors.at(0).at(0).toString()));
        QCOMPARE(canvas()->image(), saved);
        window_->openSession(dir.filePath(QStringLiteral("missing")));
        QTRY_COMPARE_WITH_TIMEOUT(errors.count(), 2, kTimeoutMs);
        waitIdle();
        QCOMPARE(canvas()->image(), saved);

        // Elsewhere, then back through the session.
        window_->generateSeed(4);
        QTRY_VERIFY_WITH_TIMEOUT(window_->viewState().seed == 4 && !window_->isBusy(), kTimeoutMs);
        QVERIFY(canvas()->image() != saved);
        window_.reset();
        init();
        window_->openSession(folder);
        QTRY_VERIFY_WITH_TIMEOUT(window_->viewState().hasEdit() && !window_->isBusy(), kTimeoutMs);
        QCOMPARE(canvas()->image(), saved);
        QCOMPARE(window_->viewState().sliders, savedView.sliders);
        QCOMPARE(window_->viewState().alphas, savedView.alphas);
        QCOMPARE(window_->viewState().seed, qint64(0));
        QCOMPARE(window_->viewState().timestep, 600);
        QCOMPARE(window_->sliderStack()->sliderFor(2)->alpha(), 1.75);
        QCOMPARE(window_->directionsPanel()->cards().size(), 3);
        QVERIFY(torch::equal(window_->viewState().directions->basis->v, savedView.directions->basis->v));
    }

    void sessionOfAnOpenedImageCopiesIt() {
        QTemporaryDir dir;
        QImage picture(40, 40, QImage::Format_RGB32);
        for (int y = 0; y < picture.height(); ++y) {
            for (int x = 0; x < picture.width(); ++x) picture.setPixel(x, y, qRgb(x * 6, y * 6, (x * y) % 256));
        }
        const QString path = dir.filePath(QStringLiteral("pattern.png"));
        QVERIFY(picture.save(path));
        window_->openImage(path);
        QTRY_VERIFY_WITH_TIMEOUT(window_->viewState().source == QStringLiteral("pattern.png") && !window_->isBusy(),
                                 kTimeoutMs);
        findDirections(3);
        window_->setDirectionAlpha(1, 2.25);
        waitIdle();
        const QImage saved = canvas()->image();
        const QString folder = dir.filePath(QStringLiteral("image-session"));
        window_->saveSession(folder);
        waitIdle();
        QVERIFY(QFile::remove(path));  // the session holds its own copy
        window_.reset();
        init();
        window_->openSession(folder);
        QTRY_VERIFY_WITH_TIMEOUT(window_->viewState().hasEdit() && !window_->isBusy(), kTimeoutMs);
        QCOMPARE(window_->viewState().source, QStringLiteral("pattern.png"));
        QCOMPARE(window_->viewState().seed, qint64(-1));
        QCOMPARE(canvas()->image(), saved);
    }

private:
    void waitIdle() { QTRY_VERIFY_WITH_TIMEOUT(!window_->isBusy(), kTimeoutMs); }

    void findDirections(int k) {
        DirectionRequest request;
        request.k = k;
        request.maxProducts = 120;  // a small budget: a second or less
        window_->findDirectionsWith(request);
        QTRY_VERIFY_WITH_TIMEOUT(window_->viewState().directions && !window_->isBusy(), kTimeoutMs);
    }

    torch::Tensor movedLatent(const std::vector<int64_t>& directions, const std::vector<double>& alphas) const {
        const auto& view = window_->viewState();
        return latentlens::shiftAlongDirections(view.latents->latent, *view.directions->basis, directions, alphas);
    }

    // What the core makes of x_t moved along the directions: the full DDIM re-denoise on the
    // image's grid from the view's timestep, as `latentlens edit` does.
    QImage coreEdit(const std::vector<int64_t>& directions, const std::vector<double>& alphas) const {
        latentlens::DdimSampler sampler(*model_, kSteps);
        const auto x0 =
            sampler.denoise(movedLatent(directions, alphas), window_->viewState().timestep, 0.0, 0, false).result;
        return TensorImage::toQImage(x0);
    }

    QImage corePreview(const std::vector<int64_t>& directions, const std::vector<double>& alphas) const {
        torch::NoGradGuard noGrad;
        return TensorImage::toQImage(latentlens::predictCleanImage(*model_, movedLatent(directions, alphas), 600));
    }

    QSpinBox* spinBox(const char* name) const { return latentlens::ui::test::spinBox(*window_, name); }
    QAction* action(const char* name) const { return latentlens::ui::test::action(*window_, name); }
    ImageCanvas* canvas() const { return latentlens::ui::test::canvas(*window_); }

    std::shared_ptr<latentlens::DiffusionPipeline> model_;
    std::unique_ptr<MainWindow> window_;
};

LATENTLENS_UI_TEST(DirectionsTest);

#include "DirectionsTest.moc"
