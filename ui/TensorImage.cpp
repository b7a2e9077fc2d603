#include "ui/TensorImage.h"

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

}  // namespace latentlens::ui
