#pragma once

// PNG charts for the analyses (line plots and heatmaps with a colour bar), drawn with OpenCV.
// Text is ASCII (other characters print as '?'). Failures (no data, non-finite ranges, unwritable
// paths) throw latentlens::Error with a one-line message that starts with the file name; files
// are written under a temporary name and renamed over the target.

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <torch/types.h>

namespace latentlens {

struct PlotSeries {
    std::string label;
    std::vector<double> x;
    std::vector<double> y;  // same length as x; non-finite points are skipped
    bool pointsOnly = false;  // a scatter: markers without the line through them
};

// A horizontal dashed line (a baseline such as "random subspaces").
struct ReferenceLine {
    std::string label;
    double y = 0.0;
};

struct LinePlot {
    std::string title;
    std::string xLabel;
    std::string yLabel;
    std::vector<PlotSeries> series;
    std::vector<ReferenceLine> references;
    std::optional<double> yMin;  // default: the data's range, padded
    std::optional<double> yMax;
    bool reverseX = false;       // x decreasing to the right (timesteps in generation order)
};
void writeLinePlot(const std::filesystem::path& path, const LinePlot& plot, int width = 800, int height = 500);

// One matrix of a heatmap figure; row r is drawn at the top for r = 0.
struct HeatmapPanel {
    std::string title;
    torch::Tensor values;                  // (R, C)
    std::vector<std::string> rowLabels;    // empty or R
    std::vector<std::string> columnLabels; // empty or C
};

// Panels side by side in rows of `columns` (0: as square a layout as fits), sharing one colour
// scale (viridis) from min to max (default: over all panels) shown in a colour bar on the right.
// With `annotate`, cells large enough get their value written in them.
struct Heatmap {
    std::string title;
    std::string colorLabel;
    std::vector<HeatmapPanel> panels;
    int columns = 0;
    std::optional<double> min;
    std::optional<double> max;
    bool annotate = false;
};
void writeHeatmap(const std::filesystem::path& path, const Heatmap& heatmap);

}  // namespace latentlens
