#include "ui/EditMask.h"

#include <algorithm>
#include <cmath>

namespace latentlens::ui {
namespace {

// Half a gray level: anything fainter counts as unpainted (as core's checkMaskIsPartial).
constexpr int kFaint = 1;

}  // namespace

EditMask::EditMask(QObject* parent) : QObject(parent) {}

void EditMask::resize(const QSize& size) {
    if (image_.size() == size) return;
    if (size.isEmpty()) {
        image_ = QImage();
    } else {
        image_ = QImage(size, QImage::Format_Grayscale8);
        image_.fill(0);
    }
    stroking_ = false;
    measure();
}

void EditMask::setImage(const QImage& image) {
    image_ = image.isNull() ? QImage() : image.convertToFormat(QImage::Format_Grayscale8);
    stroking_ = false;
    measure();
}

bool EditMask::isEmpty() const { return image_.isNull() || brightest_ < kFaint; }

bool EditMask::isFull() const { return !image_.isNull() && darkest_ > 255 - kFaint; }

void EditMask::measure() {
    darkest_ = 255;
    brightest_ = 0;
    double sum = 0;
    for (int y = 0; y < image_.height(); ++y) {
        const uchar* row = image_.constScanLine(y);
        for (int x = 0; x < image_.width(); ++x) {
            darkest_ = std::min<int>(darkest_, row[x]);
            brightest_ = std::max<int>(brightest_, row[x]);
            sum += row[x];
        }
    }
    coverage_ = image_.isNull() ? 0.0 : sum / (255.0 * image_.width() * image_.height());
    emit changed();
}

void EditMask::setBrushRadius(double radius) { radius_ = std::max(0.5, radius); }

void EditMask::setSoftness(double softness) { softness_ = std::clamp(softness, 0.0, 1.0); }

void EditMask::stamp(const QPointF& centre) {
    const double hard = radius_ * (1.0 - softness_);
    const int x0 = std::max(0, static_cast<int>(std::floor(centre.x() - radius_)));
    const int x1 = std::min(image_.width() - 1, static_cast<int>(std::ceil(centre.x() + radius_)));
    const int y0 = std::max(0, static_cast<int>(std::floor(centre.y() - radius_)));
    const int y1 = std::min(image_.height() - 1, static_cast<int>(std::ceil(centre.y() + radius_)));
    for (int y = y0; y <= y1; ++y) {
        uchar* row = image_.scanLine(y);
        for (int x = x0; x <= x1; ++x) {
            const double distance = std::hypot(x + 0.5 - centre.x(), y + 0.5 - centre.y());
            double coverage = distance <= hard ? 1.0 : distance >= radius_ ? 0.0 : (radius_ - distance) / (radius_ - hard);
            if (coverage <= 0) continue;
            const int level = static_cast<int>(std::lround(255.0 * coverage));
            row[x] = erasing_ ? static_cast<uchar>(std::min<int>(row[x], 255 - level))
                              : static_cast<uchar>(std::max<int>(row[x], level));
        }
    }
}

void EditMask::beginStroke(const QPointF& point, bool erase) {
    if (image_.isNull()) return;
    strokeStart_ = image_.copy();
    stroking_ = true;
    erasing_ = erase;
    last_ = point;
    stamp(point);
    measure();
}

void EditMask::continueStroke(const QPointF& point) {
    if (!stroking_) return;
    // Dabs a quarter of the radius apart: a continuous line at any pointer speed.
    const QPointF delta = point - last_;
    const double length = std::hypot(delta.x(), delta.y());
    const double spacing = std::max(0.25, radius_ / 4.0);
    const int dabs = std::max(1, static_cast<int>(std::ceil(length / spacing)));
    for (int i = 1; i <= dabs; ++i) stamp(last_ + delta * (static_cast<double>(i) / dabs));
    last_ = point;
    measure();
}

QImage EditMask::endStroke() {
    if (!stroking_) return {};
    stroking_ = false;
    return std::exchange(strokeStart_, QImage());
}

void EditMask::invert() {
    if (image_.isNull()) return;
    image_.invertPixels();
    measure();
}

void EditMask::clear() {
    if (image_.isNull()) return;
    image_.fill(0);
    measure();
}

QImage EditMask::overlay(const QColor& color) const {
    if (image_.isNull()) return {};
    QImage tint(image_.size(), QImage::Format_ARGB32_Premultiplied);
    for (int y = 0; y < image_.height(); ++y) {
        const uchar* mask = image_.constScanLine(y);
        auto* out = reinterpret_cast<QRgb*>(tint.scanLine(y));
        for (int x = 0; x < image_.width(); ++x) {
            const int alpha = mask[x] * 110 / 255;  // at most ~43% opaque: the picture shows through
            out[x] = qPremultiply(qRgba(color.red(), color.green(), color.blue(), alpha));
        }
    }
    return tint;
}

}  // namespace latentlens::ui
