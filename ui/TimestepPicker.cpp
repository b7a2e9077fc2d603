#include "ui/TimestepPicker.h"

#include <algorithm>

#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QSignalBlocker>
#include <QSlider>
#include <QSpinBox>
#include <QVBoxLayout>

namespace latentlens::ui {

TimestepPicker::TimestepPicker(QWidget* parent) : QWidget(parent) {
    auto* title = new QLabel(tr("<b>Timestep</b>"), this);
    spinBox_ = new QSpinBox(this);
    spinBox_->setObjectName(QStringLiteral("timestepSpinBox"));
    spinBox_->setPrefix(QStringLiteral("t = "));
    spinBox_->setKeyboardTracking(false);  // typing "300" chooses 300, not 3, 30, 300
    spinBox_->setAccelerated(true);
    spinBox_->setToolTip(tr("The diffusion timestep: the noise level of the latent x_t the views show"));
    rangeLabel_ = new QLabel(this);
    rangeLabel_->setForegroundRole(QPalette::PlaceholderText);

    slider_ = new QSlider(Qt::Horizontal, this);
    slider_->setObjectName(QStringLiteral("timestepSlider"));
    // High t (coarse) on the left, t = 0 (fine) on the right, as the hint reads.
    slider_->setInvertedAppearance(true);
    slider_->setInvertedControls(true);
    slider_->setTickPosition(QSlider::TicksBelow);
    slider_->setToolTip(spinBox_->toolTip());

    auto* coarse = new QLabel(tr("coarse (layout, shape) ←"), this);
    auto* fine = new QLabel(tr("→ fine (texture, detail)"), this);
    for (auto* hint : {coarse, fine}) {
        hint->setForegroundRole(QPalette::PlaceholderText);
        QFont font = hint->font();
        font.setPointSizeF(font.pointSizeF() * 0.9);
        hint->setFont(font);
    }

    auto* header = new QHBoxLayout;
    header->addWidget(title);
    header->addSpacing(8);
    header->addWidget(spinBox_);
    header->addWidget(rangeLabel_);
    header->addStretch(1);
    auto* hints = new QHBoxLayout;
    hints->addWidget(coarse);
    hints->addStretch(1);
    hints->addWidget(fine);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(4);
    layout->addLayout(header);
    layout->addWidget(slider_);
    layout->addLayout(hints);

    debounce_.setSingleShot(true);
    debounce_.setInterval(kDebounceMs);
    connect(&debounce_, &QTimer::timeout, this, &TimestepPicker::choose);
    connect(slider_, &QSlider::valueChanged, this, &TimestepPicker::onSliderMoved);
    connect(slider_, &QSlider::sliderReleased, this, [this] {
        debounce_.stop();
        choose();
    });
    connect(spinBox_, &QSpinBox::valueChanged, this, &TimestepPicker::onSpinBoxChanged);

    setTrainTimesteps(1000);
    setTimestep(600);
}

void TimestepPicker::setTrainTimesteps(int trainTimesteps) {
    trainTimesteps_ = std::max(1, trainTimesteps);
    const int current = timestep();
    const QSignalBlocker blockSlider(slider_);
    const QSignalBlocker blockSpinBox(spinBox_);
    slider_->setRange(0, trainTimesteps_ - 1);
    slider_->setTickInterval(std::max(1, trainTimesteps_ / 10));
    slider_->setPageStep(std::max(1, trainTimesteps_ / 20));
    spinBox_->setRange(0, trainTimesteps_ - 1);
    rangeLabel_->setText(tr("of 0–%1").arg(trainTimesteps_ - 1));
    setTimestep(std::clamp(current, 0, trainTimesteps_ - 1));
}

int TimestepPicker::timestep() const { return slider_->value(); }

void TimestepPicker::setTimestep(int timestep) {
    debounce_.stop();
    const QSignalBlocker blockSlider(slider_);
    const QSignalBlocker blockSpinBox(spinBox_);
    slider_->setValue(timestep);
    spinBox_->setValue(timestep);
    lastChosen_ = slider_->value();
}

void TimestepPicker::onSliderMoved(int value) {
    const QSignalBlocker blockSpinBox(spinBox_);
    spinBox_->setValue(value);
    debounce_.start();  // restarted by every move: fires once the slider rests
}

void TimestepPicker::onSpinBoxChanged(int value) {
    const QSignalBlocker blockSlider(slider_);
    slider_->setValue(value);
    debounce_.stop();
    choose();
}

void TimestepPicker::choose() {
    const int value = slider_->value();
    if (value == lastChosen_) return;
    lastChosen_ = value;
    emit timestepChosen(value);
}

}  // namespace latentlens::ui
