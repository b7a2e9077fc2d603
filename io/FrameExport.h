#pragma once

// Writing a sequence of frames (a traversal along a direction, say) as an animation or a sheet.
// Every frame is a (C, H, W) float tensor with values in [-1, 1] (clamped; NaN → black), C = 1
// (grayscale) or 3 (RGB); a leading batch dimension of 1 is accepted. All frames of a call must
// have the same shape. `upscale` enlarges with nearest-neighbour so pixels stay sharp.
// Every failure (no frames, mismatched sizes, bad channel counts, unwritable paths, encoder
// problems) throws latentlens::Error with a one-line message that starts with the file name.
// Files are written under a temporary name beside the target and renamed over it at the end.

#include <filesystem>
#include <string>
#include <vector>

#include <torch/types.h>

namespace latentlens {

// An animated GIF (giflib). Grayscale frames use a 256-level gray palette (exact); RGB frames
// get their own palette each (exact if a frame has at most 256 colours, median cut otherwise).
// The frame delay is 100 / framesPerSecond centiseconds, rounded, at least 2 (browsers play
// shorter delays at 10 fps). `loop` adds the NETSCAPE2.0 extension (repeat forever).
void writeGif(const std::filesystem::path& path, const std::vector<torch::Tensor>& frames, double framesPerSecond,
              int upscale = 1, bool loop = true);

// Decodes a whole GIF and returns its number of frames; `width` / `height` (if not null) receive
// the logical screen size. Throws Error naming the file if it is missing or not a valid GIF.
int readGifFrameCount(const std::filesystem::path& path, int* width = nullptr, int* height = nullptr);

// An MP4 video through OpenCV's FFmpeg backend (H.264 'avc1' if available, else MPEG-4 'mp4v').
// The encoders need an even width and height: if the upscaled frame has an odd side, its last
// row / column is repeated once to make it even.
void writeVideo(const std::filesystem::path& path, const std::vector<torch::Tensor>& frames, double framesPerSecond,
                int upscale = 1);

// Decodes a video with cv::VideoCapture and returns the number of frames actually decoded (not
// the container's frame count, which can be wrong); `width` / `height` receive the size of the
// decoded frames (0 if there are none). Throws Error naming the file if it cannot be opened.
int readVideoFrameCount(const std::filesystem::path& path, int* width = nullptr, int* height = nullptr);

// The frames side by side in one image (PNG, JPEG or BMP by the extension), separated by a
// 1-pixel black gap (not upscaled): width n·W·upscale + n − 1. Non-empty `labels` (one per frame,
// ASCII; other characters print as '?') are written in white on a black band under the frames.
void writeStrip(const std::filesystem::path& path, const std::vector<torch::Tensor>& frames, int upscale = 1,
                const std::vector<std::string>& labels = {});

// A grid of frames, one row per entry of `rows` (k directions × n frames, say), all rows the
// same length, tiles separated by 1-pixel black gaps: width n·W·upscale + n − 1 and height
// k·H·upscale + k − 1, plus a band on the left for non-empty `rowLabels` (one per row) and a
// band on top for non-empty `columnLabels` (one per column).
void writeGrid(const std::filesystem::path& path, const std::vector<std::vector<torch::Tensor>>& rows, int upscale = 1,
               const std::vector<std::string>& rowLabels = {}, const std::vector<std::string>& columnLabels = {});

// Whether writeFrames makes a still strip of `path` rather than an animation: .png, .jpg or .jpeg
// (case-insensitive). The one rule for "strip or animation".
bool isStripPath(const std::filesystem::path& path);

// Chooses by the extension (case-insensitive): .gif → writeGif (looping), .mp4 → writeVideo,
// isStripPath → writeStrip with `labels` (fps unused). Anything else throws Error.
void writeFrames(const std::filesystem::path& path, const std::vector<torch::Tensor>& frames, double framesPerSecond,
                 int upscale = 1, const std::vector<std::string>& labels = {});

}  // namespace latentlens
