#include "io/FrameExport.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <system_error>
#include <unordered_map>
#include <vector>

#include <gif_lib.h>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/videoio.hpp>
#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include "core/Error.h"
#include "io/ImageConversion.h"

namespace latentlens {
namespace {

namespace fs = std::filesystem;
using image_detail::fail;
using image_detail::kMaxSide;
using image_detail::kMaxValues;

// --- checks -------------------------------------------------------------------------------------

struct Frames {
    std::vector<torch::Tensor> chw;  // float32 on the CPU, (C, H, W)
    int64_t channels = 0, height = 0, width = 0;
};

std::string shapeText(const torch::Tensor& chw) {
    return std::to_string(chw.size(0)) + "x" + std::to_string(chw.size(1)) + "x" + std::to_string(chw.size(2));
}

void checkUpscale(const fs::path& path, int upscale) {
    if (upscale < 1) fail(path, "upscale factor must be at least 1, got " + std::to_string(upscale));
}

void checkFps(const fs::path& path, double fps) {
    if (!std::isfinite(fps) || fps <= 0)
        fail(path, "frames per second must be positive, got " + std::to_string(fps));
}

// Checks every frame (floating point, (C, H, W) or (1, C, H, W), C in {1, 3}, non-empty, all the
// same shape) and that the upscaled frames stay within the size limits.
Frames checkedFrames(const fs::path& path, const std::vector<torch::Tensor>& frames, int upscale,
                     const std::function<std::string(size_t)>& name) {
    if (frames.empty()) fail(path, "no frames to write");
    checkUpscale(path, upscale);
    Frames out;
    out.chw.reserve(frames.size());
    for (size_t i = 0; i < frames.size(); ++i) {
        const std::string what = name(i);
        torch::Tensor t = image_detail::checkedFloatImage(path, frames[i], what);
        if (t.dim() == 4 && t.size(0) == 1) t = t.squeeze(0);
        if (t.dim() != 3)
            fail(path, "cannot write " + what + " of shape " + c10::str(frames[i].sizes()) + " (expected (C, H, W))");
        if (t.size(0) != 1 && t.size(0) != 3)
            fail(path, "cannot write " + what + " with " + std::to_string(t.size(0)) + " channels (expected 1 or 3)");
        if (t.size(1) < 1 || t.size(2) < 1) fail(path, "cannot write an empty " + what + " (" + shapeText(t) + ")");
        if (i == 0) {
            out.channels = t.size(0);
            out.height = t.size(1);
            out.width = t.size(2);
        } else if (t.sizes() != out.chw.front().sizes()) {
            fail(path, what + " is " + shapeText(t) + " but " + name(0) + " is " + shapeText(out.chw.front()) +
                           " (all frames must have the same size)");
        }
        out.chw.push_back(t);
    }
    if (out.height * upscale > kMaxSide || out.width * upscale > kMaxSide ||
        out.channels * out.height * out.width * upscale * upscale > kMaxValues)
        fail(path, "frames too large to write (" + std::to_string(out.width) + "x" + std::to_string(out.height) +
                       " upscaled " + std::to_string(upscale) + "x)");
    return out;
}

Frames checkedFrames(const fs::path& path, const std::vector<torch::Tensor>& frames, int upscale) {
    return checkedFrames(path, frames, upscale, [](size_t i) { return "frame " + std::to_string(i + 1); });
}

fs::path temporaryBeside(const fs::path& path, const std::string& extension) {
    fs::path folder = path.parent_path();
    return (folder.empty() ? fs::path(".") : folder) / image_detail::temporaryName(path, extension);
}

// Removes a temporary file unless released (after the rename).
class TemporaryFile {
public:
    explicit TemporaryFile(fs::path path) : path_(std::move(path)) {}
    ~TemporaryFile() {
        if (!path_.empty()) {
            std::error_code ignored;
            fs::remove(path_, ignored);
        }
    }
    TemporaryFile(const TemporaryFile&) = delete;
    TemporaryFile& operator=(const TemporaryFile&) = delete;
    const fs::path& path() const { return path_; }
    void release() { path_.clear(); }

private:
    fs::path path_;
};

void checkReadable(const fs::path& path) {
    std::error_code ec;
    auto status = fs::status(path, ec);
    if (!fs::exists(status)) fail(path, "no such file");
    if (fs::is_directory(status)) fail(path, "is a directory");
}

// --- GIF ----------------------------------------------------------------------------------------

std::string gifReason(int error) {
    const char* text = GifErrorString(error);
    return text ? std::string(text) : "giflib error " + std::to_string(error);
}

struct IndexedFrame {
    std::vector<GifColorType> palette;  // at most 256 colours
    torch::Tensor indices;              // (H, W) uint8 into the palette
};

// Reduces an RGB frame (H, W, 3) uint8 to at most 256 colours. If the frame has at most 256
// distinct colours they are used as they are (lossless); otherwise the palette comes from a
// median cut — repeatedly take the box of colours with the largest pixel-weighted squared error,
// split it along its channel of largest variance at the pixel-weighted median, and finally use
// each box's weighted mean (not a fixed uniform palette) — and every colour maps to its
// nearest palette entry (squared RGB distance). No dithering, so flat regions stay flat.
IndexedFrame quantize(const torch::Tensor& hwc) {
    const int64_t height = hwc.size(0), width = hwc.size(1), pixels = height * width;
    const uint8_t* rgb = hwc.data_ptr<uint8_t>();
    auto key = [&](int64_t i) {
        return (uint32_t{rgb[3 * i]} << 16) | (uint32_t{rgb[3 * i + 1]} << 8) | uint32_t{rgb[3 * i + 2]};
    };

    std::unordered_map<uint32_t, uint32_t> histogram;  // colour → pixel count, later → palette index
    for (int64_t i = 0; i < pixels; ++i) ++histogram[key(i)];

    struct Entry {
        std::array<int, 3> c;
        uint32_t count;
        uint32_t key;
    };
    std::vector<Entry> colors;
    colors.reserve(histogram.size());
    for (const auto& [k, count] : histogram)
        colors.push_back({{static_cast<int>(k >> 16), static_cast<int>((k >> 8) & 255), static_cast<int>(k & 255)}, count, k});
    // A fixed order makes the output independent of the hash map's iteration order.
    std::sort(colors.begin(), colors.end(), [](const Entry& a, const Entry& b) { return a.key < b.key; });

    IndexedFrame out;
    if (colors.size() <= 256) {
        for (size_t i = 0; i < colors.size(); ++i) {
            out.palette.push_back({static_cast<GifByteType>(colors[i].c[0]), static_cast<GifByteType>(colors[i].c[1]),
                                   static_cast<GifByteType>(colors[i].c[2])});
            histogram[colors[i].key] = static_cast<uint32_t>(i);
        }
    } else {
        struct Box {
            size_t begin, end;
            int axis = 0;        // the channel with the largest spread
            double error = 0.0;  // pixel-weighted squared distance to the box's mean, all channels
        };
        auto describe = [&](Box& box) {
            std::array<double, 3> sum{0, 0, 0}, squares{0, 0, 0};
            double count = 0;
            for (size_t i = box.begin; i < box.end; ++i)
                for (int a = 0; a < 3; ++a) {
                    const double v = colors[i].c[a], n = colors[i].count;
                    sum[a] += n * v;
                    squares[a] += n * v * v;
                    if (a == 0) count += n;
                }
            std::array<double, 3> spread;
            for (int a = 0; a < 3; ++a) spread[a] = std::max(0.0, squares[a] - sum[a] * sum[a] / count);
            box.axis = static_cast<int>(std::max_element(spread.begin(), spread.end()) - spread.begin());
            box.error = box.end - box.begin > 1 ? spread[0] + spread[1] + spread[2] : 0.0;
        };
        std::vector<Box> boxes{{0, colors.size()}};
        describe(boxes[0]);
        while (boxes.size() < 256) {
            size_t worst = 0;
            for (size_t b = 1; b < boxes.size(); ++b)
                if (boxes[b].error > boxes[worst].error) worst = b;
            Box box = boxes[worst];
            if (box.error <= 0.0) break;  // every box holds a single colour
            const int axis = box.axis;
            std::sort(colors.begin() + box.begin, colors.begin() + box.end,
                      [axis](const Entry& a, const Entry& b) { return a.c[axis] < b.c[axis]; });
            uint64_t total = 0;
            for (size_t i = box.begin; i < box.end; ++i) total += colors[i].count;
            uint64_t running = 0;
            size_t split = box.begin + 1;
            for (size_t i = box.begin; i < box.end; ++i) {
                running += colors[i].count;
                if (2 * running >= total) {
                    split = i + 1;
                    break;
                }
            }
            split = std::clamp(split, box.begin + 1, box.end - 1);
            Box first{box.begin, split}, second{split, box.end};
            describe(first);
            describe(second);
            boxes[worst] = first;
            boxes.push_back(second);
        }
        std::vector<std::array<int, 3>> palette;
        for (const Box& box : boxes) {
            std::array<uint64_t, 3> sum{0, 0, 0};
            uint64_t count = 0;
            for (size_t i = box.begin; i < box.end; ++i) {
                for (int a = 0; a < 3; ++a) sum[a] += uint64_t(colors[i].c[a]) * colors[i].count;
                count += colors[i].count;
            }
            std::array<int, 3> mean;
            for (int a = 0; a < 3; ++a) mean[a] = static_cast<int>((sum[a] + count / 2) / count);
            palette.push_back(mean);
            out.palette.push_back({static_cast<GifByteType>(mean[0]), static_cast<GifByteType>(mean[1]),
                                   static_cast<GifByteType>(mean[2])});
        }
        for (const Entry& e : colors) {
            int best = 0, bestDistance = INT32_MAX;
            for (size_t p = 0; p < palette.size(); ++p) {
                int d = 0;
                for (int a = 0; a < 3; ++a) d += (e.c[a] - palette[p][a]) * (e.c[a] - palette[p][a]);
                if (d < bestDistance) {
                    bestDistance = d;
                    best = static_cast<int>(p);
                }
            }
            histogram[e.key] = static_cast<uint32_t>(best);
        }
    }

    out.indices = torch::empty({height, width}, torch::kUInt8);
    uint8_t* index = out.indices.data_ptr<uint8_t>();
    for (int64_t i = 0; i < pixels; ++i) index[i] = static_cast<uint8_t>(histogram[key(i)]);
    return out;
}

struct ColorMapDeleter {
    void operator()(ColorMapObject* map) const { GifFreeMapObject(map); }
};
using ColorMap = std::unique_ptr<ColorMapObject, ColorMapDeleter>;

// GIF colour tables hold a power of two (2 … 256) entries; the rest is padded with black.
ColorMap makeColorMap(std::vector<GifColorType> colors) {
    size_t size = 2;
    while (size < colors.size()) size *= 2;
    colors.resize(size, GifColorType{0, 0, 0});
    return ColorMap(GifMakeMapObject(static_cast<int>(size), colors.data()));
}

// --- strips and grids ---------------------------------------------------------------------------

constexpr int kFont = cv::FONT_HERSHEY_SIMPLEX;

// Hershey fonts draw ASCII only: every other character (a UTF-8 sequence) becomes one '?'.
std::string asciiOnly(const std::string& text) {
    std::string out;
    for (unsigned char c : text) {
        if (c >= 0x20 && c < 0x7f) {
            out += static_cast<char>(c);
        } else if ((c & 0xC0) != 0x80) {  // skip UTF-8 continuation bytes
            out += '?';
        }
    }
    return out;
}

int textWidth(const std::string& text, double scale) {
    int baseline = 0;
    return cv::getTextSize(text, kFont, scale, 1, &baseline).width;
}

// The largest scale ≤ 0.5 (down to 0.3) at which every label fits in `room` pixels.
double fittingScale(const std::vector<std::string>& labels, int room) {
    double scale = 0.5;
    while (scale > 0.3) {
        bool fits = true;
        for (const auto& label : labels) fits = fits && textWidth(label, scale) <= room - 4;
        if (fits) break;
        scale *= 0.9;
    }
    return std::max(scale, 0.3);
}

// Height of a band holding one line of text at `scale`.
int bandHeight(double scale) {
    int baseline = 0;
    cv::Size size = cv::getTextSize("Ag", kFont, scale, 1, &baseline);
    return size.height + baseline + 6;
}

// Writes `text` in white, centred in `cell` (clipped to it).
void drawLabel(cv::Mat cell, const std::string& text, double scale) {
    int baseline = 0;
    cv::Size size = cv::getTextSize(text, kFont, scale, 1, &baseline);
    const int x = std::max(2, (cell.cols - size.width) / 2);
    const int y = (cell.rows + size.height) / 2;
    cv::putText(cell, text, cv::Point(x, y), kFont, scale, cv::Scalar::all(255), 1, cv::LINE_AA);
}

void checkLabelCount(const fs::path& path, const std::vector<std::string>& labels, size_t expected, const char* what,
                     const char* per) {
    if (!labels.empty() && labels.size() != expected)
        fail(path, "got " + std::to_string(labels.size()) + " " + what + " for " + std::to_string(expected) + " " + per);
}

void checkImageFormat(const fs::path& path) {
    std::string ext = image_detail::lowerExtension(path);
    if (ext != ".png" && ext != ".jpg" && ext != ".jpeg" && ext != ".bmp")
        fail(path, "unsupported image format '" + (ext.empty() ? std::string("(no extension)") : path.extension().string()) +
                       "' (use .png, .jpg, .jpeg or .bmp)");
}

// Lays the frames out (rows × columns of tiles, 1-pixel black gaps), adds the label bands and
// writes the image. `bottomLabels` go under the columns, `topLabels` above them.
void writeTiles(const fs::path& path, const std::vector<Frames>& rows, int upscale, const std::vector<std::string>& leftLabels,
                const std::vector<std::string>& topLabels, const std::vector<std::string>& bottomLabels) {
    const int64_t channels = rows.front().channels;
    const int tileW = static_cast<int>(rows.front().width * upscale), tileH = static_cast<int>(rows.front().height * upscale);
    const int columns = static_cast<int>(rows.front().chw.size()), rowCount = static_cast<int>(rows.size());

    std::vector<std::string> left, top, bottom;
    for (const auto& l : leftLabels) left.push_back(asciiOnly(l));
    for (const auto& l : topLabels) top.push_back(asciiOnly(l));
    for (const auto& l : bottomLabels) bottom.push_back(asciiOnly(l));
    const double topScale = top.empty() ? 0.5 : fittingScale(top, tileW);
    const double bottomScale = bottom.empty() ? 0.5 : fittingScale(bottom, tileW);
    double leftScale = 0.5;
    while (!left.empty() && leftScale > 0.3 && bandHeight(leftScale) > tileH) leftScale *= 0.9;
    int leftBand = 0;
    for (const auto& l : left) leftBand = std::max(leftBand, textWidth(l, leftScale) + 8);
    if (!left.empty()) leftBand = std::max(leftBand, 8);
    const int topBand = top.empty() ? 0 : bandHeight(topScale);
    const int bottomBand = bottom.empty() ? 0 : bandHeight(bottomScale);

    const int64_t width = leftBand + int64_t{columns} * tileW + (columns - 1);
    const int64_t height = topBand + int64_t{rowCount} * tileH + (rowCount - 1) + bottomBand;
    if (width > kMaxSide || height > kMaxSide || width * height * channels > kMaxValues)
        fail(path, "image too large to write (" + std::to_string(width) + "x" + std::to_string(height) + ")");

    std::vector<uchar> encoded;
    try {
        cv::Mat canvas(static_cast<int>(height), static_cast<int>(width), CV_8UC(static_cast<int>(channels)), cv::Scalar::all(0));
        for (int r = 0; r < rowCount; ++r) {
            const int y0 = topBand + r * (tileH + 1);
            for (int c = 0; c < columns; ++c) {
                const int x0 = leftBand + c * (tileW + 1);
                image_detail::toMat(rows[r].chw[c], upscale).copyTo(canvas(cv::Rect(x0, y0, tileW, tileH)));
            }
            if (!left.empty()) drawLabel(canvas(cv::Rect(0, y0, leftBand, tileH)), left[r], leftScale);
        }
        for (int c = 0; c < columns; ++c) {
            const int x0 = leftBand + c * (tileW + 1);
            if (!top.empty()) drawLabel(canvas(cv::Rect(x0, 0, tileW, topBand)), top[c], topScale);
            if (!bottom.empty())
                drawLabel(canvas(cv::Rect(x0, static_cast<int>(height) - bottomBand, tileW, bottomBand)), bottom[c], bottomScale);
        }
        std::string ext = image_detail::lowerExtension(path);
        if (ext == ".jpeg") ext = ".jpg";
        std::vector<int> params;
        if (ext == ".jpg") params = {cv::IMWRITE_JPEG_QUALITY, 95};
        if (!cv::imencode(ext, canvas, encoded, params)) fail(path, "cannot encode image");
    } catch (const cv::Exception& e) {
        fail(path, "cannot encode image (" + image_detail::openCvReason(e) + ")");
    }
    image_detail::writeFileAtomically(path, encoded, "image");
    spdlog::debug("wrote {}: {}x{} tiles of {}x{}", path.string(), rowCount, columns, tileW, tileH);
}

}  // namespace

// --- GIF ----------------------------------------------------------------------------------------

void writeGif(const std::filesystem::path& path, const std::vector<torch::Tensor>& frames, double framesPerSecond,
              int upscale, bool loop) {
    checkFps(path, framesPerSecond);
    const Frames checked = checkedFrames(path, frames, upscale);
    image_detail::checkWritableLocation(path, "GIF");
    const int width = static_cast<int>(checked.width * upscale), height = static_cast<int>(checked.height * upscale);
    // Centiseconds; browsers replace delays below 2 by 10, so 2 (50 fps) is the fastest we write.
    const int delay = static_cast<int>(std::lround(std::clamp(100.0 / framesPerSecond, 2.0, 65535.0)));

    TemporaryFile temporary(temporaryBeside(path, ".gif"));
    int error = 0;
    GifFileType* gif = EGifOpenFileName(temporary.path().c_str(), /*TestExistence=*/true, &error);
    if (!gif) fail(path, "cannot write GIF (" + gifReason(error) + ")");
    // Closes the file if anything below fails; EGifCloseFile frees `gif` either way.
    auto closer = [](GifFileType* g) {
        int ignored = 0;
        if (g) EGifCloseFile(g, &ignored);
    };
    std::unique_ptr<GifFileType, decltype(closer)> guard(gif, closer);
    auto check = [&](int status, const char* step) {
        if (status != GIF_OK) fail(path, std::string("cannot write GIF (") + step + ": " + gifReason(gif->Error) + ")");
    };

    EGifSetGifVersion(gif, true);  // GIF89a: needed for delays and the loop extension
    ColorMap grayMap;
    if (checked.channels == 1) {
        std::vector<GifColorType> gray(256);
        for (int i = 0; i < 256; ++i) gray[i] = {GifByteType(i), GifByteType(i), GifByteType(i)};
        grayMap = makeColorMap(gray);
        if (!grayMap) fail(path, "cannot write GIF (out of memory)");
    }
    check(EGifPutScreenDesc(gif, width, height, 8, 0, grayMap.get()), "screen descriptor");
    if (loop) {
        static const GifByteType netscape[] = "NETSCAPE2.0";
        static const GifByteType repeatForever[] = {1, 0, 0};  // sub-block 1, loop count 0 = forever
        check(EGifPutExtensionLeader(gif, APPLICATION_EXT_FUNC_CODE), "loop extension");
        check(EGifPutExtensionBlock(gif, 11, netscape), "loop extension");
        check(EGifPutExtensionBlock(gif, 3, repeatForever), "loop extension");
        check(EGifPutExtensionTrailer(gif), "loop extension");
    }

    for (const torch::Tensor& chw : checked.chw) {
        GraphicsControlBlock control{};
        control.DisposalMode = DISPOSE_DO_NOT;  // every frame covers the whole screen
        control.UserInputFlag = false;
        control.DelayTime = delay;
        control.TransparentColor = NO_TRANSPARENT_COLOR;
        GifByteType extension[4];
        const size_t length = EGifGCBToExtension(&control, extension);
        check(EGifPutExtension(gif, GRAPHICS_EXT_FUNC_CODE, static_cast<int>(length), extension), "frame delay");

        torch::Tensor indices;  // (height, width) uint8
        ColorMap localMap;
        if (checked.channels == 1) {
            indices = image_detail::toBytes(chw, upscale).squeeze(2).contiguous();  // the gray level is the index
        } else {
            IndexedFrame indexed = quantize(image_detail::toBytes(chw, 1));
            localMap = makeColorMap(indexed.palette);
            if (!localMap) fail(path, "cannot write GIF (out of memory)");
            indices = indexed.indices;
            if (upscale > 1) indices = indices.repeat_interleave(upscale, 0).repeat_interleave(upscale, 1);
            indices = indices.contiguous();
        }
        check(EGifPutImageDesc(gif, 0, 0, width, height, false, localMap.get()), "image descriptor");
        GifPixelType* row = indices.data_ptr<uint8_t>();
        for (int y = 0; y < height; ++y, row += width) check(EGifPutLine(gif, row, width), "pixels");
    }

    error = 0;
    if (EGifCloseFile(guard.release(), &error) != GIF_OK) fail(path, "cannot write GIF (" + gifReason(error) + ")");
    image_detail::replaceWith(temporary.path(), path, "GIF");
    temporary.release();
    spdlog::debug("wrote {}: {} frames of {}x{}, {} cs each", path.string(), checked.chw.size(), width, height, delay);
}

int readGifFrameCount(const std::filesystem::path& path, int* width, int* height) {
    checkReadable(path);
    int error = 0;
    GifFileType* gif = DGifOpenFileName(path.c_str(), &error);
    if (!gif) fail(path, "cannot read GIF (" + gifReason(error) + ")");
    if (DGifSlurp(gif) != GIF_OK) {
        const std::string reason = gifReason(gif->Error);
        DGifCloseFile(gif, &error);
        fail(path, "cannot read GIF (" + reason + ")");
    }
    const int count = gif->ImageCount;
    if (width) *width = gif->SWidth;
    if (height) *height = gif->SHeight;
    DGifCloseFile(gif, &error);
    return count;
}

// --- video --------------------------------------------------------------------------------------

void writeVideo(const std::filesystem::path& path, const std::vector<torch::Tensor>& frames, double framesPerSecond,
                int upscale) {
    checkFps(path, framesPerSecond);
    const Frames checked = checkedFrames(path, frames, upscale);
    image_detail::checkWritableLocation(path, "video");
    const int width = static_cast<int>(checked.width * upscale), height = static_cast<int>(checked.height * upscale);
    // H.264 and MPEG-4 store 4:2:0 chroma, so width and height must be even (OpenCV's FFmpeg
    // writer silently drops an odd last row/column otherwise): repeat the last one instead.
    const int padRight = width % 2, padBottom = height % 2;
    const cv::Size size(width + padRight, height + padBottom);

    // The temporary keeps a .mp4 extension: FFmpeg picks the container by the name.
    TemporaryFile temporary(temporaryBeside(path, ".mp4"));
    // 'avc1' is H.264 (libx264 in Debian's FFmpeg); 'mp4v' (MPEG-4 part 2) is built into FFmpeg.
    static const char* const kFourccs[] = {"avc1", "mp4v"};
    cv::VideoWriter writer;
    std::string used;
    for (const char* fourcc : kFourccs) {
        try {
            writer.open(temporary.path().string(), cv::CAP_FFMPEG,
                        cv::VideoWriter::fourcc(fourcc[0], fourcc[1], fourcc[2], fourcc[3]), framesPerSecond, size, true);
        } catch (const cv::Exception& e) {
            spdlog::debug("{}: fourcc '{}' failed: {}", path.string(), fourcc, image_detail::openCvReason(e));
        }
        if (writer.isOpened()) {
            used = fourcc;
            break;
        }
        std::error_code ignored;
        fs::remove(temporary.path(), ignored);
    }
    if (used.empty())
        fail(path, "cannot write video: no MP4 encoder available (tried fourcc 'avc1' and 'mp4v' with OpenCV's FFmpeg backend)");

    try {
        for (const torch::Tensor& chw : checked.chw) {
            cv::Mat bgr = image_detail::toMat(chw, upscale);
            if (bgr.channels() == 1) cv::cvtColor(bgr, bgr, cv::COLOR_GRAY2BGR);
            if (padRight || padBottom) cv::copyMakeBorder(bgr, bgr, 0, padBottom, 0, padRight, cv::BORDER_REPLICATE);
            writer.write(bgr);
        }
        writer.release();
    } catch (const cv::Exception& e) {
        fail(path, "cannot write video (" + image_detail::openCvReason(e) + ")");
    }
    std::error_code ec;
    if (fs::file_size(temporary.path(), ec) == 0 || ec) fail(path, "cannot write video (the encoder wrote nothing)");
    image_detail::replaceWith(temporary.path(), path, "video");
    temporary.release();
    spdlog::debug("wrote {}: {} frames of {}x{} at {} fps ({})", path.string(), checked.chw.size(), size.width, size.height,
                  framesPerSecond, used);
}

int readVideoFrameCount(const std::filesystem::path& path, int* width, int* height) {
    checkReadable(path);
    cv::VideoCapture capture;
    try {
        capture.open(path.string(), cv::CAP_FFMPEG);
    } catch (const cv::Exception& e) {
        fail(path, "cannot read video (" + image_detail::openCvReason(e) + ")");
    }
    if (!capture.isOpened()) fail(path, "cannot read video (not a format OpenCV's FFmpeg backend can decode)");
    int count = 0, frameWidth = 0, frameHeight = 0;
    try {
        cv::Mat frame;
        while (capture.read(frame) && !frame.empty()) {
            if (count == 0) {
                frameWidth = frame.cols;
                frameHeight = frame.rows;
            }
            ++count;
        }
    } catch (const cv::Exception& e) {
        fail(path, "cannot read video (" + image_detail::openCvReason(e) + ")");
    }
    if (width) *width = frameWidth;
    if (height) *height = frameHeight;
    return count;
}

// --- strips and grids ---------------------------------------------------------------------------

void writeStrip(const std::filesystem::path& path, const std::vector<torch::Tensor>& frames, int upscale,
                const std::vector<std::string>& labels) {
    checkImageFormat(path);
    Frames checked = checkedFrames(path, frames, upscale);
    checkLabelCount(path, labels, frames.size(), "labels", "frames");
    image_detail::checkWritableLocation(path, "image");
    writeTiles(path, {checked}, upscale, {}, {}, labels);
}

void writeGrid(const std::filesystem::path& path, const std::vector<std::vector<torch::Tensor>>& rows, int upscale,
               const std::vector<std::string>& rowLabels, const std::vector<std::string>& columnLabels) {
    checkImageFormat(path);
    if (rows.empty()) fail(path, "no rows to write");
    // Checked as one list so that every frame of every row must have the same shape.
    std::vector<torch::Tensor> all;
    for (size_t r = 0; r < rows.size(); ++r) {
        if (rows[r].empty()) fail(path, "row " + std::to_string(r + 1) + " has no frames");
        if (rows[r].size() != rows.front().size())
            fail(path, "row " + std::to_string(r + 1) + " has " + std::to_string(rows[r].size()) + " frames but row 1 has " +
                           std::to_string(rows.front().size()) + " (all rows must have the same length)");
        all.insert(all.end(), rows[r].begin(), rows[r].end());
    }
    const size_t columns = rows.front().size();
    Frames checked = checkedFrames(path, all, upscale, [columns](size_t i) {
        return "frame " + std::to_string(i % columns + 1) + " of row " + std::to_string(i / columns + 1);
    });
    checkLabelCount(path, rowLabels, rows.size(), "row labels", "rows");
    checkLabelCount(path, columnLabels, columns, "column labels", "columns");
    image_detail::checkWritableLocation(path, "image");

    std::vector<Frames> tiles(rows.size());
    for (size_t r = 0; r < rows.size(); ++r) {
        tiles[r] = checked;
        tiles[r].chw.assign(checked.chw.begin() + r * columns, checked.chw.begin() + (r + 1) * columns);
    }
    writeTiles(path, tiles, upscale, rowLabels, columnLabels, {});
}

bool isStripPath(const std::filesystem::path& path) {
    const std::string ext = image_detail::lowerExtension(path);
    return ext == ".png" || ext == ".jpg" || ext == ".jpeg";
}

void writeFrames(const std::filesystem::path& path, const std::vector<torch::Tensor>& frames, double framesPerSecond,
                 int upscale, const std::vector<std::string>& labels) {
    const std::string ext = image_detail::lowerExtension(path);
    if (ext == ".gif") {
        writeGif(path, frames, framesPerSecond, upscale);
    } else if (ext == ".mp4") {
        writeVideo(path, frames, framesPerSecond, upscale);
    } else if (isStripPath(path)) {
        writeStrip(path, frames, upscale, labels);
    } else {
        fail(path, "unsupported animation format '" + (ext.empty() ? std::string("(no extension)") : path.extension().string()) +
                       "' (use .gif, .mp4, .png, .jpg or .jpeg)");
    }
}

}  // namespace latentlens
