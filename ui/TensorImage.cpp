#include "ui/TensorImage.h"

#include <cstring>

#include <torch/torch.h>

#include "core/Error.h"

namespace latentlens::ui {

QImage TensorImage::toQImage(const torch::Tensor& image) {
    if (!image.defined()) return {};
    torch::Tensor chw = image.detach().to(torch::kCPU, torch::kFloat32);
    if (chw.dim() == 4 && chw.size(0) == 1) chw = chw.squeeze(0);
    if (chw.dim() != 3) throw Error("cannot show a tensor of shape " + c10::str(image.sizes()) + " as an image");
    const int64_t channels = chw.size(0);
    if (channels != 1 && channels != 3)
        throw Error("cannot show a tensor of " + std::to_string(channels) + " channels (shape " + c10::str(image.sizes()) +
                    ") as an image: images have 1 or 3");
    // Same arithmetic as io/ImageFile.cpp's writeChw: NaN → black, clamp, round half up.
    torch::Tensor bytes = torch::nan_to_num(chw, -1.0, 1.0, -1.0)
                              .clamp(-1.0, 1.0)
                              .add(1.0)
                              .mul(127.5)
                              .add(0.5)
                              .floor()
                              .clamp(0, 255)
                              .to(torch::kUInt8)
                              .permute({1, 2, 0})
                              .contiguous();
    const int height = static_cast<int>(bytes.size(0)), width = static_cast<int>(bytes.size(1));
    const QImage::Format format = channels == 3 ? QImage::Format_RGB888 : QImage::Format_Grayscale8;
    const QImage view(bytes.data_ptr<uint8_t>(), width, height, static_cast<qsizetype>(width * channels), format);
    return view.copy();  // own the pixels: the tensor dies here
}

torch::Tensor TensorImage::toMask(const QImage& mask) {
    if (mask.isNull()) return {};
    const QImage gray = mask.convertToFormat(QImage::Format_Grayscale8);
    auto values = torch::empty({gray.height(), gray.width()}, torch::kUInt8);
    for (int y = 0; y < gray.height(); ++y) {
        std::memcpy(values[y].data_ptr<uint8_t>(), gray.constScanLine(y), static_cast<size_t>(gray.width()));
    }
    return values.to(torch::kFloat64).div_(255.0);
}

QImage TensorImage::fromMask(const torch::Tensor& mask) {
    if (!mask.defined()) return {};
    if (mask.dim() != 2) throw Error("a mask is one (height, width) plane, not " + c10::str(mask.sizes()));
    return toQImage(mask.to(torch::kFloat32).clamp(0, 1).mul(2).sub(1).unsqueeze(0));
}

}  // namespace latentlens::ui
