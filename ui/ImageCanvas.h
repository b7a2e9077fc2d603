#pragma once

#include <QImage>
#include <QPointF>
#include <QString>
#include <QWidget>

namespace latentlens::ui {

// Shows one image on a plain dark background. Fits the window by default, at the largest whole
// number of screen pixels per image pixel that fits, so small images (32×32) stay sharp; the mouse
// wheel zooms around the cursor, dragging pans, double-click fits again. Whole-number zooms are
// drawn pixel-exact with nearest-neighbour; only zooms below 1 smooth. Accepts a dropped file.
// In painting mode (a mask brush) the left button paints and the right one erases — reported as
// paint* signals in image coordinates, the owner paints — the middle button pans, and a circle
// shows the brush under the pointer.
class ImageCanvas : public QWidget {
    Q_OBJECT
public:
    explicit ImageCanvas(QWidget* parent = nullptr);

    // Keeps the zoom and view position when the size stays the same.
    void setImage(const QImage& image);
    const QImage& image() const { return image_; }
    // Shown centered when there is no image.
    void setPlaceholderText(const QString& text);
    // Drawn over the image, stretched to it with nearest-neighbour (its alpha channel says where);
    // null for none.
    void setOverlay(const QImage& overlay);
    const QImage& overlay() const { return overlay_; }
    // The painted mask's tint, drawn over the image below the overlay; null for none.
    void setMaskOverlay(const QImage& mask);
    const QImage& maskOverlay() const { return maskOverlay_; }
    // Painting mode with a brush of `radius` image pixels (the outline drawn under the pointer).
    void setPainting(bool painting);
    bool isPainting() const { return painting_; }
    void setBrushRadius(double radius);
    // Widget coordinates → image coordinates (pixel (x, y) spans [x, x + 1)).
    QPointF imagePointAt(const QPointF& widgetPoint) const;
    // Small text in the bottom-left corner (e.g. what the image is); empty for none.
    void setCaption(const QString& text);
    // Turns off the zoom overlay, the wheel/drag navigation and drops (for thumbnails).
    void setInteractive(bool interactive);

    bool isFitToWindow() const { return fit_; }
    // Screen (device) pixels per image pixel.
    double deviceZoom() const;

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

public slots:
    void zoomIn();
    void zoomOut();
    void fitToWindow();
    void showActualSize();

signals:
    void fileDropped(const QString& path);
    void zoomChanged();
    // Painting mode: a stroke (erase: the right button) starts, moves and ends at image points.
    void paintStarted(const QPointF& imagePoint, bool erase);
    void paintMoved(const QPointF& imagePoint);
    void paintFinished();

protected:
    void paintEvent(QPaintEvent* event) override;
    void wheelEvent(QWheelEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    void mouseDoubleClickEvent(QMouseEvent* event) override;
    void leaveEvent(QEvent* event) override;
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;

private:
    double fitZoom() const;                              // device pixels per image pixel
    void zoomAround(double deviceZoom, QPointF anchor);  // anchor in widget coordinates
    QRectF imageRect() const;                            // where the image lands, widget coordinates
    void clampCenter();
    void updateCursor();

    QImage image_;
    QImage overlay_;
    QImage maskOverlay_;
    bool painting_ = false;
    bool stroking_ = false;
    double brushRadius_ = 4.0;
    QPointF hover_{-1, -1};  // widget coordinates of the pointer while painting; negative: outside
    QString placeholder_;
    QString caption_;
    bool interactive_ = true;
    bool fit_ = true;
    double zoom_ = 1.0;  // device pixels per image pixel when not fitting
    QPointF center_;     // image coordinate at the widget's center when not fitting
    bool dragging_ = false;
    QPointF dragStart_;
    QPointF dragStartCenter_;
};

}  // namespace latentlens::ui
