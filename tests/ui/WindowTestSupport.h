#pragma once

#include <memory>

class QAction;
class QSpinBox;
class QWidget;

namespace latentlens::ui {
class ImageCanvas;
class MainWindow;
}  // namespace latentlens::ui

namespace latentlens::ui::test {

constexpr int kTimeoutMs = 60000;
constexpr int kQuickSteps = 5;  // DDIM grid 800, 600, 400, 200, 0 on fmnist32: quick images

// The real window on the default model, set to make quick kQuickSteps-step images of seed 0,
// with error dialogs off (errors are still emitted as errorShown), and shown. Its first image is
// on the way: wait with QTRY_VERIFY_WITH_TIMEOUT(showsIdleImage(*window), kTimeoutMs).
std::unique_ptr<MainWindow> openQuickWindow();

// An image is shown and no job is running or queued.
bool showsIdleImage(const MainWindow& window);

// Named children of the window; a missing one stops the test binary with its name.
QSpinBox* spinBox(const QWidget& window, const char* name);
QAction* action(const QWidget& window, const char* name);
ImageCanvas* canvas(const QWidget& window);

}  // namespace latentlens::ui::test
