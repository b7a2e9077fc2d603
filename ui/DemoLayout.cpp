#include "ui/DemoLayout.h"

#include <QAction>
#include <QDockWidget>
#include <QKeySequence>
#include <QMainWindow>
#include <QMenuBar>
#include <QSignalBlocker>
#include <QStatusBar>

#include "ui/DemoBanner.h"
#include "ui/ImageCanvas.h"
#include "ui/SliderStack.h"

namespace latentlens::ui {
namespace {

QList<QKeySequence> demoModeShortcuts() {
    return {QKeySequence(Qt::Key_F5), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_M)};
}

}  // namespace

void DemoLayout::enter(bool& showDialogs, bool& wasMaximized, const QString& caption) {
    auto* window = parts_.window;
    normal_.showDialogs = showDialogs;
    normal_.sourceDock = !parts_.sourceDock->isHidden();
    normal_.directionsDock = !parts_.directionsDock->isHidden();
    normal_.fullScreen = window->isFullScreen();
    normal_.maximized = window->isMaximized() || (normal_.fullScreen && wasMaximized);
    normal_.sharperPreview = parts_.sharperPreview->isChecked();
    normal_.geometry = window->saveGeometry();
    normal_.state = window->saveState();

    showDialogs = false;  // a presentation is never stopped by a message box: errors are logged
    parts_.sourceDock->hide();
    parts_.directionsDock->hide();
    window->menuBar()->hide();
    window->statusBar()->hide();
    parts_.sliderStack->setLarge(true);
    // The one-call x̂0 preview is a blur at high t; 10 steps show the audience the real shapes.
    parts_.sharperPreview->setChecked(true);
    parts_.banner->setCaption(caption);
    parts_.banner->show();
    // The canvas gets the timestep row's height too (the caption says t).
    for (QWidget* widget : parts_.timestepRow) widget->hide();
    parts_.canvas->setFocus();  // no text cursor blinking in the timestep box
    // Esc leaves demo mode (instead of cancelling the running job, which the director owns).
    parts_.cancel->setShortcut({});
    parts_.demoMode->setShortcuts(demoModeShortcuts() << QKeySequence(Qt::Key_Escape));
    {
        const QSignalBlocker blocker(parts_.fullScreen);
        parts_.fullScreen->setChecked(true);
    }
    if (!normal_.fullScreen) {
        wasMaximized = normal_.maximized;
        window->showFullScreen();
    }
}

void DemoLayout::leave(bool& showDialogs) {
    auto* window = parts_.window;
    showDialogs = normal_.showDialogs;
    parts_.banner->hide();
    for (QWidget* widget : parts_.timestepRow) widget->show();
    parts_.sliderStack->setLarge(false);
    parts_.sharperPreview->setChecked(normal_.sharperPreview);
    window->menuBar()->show();
    window->statusBar()->show();
    parts_.sourceDock->setVisible(normal_.sourceDock);
    parts_.directionsDock->setVisible(normal_.directionsDock);
    parts_.demoMode->setShortcuts(demoModeShortcuts());
    parts_.cancel->setShortcut(QKeySequence(Qt::Key_Escape));
    {
        const QSignalBlocker blocker(parts_.fullScreen);
        parts_.fullScreen->setChecked(normal_.fullScreen);
    }
    if (!normal_.fullScreen) {
        if (normal_.maximized) {
            window->showMaximized();
        } else {
            window->showNormal();
        }
    }
}

}  // namespace latentlens::ui
