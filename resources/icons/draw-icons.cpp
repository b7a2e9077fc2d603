// Draws the PNG icons in this folder (not part of the build). Rebuild them with:
//   g++ -std=c++17 -fPIC draw-icons.cpp $(for m in Core Gui; do echo -I/usr/include/x86_64-linux-gnu/qt6{,/Qt$m}; done) \
//       -lQt6Gui -lQt6Core -o /tmp/draw-icons && QT_QPA_PLATFORM=offscreen /tmp/draw-icons resources/icons
#include <QGuiApplication>
#include <QImage>
#include <QPainter>
#include <QPainterPath>
#include <QLinearGradient>
#include <QRadialGradient>
#include <QRandomGenerator>
#include <cmath>

static QImage appIcon(int size) {
    QImage img(size, size, QImage::Format_ARGB32_Premultiplied);
    img.fill(Qt::transparent);
    QPainter p(&img);
    p.setRenderHint(QPainter::Antialiasing);
    p.scale(size / 256.0, size / 256.0);
    QPainterPath tile;
    tile.addRoundedRect(QRectF(8, 8, 240, 240), 44, 44);
    QLinearGradient bg(8, 8, 248, 248);
    bg.setColorAt(0, QColor("#2b1d5c"));
    bg.setColorAt(0.55, QColor("#3a4fa8"));
    bg.setColorAt(1, QColor("#2fc4b2"));
    p.fillPath(tile, bg);
    // Noise speckles fading towards the bottom-right: the diffusion going from noise to image.
    p.save();
    p.setClipPath(tile);
    QRandomGenerator rng(7);
    for (int i = 0; i < 900; ++i) {
        double x = rng.bounded(240.0) + 8, y = rng.bounded(240.0) + 8;
        double fade = 1.0 - (x + y) / 330.0;
        if (fade <= 0) continue;
        int g = rng.bounded(256);
        p.fillRect(QRectF(x, y, 5, 5), QColor(g, g, g, int(120 * fade)));
    }
    p.restore();
    // Lens: a clear view through the noise.
    const QPointF c(112, 112);
    const double r = 62;
    QPainterPath glass;
    glass.addEllipse(c, r, r);
    QLinearGradient inside(c.x() - r, c.y() - r, c.x() + r, c.y() + r);
    inside.setColorAt(0, QColor("#f7d774"));
    inside.setColorAt(1, QColor("#f08a5d"));
    p.fillPath(glass, inside);
    // A simple shape seen through the lens (a tee shirt silhouette, for Fashion-MNIST).
    QPainterPath shirt;
    shirt.moveTo(92, 82); shirt.lineTo(104, 76); shirt.quadTo(112, 88, 120, 76); shirt.lineTo(132, 82);
    shirt.lineTo(146, 100); shirt.lineTo(136, 108); shirt.lineTo(130, 100); shirt.lineTo(130, 146);
    shirt.lineTo(94, 146); shirt.lineTo(94, 100); shirt.lineTo(88, 108); shirt.lineTo(78, 100); shirt.closeSubpath();
    p.fillPath(shirt, QColor(40, 30, 70, 220));
    QRadialGradient shine(c.x() - 24, c.y() - 28, 40);
    shine.setColorAt(0, QColor(255, 255, 255, 120));
    shine.setColorAt(1, QColor(255, 255, 255, 0));
    p.fillPath(glass, shine);
    // Handle.
    p.save();
    p.translate(c);
    p.rotate(45);
    QLinearGradient metal(0, -11, 0, 11);
    metal.setColorAt(0, QColor("#e8e8ee"));
    metal.setColorAt(1, QColor("#9a9aa8"));
    p.setPen(Qt::NoPen);
    p.setBrush(metal);
    p.drawRoundedRect(QRectF(r + 4, -13, 86, 26), 12, 12);
    p.restore();
    p.setPen(QPen(QColor("#f2f2f6"), 13));
    p.setBrush(Qt::NoBrush);
    p.drawEllipse(c, r, r);
    return img;
}

static QImage dice(int size) {
    QImage img(size, size, QImage::Format_ARGB32_Premultiplied);
    img.fill(Qt::transparent);
    QPainter p(&img);
    p.setRenderHint(QPainter::Antialiasing);
    p.scale(size / 64.0, size / 64.0);
    p.setPen(QPen(QColor("#4a4a55"), 4));
    p.setBrush(QColor("#fafafa"));
    p.drawRoundedRect(QRectF(6, 6, 52, 52), 11, 11);
    p.setPen(Qt::NoPen);
    p.setBrush(QColor("#3a3a46"));
    for (QPointF pip : {QPointF(20, 20), QPointF(44, 20), QPointF(32, 32), QPointF(20, 44), QPointF(44, 44)})
        p.drawEllipse(pip, 5.2, 5.2);
    return img;
}

int main(int argc, char** argv) {
    QGuiApplication app(argc, argv);
    const QString out = argv[1];
    for (int s : {16, 32, 48, 64, 128, 256}) appIcon(s).save(out + QString("/latentlens-%1.png").arg(s));
    dice(32).save(out + "/dice.png");
    dice(64).save(out + "/dice@2x.png");
    return 0;
}
