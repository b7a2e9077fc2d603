#include <cmath>
#include <memory>

#include <QAction>
#include <QApplication>
#include <QDockWidget>
#include <QMenuBar>
#include <QMessageBox>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStatusBar>
#include <QTemporaryDir>
#include <QTest>

#include "UiTestRegistry.h"
#include "WindowTestSupport.h"
#include "ui/DemoBanner.h"
#include "ui/DemoDirector.h"
#include "ui/DirectionSlider.h"
#include "ui/ImageCanvas.h"
#include "ui/MainWindow.h"
#include "ui/SliderStack.h"

using latentlens::ui::DemoDirector;
using latentlens::ui::DemoScene;
using latentlens::ui::ImageCanvas;
using latentlens::ui::MainWindow;

namespace {

using latentlens::ui::test::kTimeoutMs;
constexpr double kPace = 0.1;   // a scene's sweeps and holds take about 1.5 s instead of 15
constexpr int kQuietMs = 2500;  // longer than a whole scene at this pace

}  // namespace

// Demo mode on the real window: the director cycles scenes (image, timestep, directions, a slider
// swept with live previews and sharp renders), real input hands control to the user, leaving
// demo mode restores the layout, and failures never open a dialog.
class DemoModeTest : public QObject {
    Q_OBJECT
private slots:
    void init() {
        window_ = latentlens::ui::test::openQuickWindow();
        window_->setShowDialogs(true);  // demo mode must keep them closed by itself
        QTRY_VERIFY_WITH_TIMEOUT(latentlens::ui::test::showsIdleImage(*window_), kTimeoutMs);
        director()->setPace(kPace);
        director()->setPlaylist({{1, 600, 0, 2.0}, {2, 600, 1, 2.0}});
    }

    void cleanup() { window_.reset(); }

    void demoModeCyclesScenes() {
        QSignalSpy frames(director(), &DemoDirector::alphaShown);
        QSignalSpy scenes(director(), &DemoDirector::sceneStarted);
        window_->setDemoMode(true);
        QVERIFY(window_->isDemoMode());
        QVERIFY(director()->isRunning());
        QVERIFY(window_->isFullScreen());
        QVERIFY(dock("sourceDock")->isHidden());
        QVERIFY(dock("directionsDock")->isHidden());
        QVERIFY(!window_->menuBar()->isVisible());
        QVERIFY(window_->sliderStack()->isLarge());
        QVERIFY(banner()->isVisible());

        // A preview mid-sweep: seed 1 at t = 600, direction 1 held at a non-zero α, the canvas
        // showing something else than the unedited image.
        QTRY_VERIFY_WITH_TIMEOUT(hasPreviewBeyond(frames, 0.5), kTimeoutMs);
        const auto& view = window_->viewState();
        QCOMPARE(view.seed, qint64(1));
        QCOMPARE(view.timestep, 600);
        QVERIFY(view.directions && view.directions->count() >= 4);
        const auto* row = window_->sliderStack()->sliderFor(0);
        QVERIFY(row);
        QVERIFY(row->isLarge());
        QVERIFY(std::abs(row->alpha()) > 0.4);
        QVERIFY(canvas()->image() != view.image);
        QVERIFY2(banner()->caption().startsWith(QStringLiteral("Seed 1 · t = 600 · direction 1: α ")),
                 qPrintable(banner()->caption()));

        // The turning point is rendered sharp: the slider committed at +2 (the view's edit).
        QTRY_VERIFY_WITH_TIMEOUT(hasSharp(frames, 2.0), kTimeoutMs);
        QTRY_VERIFY_WITH_TIMEOUT(window_->viewState().alphas.value(0) == 2.0 || scenes.count() > 1, kTimeoutMs);

        // Then the next scene, and round again to the first.
        QTRY_VERIFY_WITH_TIMEOUT(scenes.count() >= 2 && window_->viewState().seed == 2, kTimeoutMs);
        QCOMPARE(scenes.at(1).at(0).toInt(), 1);
        QTRY_VERIFY_WITH_TIMEOUT(scenes.count() >= 3, kTimeoutMs);
        QCOMPARE(scenes.at(2).at(0).toInt(), 0);
        QCOMPARE(QApplication::activeModalWidget(), nullptr);
    }

    void userInputStopsTheDemo() {
        QSignalSpy frames(director(), &DemoDirector::alphaShown);
        QSignalSpy scenes(director(), &DemoDirector::sceneStarted);
        window_->setDemoMode(true);
        QTRY_VERIFY_WITH_TIMEOUT(hasPreviewBeyond(frames, 0.3), kTimeoutMs);

        QTest::mouseClick(canvas(), Qt::LeftButton, {}, canvas()->rect().center());
        QVERIFY(!director()->isRunning());
        QVERIFY(window_->isDemoMode());  // the user keeps the large layout
        QVERIFY(banner()->resumeButton()->isVisible());
        QTRY_VERIFY_WITH_TIMEOUT(!window_->isBusy(), kTimeoutMs);
        // Stopped mid-sweep: the α it stood at is rendered sharp and is the view's.
        const double alpha = window_->sliderStack()->sliderFor(0)->alpha();
        QVERIFY(alpha != 0.0);
        QCOMPARE(window_->viewState().alphas.value(0), alpha);
        QCOMPARE(canvas()->image(), window_->viewState().shownImage());
        expectQuiet(frames, scenes);

        // Resume, then a key press stops it again.
        QTest::mouseClick(banner()->resumeButton(), Qt::LeftButton);
        QVERIFY(director()->isRunning());
        QVERIFY(!banner()->resumeButton()->isVisible());
        frames.clear();
        QTRY_VERIFY_WITH_TIMEOUT(!frames.isEmpty(), kTimeoutMs);
        QTest::keyClick(canvas(), Qt::Key_Space);
        QVERIFY(!director()->isRunning());
        QTRY_VERIFY_WITH_TIMEOUT(!window_->isBusy(), kTimeoutMs);
        expectQuiet(frames, scenes);
    }

    void leavingDemoModeRestoresTheLayout() {
        QVERIFY(!window_->isFullScreen());
        QVERIFY(!dock("sourceDock")->isHidden());
        QVERIFY(!dock("directionsDock")->isHidden());
        auto* demoAction = window_->findChild<QAction*>(QStringLiteral("actionDemoMode"));
        auto* cancelAction = window_->findChild<QAction*>(QStringLiteral("actionCancel"));
        demoAction->trigger();
        QVERIFY(window_->isDemoMode());
        QVERIFY(demoAction->isChecked());
        QVERIFY(demoAction->shortcuts().contains(QKeySequence(Qt::Key_Escape)));
        QVERIFY(cancelAction->shortcut().isEmpty());  // Esc belongs to demo mode now
        QVERIFY(window_->isFullScreen());
        QVERIFY(picker()->isHidden());  // the canvas takes the timestep row's room
        QVERIFY(sharperPreview()->isChecked());

        demoAction->trigger();
        QVERIFY(!window_->isDemoMode());
        QVERIFY(!director()->isRunning());
        QVERIFY(!window_->isFullScreen());
        QVERIFY(!dock("sourceDock")->isHidden());
        QVERIFY(!dock("directionsDock")->isHidden());
        QVERIFY(window_->menuBar()->isVisible());
        QVERIFY(window_->statusBar()->isVisible());
        QVERIFY(!banner()->isVisible());
        QVERIFY(!window_->sliderStack()->isLarge());
        QVERIFY(!picker()->isHidden());
        QVERIFY(!sharperPreview()->isChecked());  // the user's setting is back
        QCOMPARE(cancelAction->shortcut(), QKeySequence(Qt::Key_Escape));

        // Esc, pressed for real, leaves demo mode too.
        window_->setDemoMode(true);
        window_->activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(window_.get()));
        QTest::keyClick(window_.get(), Qt::Key_Escape);
        QVERIFY(!window_->isDemoMode());
        QVERIFY(!window_->isFullScreen());
        QVERIFY(!demoAction->isChecked());
    }

    void failingScenesOpenNoDialog() {
        // Dialogs on (as in the app): demo mode must turn them off by itself.
        window_->setShowDialogs(true);
        director()->setPlaylist({{1, 5000, 0, 2.0}, {2, 600, 1, 2.0}});  // t = 5000 does not exist
        QSignalSpy skipped(director(), &DemoDirector::sceneSkipped);
        QSignalSpy scenes(director(), &DemoDirector::sceneStarted);
        QSignalSpy errors(window_.get(), &MainWindow::errorShown);
        window_->setDemoMode(true);
        QTRY_VERIFY_WITH_TIMEOUT(!skipped.isEmpty(), kTimeoutMs);
        QCOMPARE(skipped.at(0).at(0).toInt(), 0);
        QTRY_VERIFY_WITH_TIMEOUT(!scenes.isEmpty(), kTimeoutMs);  // went on with the next scene
        QCOMPARE(scenes.at(0).at(0).toInt(), 1);

        // A model that cannot load, mid-scene: reported, logged, skipped, no message box.
        window_->openModelFolder(QStringLiteral("/nonexistent/model"));
        QTRY_COMPARE_WITH_TIMEOUT(errors.count(), 1, kTimeoutMs);
        QTRY_VERIFY_WITH_TIMEOUT(skipped.count() >= 2, kTimeoutMs);
        QCOMPARE(QApplication::activeModalWidget(), nullptr);
        QVERIFY(visibleMessageBoxes().isEmpty());
        QVERIFY(director()->isRunning());

        // Out of demo mode the window's own setting is back: the next error opens its box.
        window_->setDemoMode(false);
        window_->openModelFolder(QStringLiteral("/nonexistent/model"));
        QTRY_COMPARE_WITH_TIMEOUT(errors.count(), 2, kTimeoutMs);
        QTRY_VERIFY_WITH_TIMEOUT(!visibleMessageBoxes().isEmpty(), kTimeoutMs);
        for (auto* box : visibleMessageBoxes()) box->close();
    }

private:
    DemoDirector* director() const { return window_->demoDirector(); }
    latentlens::ui::DemoBanner* banner() const {
        return window_->findChild<latentlens::ui::DemoBanner*>(QStringLiteral("demoBanner"));
    }
    ImageCanvas* canvas() const { return latentlens::ui::test::canvas(*window_); }
    QWidget* picker() const { return window_->findChild<QWidget*>(QStringLiteral("timestepPicker")); }
    QAction* sharperPreview() const { return window_->findChild<QAction*>(QStringLiteral("actionSharperPreview")); }
    QDockWidget* dock(const char* name) const { return window_->findChild<QDockWidget*>(QLatin1String(name)); }

    QList<QMessageBox*> visibleMessageBoxes() const {
        QList<QMessageBox*> boxes;
        for (auto* box : window_->findChildren<QMessageBox*>()) {
            if (box->isVisible()) boxes.append(box);
        }
        return boxes;
    }

    static bool hasPreviewBeyond(const QSignalSpy& frames, double alpha) {
        for (const auto& frame : frames) {
            if (!frame.at(2).toBool() && std::abs(frame.at(1).toDouble()) > alpha) return true;
        }
        return false;
    }

    static bool hasSharp(const QSignalSpy& frames, double alpha) {
        for (const auto& frame : frames) {
            if (frame.at(2).toBool() && frame.at(1).toDouble() == alpha) return true;
        }
        return false;
    }

    // Nothing moves on its own for longer than a scene takes.
    void expectQuiet(QSignalSpy& frames, QSignalSpy& scenes) {
        const qint64 seed = window_->viewState().seed;
        const auto alphas = window_->viewState().alphas;
        frames.clear();
        const int scenesBefore = scenes.count();
        const QString caption = banner()->caption();
        QTest::qWait(kQuietMs);
        QCOMPARE(frames.count(), 0);
        QCOMPARE(scenes.count(), scenesBefore);
        QVERIFY(!window_->isBusy());
        QCOMPARE(window_->viewState().seed, seed);
        QCOMPARE(window_->viewState().alphas, alphas);
        QCOMPARE(banner()->caption(), caption);
    }

    std::unique_ptr<MainWindow> window_;
};

LATENTLENS_UI_TEST(DemoModeTest);

#include "DemoModeTest.moc"
