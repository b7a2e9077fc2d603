#include "io/FrameExport.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include <gif_lib.h>
#include <gtest/gtest.h>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <torch/torch.h>

#include "core/Error.h"
#include "support/TestSupport.h"

namespace latentlens {
namespace {

namespace fs = std::filesystem;
using test::TempDir;
using test::expectError;

constexpr int kFrames = 9;
constexpr int kSize = 32;

// A traversal: frame t is a diagonal ramp shifted by t, so each frame differs. (C, S, S) in [-1, 1].
std::vector<torch::Tensor> traversal(int channels, int count = kFrames, int size = kSize) {
    std::vector<torch::Tensor> frames;
    auto x = torch::linspace(-1, 1, size).view({1, size}).expand({size, size});
    auto y = torch::linspace(-1, 1, size).view({size, 1}).expand({size, size});
    for (int t = 0; t < count; ++t) {
        const double shift = static_cast<double>(t) / count;
        auto gray = torch::sin(3.0 * (x + y) + 6.28 * shift);
        if (channels == 1) {
            frames.push_back(gray.unsqueeze(0).clone());
        } else {
            frames.push_back(torch::stack({gray, torch::cos(2.0 * x - 6.28 * shift), y * 0.9}).clone());
        }
    }
    return frames;
}


// Names of the files in `dir` (to check that no temporary is left behind).
std::vector<std::string> listing(const fs::path& dir) {
    std::vector<std::string> names;
    for (const auto& entry : fs::directory_iterator(dir)) names.push_back(entry.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
}

// The decoded GIF: for frame `index`, (H, W, 3) uint8 RGB through its colour table.
struct DecodedGif {
    int frames = 0, width = 0, height = 0;
    std::vector<torch::Tensor> rgb;
    std::vector<int> delays;
    bool loops = false;
};

DecodedGif decodeGif(const fs::path& path) {
    int error = 0;
    GifFileType* gif = DGifOpenFileName(path.c_str(), &error);
    if (!gif) throw std::runtime_error("cannot open GIF");
    if (DGifSlurp(gif) != GIF_OK) {
        DGifCloseFile(gif, &error);
        throw std::runtime_error("cannot decode GIF");
    }
    DecodedGif out;
    out.frames = gif->ImageCount;
    out.width = gif->SWidth;
    out.height = gif->SHeight;
    for (int i = 0; i < gif->ImageCount; ++i) {
        const SavedImage& image = gif->SavedImages[i];
        const ColorMapObject* map = image.ImageDesc.ColorMap ? image.ImageDesc.ColorMap : gif->SColorMap;
        const int w = image.ImageDesc.Width, h = image.ImageDesc.Height;
        torch::Tensor rgb = torch::zeros({h, w, 3}, torch::kUInt8);
        auto* out8 = rgb.data_ptr<uint8_t>();
        for (int p = 0; p < w * h; ++p) {
            const GifColorType& c = map->Colors[image.RasterBits[p]];
            out8[3 * p] = c.Red;
            out8[3 * p + 1] = c.Green;
            out8[3 * p + 2] = c.Blue;
        }
        out.rgb.push_back(rgb);
        GraphicsControlBlock control;
        out.delays.push_back(DGifSavedExtensionToGCB(gif, i, &control) == GIF_OK ? control.DelayTime : -1);
        for (int e = 0; e + 1 < image.ExtensionBlockCount; ++e) {
            const ExtensionBlock& block = image.ExtensionBlocks[e];
            const ExtensionBlock& next = image.ExtensionBlocks[e + 1];
            if (block.Function == APPLICATION_EXT_FUNC_CODE && block.ByteCount == 11 &&
                std::memcmp(block.Bytes, "NETSCAPE2.0", 11) == 0 && next.ByteCount == 3 && next.Bytes[0] == 1 &&
                next.Bytes[1] == 0 && next.Bytes[2] == 0)
                out.loops = true;
        }
    }
    DGifCloseFile(gif, &error);
    return out;
}

// Values in [-1, 1] → 8-bit levels as float (no rounding), (H, W, C).
torch::Tensor levels(const torch::Tensor& chw) { return ((chw.clamp(-1, 1) + 1) * 127.5).permute({1, 2, 0}); }

TEST(FrameExport, GrayGifHasEveryFrameTheUpscaledSizeAndExactGrayLevels) {
    TempDir dir;
    const auto frames = traversal(1);
    writeGif(dir / "walk.gif", frames, 10.0, 2);
    int width = 0, height = 0;
    EXPECT_EQ(readGifFrameCount(dir / "walk.gif", &width, &height), kFrames);
    EXPECT_EQ(width, 2 * kSize);
    EXPECT_EQ(height, 2 * kSize);

    DecodedGif gif = decodeGif(dir / "walk.gif");
    ASSERT_EQ(gif.frames, kFrames);
    EXPECT_TRUE(gif.loops);
    EXPECT_EQ(gif.delays.front(), 10);  // 10 fps → 10 centiseconds
    // Every 2x2 block is one input pixel; each matches the input within one gray level.
    torch::Tensor first = gif.rgb.front().to(torch::kFloat32);
    torch::Tensor sampled = first.slice(0, 0, 2 * kSize, 2).slice(1, 0, 2 * kSize, 2);
    torch::Tensor expected = levels(frames.front());
    for (int c = 0; c < 3; ++c)
        EXPECT_LE((sampled.select(2, c) - expected.select(2, 0)).abs().max().item<double>(), 1.0) << "channel " << c;
    EXPECT_TRUE(torch::equal(first.slice(0, 0, 2 * kSize, 2), first.slice(0, 1, 2 * kSize, 2)));  // nearest-neighbour
    EXPECT_FALSE(torch::equal(gif.rgb[0], gif.rgb[4]));
    // A second, independent decoder (FFmpeg's, through OpenCV) reads it as well.
    EXPECT_EQ(readVideoFrameCount(dir / "walk.gif", &width, &height), kFrames);
    EXPECT_EQ(width, 2 * kSize);
    EXPECT_EQ(listing(dir.path()), std::vector<std::string>{"walk.gif"});
}

TEST(FrameExport, RgbGifGetsAPalettePerFrame) {
    TempDir dir;
    const auto frames = traversal(3);
    writeGif(dir / "rgb.gif", frames, 25.0, 1, /*loop=*/false);
    int width = 0, height = 0;
    EXPECT_EQ(readGifFrameCount(dir / "rgb.gif", &width, &height), kFrames);
    EXPECT_EQ(width, kSize);
    EXPECT_EQ(height, kSize);

    DecodedGif gif = decodeGif(dir / "rgb.gif");
    EXPECT_FALSE(gif.loops);
    EXPECT_EQ(gif.delays.front(), 4);
    EXPECT_EQ(readVideoFrameCount(dir / "rgb.gif"), kFrames);
    // 1024 colours spread over the cube per frame, about 4 per palette entry after the median cut:
    // close but not exact (measured: mean 5.7, max 21 levels).
    torch::Tensor error = (gif.rgb.front().to(torch::kFloat32) - levels(frames.front())).abs();
    EXPECT_LE(error.mean().item<double>(), 8.0);
    EXPECT_LE(error.max().item<double>(), 32.0);

    // Few colours are kept exactly.
    torch::Tensor flags = torch::stack({torch::full({8, 8}, 1.0), torch::full({8, 8}, -1.0), torch::full({8, 8}, 0.0)});
    flags.slice(2, 4, 8).select(0, 1).fill_(1.0);
    writeGif(dir / "flags.gif", {flags, -flags}, 60.0, 3);
    DecodedGif exact = decodeGif(dir / "flags.gif");
    ASSERT_EQ(exact.frames, 2);
    EXPECT_EQ(exact.delays.front(), 2);  // 60 fps is faster than GIF players go: 2 cs
    torch::Tensor expected = levels(flags).add(0.5).floor().repeat_interleave(3, 0).repeat_interleave(3, 1);
    EXPECT_TRUE(torch::equal(exact.rgb.front().to(torch::kFloat32), expected));
}

TEST(FrameExport, Mp4HasEveryFrameAndAnEvenSize) {
    TempDir dir;
    writeVideo(dir / "walk.mp4", traversal(1), 12.0, 2);
    int width = 0, height = 0;
    EXPECT_EQ(readVideoFrameCount(dir / "walk.mp4", &width, &height), kFrames);
    EXPECT_EQ(width, 2 * kSize);
    EXPECT_EQ(height, 2 * kSize);

    // 15x15 RGB: odd, so padded to 16x16.
    writeVideo(dir / "odd.mp4", traversal(3, kFrames, 15), 8.0);
    EXPECT_EQ(readVideoFrameCount(dir / "odd.mp4", &width, &height), kFrames);
    EXPECT_EQ(width, 16);
    EXPECT_EQ(height, 16);
    EXPECT_EQ(listing(dir.path()), (std::vector<std::string>{"odd.mp4", "walk.mp4"}));
}

TEST(FrameExport, StripPutsFramesSideBySideWithOnePixelGaps) {
    TempDir dir;
    const auto frames = traversal(1);
    writeStrip(dir / "strip.png", frames, 2);
    cv::Mat strip = cv::imread((dir / "strip.png").string(), cv::IMREAD_UNCHANGED);
    ASSERT_FALSE(strip.empty());
    EXPECT_EQ(strip.cols, kFrames * 2 * kSize + (kFrames - 1));
    EXPECT_EQ(strip.rows, 2 * kSize);
    EXPECT_EQ(strip.channels(), 1);
    EXPECT_EQ(cv::countNonZero(strip.col(2 * kSize)), 0);  // the first gap is black
    // Frame 2 starts after the gap: its top-left pixel is frame 2's.
    const int expected = static_cast<int>(std::floor((frames[1][0][0][0].item<double>() + 1) * 127.5 + 0.5));
    EXPECT_EQ(strip.at<uint8_t>(0, 2 * kSize + 1), expected);

    std::vector<std::string> labels;
    for (int i = 0; i < kFrames; ++i) labels.push_back("t=" + std::to_string(i) + (i == 0 ? " σ" : ""));
    writeStrip(dir / "labelled.jpg", traversal(3), 1, labels);
    cv::Mat labelled = cv::imread((dir / "labelled.jpg").string(), cv::IMREAD_UNCHANGED);
    ASSERT_FALSE(labelled.empty());
    EXPECT_EQ(labelled.cols, kFrames * kSize + (kFrames - 1));
    EXPECT_GT(labelled.rows, kSize);
    EXPECT_EQ(labelled.channels(), 3);
    EXPECT_GT(cv::countNonZero(labelled.rowRange(kSize, labelled.rows).reshape(1)), 0);  // some text was drawn
}

TEST(FrameExport, GridHasRowsOfFrames) {
    TempDir dir;
    std::vector<std::vector<torch::Tensor>> rows = {traversal(3, 5), traversal(3, 5), traversal(3, 5)};
    writeGrid(dir / "grid.png", rows, 1);
    cv::Mat grid = cv::imread((dir / "grid.png").string(), cv::IMREAD_UNCHANGED);
    ASSERT_FALSE(grid.empty());
    EXPECT_EQ(grid.cols, 5 * kSize + 4);
    EXPECT_EQ(grid.rows, 3 * kSize + 2);

    writeGrid(dir / "labelled.png", rows, 2, {"v1", "v2", "v3"}, {"-2", "-1", "0", "1", "2"});
    cv::Mat labelled = cv::imread((dir / "labelled.png").string(), cv::IMREAD_UNCHANGED);
    ASSERT_FALSE(labelled.empty());
    EXPECT_GT(labelled.cols, 5 * 2 * kSize + 4);
    EXPECT_GT(labelled.rows, 3 * 2 * kSize + 2);
}

TEST(FrameExport, WriteFramesChoosesTheFormatByExtension) {
    TempDir dir;
    const auto frames = traversal(1, 3, 8);
    writeFrames(dir / "a.GIF", frames, 5.0, 1);
    EXPECT_EQ(readGifFrameCount(dir / "a.GIF"), 3);
    writeFrames(dir / "a.mp4", frames, 5.0, 2);
    EXPECT_EQ(readVideoFrameCount(dir / "a.mp4"), 3);
    writeFrames(dir / "a.png", frames, 5.0, 1);
    EXPECT_EQ(cv::imread((dir / "a.png").string(), cv::IMREAD_UNCHANGED).cols, 3 * 8 + 2);
    // Writing again replaces the file.
    writeFrames(dir / "a.GIF", traversal(1, 5, 8), 5.0, 1);
    EXPECT_EQ(readGifFrameCount(dir / "a.GIF"), 5);
}

TEST(FrameExport, BadInputThrowsErrorsNamingTheFile) {
    TempDir dir;
    const auto frames = traversal(1, 3, 8);
    for (const char* name : {"e.gif", "e.mp4", "e.png"}) {
        expectError(dir / name, "no frames", [&] { writeFrames(dir / name, {}, 10.0, 1); });
        auto mismatched = frames;
        mismatched.push_back(torch::zeros({1, 8, 9}));
        expectError(dir / name, "same size", [&] { writeFrames(dir / name, mismatched, 10.0, 1); });
        auto mixed = frames;
        mixed.push_back(torch::zeros({3, 8, 8}));
        expectError(dir / name, "same size", [&] { writeFrames(dir / name, mixed, 10.0, 1); });
        expectError(dir / name, "2 channels", [&] { writeFrames(dir / name, {torch::zeros({2, 8, 8})}, 10.0, 1); });
        expectError(dir / name, "dtype", [&] { writeFrames(dir / name, {torch::zeros({1, 8, 8}, torch::kInt32)}, 10.0, 1); });
        expectError(dir / name, "upscale", [&] { writeFrames(dir / name, frames, 10.0, 0); });
        const fs::path missing = dir / "no-such-folder" / name;
        expectError(missing, "folder does not exist", [&] { writeFrames(missing, frames, 10.0, 1); });
    }
    expectError(dir / "e.gif", "frames per second", [&] { writeGif(dir / "e.gif", frames, 0.0); });
    expectError(dir / "e.mp4", "frames per second", [&] { writeVideo(dir / "e.mp4", frames, -1.0); });
    expectError(dir / "e.avi2", "unsupported animation format '.avi2'", [&] { writeFrames(dir / "e.avi2", frames, 10.0, 1); });
    expectError(dir / "e.avi2", ".gif, .mp4", [&] { writeFrames(dir / "e.avi2", frames, 10.0, 1); });
    expectError(dir / "e.tiff", "unsupported image format", [&] { writeStrip(dir / "e.tiff", frames); });
    expectError(dir / "l.png", "labels", [&] { writeStrip(dir / "l.png", frames, 1, {"only one"}); });
    expectError(dir / "g.png", "same length", [&] { writeGrid(dir / "g.png", {frames, {frames[0]}}, 1); });
    expectError(dir / "g.png", "row labels", [&] { writeGrid(dir / "g.png", {frames, frames}, 1, {"a"}); });
    expectError(dir / "g.png", "no rows", [&] { writeGrid(dir / "g.png", {}, 1); });
    fs::create_directory(dir / "folder.gif");
    expectError(dir / "folder.gif", "is a directory", [&] { writeGif(dir / "folder.gif", frames, 10.0); });
    // Nothing half-written is left behind.
    EXPECT_EQ(listing(dir.path()), std::vector<std::string>{"folder.gif"});

    expectError(dir / "missing.gif", "no such file", [&] { readGifFrameCount(dir / "missing.gif"); });
    expectError(dir / "missing.mp4", "no such file", [&] { readVideoFrameCount(dir / "missing.mp4"); });
    {
        FILE* f = std::fopen((dir / "text.gif").c_str(), "w");
        std::fputs("not a gif", f);
        std::fclose(f);
    }
    expectError(dir / "text.gif", "cannot read GIF", [&] { readGifFrameCount(dir / "text.gif"); });
    expectError(dir / "text.gif", "cannot read video", [&] { readVideoFrameCount(dir / "text.gif"); });
}

}  // namespace
}  // namespace latentlens
