#pragma once

#include <QImage>
#include <QWidget>

class QLabel;
class QToolButton;

namespace latentlens::ui {

class DetentSlider;

// One row of the slider stack: the direction's picture and name, a slider for its α in
// ±alphaMax (centre detent, double-click resets), the value, and a button that removes the row.
class DirectionSlider : public QWidget {
    Q_OBJECT
public:
    static constexpr int kTicksPerUnit = 100;  // slider positions per unit of α

    DirectionSlider(int direction, const QImage& picture, double alphaMax, QWidget* parent = nullptr);

    int direction() const { return direction_; }
    double alpha() const;
    // Moves the slider without emitting anything.
    void setAlpha(double alpha);
    DetentSlider* slider() const { return slider_; }
    // Large: a big picture, a thick groove and a big handle (demo mode, seen from afar). The font
    // comes from the parent (SliderStack::setLarge).
    void setLarge(bool large);
    bool isLarge() const { return large_; }

signals:
    void alphaDragged(int direction, double alpha);    // while the handle is held
    void alphaCommitted(int direction, double alpha);  // released, keyboard step, reset, programmatic setValue
    void removeRequested(int direction);

private:
    void showValue();

    void fitLabels();

    int direction_;
    QImage image_;
    bool large_ = false;
    QLabel* picture_;
    QLabel* name_;
    DetentSlider* slider_;
    QLabel* value_;
    QToolButton* remove_;
};

}  // namespace latentlens::ui
