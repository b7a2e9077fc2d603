#pragma once

#include <utility>

#include <QByteArray>
#include <QList>
#include <QString>

class QAction;
class QDockWidget;
class QMainWindow;
class QWidget;

namespace latentlens::ui {

class DemoBanner;
class ImageCanvas;
class SliderStack;

// What demo mode changes in the main window, and how it puts it back: full screen, no docks, menu
// or status bar, no timestep row, large sliders, the sharper preview, the demo banner, Esc leaving
// demo mode (instead of cancelling) and no message boxes. enter() saves the normal layout first;
// leave() restores exactly that.
class DemoLayout {
public:
    // The window's parts demo mode changes (all owned by the window, which outlives this).
    struct Parts {
        QMainWindow* window = nullptr;
        QDockWidget* sourceDock = nullptr;
        QDockWidget* directionsDock = nullptr;
        SliderStack* sliderStack = nullptr;
        DemoBanner* banner = nullptr;
        ImageCanvas* canvas = nullptr;
        QList<QWidget*> timestepRow;  // the picker, the x̂0 preview and the line above them
        QAction* sharperPreview = nullptr;
        QAction* cancel = nullptr;
        QAction* demoMode = nullptr;
        QAction* fullScreen = nullptr;
    };

    explicit DemoLayout(Parts parts) : parts_(std::move(parts)) {}

    // Saves the normal layout and shows the demo one with `caption` in the banner. `showDialogs`
    // is the window's flag (false in demo mode: errors are logged); `wasMaximized` the window's
    // memory of being maximized before full screen.
    void enter(bool& showDialogs, bool& wasMaximized, const QString& caption);
    // Puts the normal layout back.
    void leave(bool& showDialogs);

    // What the settings keep while in demo mode: the normal layout's.
    const QByteArray& normalGeometry() const { return normal_.geometry; }
    const QByteArray& normalState() const { return normal_.state; }
    bool normalSharperPreview() const { return normal_.sharperPreview; }

private:
    struct NormalLayout {
        bool showDialogs = true;
        bool sourceDock = true;
        bool directionsDock = true;
        bool fullScreen = false;
        bool maximized = false;
        bool sharperPreview = false;
        QByteArray geometry;
        QByteArray state;
    };

    Parts parts_;
    NormalLayout normal_;
};

}  // namespace latentlens::ui
