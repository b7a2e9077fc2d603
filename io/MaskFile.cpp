#include "io/MaskFile.h"

#include <system_error>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <torch/torch.h>

#include "core/Error.h"
#include "io/ImageConversion.h"
#include "io/ImageFile.h"

namespace latentlens {
namespace fs = std::filesystem;
using image_detail::fail;

LoadedMask readMask(const fs::path& path, int height, int width) {
    if (height < 1 || width < 1 || int64_t{height} * width > image_detail::kMaxValues) {
        fail(path, "cannot fit a mask to " + std::to_string(width) + "x" + std::to_string(height));
    }
    std::error_code ec;
    const auto status = fs::status(path, ec);
    if (!fs::exists(status)) fail(path, "no such file");
    if (fs::is_directory(status)) fail(path, "cannot decode the mask (is a directory)");
    cv::Mat mat;
    try {
        mat = cv::imread(path.string(), cv::IMREAD_ANYDEPTH | cv::IMREAD_GRAYSCALE);
    } catch (const cv::Exception& e) {
        fail(path, "cannot decode the mask (" + image_detail::openCvReason(e) + ")");
    }
    if (mat.empty()) fail(path, "cannot decode the mask (not an image OpenCV can read)");
    LoadedMask loaded;
    cv::Mat values;
    try {
        const double scale = mat.depth() == CV_16U ? 1.0 / 65535.0 : mat.depth() == CV_8U ? 1.0 / 255.0 : 1.0;
        mat.convertTo(values, CV_64F, scale);
        if (values.rows != height || values.cols != width) {
            loaded.note = "resized the mask from " + std::to_string(values.cols) + "x" + std::to_string(values.rows) +
                          " to the image's " + std::to_string(width) + "x" + std::to_string(height);
            const bool shrinking = values.rows > height || values.cols > width;
            cv::resize(values, values, cv::Size(width, height), 0, 0, shrinking ? cv::INTER_AREA : cv::INTER_LINEAR);
        }
        if (!values.isContinuous()) values = values.clone();
    } catch (const cv::Exception& e) {
        fail(path, "cannot process the mask (" + image_detail::openCvReason(e) + ")");
    }
    loaded.mask = torch::from_blob(values.ptr<double>(), {height, width}, torch::kFloat64).clone().clamp_(0.0, 1.0);
    return loaded;
}

void writeMask(const fs::path& path, const torch::Tensor& mask) {
    if (!mask.defined() || mask.dim() != 2) fail(path, "a mask is one (height, width) plane");
    writeImage(path, (mask.to(torch::kFloat32).clamp(0, 1) * 2 - 1).unsqueeze(0));
}

}  // namespace latentlens
