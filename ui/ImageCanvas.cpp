#include "ui/ImageCanvas.h"

#include <algorithm>
#include <array>
#include <cmath>

#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileInfo>
#include <QMimeData>
#include <QMouseEvent>
#include <QPainter>
#include <QUrl>
#include <QWheelEvent>

namespace latentlens::ui {
namespace {

// Zoom steps in device pixels per image pixel: whole numbers above 1 keep pixels square and sharp.
constexpr std::array<double, 23> kZoomSteps = {0.125, 0.25, 1.0 / 3, 0.5, 2.0 / 3, 1,  2,  3,  4,  5,  6,  8,
                                               10,    12,   16,      20,  24,      32, 40, 48, 64, 96, 128};
const QColor kBackground(0x1e, 0x1f, 0x22);
const QColor kTextColor(0xa8, 0xab, 0xb3);

QString localFileOf(const QMimeData* mime) {
    if (!mime || !mime->hasUrls() || mime->urls().isEmpty()) return {};
    const QUrl url = mime->urls().constFirst();
    return url.isLocalFile() ? url.toLocalFile() : QString();
}

}  // namespace

ImageCanvas::ImageCanvas(QWidget* parent) : QWidget(parent) {
    setAcceptDrops(true);
    setAttribute(Qt::WA_OpaquePaintEvent);
    setMouseTracking(false);
    setFocusPolicy(Qt::ClickFocus);
}

QSize ImageCanvas::sizeHint() const { return {512, 512}; }

QSize ImageCanvas::minimumSizeHint() const { return {64, 64}; }

void ImageCanvas::setImage(const QImage& image) {
    const bool sameSize = image.size() == image_.size();
    image_ = image;
    if (!sameSize) {
        center_ = QPointF(image_.width() / 2.0, image_.height() / 2.0);
        clampCenter();
    }
    updateCursor();
    update();
}

void ImageCanvas::setPlaceholderText(const QString& text) {
    placeholder_ = text;
    if (image_.isNull()) update();
}

void ImageCanvas::setCaption(const QString& text) {
    caption_ = text;
    update();
}

void ImageCanvas::setInteractive(bool interactive) {
    interactive_ = interactive;
    setAcceptDrops(interactive);
    updateCursor();
    update();
}

double ImageCanvas::fitZoom() const {
    if (image_.isNull()) return 1.0;
    const double dpr = devicePixelRatioF();
    const double margin = interactive_ ? 16.0 : 4.0;
    const double width = std::max(1.0, (this->width() - 2 * margin) * dpr);
    const double height = std::max(1.0, (this->height() - 2 * margin) * dpr);
    const double zoom = std::min(width / image_.width(), height / image_.height());
    return zoom >= 1.0 ? std::floor(zoom) : zoom;
}

double ImageCanvas::deviceZoom() const { return fit_ ? fitZoom() : zoom_; }

QRectF ImageCanvas::imageRect() const {
    const double dpr = devicePixelRatioF();
    const double scale = deviceZoom() / dpr;  // widget pixels per image pixel
    const QPointF center = fit_ ? QPointF(image_.width() / 2.0, image_.height() / 2.0) : center_;
    // Top-left on a whole device pixel, so whole-number zooms map every image pixel to a square.
    const double left = std::round((width() / 2.0 - center.x() * scale) * dpr) / dpr;
    const double top = std::round((height() / 2.0 - center.y() * scale) * dpr) / dpr;
    return {left, top, image_.width() * scale, image_.height() * scale};
}

void ImageCanvas::setOverlay(const QImage& overlay) {
    overlay_ = overlay;
    update();
}

void ImageCanvas::setMaskOverlay(const QImage& mask) {
    maskOverlay_ = mask;
    update();
}

void ImageCanvas::setPainting(bool painting) {
    if (painting_ == painting) return;
    painting_ = painting;
    stroking_ = false;
    setMouseTracking(painting);
    hover_ = {-1, -1};
    updateCursor();
    update();
}

void ImageCanvas::setBrushRadius(double radius) {
    brushRadius_ = radius;
    if (painting_) update();
}

QPointF ImageCanvas::imagePointAt(const QPointF& widgetPoint) const {
    const QRectF area = imageRect();
    if (image_.isNull() || area.width() <= 0) return {};
    return {(widgetPoint.x() - area.left()) * image_.width() / area.width(),
            (widgetPoint.y() - area.top()) * image_.height() / area.height()};
}

void ImageCanvas::leaveEvent(QEvent* event) {
    hover_ = {-1, -1};
    if (painting_) update();
    QWidget::leaveEvent(event);
}

void ImageCanvas::paintEvent(QPaintEvent*) {
    QPainter painter(this);
    painter.fillRect(rect(), kBackground);
    if (image_.isNull()) {
        painter.setPen(kTextColor);
        painter.drawText(rect().adjusted(12, 12, -12, -12), Qt::AlignCenter | Qt::TextWordWrap, placeholder_);
        return;
    }
    const double zoom = deviceZoom();
    painter.setRenderHint(QPainter::SmoothPixmapTransform, zoom < 1.0);
    painter.drawImage(imageRect(), image_);
    if (!maskOverlay_.isNull()) painter.drawImage(imageRect(), maskOverlay_);
    if (!overlay_.isNull()) painter.drawImage(imageRect(), overlay_);
    if (painting_ && hover_.x() >= 0) {
        // The brush: a light circle with a dark rim, visible on any picture.
        const double scale = imageRect().width() / std::max(1, image_.width());
        const double radius = brushRadius_ * scale;
        painter.setRenderHint(QPainter::Antialiasing, true);
        painter.setBrush(Qt::NoBrush);
        painter.setPen(QPen(QColor(0, 0, 0, 160), 3.0));
        painter.drawEllipse(hover_, radius, radius);
        painter.setPen(QPen(QColor(255, 255, 255, 220), 1.2));
        painter.drawEllipse(hover_, radius, radius);
        painter.setRenderHint(QPainter::Antialiasing, false);
    }

    QFont small = font();
    small.setPointSizeF(std::max(7.0, small.pointSizeF() - 1));
    painter.setFont(small);
    painter.setPen(kTextColor);
    const QRect textArea = rect().adjusted(8, 4, -8, -6);
    if (!caption_.isEmpty()) painter.drawText(textArea, Qt::AlignLeft | Qt::AlignBottom, caption_);
    if (interactive_) {
        const double percent = zoom / devicePixelRatioF() * 100.0;
        const QString zoomText = (fit_ ? tr("fit ") : QString()) + QStringLiteral("%1%").arg(std::lround(percent));
        painter.drawText(textArea, Qt::AlignRight | Qt::AlignBottom,
                         QStringLiteral("%1×%2  ·  %3").arg(image_.width()).arg(image_.height()).arg(zoomText));
    }
}

void ImageCanvas::zoomAround(double deviceZoom, QPointF anchor) {
    if (image_.isNull()) return;
    const double dpr = devicePixelRatioF();
    const QRectF before = imageRect();
    const double oldScale = this->deviceZoom() / dpr;
    // The image point under the anchor stays under it.
    const QPointF imagePoint = (anchor - before.topLeft()) / oldScale;
    const double newScale = deviceZoom / dpr;
    fit_ = false;
    zoom_ = deviceZoom;
    center_ = imagePoint - (anchor - QPointF(width() / 2.0, height() / 2.0)) / newScale;
    clampCenter();
    updateCursor();
    update();
    emit zoomChanged();
}

void ImageCanvas::zoomIn() {
    const double current = deviceZoom();
    for (double step : kZoomSteps) {
        if (step > current * 1.0001) return zoomAround(step, rect().center());
    }
}

void ImageCanvas::zoomOut() {
    const double current = deviceZoom();
    for (auto it = kZoomSteps.rbegin(); it != kZoomSteps.rend(); ++it) {
        if (*it < current * 0.9999) return zoomAround(*it, rect().center());
    }
}

void ImageCanvas::fitToWindow() {
    fit_ = true;
    updateCursor();
    update();
    emit zoomChanged();
}

void ImageCanvas::showActualSize() { zoomAround(1.0, rect().center()); }

void ImageCanvas::clampCenter() {
    center_.setX(std::clamp(center_.x(), 0.0, static_cast<double>(image_.width())));
    center_.setY(std::clamp(center_.y(), 0.0, static_cast<double>(image_.height())));
}

void ImageCanvas::updateCursor() {
    const QRectF area = imageRect();
    const bool pannable =
        interactive_ && !fit_ && !image_.isNull() && (area.width() > width() || area.height() > height());
    if (dragging_) {
        setCursor(Qt::ClosedHandCursor);
    } else if (painting_ && interactive_) {
        setCursor(Qt::CrossCursor);
    } else if (pannable) {
        setCursor(Qt::OpenHandCursor);
    } else {
        unsetCursor();
    }
}

void ImageCanvas::wheelEvent(QWheelEvent* event) {
    if (!interactive_ || image_.isNull()) return QWidget::wheelEvent(event);
    const int delta = event->angleDelta().y();
    if (delta == 0) return QWidget::wheelEvent(event);
    const double current = deviceZoom();
    double target = current;
    if (delta > 0) {
        for (double step : kZoomSteps) {
            if (step > current * 1.0001) {
                target = step;
                break;
            }
        }
    } else {
        for (auto it = kZoomSteps.rbegin(); it != kZoomSteps.rend(); ++it) {
            if (*it < current * 0.9999) {
                target = *it;
                break;
            }
        }
    }
    if (target != current) zoomAround(target, event->position());
    event->accept();
}

void ImageCanvas::mousePressEvent(QMouseEvent* event) {
    if (painting_ && interactive_ && !image_.isNull() &&
        (event->button() == Qt::LeftButton || event->button() == Qt::RightButton) && !stroking_) {
        stroking_ = true;
        emit paintStarted(imagePointAt(event->position()), event->button() == Qt::RightButton);
        event->accept();
        return;
    }
    const Qt::MouseButton panButton = painting_ ? Qt::MiddleButton : Qt::LeftButton;
    if (interactive_ && event->button() == panButton && !fit_ && !image_.isNull()) {
        dragging_ = true;
        dragStart_ = event->position();
        dragStartCenter_ = center_;
        updateCursor();
        event->accept();
        return;
    }
    QWidget::mousePressEvent(event);
}

void ImageCanvas::mouseMoveEvent(QMouseEvent* event) {
    if (painting_) {
        hover_ = event->position();
        if (stroking_) emit paintMoved(imagePointAt(event->position()));
        update();
        if (!dragging_) return;
    }
    if (!dragging_) return QWidget::mouseMoveEvent(event);
    const double scale = deviceZoom() / devicePixelRatioF();
    center_ = dragStartCenter_ - (event->position() - dragStart_) / scale;
    clampCenter();
    update();
}

void ImageCanvas::mouseReleaseEvent(QMouseEvent* event) {
    if (stroking_ && (event->button() == Qt::LeftButton || event->button() == Qt::RightButton)) {
        stroking_ = false;
        emit paintFinished();
        return;
    }
    if (dragging_ && (event->button() == Qt::LeftButton || event->button() == Qt::MiddleButton)) {
        dragging_ = false;
        updateCursor();
        return;
    }
    QWidget::mouseReleaseEvent(event);
}

void ImageCanvas::mouseDoubleClickEvent(QMouseEvent* event) {
    if (painting_) return mousePressEvent(event);  // a quick second dab, not "fit"
    if (interactive_ && event->button() == Qt::LeftButton) {
        fitToWindow();
        return;
    }
    QWidget::mouseDoubleClickEvent(event);
}

void ImageCanvas::dragEnterEvent(QDragEnterEvent* event) {
    if (!localFileOf(event->mimeData()).isEmpty()) event->acceptProposedAction();
}

void ImageCanvas::dropEvent(QDropEvent* event) {
    const QString path = localFileOf(event->mimeData());
    if (path.isEmpty()) return;
    event->acceptProposedAction();
    emit fileDropped(path);
}

}  // namespace latentlens::ui
