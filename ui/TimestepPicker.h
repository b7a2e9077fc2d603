#pragma once

#include <QTimer>
#include <QWidget>

class QLabel;
class QSlider;
class QSpinBox;

namespace latentlens::ui {

// Chooses the diffusion timestep t in 0..T-1: a slider running from coarse (high t, left) to fine
// (t = 0, right) with tick marks, a spin box for exact values and a hint saying what the ends mean.
// timestepChosen fires when a drag ends, ~150 ms after the slider stops moving, or when a value is
// typed; never for setTimestep().
class TimestepPicker : public QWidget {
    Q_OBJECT
public:
    static constexpr int kDebounceMs = 150;

    explicit TimestepPicker(QWidget* parent = nullptr);

    // T of the model; the current t is kept (clamped).
    void setTrainTimesteps(int trainTimesteps);
    int trainTimesteps() const { return trainTimesteps_; }
    int timestep() const;
    // Moves the picker without emitting timestepChosen (undo, restoring a state).
    void setTimestep(int timestep);

signals:
    void timestepChosen(int timestep);

private:
    void onSliderMoved(int value);
    void onSpinBoxChanged(int value);
    void choose();

    QSlider* slider_;
    QSpinBox* spinBox_;
    QLabel* rangeLabel_;
    QTimer debounce_;
    int trainTimesteps_ = 1000;
    int lastChosen_ = -1;
};

}  // namespace latentlens::ui
