// io/PlotFile: line plots and heatmaps decode as PNGs of the requested size with the series and
// colour-scale colours drawn, and bad input is a one-line Error naming the file.
#include <gtest/gtest.h>
#include <opencv2/imgcodecs.hpp>
#include <torch/torch.h>

#include "io/PlotFile.h"
#include "support/TestSupport.h"

namespace latentlens {
namespace {

int countColor(const cv::Mat& image, cv::Vec3b bgr) {
    int count = 0;
    for (int y = 0; y < image.rows; ++y) {
        for (int x = 0; x < image.cols; ++x) count += image.at<cv::Vec3b>(y, x) == bgr;
    }
    return count;
}

TEST(PlotFile, LinePlotDrawsEachSeriesInItsColour) {
    test::TempDir dir;
    LinePlot plot;
    plot.title = "title";
    plot.xLabel = "t";
    plot.yLabel = "y";
    plot.reverseX = true;
    plot.series.push_back({"first", {900, 500, 100}, {1.0, 2.0, 4.0}});
    plot.series.push_back({"second", {900, 500, 100}, {3.0, 1.0, 0.5}});
    plot.references.push_back({"baseline", 0.25});
    writeLinePlot(dir / "plot.png", plot, 640, 400);
    auto image = cv::imread((dir / "plot.png").string());
    ASSERT_EQ(image.cols, 640);
    ASSERT_EQ(image.rows, 400);
    // Tableau blue (31, 119, 180) and orange (255, 127, 14) as BGR: markers and lines are drawn.
    EXPECT_GT(countColor(image, {180, 119, 31}), 50);
    EXPECT_GT(countColor(image, {14, 127, 255}), 50);
    EXPECT_EQ(countColor(image, {44, 160, 44}), 0);  // no third series

    plot.series.clear();
    test::expectError(dir / "empty.png", "at least one series", [&] { writeLinePlot(dir / "empty.png", plot); });
    plot.series.push_back({"odd", {1, 2}, {1}});
    test::expectError(dir / "odd.png", "different x and y lengths", [&] { writeLinePlot(dir / "odd.png", plot); });
    EXPECT_FALSE(std::filesystem::exists(dir / "odd.png"));
}

TEST(PlotFile, AFlatSeriesWithinRoundingAndAScatterAreDrawn) {
    test::TempDir dir;
    LinePlot plot;
    // Similarities that are all 1 but for rounding: once an endless tick loop (std::bad_alloc).
    plot.series.push_back({"flat", {800, 500, 200}, {1.0, 1.0 - 1.1e-16, 1.0}});
    plot.series.push_back({"tiny", {800, 500, 200}, {0.0, 2e-17, 1e-300}});
    writeLinePlot(dir / "flat.png", plot);
    EXPECT_FALSE(cv::imread((dir / "flat.png").string()).empty());
    PlotSeries points{"points", {0.1, 0.5, 0.9}, {0.2, 0.4, 0.3}};
    points.pointsOnly = true;
    plot.series = {points};
    writeLinePlot(dir / "scatter.png", plot, 640, 400);
    auto image = cv::imread((dir / "scatter.png").string());
    const int blue = countColor(image, {180, 119, 31});
    EXPECT_GT(blue, 30);   // three markers and the legend's
    EXPECT_LT(blue, 400);  // no line between them
    plot.series.front().pointsOnly = false;
    writeLinePlot(dir / "line.png", plot, 640, 400);
    EXPECT_GT(countColor(cv::imread((dir / "line.png").string()), {180, 119, 31}), blue + 200);
}

TEST(PlotFile, HeatmapUsesTheSharedColourScale) {
    test::TempDir dir;
    Heatmap map;
    map.title = "map";
    map.colorLabel = "value";
    map.min = 0.0;
    map.max = 1.0;
    map.annotate = true;
    map.panels.push_back({"a", torch::tensor({{0.0, 1.0}, {1.0, 0.0}}), {"r0", "r1"}, {"c0", "c1"}});
    map.panels.push_back({"b", torch::full({2, 2}, 1.0), {}, {}});
    writeHeatmap(dir / "map.png", map);
    auto image = cv::imread((dir / "map.png").string());
    ASSERT_FALSE(image.empty());
    // Viridis ends: 0 → (84, 1, 68) BGR, 1 → (37, 231, 253) BGR, in large cells.
    const int cells0 = countColor(image, {84, 1, 68});
    const int cells1 = countColor(image, {37, 231, 253});
    EXPECT_GT(cells0, 2 * 40 * 40);
    EXPECT_GT(cells1, 5 * 40 * 40);  // 2 cells of panel a and 4 of panel b (minus their labels)

    map.panels[0].rowLabels = {"only one"};
    test::expectError(dir / "bad.png", "row labels", [&] { writeHeatmap(dir / "bad.png", map); });
    Heatmap single;
    single.panels.push_back({"a", torch::ones({1, 1}), {}, {}});
    test::expectError(dir / "map.jpg", ".png", [&] { writeHeatmap(dir / "map.jpg", single); });
}

}  // namespace
}  // namespace latentlens
