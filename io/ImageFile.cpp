#include "io/ImageFile.h"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <string>
#include <system_error>
#include <vector>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include "core/Error.h"
#include "io/ImageConversion.h"

namespace latentlens {
namespace {

namespace fs = std::filesystem;

using image_detail::checkChannels;
using image_detail::fail;
using image_detail::kMaxValues;
using image_detail::openCvReason;
using image_detail::writeFileAtomically;

std::string sizeText(int width, int height) { return std::to_string(width) + "x" + std::to_string(height); }

// --- reading ------------------------------------------------------------------------------------

std::string undecodableReason(const fs::path& path) {
    std::error_code ec;
    if (fs::file_size(path, ec) == 0 && !ec) return "empty file";
    try {
        if (!cv::haveImageReader(path.string())) return "not a recognised image format";
    } catch (const cv::Exception&) {
        return "not a recognised image format";
    }
    return "corrupt or unsupported image data";
}

// --- writing ------------------------------------------------------------------------------------

// The OpenCV encoder extension for a file name, or empty if the format is not supported.
std::string encoderExtension(const fs::path& path) {
    std::string ext = path.extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (ext == ".png") return ".png";
    if (ext == ".jpg" || ext == ".jpeg") return ".jpg";
    if (ext == ".bmp") return ".bmp";
    return {};
}

void checkWritableFormat(const fs::path& path) {
    if (encoderExtension(path).empty()) {
        std::string ext = path.extension().string();
        fail(path, "unsupported image format '" + (ext.empty() ? std::string("(no extension)") : ext) +
                       "' (use .png, .jpg, .jpeg or .bmp)");
    }
}

// Checks that `image` is a floating-point tensor and returns it as float32 on the CPU.
// `what` names the argument in messages.
torch::Tensor checkedChw(const fs::path& path, const torch::Tensor& image, const char* what) {
    return image_detail::checkedFloatImage(path, image, what);
}

// (C, H, W) float32 in [-1, 1] → upscaled 8-bit image, encoded by the file extension and written.
void writeChw(const fs::path& path, const torch::Tensor& chw, int upscale) {
    checkWritableFormat(path);
    if (upscale < 1) fail(path, "upscale factor must be at least 1, got " + std::to_string(upscale));
    const int64_t channels = chw.size(0), height = chw.size(1), width = chw.size(2);
    checkChannels(path, channels);
    if (height < 1 || width < 1) fail(path, "cannot write an empty image (" + sizeText(static_cast<int>(width), static_cast<int>(height)) + ")");
    if (height * upscale > 65500 || width * upscale > 65500 || channels * height * width * upscale * upscale > kMaxValues)
        fail(path, "image too large to write (" + std::to_string(width) + "x" + std::to_string(height) + " upscaled " +
                       std::to_string(upscale) + "x)");

    std::vector<uchar> encoded;
    try {
        cv::Mat bgr = image_detail::toMat(chw, upscale);
        std::vector<int> params;
        std::string ext = encoderExtension(path);
        if (ext == ".jpg") params = {cv::IMWRITE_JPEG_QUALITY, 95};
        if (!cv::imencode(ext, bgr, encoded, params)) fail(path, "cannot encode image");
    } catch (const cv::Exception& e) {
        fail(path, "cannot encode image (" + openCvReason(e) + ")");
    }
    writeFileAtomically(path, encoded);
    spdlog::debug("wrote {}: {}x{}x{} upscaled {}x", path.string(), channels, height, width, upscale);
}

}  // namespace

LoadedImage readImage(const std::filesystem::path& path, int channels, int size) {
    if (channels != 1 && channels != 3)
        fail(path, "cannot fit an image to " + std::to_string(channels) + " channels (expected 1 or 3)");
    if (size < 1) fail(path, "cannot fit an image to size " + std::to_string(size));
    if (static_cast<int64_t>(size) * size * channels > kMaxValues)
        fail(path, "cannot fit an image to size " + std::to_string(size) + " (too large)");
    std::error_code ec;
    auto status = fs::status(path, ec);
    if (!fs::exists(status)) {
        if (ec && ec != std::errc::no_such_file_or_directory && ec != std::errc::not_a_directory)
            fail(path, "cannot access (" + ec.message() + ")");
        fail(path, "no such file");
    }
    if (fs::is_directory(status)) fail(path, "cannot decode image (is a directory)");

    cv::Mat mat;
    try {
        // ANYDEPTH keeps 16-bit data; ANYCOLOR keeps gray as gray and colour as BGR, drops alpha
        // and applies the EXIF orientation.
        mat = cv::imread(path.string(), cv::IMREAD_ANYDEPTH | cv::IMREAD_ANYCOLOR);
    } catch (const cv::Exception& e) {
        fail(path, "cannot decode image (" + openCvReason(e) + ")");
    }
    if (mat.empty()) fail(path, "cannot decode image (" + undecodableReason(path) + ")");

    const int originalWidth = mat.cols, originalHeight = mat.rows;
    std::vector<std::string> colourNotes;
    std::string geometryNote;
    cv::Mat image;
    try {
        double scale = 1.0;
        switch (mat.depth()) {
            case CV_8U: scale = 1.0 / 255.0; break;
            case CV_16U: scale = 1.0 / 65535.0; break;
            case CV_32F:
            case CV_64F: scale = 1.0; break;  // floating-point formats (EXR, TIFF) hold [0, 1]
            default: fail(path, "cannot decode image (unsupported pixel depth)");
        }
        mat.convertTo(image, CV_32F, scale);

        // Colour: OpenCV decodes to gray, BGR or (some decoders) BGRA / gray+alpha.
        int inputChannels = image.channels();
        if (inputChannels == 2) {
            cv::extractChannel(image, image, 0);
            inputChannels = 1;
            colourNotes.push_back("dropped the alpha channel");
        } else if (inputChannels == 4) {
            cv::cvtColor(image, image, cv::COLOR_BGRA2BGR);
            inputChannels = 3;
            colourNotes.push_back("dropped the alpha channel");
        }
        if (inputChannels != 1 && inputChannels != 3)
            fail(path, "cannot decode image (" + std::to_string(inputChannels) + " channels)");
        if (channels == 1 && inputChannels == 3) {
            cv::cvtColor(image, image, cv::COLOR_BGR2GRAY);
            colourNotes.push_back("converted RGB to grayscale");
        } else if (channels == 3 && inputChannels == 1) {
            cv::cvtColor(image, image, cv::COLOR_GRAY2RGB);
            colourNotes.push_back("converted grayscale to RGB");
        } else if (channels == 3) {
            cv::cvtColor(image, image, cv::COLOR_BGR2RGB);
        }

        // Geometry: shorter side to `size`, then the centered size x size square.
        const int width = image.cols, height = image.rows;
        const int shorter = std::min(width, height);
        int resizedWidth = width, resizedHeight = height;
        if (shorter != size) {
            auto scaled = [&](int side) {
                return side == shorter ? int64_t{size}
                                       : (static_cast<int64_t>(side) * size + shorter / 2) / shorter;
            };
            int64_t newWidth = scaled(width), newHeight = scaled(height);
            if (newWidth * newHeight * channels > kMaxValues)
                fail(path, "cannot fit a " + sizeText(width, height) + " image to " + std::to_string(size) +
                               " (aspect ratio too extreme)");
            resizedWidth = static_cast<int>(newWidth);
            resizedHeight = static_cast<int>(newHeight);
            cv::resize(image, image, cv::Size(resizedWidth, resizedHeight), 0, 0,
                       size < shorter ? cv::INTER_AREA : cv::INTER_CUBIC);
            geometryNote = "resized " + sizeText(width, height) + " → " + sizeText(resizedWidth, resizedHeight);
        }
        if (resizedWidth != size || resizedHeight != size) {
            cv::Rect square((resizedWidth - size) / 2, (resizedHeight - size) / 2, size, size);
            image = image(square).clone();
            geometryNote = geometryNote.empty()
                               ? "center-cropped " + sizeText(resizedWidth, resizedHeight) + " to " + sizeText(size, size)
                               : geometryNote + " and center-cropped to " + sizeText(size, size);
        }
        if (!image.isContinuous()) image = image.clone();
    } catch (const cv::Exception& e) {
        fail(path, "cannot process image (" + openCvReason(e) + ")");
    }

    // HWC [0, 1] → CHW [-1, 1]; clone so the tensor owns its memory.
    torch::Tensor pixels = torch::from_blob(image.ptr<float>(), {size, size, channels}, torch::kFloat32)
                               .permute({2, 0, 1})
                               .clone(torch::MemoryFormat::Contiguous);
    pixels.mul_(2.0).sub_(1.0).clamp_(-1.0, 1.0);

    LoadedImage loaded;
    loaded.pixels = pixels;
    std::vector<std::string> notes;
    if (!geometryNote.empty()) notes.push_back(geometryNote);
    notes.insert(notes.end(), colourNotes.begin(), colourNotes.end());
    for (const auto& part : notes) loaded.note += (loaded.note.empty() ? "" : "; ") + part;
    spdlog::debug("read {}: {} → {}x{}x{}{}", path.string(), sizeText(originalWidth, originalHeight), channels, size, size,
                  loaded.note.empty() ? "" : " (" + loaded.note + ")");
    return loaded;
}

void writeImage(const std::filesystem::path& path, const torch::Tensor& image, int upscale) {
    checkWritableFormat(path);
    torch::Tensor chw = checkedChw(path, image, "image");
    if (chw.dim() == 4 && chw.size(0) == 1) chw = chw.squeeze(0);
    if (chw.dim() != 3) fail(path, "cannot write an image of shape " + c10::str(image.sizes()) + " (expected (C, H, W) or (1, C, H, W))");
    writeChw(path, chw, upscale);
}

void writeImageGrid(const std::filesystem::path& path, const torch::Tensor& images, int columns, int upscale) {
    checkWritableFormat(path);
    torch::Tensor batch = checkedChw(path, images, "image grid");
    if (batch.dim() != 4) fail(path, "cannot write an image grid of shape " + c10::str(images.sizes()) + " (expected (N, C, H, W))");
    const int64_t count = batch.size(0), channels = batch.size(1), height = batch.size(2), width = batch.size(3);
    if (count == 0) fail(path, "cannot write an image grid of no images");
    checkChannels(path, channels);
    if (height < 1 || width < 1) fail(path, "cannot write an image grid of empty images");
    if (columns < 1) fail(path, "image grid needs at least 1 column, got " + std::to_string(columns));
    const int64_t rows = (count + columns - 1) / columns;
    const int64_t gridHeight = rows * (height + 1) + 1, gridWidth = static_cast<int64_t>(columns) * (width + 1) + 1;
    if (gridHeight > 65500 || gridWidth > 65500 || channels * gridHeight * gridWidth > kMaxValues)
        fail(path, "image grid too large (" + std::to_string(gridWidth) + "x" + std::to_string(gridHeight) + ")");

    torch::Tensor grid = torch::full({channels, gridHeight, gridWidth}, -1.0f);
    for (int64_t i = 0; i < count; ++i) {
        const int64_t top = 1 + (i / columns) * (height + 1), left = 1 + (i % columns) * (width + 1);
        grid.slice(1, top, top + height).slice(2, left, left + width).copy_(batch[i]);
    }
    writeChw(path, grid, upscale);
}

}  // namespace latentlens
