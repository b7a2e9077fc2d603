#pragma once

#include <functional>

#include <QObject>
#include <QString>

namespace latentlens::ui {
class MainWindow;
}

// --screenshot FILE [--screenshot-scene NAME]: drives the window to a scene, grabs it to FILE and
// quits (for the documentation and for looking at the app without a display). Scenes:
//   first       the first image of the default seed (what a first launch shows)
//   directions  + 10 directions found, the sliders of directions 1 and 2 added, direction 1 at +2
//   drag        + direction 2 mid-drag at −2.5 (the canvas shows the live preview)
//   demo        demo mode (entered if --demo did not) caught mid-sweep, at a preview with |α| ≥ 1.5
class ScreenshotScene : public QObject {
    Q_OBJECT
public:
    ScreenshotScene(latentlens::ui::MainWindow& window, QString path, QString scene);
    bool isKnownScene() const;

private:
    void start();
    // Runs `next` once the window has no job left.
    void whenIdle(std::function<void()> next);
    void grab();
    void grabMidSweep();
    void save();

    latentlens::ui::MainWindow& window_;
    QString path_;
    QString scene_;
};
