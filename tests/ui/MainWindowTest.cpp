#include <memory>

#include <QAction>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QImage>
#include <QSignalSpy>
#include <QSlider>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QTest>

#include <torch/torch.h>

#include "UiTestRegistry.h"
#include "WindowTestSupport.h"
#include "core/pipeline/DiffusionPipeline.h"
#include "core/sampling/DdimSampler.h"
#include "ui/ImageCanvas.h"
#include "ui/MainWindow.h"
#include "ui/ModelWorker.h"
#include "ui/TensorImage.h"

using latentlens::ui::ImageCanvas;
using latentlens::ui::MainWindow;
using latentlens::ui::TensorImage;

namespace {

using latentlens::ui::test::kTimeoutMs;
constexpr int kSteps = latentlens::ui::test::kQuickSteps;

}  // namespace

// Drives the real window: worker thread, queued signals, undo stack, error reporting.
class MainWindowTest : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { model_ = latentlens::DiffusionPipeline::load(LATENTLENS_DEFAULT_MODEL_DIR); }

    void init() {
        window_ = latentlens::ui::test::openQuickWindow();
        waitForImage();
    }

    void cleanup() { window_.reset(); }  // joins the worker thread

    void startupLoadsDefaultModel() {
        QCOMPARE(window_->modelInfo().name, QStringLiteral("fmnist32"));
        QCOMPARE(window_->modelInfo().size, 32);
        QCOMPARE(window_->modelInfo().trainTimesteps, 1000);
        QCOMPARE(window_->viewState().timestep, 600);
        QVERIFY(!canvas()->image().isNull());
        QVERIFY(!preview()->image().isNull());
        QVERIFY(window_->statusText().startsWith(QStringLiteral("Generated seed 0 in ")));
    }

    void generateEqualsCoreSampler() {
        const QImage before = canvas()->image();
        generateSeed(3);
        QVERIFY(canvas()->image() != before);
        latentlens::DdimSampler sampler(*model_, kSteps);
        const auto run = sampler.sample(sampler.noise(3, 1), 0.0, 3, /*keepTrajectory=*/true);
        QCOMPARE(canvas()->image(), TensorImage::toQImage(run.result));
        // The x̂0 view at t = 600 (a grid point): one U-Net call on the trajectory's x_600.
        torch::NoGradGuard noGrad;
        const auto x600 = run.trajectory[1];
        const auto predicted = model_->scheduler().predictOriginal(model_->denoiser().predict(x600, 600), 600, x600);
        QCOMPARE(preview()->image(), TensorImage::toQImage(predicted));
        QVERIFY(window_->statusText().startsWith(QStringLiteral("Generated seed 3 in ")));
    }

    void undoRestoresPreviousImageExactly() {
        generateSeed(1);
        const QImage first = canvas()->image();
        const QImage firstPrediction = preview()->image();
        generateSeed(2);
        const QImage second = canvas()->image();
        QVERIFY(second != first);
        action("actionUndo")->trigger();
        QCOMPARE(canvas()->image(), first);
        QCOMPARE(preview()->image(), firstPrediction);
        QCOMPARE(spinBox("seedSpinBox")->value(), 1);
        QCOMPARE(window_->viewState().seed, qint64(1));
        action("actionRedo")->trigger();
        QCOMPARE(canvas()->image(), second);
        QCOMPARE(spinBox("seedSpinBox")->value(), 2);
    }

    void timestepChangeUpdatesPrediction() {
        const QImage image = canvas()->image();
        const QImage at600 = preview()->image();
        auto* slider = window_->findChild<QSlider*>(QStringLiteral("timestepSlider"));
        QVERIFY(slider);
        slider->setValue(300);  // as a drag would; the picker waits for it to rest
        QTRY_COMPARE_WITH_TIMEOUT(window_->viewState().timestep, 300, kTimeoutMs);
        QTRY_VERIFY_WITH_TIMEOUT(!window_->isBusy(), kTimeoutMs);
        QVERIFY(preview()->image() != at600);
        QCOMPARE(canvas()->image(), image);  // the image itself stays
        QVERIFY(window_->statusText().contains(QStringLiteral("t = 300")));

        action("actionUndo")->trigger();
        QCOMPARE(window_->viewState().timestep, 600);
        QCOMPARE(slider->value(), 600);
        QCOMPARE(preview()->image(), at600);
    }

    void cancelLeavesAppUsable() {
        const QImage before = canvas()->image();
        spinBox("stepsSpinBox")->setValue(1000);
        spinBox("seedSpinBox")->setValue(5);
        QSignalSpy progress(window_->worker(), &latentlens::ui::ModelWorker::progress);
        action("actionGenerate")->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(progress.count() >= 3, kTimeoutMs);
        QElapsedTimer sinceCancel;
        sinceCancel.start();
        action("actionCancel")->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(!window_->isBusy(), kTimeoutMs);
        QVERIFY2(sinceCancel.elapsed() < 2000, "cancel should stop within one U-Net call");
        QCOMPARE(window_->statusText(), QStringLiteral("Cancelled"));
        QCOMPARE(canvas()->image(), before);
        QVERIFY(!action("actionCancel")->isEnabled());

        spinBox("stepsSpinBox")->setValue(kSteps);
        generateSeed(6);
        QVERIFY(canvas()->image() != before);
    }

    void newGenerateReplacesRunningOne() {
        spinBox("stepsSpinBox")->setValue(1000);
        spinBox("seedSpinBox")->setValue(8);
        QSignalSpy progress(window_->worker(), &latentlens::ui::ModelWorker::progress);
        action("actionGenerate")->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(progress.count() >= 3, kTimeoutMs);
        spinBox("stepsSpinBox")->setValue(kSteps);
        QElapsedTimer timer;
        timer.start();
        generateSeed(9);  // stops the 1000-step run at its next U-Net call
        QVERIFY2(timer.elapsed() < 5000, "the running generation should have been stopped");
        QVERIFY(window_->statusText().startsWith(QStringLiteral("Generated seed 9 in ")));
        action("actionUndo")->trigger();
        QCOMPARE(window_->viewState().seed, qint64(0));  // the replaced run left no undo step
    }

    void exportWritesTheCanvasImageUpscaled() {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("export.png"));
        window_->exportImage(path, 4);
        QTRY_VERIFY_WITH_TIMEOUT(!window_->isBusy(), kTimeoutMs);
        QImage written(path);
        QCOMPARE(written.size(), QSize(128, 128));
        written = written.convertToFormat(QImage::Format_Grayscale8);
        const QImage shown = canvas()->image();
        for (int y = 0; y < 128; y += 3) {
            for (int x = 0; x < 128; x += 5) QCOMPARE(written.pixelColor(x, y), shown.pixelColor(x / 4, y / 4));
        }
        QVERIFY(window_->statusText().startsWith(QStringLiteral("Exported export.png in ")));
    }

    void corruptModelFolderKeepsPreviousModel() {
        QTemporaryDir dir;
        const QDir source(QStringLiteral(LATENTLENS_DEFAULT_MODEL_DIR));
        for (const char* name : {"config.json", "scheduler_config.json", "diffusion_pytorch_model.safetensors"})
            QVERIFY(QFile::copy(source.filePath(name), dir.filePath(name)));
        QFile weights(dir.filePath(QStringLiteral("diffusion_pytorch_model.safetensors")));
        QVERIFY(weights.resize(1000));

        QSignalSpy errors(window_.get(), &MainWindow::errorShown);
        window_->openModelFolder(dir.path());
        QTRY_COMPARE_WITH_TIMEOUT(errors.count(), 1, kTimeoutMs);
        QVERIFY2(errors.at(0).at(0).toString().contains(QStringLiteral("safetensors")),
                 qPrintable(errors.at(0).at(0).toString()));
        QTRY_VERIFY_WITH_TIMEOUT(!window_->isBusy(), kTimeoutMs);
        QCOMPARE(window_->modelInfo().name, QStringLiteral("fmnist32"));

        const QImage before = canvas()->image();
        generateSeed(11);
        QVERIFY(canvas()->image() != before);
    }

    void openImageInvertsItAndBadFilesReportErrors() {
        QTemporaryDir dir;
        QImage picture(48, 40, QImage::Format_RGB32);
        for (int y = 0; y < picture.height(); ++y) {
            for (int x = 0; x < picture.width(); ++x) picture.setPixel(x, y, qRgb(x * 5, y * 6, 128));
        }
        const QString path = dir.filePath(QStringLiteral("gradient.png"));
        QVERIFY(picture.save(path));
        window_->openImage(path);
        QTRY_COMPARE_WITH_TIMEOUT(window_->viewState().source, QStringLiteral("gradient.png"), kTimeoutMs);
        QTRY_VERIFY_WITH_TIMEOUT(!window_->isBusy(), kTimeoutMs);
        QCOMPARE(window_->viewState().seed, qint64(-1));
        QCOMPARE(window_->viewState().timestep, 600);
        QCOMPARE(canvas()->image().size(), QSize(32, 32));
        QVERIFY2(window_->statusText().contains(QStringLiteral("resized")), qPrintable(window_->statusText()));

        const QImage opened = canvas()->image();
        const QString broken = dir.filePath(QStringLiteral("broken.png"));
        QFile file(broken);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("not an image");
        file.close();
        QSignalSpy errors(window_.get(), &MainWindow::errorShown);
        window_->openImage(broken);
        QTRY_COMPARE_WITH_TIMEOUT(errors.count(), 1, kTimeoutMs);
        QVERIFY(errors.at(0).at(0).toString().contains(QStringLiteral("broken.png")));
        QTRY_VERIFY_WITH_TIMEOUT(!window_->isBusy(), kTimeoutMs);
        QCOMPARE(canvas()->image(), opened);
    }

private:
    void waitForImage() { QTRY_VERIFY_WITH_TIMEOUT(latentlens::ui::test::showsIdleImage(*window_), kTimeoutMs); }

    void generateSeed(int seed) {
        spinBox("seedSpinBox")->setValue(seed);
        action("actionGenerate")->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(window_->viewState().seed == seed && !window_->isBusy(), kTimeoutMs);
    }

    QSpinBox* spinBox(const char* name) const { return latentlens::ui::test::spinBox(*window_, name); }
    QAction* action(const char* name) const { return latentlens::ui::test::action(*window_, name); }
    ImageCanvas* canvas() const { return latentlens::ui::test::canvas(*window_); }
    ImageCanvas* preview() const { return window_->findChild<ImageCanvas*>(QStringLiteral("predictionCanvas")); }

    std::shared_ptr<latentlens::DiffusionPipeline> model_;
    std::unique_ptr<MainWindow> window_;
};

LATENTLENS_UI_TEST(MainWindowTest);

#include "MainWindowTest.moc"
