#include <cmath>

#include <QDragEnterEvent>
#include <QDropEvent>
#include <QImage>
#include <QMimeData>
#include <QSignalSpy>
#include <QTest>
#include <QUrl>

#include "UiTestRegistry.h"
#include "ui/ImageCanvas.h"

using latentlens::ui::ImageCanvas;

class ImageCanvasTest : public QObject {
    Q_OBJECT
private slots:
    void fitsAtWholeNumberZoomPixelExact() {
        ImageCanvas canvas;
        canvas.resize(400, 400);
        QImage image(32, 32, QImage::Format_Grayscale8);
        for (int y = 0; y < 32; ++y) {
            for (int x = 0; x < 32; ++x) image.scanLine(y)[x] = static_cast<uchar>((x * 8 + y * 3) % 256);
        }
        canvas.setImage(image);
        QVERIFY(canvas.isFitToWindow());
        const double zoom = canvas.deviceZoom();
        QCOMPARE(zoom, std::floor(zoom));
        QVERIFY(zoom >= 10);

        // Every image pixel becomes a uniform zoom × zoom block of exactly its value.
        const QImage shown = canvas.grab().toImage().convertToFormat(QImage::Format_RGB32);
        const int z = static_cast<int>(zoom);
        const int left = (shown.width() - 32 * z) / 2, top = (shown.height() - 32 * z) / 2;
        for (int y : {0, 5, 31}) {
            for (int x : {0, 17, 31}) {
                const int value = image.constScanLine(y)[x];
                for (int dy : {0, z / 2, z - 1}) {
                    for (int dx : {0, z / 2, z - 1}) {
                        QCOMPARE(shown.pixel(left + x * z + dx, top + y * z + dy), qRgb(value, value, value));
                    }
                }
            }
        }
    }

    void wheelStepsThroughWholeNumbers() {
        ImageCanvas canvas;
        canvas.resize(400, 400);
        canvas.setImage(QImage(32, 32, QImage::Format_Grayscale8));
        const double fit = canvas.deviceZoom();
        canvas.zoomIn();
        QVERIFY(!canvas.isFitToWindow());
        QVERIFY(canvas.deviceZoom() > fit);
        QCOMPARE(canvas.deviceZoom(), std::floor(canvas.deviceZoom()));
        canvas.zoomOut();
        canvas.zoomOut();
        QVERIFY(canvas.deviceZoom() < fit);
        canvas.fitToWindow();
        QCOMPARE(canvas.deviceZoom(), fit);
    }

    void droppedFileIsReported() {
        ImageCanvas canvas;
        canvas.resize(200, 200);
        QSignalSpy dropped(&canvas, &ImageCanvas::fileDropped);
        QMimeData mime;
        mime.setUrls({QUrl::fromLocalFile(QStringLiteral("/tmp/some image.png"))});
        QDragEnterEvent enter(QPoint(50, 50), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
        QCoreApplication::sendEvent(&canvas, &enter);
        QVERIFY(enter.isAccepted());
        QDropEvent drop(QPointF(50, 50), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
        QCoreApplication::sendEvent(&canvas, &drop);
        QCOMPARE(dropped.count(), 1);
        QCOMPARE(dropped.at(0).at(0).toString(), QStringLiteral("/tmp/some image.png"));
    }
};

LATENTLENS_UI_TEST(ImageCanvasTest);

#include "ImageCanvasTest.moc"
