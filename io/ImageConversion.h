#pragma once

// Helpers shared by the io writers (ImageFile, FrameExport): checking image tensors, converting
// (C, H, W) values in [-1, 1] to 8-bit pixels / cv::Mat, and writing files through a temporary
// name + rename. Internal to the io library; not part of its public interface.

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <opencv2/core.hpp>
#include <torch/types.h>

namespace latentlens::image_detail {

// Refuse to build images bigger than this many values (1 GiB of float32): a guard against
// absurd sizes, upscale factors or aspect ratios rather than a real limit.
constexpr int64_t kMaxValues = int64_t{1} << 28;
// Largest side of an image we write (PNG/JPEG/GIF limits are near 65535).
constexpr int64_t kMaxSide = 65500;

// Throws latentlens::Error("<path>: <problem>").
[[noreturn]] void fail(const std::filesystem::path& path, const std::string& problem);

// OpenCV messages can span lines; ours are one line.
std::string oneLine(std::string text);
std::string openCvReason(const cv::Exception& e);

// The file extension in lower case (".png"), or empty.
std::string lowerExtension(const std::filesystem::path& path);

// Checks that `image` is a defined, dense, floating-point tensor and returns it as float32 on the
// CPU (shape unchanged). `what` names the argument in messages ("image", "frame 3", ...).
torch::Tensor checkedFloatImage(const std::filesystem::path& path, const torch::Tensor& image, const std::string& what);

// Throws unless channels is 1 or 3.
void checkChannels(const std::filesystem::path& path, int64_t channels);

// (C, H, W) float32 in [-1, 1] → (H·upscale, W·upscale, C) uint8, contiguous (HWC, RGB order).
// NaN → black, ±inf → white/black, values clamped, rounded half up; nearest-neighbour upscale.
torch::Tensor toBytes(const torch::Tensor& chw, int upscale = 1);

// (C, H, W) float32 in [-1, 1] → an 8-bit cv::Mat that owns its pixels: CV_8UC1 for C = 1,
// CV_8UC3 in BGR order (OpenCV's) for C = 3. Upscaled with nearest-neighbour.
cv::Mat toMat(const torch::Tensor& chw, int upscale = 1);

// A hidden, unique file name for writing beside `path` ("." + stem + ".tmp-…" + extension);
// `extension` replaces the path's own extension when non-empty.
std::string temporaryName(const std::filesystem::path& path, const std::string& extension = {});

// Throws unless the folder of `path` exists and `path` itself is not a folder. `what` is the
// thing being written ("image", "GIF", ...) for the message.
void checkWritableLocation(const std::filesystem::path& path, const std::string& what);

// Writes the bytes to a temporary file beside `path`, then renames it over `path`, so a failed
// write never leaves a partial file behind. Messages say "cannot write <what>".
void writeFileAtomically(const std::filesystem::path& path, const std::vector<uchar>& bytes,
                         const std::string& what = "image");

// Renames a finished temporary file over `path`, removing the temporary on failure.
void replaceWith(const std::filesystem::path& temporary, const std::filesystem::path& path, const std::string& what);

}  // namespace latentlens::image_detail
