#include "ui/DirectionSlider.h"

#include <cmath>

#include <QHBoxLayout>
#include <QImage>
#include <QLabel>
#include <QPixmap>
#include <QSignalBlocker>
#include <QToolButton>

#include "ui/DetentSlider.h"

namespace latentlens::ui {

DirectionSlider::DirectionSlider(int direction, const QImage& picture, double alphaMax, QWidget* parent)
    : QWidget(parent),
      direction_(direction),
      picture_(new QLabel(this)),
      name_(new QLabel(tr("Direction %1").arg(direction + 1), this)),
      slider_(new DetentSlider(this)),
      value_(new QLabel(this)),
      remove_(new QToolButton(this)) {
    setObjectName(QStringLiteral("directionSlider%1").arg(direction));
    const int size = 24;
    if (!picture.isNull()) picture_->setPixmap(QPixmap::fromImage(picture.scaled(size, size)));
    picture_->setFixedSize(size, size);
    picture_->setToolTip(tr("Direction %1 (red: pixels it brightens, blue: pixels it darkens)").arg(direction + 1));
    name_->setMinimumWidth(name_->fontMetrics().horizontalAdvance(tr("Direction 00")));
    const int range = static_cast<int>(std::lround(alphaMax * kTicksPerUnit));
    slider_->setObjectName(QStringLiteral("alphaSlider%1").arg(direction));
    slider_->setRange(-range, range);
    slider_->setSingleStep(kTicksPerUnit / 10);
    slider_->setPageStep(kTicksPerUnit);
    slider_->setDetentWidth(kTicksPerUnit / 8);
    slider_->setMinimumWidth(200);
    value_->setAlignment(Qt::AlignRight | Qt::AlignVCenter);
    value_->setMinimumWidth(value_->fontMetrics().horizontalAdvance(QStringLiteral("α −5.00")));
    remove_->setText(QStringLiteral("✕"));
    remove_->setAutoRaise(true);
    remove_->setToolTip(tr("Remove this slider (its edit goes away)"));

    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(picture_);
    layout->addWidget(name_);
    layout->addWidget(slider_, 1);
    layout->addWidget(value_);
    layout->addWidget(remove_);
    showValue();

    connect(slider_, &QSlider::valueChanged, this, [this] {
        showValue();
        if (slider_->isSliderDown()) {
            emit alphaDragged(direction_, alpha());
        } else {
            emit alphaCommitted(direction_, alpha());  // keyboard, wheel or a programmatic move
        }
    });
    connect(slider_, &QSlider::sliderReleased, this, [this] { emit alphaCommitted(direction_, alpha()); });
    connect(remove_, &QToolButton::clicked, this, [this] { emit removeRequested(direction_); });
}

double DirectionSlider::alpha() const { return static_cast<double>(slider_->value()) / kTicksPerUnit; }

void DirectionSlider::setAlpha(double alpha) {
    const QSignalBlocker blocker(slider_);
    slider_->setValue(static_cast<int>(std::lround(alpha * kTicksPerUnit)));
    showValue();
}

void DirectionSlider::showValue() {
    const double a = alpha();
    value_->setText(QStringLiteral("α %1%2").arg(a > 0 ? QStringLiteral("+") : a < 0 ? QStringLiteral("−") : QString())
                        .arg(std::abs(a), 0, 'f', 2));
}

}  // namespace latentlens::ui
