#include "ui/SliderStack.h"

#include <QFont>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>

#include "ui/DirectionSet.h"
#include "ui/DirectionSlider.h"

namespace latentlens::ui {

SliderStack::SliderStack(QWidget* parent)
    : QWidget(parent),
      rowsLayout_(new QVBoxLayout),
      hint_(new QLabel(this)),
      resetAll_(new QPushButton(tr("Reset all"), this)),
      beforeAfter_(new QPushButton(tr("Show original"), this)) {
    hint_->setObjectName(QStringLiteral("sliderHint"));
    hint_->setWordWrap(true);
    hint_->setEnabled(false);
    resetAll_->setObjectName(QStringLiteral("resetAllButton"));
    resetAll_->setToolTip(tr("Put every slider back to 0"));
    beforeAfter_->setObjectName(QStringLiteral("beforeAfterButton"));
    beforeAfter_->setCheckable(true);
    beforeAfter_->setToolTip(tr("Hold the original image on the canvas to compare (B)"));
    beforeAfter_->setShortcut(QKeySequence(Qt::Key_B));

    rowsLayout_->setContentsMargins(0, 0, 0, 0);
    rowsLayout_->setSpacing(2);
    auto* buttons = new QHBoxLayout;
    buttons->addWidget(hint_, 1);
    buttons->addWidget(beforeAfter_);
    buttons->addWidget(resetAll_);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(12, 6, 12, 4);
    layout->setSpacing(4);
    layout->addLayout(rowsLayout_);
    layout->addLayout(buttons);

    connect(resetAll_, &QPushButton::clicked, this, [this] {
        QMap<int, double> zero;
        for (int direction : sliders_) zero[direction] = 0.0;
        emit commitRequested(sliders_, zero, sliders_.isEmpty() ? -1 : sliders_.last());
    });
    connect(beforeAfter_, &QPushButton::toggled, this, [this](bool original) {
        beforeAfter_->setText(original ? tr("Showing original") : tr("Show original"));
        emit showOriginalToggled(original);
    });
    setSliders({}, {}, {});
}

void SliderStack::clearRows() {
    for (auto* row : rows_) row->deleteLater();
    rows_.clear();
}

void SliderStack::setSliders(std::shared_ptr<const DirectionSet> directions, const QList<int>& sliders,
                             const QMap<int, double>& alphas) {
    if (directions != directions_ || sliders != sliders_) {
        clearRows();
        directions_ = std::move(directions);
        sliders_ = directions_ ? sliders : QList<int>{};
        for (int direction : sliders_) {
            const QImage picture = direction < directions_->count() ? directions_->cards[direction].direction : QImage();
            auto* row = new DirectionSlider(direction, picture, DirectionSet::kAlphaMax, this);
            row->setLarge(large_);
            connect(row, &DirectionSlider::alphaDragged, this, [this](int moved, double alpha) {
                auto values = this->alphas();
                values[moved] = alpha;
                emit previewRequested(values, moved);
            });
            connect(row, &DirectionSlider::alphaCommitted, this, [this](int moved, double alpha) {
                auto values = this->alphas();
                values[moved] = alpha;
                emit commitRequested(sliders_, values, moved);
            });
            connect(row, &DirectionSlider::removeRequested, this, [this](int removed) {
                auto list = sliders_;
                list.removeAll(removed);
                auto values = this->alphas();
                values.remove(removed);
                emit commitRequested(list, values, list.isEmpty() ? -1 : list.last());
            });
            rowsLayout_->addWidget(row);
            rows_.append(row);
        }
    }
    for (auto* row : rows_) row->setAlpha(alphas.value(row->direction(), 0.0));
    const bool haveDirections = directions_ && directions_->count() > 0;
    // Large (demo mode): no hint, it would point at panels the presentation hides.
    hint_->setText(large_            ? QString()
                   : !haveDirections ? tr("Find directions (right panel) to get sliders that steer this image.")
                   : sliders_.isEmpty() ? tr("Click a direction card on the right to get its slider.")
                                        : tr("Drag a slider to steer the image; release to render it sharp. "
                                             "Double-click a slider to reset it."));
    resetAll_->setEnabled(!sliders_.isEmpty());
    beforeAfter_->setEnabled(!sliders_.isEmpty() || beforeAfter_->isChecked());
}

QMap<int, double> SliderStack::alphas() const {
    QMap<int, double> values;
    for (auto* row : rows_) values[row->direction()] = row->alpha();
    return values;
}

DirectionSlider* SliderStack::sliderFor(int direction) const {
    for (auto* row : rows_) {
        if (row->direction() == direction) return row;
    }
    return nullptr;
}

void SliderStack::setLarge(bool large) {
    if (large == large_) return;
    large_ = large;
    if (large) {
        QFont big = font();
        big.setPointSizeF(big.pointSizeF() * 1.6);
        setFont(big);  // the rows, buttons and hint inherit it
    } else {
        setFont(QFont());  // nothing set: inherit the window's font again
    }
    rowsLayout_->setSpacing(large ? 8 : 2);
    for (auto* row : rows_) row->setLarge(large);
    setSliders(directions_, sliders_, alphas());  // the hint for the new size; rows stay
}

bool SliderStack::showsOriginal() const { return beforeAfter_->isChecked(); }

void SliderStack::setShowsOriginal(bool original) { beforeAfter_->setChecked(original); }

}  // namespace latentlens::ui
