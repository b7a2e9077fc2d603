#pragma once

#include <functional>

#include <QElapsedTimer>
#include <QList>
#include <QObject>
#include <QString>

#include "ui/DemoScene.h"

namespace latentlens::ui {

class MainWindow;

// Demo mode's autopilot (issue #8): plays a curated list of scenes on the window, in a loop, only
// through the window's public slots and signals — for each scene it generates the seed, moves to
// the timestep, finds the directions, adds the scene's slider and sweeps it 0 → +α → −α → 0 with
// the live drag preview, rendering the sharp edit (a "release") at each turning point and holding
// it. Every step waits until the window is idle before the next, so requests never pile up faster
// than the worker finishes them; a scene that fails (errorShown) or cannot be played is logged and
// skipped. All timing is QTimer-driven. While running it watches the whole application for real
// input (a mouse press, key press, wheel or touch) and stops at once, leaving the image sharp and
// the user in control; the director itself only calls slots, so it never trips its own watch.
class DemoDirector : public QObject {
    Q_OBJECT
public:
    // Scenes chosen on the default Fashion-MNIST model (fmnist32) whose edits read from afar.
    static QList<DemoScene> curatedPlaylist();
    // The largest direction index a scene may sweep (directions are found with k = index + 1 ≥ 4).
    static constexpr int kMaxDirection = 7;

    explicit DemoDirector(MainWindow& window);
    ~DemoDirector() override;

    void setPlaylist(QList<DemoScene> scenes);
    // Multiplies every sweep, hold and pause: 1 is presentation speed, below 1 is faster (tests).
    void setPace(double factor) { pace_ = factor; }
    bool isRunning() const { return running_; }
    QString caption() const { return caption_; }

public slots:
    // Plays from the current scene (from its start); nothing if already running.
    void start();
    // Stops at once: no further request; a sweep in progress is rendered sharp where it stands.
    void stop();

signals:
    void runningChanged(bool running);
    // What is happening, for a large caption: "Seed 3 · t = 700 · direction 1: α +2.50".
    void captionChanged(const QString& caption);
    void sceneStarted(int index);
    void sceneSkipped(int index, const QString& reason);
    // The canvas shows `direction` at `alpha`: a drag preview, or (sharp) the rendered edit.
    void alphaShown(int direction, double alpha, bool sharp);

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    struct Sweep {
        double from;
        double to;
        int milliseconds;
    };

    void playScene();
    void showImage();
    void showTimestep();
    void findDirections();
    void addSlider();
    void startSweep(int sweep);
    void sweepFrame();
    void endSweep();
    void nextScene();
    void skipScene(const QString& reason);

    // Runs `next` (unless stopped meanwhile) once the window has no job left.
    void whenIdle(std::function<void()> next);
    // Runs `next` (unless stopped meanwhile) after `milliseconds` scaled by the pace.
    void after(int milliseconds, std::function<void()> next);
    std::function<void()> guarded(std::function<void()> next);
    bool sceneFailed();
    void setCaption(const QString& caption);
    QString sceneText() const;

    MainWindow& window_;
    QList<DemoScene> playlist_;
    double pace_ = 1.0;
    bool running_ = false;
    quint64 generation_ = 0;  // bumped by stop/start: callbacks of an older run do nothing
    int index_ = 0;
    DemoScene scene_;
    std::function<void()> onIdle_;
    bool failed_ = false;
    QString failure_;
    int sweep_ = -1;  // index into the sweeps of a scene; -1: not sweeping
    QElapsedTimer sweepClock_;
    double alpha_ = 0.0;          // last α asked for
    bool alphaCommitted_ = true;  // α was rendered sharp (not only previewed)
    QString caption_;
};

}  // namespace latentlens::ui
