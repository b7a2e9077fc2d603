#pragma once

#include <QImage>

#include <torch/types.h>

namespace latentlens::ui {

// The one place where tensors become pictures: (C, H, W) or (1, C, H, W) values in [-1, 1]
// (clamped; NaN shows black) to an 8-bit QImage, rounded exactly as io's writeImage rounds, so
// an exported PNG and the canvas show the same bytes. One channel gives Grayscale8, three give
// RGB888; any other channel count (a latent of 4 channels, say) throws Error: decode latents to
// images first (LatentCodec) and draw directions with directionPicture.
class TensorImage {
public:
    static QImage toQImage(const torch::Tensor& image);
    // A painted mask (any format, read as gray; white = 1) as (H, W) float64 in [0, 1], and back
    // to Grayscale8.
    static torch::Tensor toMask(const QImage& mask);
    static QImage fromMask(const torch::Tensor& mask);
};

}  // namespace latentlens::ui
