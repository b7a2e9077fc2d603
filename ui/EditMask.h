#pragma once

#include <QColor>
#include <QImage>
#include <QObject>
#include <QPointF>

namespace latentlens::ui {

// The painted mask of a local edit: a Grayscale8 image of the picture's size (255 = edit, 0 =
// keep) and the brush that paints it. A stroke stamps round soft-edged dabs along the pointer's
// path (painting raises each pixel to the dab's coverage, erasing lowers it); the owner records
// strokes, invert and clear for undo through the before/after images the edits report.
class EditMask : public QObject {
    Q_OBJECT
public:
    explicit EditMask(QObject* parent = nullptr);

    // Empty (all 0) of `size`; keeps the current mask when the size is the same.
    void resize(const QSize& size);
    const QImage& image() const { return image_; }
    // Replaces the mask (undo, redo, a session); converted to Grayscale8, null for none.
    void setImage(const QImage& image);

    // Painted pixels: none, some, or all of them (at least half a gray level).
    bool isEmpty() const;
    bool isFull() const;
    bool isPartial() const { return !image_.isNull() && !isEmpty() && !isFull(); }
    // The mean value in [0, 1]: how much of the image is painted.
    double coverage() const { return coverage_; }

    // The brush: radius in image pixels (≥ 0.5) and softness in [0, 1], the fraction of the radius
    // over which a dab fades out (0: a hard edge).
    double brushRadius() const { return radius_; }
    double softness() const { return softness_; }
    void setBrushRadius(double radius);
    void setSoftness(double softness);

    // A stroke from `point` (image coordinates, pixel centres at +0.5): `erase` lowers the mask.
    void beginStroke(const QPointF& point, bool erase);
    void continueStroke(const QPointF& point);
    // Ends the stroke; returns the mask from before it (null if no stroke was running).
    QImage endStroke();
    bool isStroking() const { return stroking_; }

    void invert();
    void clear();

    // The mask as a translucent tint over the picture (ARGB32 premultiplied, same size).
    QImage overlay(const QColor& color = QColor(255, 64, 160)) const;

signals:
    void changed();

private:
    void stamp(const QPointF& centre);
    // After every change: the painted range and coverage (one pass), then changed().
    void measure();

    QImage image_;
    double radius_ = 4.0;
    double softness_ = 0.5;
    bool stroking_ = false;
    bool erasing_ = false;
    QPointF last_;
    QImage strokeStart_;
    int darkest_ = 0;
    int brightest_ = 0;
    double coverage_ = 0.0;
};

}  // namespace latentlens::ui
