#include <memory>

#include <QAction>
#include <QDir>
#include <QFile>
#include <QLineEdit>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include "UiTestRegistry.h"
#include "ui/AnalysisWindow.h"
#include "ui/MainWindow.h"

using latentlens::ui::AnalysisWindow;
using latentlens::ui::MainWindow;

namespace {

constexpr int kTimeoutMs = 60000;

// The AnalysisWindow's fields that hold `text` (its model folder is one of its line edits).
bool showsFolder(const AnalysisWindow& window, const QString& folder) {
    for (const auto* edit : window.findChildren<QLineEdit*>()) {
        if (QDir(edit->text()) == QDir(folder)) return true;
    }
    return false;
}

}  // namespace

// Run › Analysis… on the main window: one non-modal Analysis window for the current model's folder,
// raised again on the next trigger and following the window's model.
class AnalysisHookTest : public QObject {
    Q_OBJECT
private slots:
    void analysisActionOpensOneWindowForTheModel() {
        MainWindow window;
        window.setShowDialogs(false);
        window.show();
        QTRY_VERIFY_WITH_TIMEOUT(!window.modelInfo().isNull() && !window.isBusy(), kTimeoutMs);
        QVERIFY(!window.analysisWindow());

        auto* action = window.findChild<QAction*>(QStringLiteral("actionAnalysis"));
        QVERIFY(action);
        QCOMPARE(action->shortcut(), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_A));
        action->trigger();
        AnalysisWindow* analysis = window.analysisWindow();
        QVERIFY(analysis);
        QVERIFY(analysis->isVisible());
        QVERIFY(analysis->isWindow());
        QVERIFY(!analysis->isModal());
        QVERIFY(!window.modelInfo().folder.isEmpty());
        QVERIFY(showsFolder(*analysis, window.modelInfo().folder));

        analysis->close();
        action->trigger();  // the same window comes back
        QCOMPARE(window.analysisWindow(), analysis);
        QVERIFY(analysis->isVisible());

        // Another model folder in the main window: the Analysis window follows it.
        QTemporaryDir copy;
        const QDir source(QStringLiteral(LATENTLENS_DEFAULT_MODEL_DIR));
        for (const char* name : {"config.json", "scheduler_config.json", "diffusion_pytorch_model.safetensors"})
            QVERIFY(QFile::copy(source.filePath(name), QDir(copy.path()).filePath(name)));
        QSignalSpy models(&window, &MainWindow::modelChanged);
        window.openModelFolder(copy.path());
        QTRY_COMPARE_WITH_TIMEOUT(models.count(), 1, kTimeoutMs);
        QVERIFY(showsFolder(*analysis, copy.path()));
        QVERIFY(!showsFolder(*analysis, source.path()));
        QTRY_VERIFY_WITH_TIMEOUT(!window.isBusy(), kTimeoutMs);
    }
};

LATENTLENS_UI_TEST(AnalysisHookTest);

#include "AnalysisHookTest.moc"
