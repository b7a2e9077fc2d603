#include "io/ImageFile.h"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>

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

constexpr double kStep = 1.0 / 127.5;  // one 8-bit level in [-1, 1]

// (3, H, W): red grows left to right, green top to bottom, blue along the diagonal.
torch::Tensor gradient(int64_t height, int64_t width) {
    auto x = torch::linspace(-1, 1, width).view({1, width}).expand({height, width});
    auto y = torch::linspace(-1, 1, height).view({height, 1}).expand({height, width});
    return torch::stack({x, y, (x + y) / 2});
}

torch::Tensor solid(double r, double g, double b, int64_t size = 8) {
    return torch::stack({torch::full({size, size}, r), torch::full({size, size}, g), torch::full({size, size}, b)});
}

double maxAbsDiff(const torch::Tensor& a, const torch::Tensor& b) { return (a - b).abs().max().item<double>(); }


TEST(ImageFile, PngRoundTripIsWithinOneQuantisationStep) {
    TempDir dir;
    torch::Tensor image = gradient(32, 32);
    writeImage(dir / "g.png", image);
    LoadedImage loaded = readImage(dir / "g.png", 3, 32);
    EXPECT_EQ(loaded.note, "");
    ASSERT_EQ(loaded.pixels.sizes(), (std::vector<int64_t>{3, 32, 32}));
    EXPECT_EQ(loaded.pixels.scalar_type(), torch::kFloat32);
    EXPECT_LE(maxAbsDiff(loaded.pixels, image), kStep / 2 + 1e-6);

    // (1, C, H, W) and float64 are accepted as well.
    writeImage(dir / "g4.png", image.unsqueeze(0).to(torch::kFloat64));
    EXPECT_TRUE(torch::equal(readImage(dir / "g4.png", 3, 32).pixels, loaded.pixels));
}

TEST(ImageFile, ChannelsAreRgbInTheTensorAndBgrForOpenCv) {
    TempDir dir;
    writeImage(dir / "red.png", solid(1, -1, -1));
    cv::Mat raw = cv::imread((dir / "red.png").string(), cv::IMREAD_UNCHANGED);
    ASSERT_EQ(raw.type(), CV_8UC3);
    EXPECT_EQ(raw.at<cv::Vec3b>(3, 3), cv::Vec3b(0, 0, 255));

    torch::Tensor pixels = readImage(dir / "red.png", 3, 8).pixels;
    EXPECT_TRUE(torch::equal(pixels[0], torch::ones({8, 8})));
    EXPECT_TRUE(torch::equal(pixels[1], -torch::ones({8, 8})));
    EXPECT_TRUE(torch::equal(pixels[2], -torch::ones({8, 8})));
}

TEST(ImageFile, ConvertsGrayToRgbAndRgbToGray) {
    TempDir dir;
    torch::Tensor gray = gradient(16, 16).slice(0, 0, 1);
    writeImage(dir / "gray.png", gray);
    cv::Mat raw = cv::imread((dir / "gray.png").string(), cv::IMREAD_UNCHANGED);
    EXPECT_EQ(raw.channels(), 1);

    LoadedImage asRgb = readImage(dir / "gray.png", 3, 16);
    ASSERT_EQ(asRgb.pixels.size(0), 3);
    EXPECT_NE(asRgb.note.find("grayscale to RGB"), std::string::npos) << asRgb.note;
    LoadedImage asGray = readImage(dir / "gray.png", 1, 16);
    EXPECT_EQ(asGray.note, "");
    EXPECT_LE(maxAbsDiff(asGray.pixels, gray), kStep / 2 + 1e-6);
    for (int c = 0; c < 3; ++c) EXPECT_TRUE(torch::equal(asRgb.pixels[c], asGray.pixels[0]));

    // ITU-R BT.601 luma, as OpenCV's BGR2GRAY.
    const double weights[] = {0.299, 0.587, 0.114};
    for (int c = 0; c < 3; ++c) {
        SCOPED_TRACE(c);
        fs::path path = dir / ("c" + std::to_string(c) + ".png");
        writeImage(path, solid(c == 0 ? 1 : -1, c == 1 ? 1 : -1, c == 2 ? 1 : -1));
        LoadedImage loaded = readImage(path, 1, 8);
        ASSERT_EQ(loaded.pixels.sizes(), (std::vector<int64_t>{1, 8, 8}));
        EXPECT_NE(loaded.note.find("RGB to grayscale"), std::string::npos) << loaded.note;
        EXPECT_NEAR(loaded.pixels[0][4][4].item<double>(), weights[c] * 2 - 1, 1e-3);
    }
}

TEST(ImageFile, FitsNonSquareImagesByResizeAndCenterCrop) {
    TempDir dir;
    writeImage(dir / "wide.png", gradient(48, 64));
    LoadedImage wide = readImage(dir / "wide.png", 3, 32);
    ASSERT_EQ(wide.pixels.sizes(), (std::vector<int64_t>{3, 32, 32}));
    EXPECT_EQ(wide.note, "resized 64x48 → 43x32 and center-cropped to 32x32");
    EXPECT_LE(wide.pixels.abs().max().item<double>(), 1.0);
    // The crop is centered: red (horizontal ramp) is symmetric about 0.
    EXPECT_NEAR(wide.pixels[0].mean().item<double>(), 0.0, 0.05);

    writeImage(dir / "tall.png", gradient(64, 48));
    LoadedImage tall = readImage(dir / "tall.png", 1, 32);
    ASSERT_EQ(tall.pixels.sizes(), (std::vector<int64_t>{1, 32, 32}));
    EXPECT_EQ(tall.note, "resized 48x64 → 32x43 and center-cropped to 32x32; converted RGB to grayscale");

    // Enlarging (cubic) keeps values in range.
    writeImage(dir / "small.png", gradient(10, 20).sign());
    LoadedImage small = readImage(dir / "small.png", 3, 32);
    ASSERT_EQ(small.pixels.sizes(), (std::vector<int64_t>{3, 32, 32}));
    EXPECT_EQ(small.note, "resized 20x10 → 64x32 and center-cropped to 32x32");
    EXPECT_LE(small.pixels.abs().max().item<double>(), 1.0);

    // Only a crop when the shorter side already fits: the pixels are the middle ones, exactly.
    torch::Tensor image = gradient(32, 40);
    writeImage(dir / "crop.png", image);
    LoadedImage cropped = readImage(dir / "crop.png", 3, 32);
    EXPECT_EQ(cropped.note, "center-cropped 40x32 to 32x32");
    EXPECT_LE(maxAbsDiff(cropped.pixels, image.slice(2, 4, 36)), kStep / 2 + 1e-6);
}

TEST(ImageFile, UpscalesWithNearestNeighbour) {
    TempDir dir;
    torch::Tensor image = gradient(8, 10);
    writeImage(dir / "plain.png", image);
    writeImage(dir / "big.png", image, 4);
    cv::Mat plain = cv::imread((dir / "plain.png").string(), cv::IMREAD_UNCHANGED);
    cv::Mat big = cv::imread((dir / "big.png").string(), cv::IMREAD_UNCHANGED);
    ASSERT_EQ(big.rows, 32);
    ASSERT_EQ(big.cols, 40);
    for (int y = 0; y < big.rows; ++y)
        for (int x = 0; x < big.cols; ++x) ASSERT_EQ(big.at<cv::Vec3b>(y, x), plain.at<cv::Vec3b>(y / 4, x / 4)) << y << "," << x;
}

TEST(ImageFile, WritesAndReadsJpegAndBmp) {
    TempDir dir;
    torch::Tensor image = gradient(32, 32);
    for (const char* name : {"g.jpg", "g.JPEG"}) {
        SCOPED_TRACE(name);
        writeImage(dir / name, image);
        cv::Mat raw = cv::imread((dir / name).string(), cv::IMREAD_UNCHANGED);
        EXPECT_EQ(raw.rows, 32);
        EXPECT_EQ(raw.channels(), 3);
        LoadedImage loaded = readImage(dir / name, 3, 32);
        EXPECT_EQ(loaded.note, "");
        EXPECT_LT((loaded.pixels - image).abs().mean().item<double>(), 0.03);
        EXPECT_LT(maxAbsDiff(loaded.pixels, image), 0.2);
    }
    writeImage(dir / "g.bmp", image);
    EXPECT_LE(maxAbsDiff(readImage(dir / "g.bmp", 3, 32).pixels, image), kStep / 2 + 1e-6);
}

TEST(ImageFile, Reads16BitAndDropsAlpha) {
    TempDir dir;
    cv::Mat gray16(2, 2, CV_16UC1);
    gray16.at<uint16_t>(0, 0) = 0;
    gray16.at<uint16_t>(0, 1) = 65535;
    gray16.at<uint16_t>(1, 0) = 32768;
    gray16.at<uint16_t>(1, 1) = 1000;
    ASSERT_TRUE(cv::imwrite((dir / "g16.png").string(), gray16));
    torch::Tensor pixels = readImage(dir / "g16.png", 1, 2).pixels;
    EXPECT_NEAR(pixels[0][0][0].item<double>(), -1.0, 1e-6);
    EXPECT_NEAR(pixels[0][0][1].item<double>(), 1.0, 1e-6);
    EXPECT_NEAR(pixels[0][1][0].item<double>(), 32768.0 / 65535 * 2 - 1, 1e-6);
    EXPECT_NEAR(pixels[0][1][1].item<double>(), 1000.0 / 65535 * 2 - 1, 1e-6);

    cv::Mat bgr16(2, 2, CV_16UC3, cv::Scalar(65535, 0, 30000));  // B, G, R
    ASSERT_TRUE(cv::imwrite((dir / "c16.png").string(), bgr16));
    torch::Tensor colour = readImage(dir / "c16.png", 3, 2).pixels;
    EXPECT_NEAR(colour[0][1][1].item<double>(), 30000.0 / 65535 * 2 - 1, 1e-6);
    EXPECT_NEAR(colour[1][1][1].item<double>(), -1.0, 1e-6);
    EXPECT_NEAR(colour[2][1][1].item<double>(), 1.0, 1e-6);

    cv::Mat bgra(4, 4, CV_8UC4, cv::Scalar(255, 0, 0, 0));  // transparent blue
    ASSERT_TRUE(cv::imwrite((dir / "a.png").string(), bgra));
    LoadedImage withAlpha = readImage(dir / "a.png", 3, 4);
    ASSERT_EQ(withAlpha.pixels.sizes(), (std::vector<int64_t>{3, 4, 4}));
    EXPECT_TRUE(torch::equal(withAlpha.pixels, solid(-1, -1, 1, 4).to(torch::kFloat32)));
}

TEST(ImageFile, WritesGridsWithBorders) {
    TempDir dir;
    torch::Tensor images = torch::ones({5, 3, 8, 10});
    writeImageGrid(dir / "grid.png", images, 3, 2);
    cv::Mat grid = cv::imread((dir / "grid.png").string(), cv::IMREAD_UNCHANGED);
    // 2 rows x 3 columns of 8x10 cells with 1-pixel borders, upscaled 2x.
    ASSERT_EQ(grid.rows, (2 * 9 + 1) * 2);
    ASSERT_EQ(grid.cols, (3 * 11 + 1) * 2);
    const cv::Vec3b black(0, 0, 0), white(255, 255, 255);
    EXPECT_EQ(grid.at<cv::Vec3b>(0, 0), black);                // outer border
    EXPECT_EQ(grid.at<cv::Vec3b>(2, 2), white);                // cell 0
    EXPECT_EQ(grid.at<cv::Vec3b>(2, 2 * 11), black);           // border between cells 0 and 1
    EXPECT_EQ(grid.at<cv::Vec3b>(2 * 10 + 2, 2 * 12 + 2), white);  // cell 4 (row 1, column 1)
    EXPECT_EQ(grid.at<cv::Vec3b>(2 * 10 + 2, 2 * 23 + 2), black);  // the empty sixth cell

    writeImageGrid(dir / "gray.png", torch::zeros({4, 1, 3, 3}), 2);
    cv::Mat gray = cv::imread((dir / "gray.png").string(), cv::IMREAD_UNCHANGED);
    EXPECT_EQ(gray.rows, 2 * 4 + 1);
    EXPECT_EQ(gray.cols, 2 * 4 + 1);
    EXPECT_EQ(gray.channels(), 1);
}

TEST(ImageFile, ErrorsNameTheFileAndTheProblem) {
    TempDir dir;
    expectError(dir / "missing.png", "no such file", [&] { readImage(dir / "missing.png", 3, 32); });
    {
        std::ofstream text(dir / "text.png");
        text << "this is not an image\n";
    }
    expectError(dir / "text.png", "cannot decode image (", [&] { readImage(dir / "text.png", 3, 32); });
    std::ofstream(dir / "empty.png").close();
    expectError(dir / "empty.png", "cannot decode image (empty file)", [&] { readImage(dir / "empty.png", 3, 32); });
    expectError(dir / "text.png", "channels", [&] { readImage(dir / "text.png", 2, 32); });
    expectError(dir / "text.png", "size", [&] { readImage(dir / "text.png", 3, 0); });

    torch::Tensor image = torch::zeros({3, 4, 4});
    expectError(dir / "a.tiff", "unsupported image format '.tiff'", [&] { writeImage(dir / "a.tiff", image); });
    expectError(dir / "a", "unsupported image format", [&] { writeImage(dir / "a", image); });
    expectError(dir / "two.png", "2 channels", [&] { writeImage(dir / "two.png", torch::zeros({2, 4, 4})); });
    expectError(dir / "rank.png", "shape", [&] { writeImage(dir / "rank.png", torch::zeros({4, 4})); });
    expectError(dir / "batch.png", "shape", [&] { writeImage(dir / "batch.png", torch::zeros({2, 3, 4, 4})); });
    expectError(dir / "int.png", "dtype", [&] { writeImage(dir / "int.png", torch::zeros({3, 4, 4}, torch::kUInt8)); });
    expectError(dir / "up.png", "upscale", [&] { writeImage(dir / "up.png", image, 0); });
    expectError(dir / "nodir" / "a.png", "folder does not exist", [&] { writeImage(dir / "nodir" / "a.png", image); });
    expectError(dir / "empty-grid.png", "no images", [&] { writeImageGrid(dir / "empty-grid.png", torch::zeros({0, 3, 4, 4}), 3); });
    expectError(dir / "rank-grid.png", "shape", [&] { writeImageGrid(dir / "rank-grid.png", image, 3); });
    expectError(dir / "cols-grid.png", "column", [&] { writeImageGrid(dir / "cols-grid.png", image.unsqueeze(0), 0); });
    for (const char* name : {"two.png", "rank.png", "int.png", "up.png", "empty-grid.png"}) EXPECT_FALSE(fs::exists(dir / name)) << name;
}

TEST(ImageFile, WriteClampsOutOfRangeAndNonFiniteValues) {
    TempDir dir;
    torch::Tensor image = torch::tensor({-5.0f, 5.0f, std::nanf(""), INFINITY}).view({1, 2, 2});
    writeImage(dir / "clamp.png", image);
    cv::Mat raw = cv::imread((dir / "clamp.png").string(), cv::IMREAD_UNCHANGED);
    EXPECT_EQ(raw.at<uint8_t>(0, 0), 0);
    EXPECT_EQ(raw.at<uint8_t>(0, 1), 255);
    EXPECT_EQ(raw.at<uint8_t>(1, 0), 0);
    EXPECT_EQ(raw.at<uint8_t>(1, 1), 255);
}

TEST(ImageFile, DefaultModelSamplesDecode) {
    fs::path samples = test::defaultModelDir() / "samples.png";
    cv::Mat raw = cv::imread(samples.string(), cv::IMREAD_UNCHANGED);
    ASSERT_FALSE(raw.empty());
    EXPECT_EQ(raw.rows, 512);
    EXPECT_EQ(raw.cols, 512);
    LoadedImage loaded = readImage(samples, 1, 512);
    EXPECT_EQ(loaded.note, "");
    ASSERT_EQ(loaded.pixels.sizes(), (std::vector<int64_t>{1, 512, 512}));
    EXPECT_GT(loaded.pixels.max().item<double>(), loaded.pixels.min().item<double>());
    EXPECT_EQ(readImage(samples, 3, 64).pixels.sizes(), (std::vector<int64_t>{3, 64, 64}));
}

}  // namespace
}  // namespace latentlens
