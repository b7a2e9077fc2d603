#pragma once

#include <QSlider>

namespace latentlens::ui {

// A horizontal slider around a centre of 0: it snaps to 0 when dragged close to it (a detent), a
// tick marks the centre, and a double-click puts it back to 0 (emitting resetRequested).
class DetentSlider : public QSlider {
    Q_OBJECT
public:
    explicit DetentSlider(QWidget* parent = nullptr);
    // Values within this distance of 0 snap to 0 while dragging.
    void setDetentWidth(int width) { detentWidth_ = width; }

signals:
    void resetRequested();

protected:
    void mouseDoubleClickEvent(QMouseEvent* event) override;
    void sliderChange(SliderChange change) override;
    void paintEvent(QPaintEvent* event) override;

private:
    int detentWidth_ = 0;
};

}  // namespace latentlens::ui
