#include "ui/DirectionCard.h"

#include <algorithm>

#include <QEnterEvent>
#include <QGuiApplication>
#include <QLabel>
#include <QMouseEvent>
#include <QPainter>

#include "core/geometry/DirectionMatch.h"

namespace latentlens::ui {
namespace {

constexpr int kPad = 6;
constexpr int kGap = 4;
constexpr int kEnlarged = 128;

}  // namespace

DirectionCard::DirectionCard(int index, DirectionCardImages images, double alpha, int followedTimestep, QWidget* parent)
    : QWidget(parent), index_(index), images_(std::move(images)), alpha_(alpha), followedTimestep_(followedTimestep) {
    setObjectName(QStringLiteral("directionCard%1").arg(index));
    setCursor(Qt::PointingHandCursor);
    setAttribute(Qt::WA_Hover);
    setSizePolicy(QSizePolicy::Fixed, QSizePolicy::Fixed);
}

DirectionCard::~DirectionCard() { delete popup_; }  // QPointer: null if the window went first

QSize DirectionCard::sizeHint() const {
    const int text = fontMetrics().height();
    return {3 * kThumbnail + 2 * kGap + 2 * kPad, kPad + text + kGap + kThumbnail + kGap + text + kPad};
}

void DirectionCard::setOnStack(bool onStack) {
    if (onStack_ == onStack) return;
    onStack_ = onStack;
    update();
}

void DirectionCard::paintEvent(QPaintEvent*) {
    QPainter painter(this);
    const QPalette& colours = palette();
    const QRectF frame = QRectF(rect()).adjusted(0.5, 0.5, -0.5, -0.5);
    QColor background = colours.color(QPalette::Base);
    if (hovered_) background = colours.color(QPalette::AlternateBase);
    painter.setPen(QPen(onStack_ ? colours.color(QPalette::Highlight) : colours.color(QPalette::Mid),
                        onStack_ ? 2.0 : 1.0));
    painter.setBrush(background);
    painter.drawRoundedRect(frame, 4, 4);

    const int text = fontMetrics().height();
    painter.setPen(colours.color(QPalette::Text));
    const QRect title(kPad, kPad, width() - 2 * kPad, text);
    QFont bold = font();
    bold.setBold(true);
    const QString sigma = QStringLiteral("σ %1").arg(images_.sigma, 0, 'g', 3);
    const QString tail = matchNote() + (onStack_ ? QStringLiteral(" ✓") : QString());
    QString name = tr("Direction %1").arg(index_ + 1) + tail;
    // A re-matched card's note is long: the short name keeps it clear of σ.
    if (QFontMetrics(bold).horizontalAdvance(name) + fontMetrics().horizontalAdvance(sigma) + kGap > title.width())
        name = tr("Dir. %1").arg(index_ + 1) + tail;
    painter.setFont(bold);
    painter.drawText(title, Qt::AlignLeft | Qt::AlignVCenter, name);
    painter.setFont(font());
    painter.drawText(title, Qt::AlignRight | Qt::AlignVCenter, sigma);

    // −α edit, the direction, +α edit: the direction sits between the two results it causes.
    const int top = kPad + text + kGap;
    const QImage* pictures[3] = {&images_.minus, &images_.direction, &images_.plus};
    const QString labels[3] = {QStringLiteral("α −%1").arg(alpha_, 0, 'g', 3), tr("direction"),
                               QStringLiteral("α +%1").arg(alpha_, 0, 'g', 3)};
    painter.setRenderHint(QPainter::SmoothPixmapTransform, false);
    QFont small = font();
    small.setPointSizeF(small.pointSizeF() * 0.85);
    for (int i = 0; i < 3; ++i) {
        const QRect target(kPad + i * (kThumbnail + kGap), top, kThumbnail, kThumbnail);
        // A live card's edits are still those of the direction it continues: shown faded.
        const bool earlier = images_.editsTimestep >= 0 && i != 1;
        painter.setOpacity(earlier ? 0.4 : 1.0);
        if (!pictures[i]->isNull()) painter.drawImage(target, *pictures[i]);
        painter.setOpacity(1.0);
        painter.setFont(small);
        painter.setPen(colours.color(QPalette::PlaceholderText));
        const QString label = earlier && pictures[i]->isNull() ? tr("updating…") : labels[i];
        painter.drawText(QRect(target.left(), target.bottom() + kGap, kThumbnail, text), Qt::AlignCenter, label);
    }
}

QString DirectionCard::matchNote() const {
    if (followedTimestep_ < 0 || images_.continues == index_) return {};
    return images_.continues < 0 ? tr(" (new)") : tr(" (was %1)").arg(images_.continues + 1);
}

QString DirectionCard::caption() const {
    const QString what = masked_ ? tr("the predicted image inside the mask reacts") : tr("the model's features react");
    QString text = tr("σ = %1: how strongly %4 to direction %2.\n"
                      "Middle: the direction (red brightens, blue darkens); left/right: the image at α = −%3 / +%3.\n"
                      "Click the card to get a slider for it.")
                       .arg(images_.sigma, 0, 'g', 4)
                       .arg(index_ + 1)
                       .arg(alpha_, 0, 'g', 3)
                       .arg(what);
    if (followedTimestep_ < 0) return text;
    if (images_.editsTimestep >= 0) {
        text += tr("\nFollowing the timestep: the edits shown are those of t = %1 until the directions are refined.")
                    .arg(images_.editsTimestep);
    }
    if (images_.continues < 0) {
        return text + tr("\nRecomputed from t = %1: no direction there is close to this one (|cos| < %2).")
                          .arg(followedTimestep_)
                          .arg(DirectionMatch::kMinimumCosine);
    }
    return text + tr("\nRecomputed from t = %1: continues direction %2 there (|cos| %3).")
                      .arg(followedTimestep_)
                      .arg(images_.continues + 1)
                      .arg(images_.continuesCosine, 0, 'f', 3);
}

QPixmap DirectionCard::enlarged() const {
    const QFontMetrics metrics = fontMetrics();
    const int text = metrics.height();
    const int width = 3 * kEnlarged + 4 * kGap;
    const QRect captionBox(kGap, kEnlarged + 2 * kGap + text, width - 2 * kGap, 10 * text);
    const QRect captionUsed = metrics.boundingRect(captionBox, Qt::TextWordWrap | Qt::AlignLeft, caption());
    const qreal ratio = devicePixelRatioF();
    QPixmap pixmap(QSize(width, captionUsed.bottom() + kGap + 1) * ratio);
    pixmap.setDevicePixelRatio(ratio);
    // Opaque throughout: the panel has no alpha channel to be composited (see enterEvent).
    pixmap.fill(palette().color(QPalette::ToolTipBase));
    QPainter painter(&pixmap);
    painter.setRenderHint(QPainter::SmoothPixmapTransform, false);
    painter.setPen(palette().color(QPalette::ToolTipText));
    const QImage* pictures[3] = {&images_.minus, &images_.direction, &images_.plus};
    const QString labels[3] = {QStringLiteral("α −%1").arg(alpha_, 0, 'g', 3),
                               tr("direction %1").arg(index_ + 1), QStringLiteral("α +%1").arg(alpha_, 0, 'g', 3)};
    for (int i = 0; i < 3; ++i) {
        const QRect target(kGap + i * (kEnlarged + kGap), kGap, kEnlarged, kEnlarged);
        if (!pictures[i]->isNull()) painter.drawImage(target, *pictures[i]);
        painter.drawText(QRect(target.left(), target.bottom() + 1, kEnlarged, text), Qt::AlignCenter, labels[i]);
    }
    painter.drawText(captionBox, Qt::TextWordWrap | Qt::AlignLeft, caption());
    return pixmap;
}

void DirectionCard::enterEvent(QEnterEvent* event) {
    hovered_ = true;
    update();
    // The enlarged view is a child of the card's window, drawn into the window's own surface,
    // not a separate tool-tip window: on X servers without a compositor (plain Xvfb, many
    // remote desktops) such a window showed as a black rectangle.
    QWidget* host = window();
    if (!popup_ || popup_->parentWidget() != host) {
        delete popup_;
        popup_ = new QLabel(host);
        popup_->setObjectName(QStringLiteral("directionCardZoom"));
        popup_->setFrameShape(QFrame::Box);
        popup_->setAutoFillBackground(true);
        popup_->setBackgroundRole(QPalette::ToolTipBase);
        popup_->setAttribute(Qt::WA_TransparentForMouseEvents);
        popup_->setPixmap(enlarged());
        popup_->adjustSize();
    }
    // Beside the card, on the side with room (the directions dock is usually on the right), and
    // inside the window.
    const QPoint topLeft = mapTo(host, QPoint(0, 0));
    QPoint at(topLeft.x() - popup_->width() - 8, topLeft.y());
    if (at.x() < 0) at.setX(topLeft.x() + width() + 8);
    at.setX(std::clamp(at.x(), 0, std::max(0, host->width() - popup_->width())));
    at.setY(std::clamp(at.y(), 0, std::max(0, host->height() - popup_->height())));
    popup_->move(at);
    popup_->raise();
    popup_->show();
    QWidget::enterEvent(event);
}

void DirectionCard::leaveEvent(QEvent* event) {
    hovered_ = false;
    update();
    if (popup_) popup_->hide();
    QWidget::leaveEvent(event);
}

void DirectionCard::mouseReleaseEvent(QMouseEvent* event) {
    if (event->button() == Qt::LeftButton && rect().contains(event->position().toPoint())) emit cardClicked(index_);
    QWidget::mouseReleaseEvent(event);
}

}  // namespace latentlens::ui
