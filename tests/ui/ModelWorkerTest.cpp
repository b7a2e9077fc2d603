#include <QSignalSpy>
#include <QTest>

#include "UiTestRegistry.h"
#include "ui/ModelWorker.h"

using latentlens::ui::ModelWorker;

// The main worker, run on this thread: a Stable Diffusion pipeline loads in the core and the CLI,
// but the window (no prompt yet) refuses it with a message that says where it runs, naming the
// folder; the previous model stays loaded.
class ModelWorkerTest : public QObject {
    Q_OBJECT
private slots:
    void stableDiffusionPipelinesAreRefusedWithDirections() {
        ModelWorker worker;
        QSignalSpy loaded(&worker, &ModelWorker::modelLoaded);
        QSignalSpy failed(&worker, &ModelWorker::failed);
        worker.loadModel(QStringLiteral(LATENTLENS_DEFAULT_MODEL_DIR));
        QTRY_COMPARE(loaded.count(), 1);
        const QString folder = QStringLiteral(LATENTLENS_FIXTURES_DIR "/sd1-tiny");
        worker.loadModel(folder);
        QTRY_COMPARE(failed.count(), 1);
        const auto message = failed.at(0).at(1).toString();
        QVERIFY2(message.contains(folder) && message.contains(QStringLiteral("latentlens-cli")), qPrintable(message));
        QCOMPARE(loaded.count(), 1);
        // The default model is still the loaded one: generating works.
        QSignalSpy image(&worker, &ModelWorker::imageReady);
        worker.generate(0, 10, 0.0, 600);
        QTRY_COMPARE_WITH_TIMEOUT(image.count(), 1, 30000);
    }
};

LATENTLENS_UI_TEST(ModelWorkerTest);
#include "ModelWorkerTest.moc"
