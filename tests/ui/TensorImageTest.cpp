#include <cmath>
#include <limits>

#include <QImage>
#include <QTemporaryDir>
#include <QTest>

#include <torch/torch.h>

#include "UiTestRegistry.h"
#include "core/Error.h"
#include "io/ImageFile.h"
#include "ui/TensorImage.h"

using latentlens::ui::TensorImage;

class TensorImageTest : public QObject {
    Q_OBJECT
private slots:
    void grayscaleRoundsLikeWriteImage() {
        const float nan = std::numeric_limits<float>::quiet_NaN();
        auto tensor = torch::tensor({-1.0f, 0.0f, 1.0f, 0.5f, nan, 2.0f}).reshape({1, 2, 3});
        const QImage image = TensorImage::toQImage(tensor);
        QCOMPARE(image.format(), QImage::Format_Grayscale8);
        QCOMPARE(image.size(), QSize(3, 2));
        const uchar* top = image.constScanLine(0);
        const uchar* bottom = image.constScanLine(1);
        QCOMPARE(int(top[0]), 0);
        QCOMPARE(int(top[1]), 128);  // 127.5 rounds half up
        QCOMPARE(int(top[2]), 255);
        QCOMPARE(int(bottom[0]), 191);
        QCOMPARE(int(bottom[1]), 0);    // NaN shows black
        QCOMPARE(int(bottom[2]), 255);  // clamped
    }

    void rgbKeepsChannelOrder() {
        auto tensor = torch::full({1, 3, 1, 2}, -1.0f);
        tensor[0][0][0][0] = 1.0f;  // red at (0, 0)
        tensor[0][2][0][1] = 1.0f;  // blue at (1, 0)
        const QImage image = TensorImage::toQImage(tensor);
        QCOMPARE(image.format(), QImage::Format_RGB888);
        QCOMPARE(image.pixel(0, 0), qRgb(255, 0, 0));
        QCOMPARE(image.pixel(1, 0), qRgb(0, 0, 255));
    }

    void matchesExportedPng() {
        auto tensor = torch::rand({1, 32, 32}, torch::kFloat64).mul(2.2).sub(1.1);
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("x.png"));
        latentlens::writeImage(path.toStdString(), tensor);
        QImage written(path);
        QVERIFY(!written.isNull());
        QCOMPARE(written.convertToFormat(QImage::Format_Grayscale8), TensorImage::toQImage(tensor));
    }

    void refusesOtherShapes() {
        QVERIFY_THROWS_EXCEPTION(std::exception, TensorImage::toQImage(torch::zeros({4, 4})));
        QVERIFY(TensorImage::toQImage(torch::Tensor()).isNull());
        // A latent of 4 channels is not an image: no silent picture of channels 0..2.
        QVERIFY_THROWS_EXCEPTION(latentlens::Error, TensorImage::toQImage(torch::zeros({1, 4, 8, 8})));
        QVERIFY_THROWS_EXCEPTION(latentlens::Error, TensorImage::toQImage(torch::zeros({2, 8, 8})));
    }
};

LATENTLENS_UI_TEST(TensorImageTest);

#include "TensorImageTest.moc"
