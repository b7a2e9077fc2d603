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
namespace {

constexpr int kPictureSize = 24;
constexpr int kLargePictureSize = 56;
constexpr int kLargeSliderHeight = 48;

// A thick groove and a big round handle that a presenter can hit and a room can follow.
const char* const kLargeSliderStyle =
    "QSlider::groove:horizontal { height: 14px; border-radius: 7px; background: palette(mid); }"
    "QSlider::handle:horizontal { width: 36px; margin: -14px 0; border-radius: 21px;"
    " background: palette(light); border: 4px solid palette(highlight); }";

}  // namespace

DirectionSlider::DirectionSlider(int direction, const QImage& picture, double alphaMax, QWidget* parent)
    : QWidget(parent),
      direction_(direction),
      image_(picture),
      picture_(new QLabel(this)),
      name_(new QLabel(tr("Direction %1").arg(direction + 1), this)),
      slider_(new DetentSlider(this)),
      value_(new QLabel(this)),
      remove_(new QToolButton(this)) {
    setObjectName(QStringLiteral("directionSlider%1").arg(direction));
    if (!picture.isNull()) picture_->setPixmap(QPixmap::fromImage(picture.scaled(kPictureSize, kPictureSize)));
    picture_->setFixedSize(kPictureSize, kPictureSize);
    picture_->setToolTip(tr("Direction %1 (red: pixels it brightens, blue: pixels it darkens)").arg(direction + 1));
    const int range = static_cast<int>(std::lround(alphaMax * kTicksPerUnit));
    slider_->setObjectName(QStringLiteral("alphaSlider%1").arg(direction));
    slider_->setRange(-range, range);
    slider_->setSingleStep(kTicksPerUnit / 10);
    slider_->setPageStep(kTicksPerUnit);
    slider_->setDetentWidth(kTicksPerUnit / 8);
    slider_->setMinimumWidth(200);
    value_->setAlignment(Qt::AlignRight | Qt::AlignVCenter);
    fitLabels();
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

void DirectionSlider::setLarge(bool large) {
    if (large == large_) return;
    large_ = large;
    const int size = large ? kLargePictureSize : kPictureSize;
    // Nearest-neighbour: the direction's 32×32 pixels stay crisp when enlarged.
    if (!image_.isNull()) picture_->setPixmap(QPixmap::fromImage(image_.scaled(size, size)));
    picture_->setFixedSize(size, size);
    slider_->setStyleSheet(large ? QString::fromLatin1(kLargeSliderStyle) : QString());
    slider_->setMinimumHeight(large ? kLargeSliderHeight : 0);
    remove_->setVisible(!large);  // no accidental removal in a presentation
    fitLabels();
}

void DirectionSlider::fitLabels() {
    name_->setMinimumWidth(name_->fontMetrics().horizontalAdvance(tr("Direction 00")));
    value_->setMinimumWidth(value_->fontMetrics().horizontalAdvance(QStringLiteral("α −5.00")));
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
