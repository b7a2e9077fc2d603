#include "ui/DetentSlider.h"

#include <algorithm>
#include <cstdlib>

#include <QMouseEvent>
#include <QPainter>
#include <QStyle>
#include <QStyleOptionSlider>

namespace latentlens::ui {

DetentSlider::DetentSlider(QWidget* parent) : QSlider(Qt::Horizontal, parent) {
    setTickPosition(QSlider::NoTicks);
    setToolTip(tr("Drag to edit (the canvas previews live; releasing renders it sharp).\n"
                  "Double-click: back to 0. Arrow keys: small steps."));
}

void DetentSlider::mouseDoubleClickEvent(QMouseEvent* event) {
    event->accept();
    setValue(0);
    emit resetRequested();
}

void DetentSlider::sliderChange(SliderChange change) {
    if (change == SliderValueChange && isSliderDown() && value() != 0 && std::abs(value()) <= detentWidth_) {
        setValue(0);  // re-enters sliderChange with 0
        return;
    }
    QSlider::sliderChange(change);
}

void DetentSlider::paintEvent(QPaintEvent*) {
    // The groove without the style's fill from the minimum (misleading around a centre of 0), a
    // fill from 0 to the handle instead, the centre mark, then the handle.
    QPainter painter(this);
    QStyleOptionSlider option;
    initStyleOption(&option);
    const QRect groove = style()->subControlRect(QStyle::CC_Slider, &option, QStyle::SC_SliderGroove, this);
    const QRect handle = style()->subControlRect(QStyle::CC_Slider, &option, QStyle::SC_SliderHandle, this);
    const int span = groove.width() - handle.width();
    const auto xOf = [&](int value) {
        return groove.left() + handle.width() / 2 +
               QStyle::sliderPositionFromValue(minimum(), maximum(), value, span, option.upsideDown);
    };
    QStyleOptionSlider grooveOption = option;
    grooveOption.subControls = QStyle::SC_SliderGroove;
    grooveOption.palette.setColor(QPalette::Highlight, palette().color(QPalette::Button));
    style()->drawComplexControl(QStyle::CC_Slider, &grooveOption, &painter, this);

    const int centre = xOf(0);
    const int at = xOf(value());
    const int thickness = std::max(4, groove.height() / 2);  // thicker with a large style's groove
    const QRect fill(std::min(centre, at), groove.center().y() - thickness / 2 + 1, std::abs(at - centre), thickness);
    painter.fillRect(fill, palette().color(QPalette::Highlight));
    painter.setPen(QPen(palette().color(QPalette::WindowText), 1));
    painter.drawLine(centre, rect().top() + 1, centre, rect().top() + 4);
    painter.drawLine(centre, rect().bottom() - 4, centre, rect().bottom() - 1);

    QStyleOptionSlider handleOption = option;
    handleOption.subControls = QStyle::SC_SliderHandle;
    style()->drawComplexControl(QStyle::CC_Slider, &handleOption, &painter, this);
}

}  // namespace latentlens::ui
