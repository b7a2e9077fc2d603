#include "WindowTestSupport.h"

#include <QAction>
#include <QSpinBox>

#include "ui/ImageCanvas.h"
#include "ui/MainWindow.h"

namespace latentlens::ui::test {

std::unique_ptr<MainWindow> openQuickWindow() {
    auto window = std::make_unique<MainWindow>();
    window->setShowDialogs(false);
    spinBox(*window, "stepsSpinBox")->setValue(kQuickSteps);
    spinBox(*window, "seedSpinBox")->setValue(0);
    window->show();
    return window;
}

bool showsIdleImage(const MainWindow& window) { return !window.viewState().isNull() && !window.isBusy(); }

QSpinBox* spinBox(const QWidget& window, const char* name) {
    auto* box = window.findChild<QSpinBox*>(QString::fromLatin1(name));
    if (!box) qFatal("no spin box %s", name);
    return box;
}

QAction* action(const QWidget& window, const char* name) {
    auto* found = window.findChild<QAction*>(QString::fromLatin1(name));
    if (!found) qFatal("no action %s", name);
    return found;
}

ImageCanvas* canvas(const QWidget& window) {
    auto* found = window.findChild<ImageCanvas*>(QStringLiteral("imageCanvas"));
    if (!found) qFatal("no image canvas");
    return found;
}

}  // namespace latentlens::ui::test
