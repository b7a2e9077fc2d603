#include <QSignalSpy>
#include <QTest>

#include "UiTestRegistry.h"
#include "core/pipeline/DiffusionPipeline.h"
#include "ui/LatentState.h"
#include "ui/ModelWorker.h"

using latentlens::ui::ModelInfo;
using latentlens::ui::ModelWorker;
using latentlens::ui::PromptSettings;
using latentlens::ui::ViewState;

// The main worker, run on this thread, switching between a pixel model and a Stable Diffusion
// pipeline: the pipeline loads and says it takes a prompt, images are sampled under the prompt
// with its guidance (the state records both conditionings), a prompt for the pixel model is a
// clear error, and a folder that is no model leaves the loaded one in place.
class ModelWorkerTest : public QObject {
    Q_OBJECT
private slots:
    void switchesBetweenPixelModelsAndStableDiffusionPipelines() {
        ModelWorker worker;
        QSignalSpy loaded(&worker, &ModelWorker::modelLoaded);
        QSignalSpy failed(&worker, &ModelWorker::failed);
        QSignalSpy image(&worker, &ModelWorker::imageReady);
        worker.loadModel(QStringLiteral(LATENTLENS_DEFAULT_MODEL_DIR));
        QTRY_COMPARE(loaded.count(), 1);
        QVERIFY(!loaded.at(0).at(1).value<ModelInfo>().takesPrompt);
        // A prompt for a model without a text encoder.
        worker.generate(0, 5, 0.0, 600, PromptSettings{QStringLiteral("a cat"), {}, 7.5});
        QTRY_COMPARE_WITH_TIMEOUT(failed.count(), 1, 30000);
        QVERIFY2(failed.at(0).at(1).toString().contains(QStringLiteral("takes no prompt")),
                 qPrintable(failed.at(0).at(1).toString()));

        const QString folder = QStringLiteral(LATENTLENS_FIXTURES_DIR "/sd1-tiny");
        worker.loadModel(folder);
        QTRY_COMPARE(loaded.count(), 2);
        const auto info = loaded.at(1).at(1).value<ModelInfo>();
        QVERIFY(info.takesPrompt);
        QCOMPARE(info.channels, 3);
        worker.generate(0, 5, 0.0, 600, PromptSettings{QStringLiteral("a photo of a cat"), QStringLiteral("blurry"), 5.0});
        QTRY_COMPARE_WITH_TIMEOUT(image.count(), 1, 60000);
        const auto view = image.at(0).at(1).value<ViewState>();
        const auto pipeline = latentlens::DiffusionPipeline::load(folder.toStdString());
        QCOMPARE(view.latents->sampling.id, pipeline->condition("a photo of a cat", "blurry", 5.0).id);
        QCOMPARE(view.latents->jacobian.id, pipeline->condition("a photo of a cat").id);
        QVERIFY(view.latents->sampling.needsGuidance());
        QCOMPARE(view.latents->latent.size(1), int64_t(4));  // a VAE latent, shown decoded
        QCOMPARE(view.image.size(), QSize(info.size, info.size));

        // Not a model: the pipeline stays.
        worker.loadModel(QStringLiteral(LATENTLENS_FIXTURES_DIR));
        QTRY_COMPARE(failed.count(), 2);
        worker.generate(1, 5, 0.0, 600, PromptSettings{QStringLiteral("a dog"), {}, 7.5});
        QTRY_COMPARE_WITH_TIMEOUT(image.count(), 2, 60000);
    }
};

LATENTLENS_UI_TEST(ModelWorkerTest);
#include "ModelWorkerTest.moc"
