#include "io/PlotFile.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <torch/torch.h>

#include "io/ImageConversion.h"

namespace latentlens {
namespace {
namespace fs = std::filesystem;
using image_detail::fail;

const cv::Scalar kBlack(0, 0, 0), kGrid(225, 225, 225), kAxis(90, 90, 90), kWhite(255, 255, 255);
constexpr int kFont = cv::FONT_HERSHEY_SIMPLEX;

// Tableau 10, BGR.
cv::Scalar seriesColor(size_t i) {
    static const cv::Scalar colors[] = {{180, 119, 31}, {14, 127, 255}, {44, 160, 44},  {40, 39, 214},  {189, 103, 148},
                                        {75, 86, 140},  {194, 119, 227}, {127, 127, 127}, {34, 189, 188}, {207, 190, 23}};
    return colors[i % 10];
}

std::string ascii(const std::string& text) {
    std::string out;
    for (unsigned char c : text) out += (c >= 32 && c < 127) ? static_cast<char>(c) : '?';
    return out;
}

cv::Size textSize(const std::string& text, double scale, int thickness = 1) {
    int baseline = 0;
    return cv::getTextSize(ascii(text), kFont, scale, thickness, &baseline);
}

// Text with its baseline-left corner at `origin`; align 0 left, 1 centred, 2 right.
void drawText(cv::Mat& image, const std::string& text, cv::Point origin, double scale, int align = 0,
              const cv::Scalar& color = kBlack, int thickness = 1) {
    const auto size = textSize(text, scale, thickness);
    origin.x -= align == 1 ? size.width / 2 : align == 2 ? size.width : 0;
    cv::putText(image, ascii(text), origin, kFont, scale, color, thickness, cv::LINE_AA);
}

// Text turned 90° counter-clockwise, centred on `centre`.
void drawVerticalText(cv::Mat& image, const std::string& text, cv::Point centre, double scale) {
    const auto size = textSize(text, scale);
    cv::Mat band(size.height + 8, size.width + 4, CV_8UC3, kWhite);
    cv::putText(band, ascii(text), cv::Point(2, size.height + 3), kFont, scale, kBlack, 1, cv::LINE_AA);
    cv::Mat turned;
    cv::rotate(band, turned, cv::ROTATE_90_COUNTERCLOCKWISE);
    cv::Rect target(centre.x - turned.cols / 2, centre.y - turned.rows / 2, turned.cols, turned.rows);
    target &= cv::Rect(0, 0, image.cols, image.rows);
    turned(cv::Rect(0, 0, target.width, target.height)).copyTo(image(target));
}

std::string number(double value) {
    char text[32];
    if (value != 0.0 && (std::abs(value) < 1e-3 || std::abs(value) >= 1e5)) {
        std::snprintf(text, sizeof(text), "%.2g", value);
    } else {
        std::snprintf(text, sizeof(text), "%.4g", value);
    }
    return text;
}

// About `count` round tick values covering [low, high].
std::vector<double> ticks(double low, double high, int count) {
    const double span = high - low;
    const double raw = span / std::max(count, 1);
    const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
    double step = magnitude;
    for (double factor : {1.0, 2.0, 2.5, 5.0, 10.0}) {
        step = factor * magnitude;
        if (step >= raw) break;
    }
    std::vector<double> result;
    // Counted, not accumulated: a step below the values' rounding would never reach `high`.
    const double first = std::ceil(low / step - 1e-9);
    for (int i = 0; i <= 4 * std::max(count, 1) + 1; ++i) {
        const double t = (first + i) * step;
        if (t > high + step * 1e-9) break;
        result.push_back(std::abs(t) < step * 1e-9 ? 0.0 : t);
    }
    return result;
}

void encodeAndWrite(const fs::path& path, const cv::Mat& image) {
    if (image_detail::lowerExtension(path) != ".png") fail(path, "plots are written as .png");
    std::vector<uchar> bytes;
    try {
        if (!cv::imencode(".png", image, bytes)) fail(path, "cannot encode the plot");
    } catch (const cv::Exception& e) {
        fail(path, "cannot encode the plot (" + image_detail::openCvReason(e) + ")");
    }
    image_detail::writeFileAtomically(path, bytes, "plot");
}

void drawDashedLine(cv::Mat& image, cv::Point a, cv::Point b, const cv::Scalar& color) {
    const double length = std::hypot(b.x - a.x, b.y - a.y);
    const int dashes = std::max(1, static_cast<int>(length / 8));
    for (int i = 0; i < dashes; i += 2) {
        const double s0 = static_cast<double>(i) / dashes, s1 = std::min(1.0, static_cast<double>(i + 1) / dashes);
        cv::line(image, a + (b - a) * s0, a + (b - a) * s1, color, 1, cv::LINE_AA);
    }
}

cv::Vec3b viridis(double fraction) {
    cv::Mat one(1, 1, CV_8UC1, cv::Scalar(std::clamp(fraction, 0.0, 1.0) * 255.0 + 0.5));
    cv::Mat colored;
    cv::applyColorMap(one, colored, cv::COLORMAP_VIRIDIS);
    return colored.at<cv::Vec3b>(0, 0);
}

}  // namespace

void writeLinePlot(const fs::path& path, const LinePlot& plot, int width, int height) {
    if (plot.series.empty()) fail(path, "a line plot needs at least one series");
    if (width < 200 || height < 150) fail(path, "a line plot needs at least 200 x 150 pixels");
    double xMin = std::numeric_limits<double>::infinity(), xMax = -xMin, yMin = xMin, yMax = -xMin;
    for (const auto& series : plot.series) {
        if (series.x.size() != series.y.size()) fail(path, "series '" + series.label + "' has different x and y lengths");
        for (size_t i = 0; i < series.x.size(); ++i) {
            if (!std::isfinite(series.x[i]) || !std::isfinite(series.y[i])) continue;
            xMin = std::min(xMin, series.x[i]);
            xMax = std::max(xMax, series.x[i]);
            yMin = std::min(yMin, series.y[i]);
            yMax = std::max(yMax, series.y[i]);
        }
    }
    if (!std::isfinite(xMin)) fail(path, "a line plot needs at least one finite point");
    for (const auto& reference : plot.references) {
        yMin = std::min(yMin, reference.y);
        yMax = std::max(yMax, reference.y);
    }
    if (xMax == xMin) {
        xMin -= 0.5;
        xMax += 0.5;
    }
    // A range within rounding of its values (e.g. similarities that are all 1) is drawn as flat.
    const bool flat = !(yMax - yMin > 1e-9 * std::max(1.0, std::max(std::abs(yMin), std::abs(yMax))));
    const double pad = flat ? std::max(0.5 * std::abs(yMax), 0.5) : 0.06 * (yMax - yMin);
    yMin = plot.yMin.value_or(yMin - pad);
    yMax = plot.yMax.value_or(yMax + pad);
    if (!(yMax > yMin)) fail(path, "the y range of the plot is empty");

    cv::Mat image(height, width, CV_8UC3, kWhite);
    const int left = 78, right = 18, top = plot.title.empty() ? 18 : 42, bottom = 58;
    const cv::Rect area(left, top, width - left - right, height - top - bottom);
    auto toPixel = [&](double x, double y) {
        double fx = (x - xMin) / (xMax - xMin);
        if (plot.reverseX) fx = 1 - fx;
        const double fy = (y - yMin) / (yMax - yMin);
        return cv::Point(static_cast<int>(std::lround(area.x + fx * area.width)),
                         static_cast<int>(std::lround(area.y + (1 - fy) * area.height)));
    };
    for (double t : ticks(yMin, yMax, 6)) {
        const auto p = toPixel(xMin, t);
        cv::line(image, cv::Point(area.x, p.y), cv::Point(area.x + area.width, p.y), kGrid, 1);
        cv::line(image, cv::Point(area.x - 4, p.y), cv::Point(area.x, p.y), kAxis, 1);
        drawText(image, number(t), cv::Point(area.x - 7, p.y + 5), 0.42, 2);
    }
    for (double t : ticks(xMin, xMax, 8)) {
        const auto p = toPixel(t, yMin);
        cv::line(image, cv::Point(p.x, area.y), cv::Point(p.x, area.y + area.height), kGrid, 1);
        cv::line(image, cv::Point(p.x, area.y + area.height), cv::Point(p.x, area.y + area.height + 4), kAxis, 1);
        drawText(image, number(t), cv::Point(p.x, area.y + area.height + 19), 0.42, 1);
    }
    cv::rectangle(image, area, kAxis, 1);
    if (!plot.title.empty()) drawText(image, plot.title, cv::Point(width / 2, 27), 0.6, 1, kBlack, 1);
    drawText(image, plot.xLabel, cv::Point(area.x + area.width / 2, height - 12), 0.5, 1);
    drawVerticalText(image, plot.yLabel, cv::Point(16, area.y + area.height / 2), 0.5);

    cv::Mat clipped = image(area);
    const cv::Point offset(area.x, area.y);
    for (const auto& reference : plot.references) {
        drawDashedLine(clipped, toPixel(xMin, reference.y) - offset, toPixel(xMax, reference.y) - offset, kAxis);
    }
    for (size_t s = 0; s < plot.series.size(); ++s) {
        const auto& series = plot.series[s];
        std::vector<cv::Point> points;
        for (size_t i = 0; i < series.x.size(); ++i) {
            if (std::isfinite(series.x[i]) && std::isfinite(series.y[i])) points.push_back(toPixel(series.x[i], series.y[i]) - offset);
        }
        if (points.size() > 1 && !series.pointsOnly) cv::polylines(clipped, points, false, seriesColor(s), 2, cv::LINE_AA);
        for (const auto& p : points) cv::circle(clipped, p, series.pointsOnly ? 4 : 3, seriesColor(s), cv::FILLED, cv::LINE_AA);
    }
    // Legend: top right inside the plot area.
    std::vector<std::pair<std::string, int>> entries;  // label, series index (−1: reference)
    for (size_t s = 0; s < plot.series.size(); ++s) {
        if (!plot.series[s].label.empty()) entries.emplace_back(plot.series[s].label, static_cast<int>(s));
    }
    for (const auto& reference : plot.references) {
        if (!reference.label.empty()) entries.emplace_back(reference.label, -1);
    }
    if (!entries.empty()) {
        int textWidth = 0;
        for (const auto& entry : entries) textWidth = std::max(textWidth, textSize(entry.first, 0.42).width);
        const int rowHeight = 18, boxWidth = textWidth + 44, boxHeight = rowHeight * static_cast<int>(entries.size()) + 8;
        // The corner of the plot area that covers the fewest points of the lines (sampled along
        // each segment), top right on ties.
        const std::vector<cv::Rect> corners{
            {area.x + area.width - boxWidth - 8, area.y + 8, boxWidth, boxHeight},
            {area.x + 8, area.y + 8, boxWidth, boxHeight},
            {area.x + area.width - boxWidth - 8, area.y + area.height - boxHeight - 8, boxWidth, boxHeight},
            {area.x + 8, area.y + area.height - boxHeight - 8, boxWidth, boxHeight}};
        std::vector<cv::Point> samples;
        for (const auto& series : plot.series) {
            for (size_t i = 0; i < series.x.size(); ++i) {
                if (!std::isfinite(series.x[i]) || !std::isfinite(series.y[i])) continue;
                const auto p = toPixel(series.x[i], series.y[i]);
                samples.push_back(p);
                if (!series.pointsOnly && i + 1 < series.x.size() && std::isfinite(series.x[i + 1]) &&
                    std::isfinite(series.y[i + 1])) {
                    const auto q = toPixel(series.x[i + 1], series.y[i + 1]);
                    for (int j = 1; j < 16; ++j) samples.push_back(p + (q - p) * (j / 16.0));
                }
            }
        }
        cv::Rect box = corners.front();
        size_t fewest = std::numeric_limits<size_t>::max();
        for (const auto& corner : corners) {
            const auto covered = static_cast<size_t>(
                std::count_if(samples.begin(), samples.end(), [&](const cv::Point& p) { return corner.contains(p); }));
            if (covered < fewest) {
                fewest = covered;
                box = corner;
            }
        }
        cv::rectangle(image, box, kWhite, cv::FILLED);
        cv::rectangle(image, box, kAxis, 1);
        for (size_t i = 0; i < entries.size(); ++i) {
            const int y = box.y + 4 + rowHeight * static_cast<int>(i) + rowHeight / 2;
            const cv::Point a(box.x + 6, y), b(box.x + 30, y);
            if (entries[i].second >= 0 && plot.series[static_cast<size_t>(entries[i].second)].pointsOnly) {
                cv::circle(image, (a + b) / 2, 4, seriesColor(entries[i].second), cv::FILLED, cv::LINE_AA);
            } else if (entries[i].second >= 0) {
                cv::line(image, a, b, seriesColor(entries[i].second), 2, cv::LINE_AA);
            } else {
                drawDashedLine(image, a, b, kAxis);
            }
            drawText(image, entries[i].first, cv::Point(box.x + 36, y + 5), 0.42);
        }
    }
    encodeAndWrite(path, image);
}

void writeHeatmap(const fs::path& path, const Heatmap& heatmap) {
    if (heatmap.panels.empty()) fail(path, "a heatmap needs at least one panel");
    double low = std::numeric_limits<double>::infinity(), high = -low;
    int64_t maxRows = 0, maxColumns = 0;
    std::vector<torch::Tensor> values;
    for (const auto& panel : heatmap.panels) {
        if (!panel.values.defined() || panel.values.dim() != 2 || panel.values.numel() == 0) {
            fail(path, "heatmap panel '" + panel.title + "' needs a non-empty (R, C) matrix");
        }
        auto v = panel.values.to(torch::kCPU, torch::kFloat64).contiguous();
        if (!panel.rowLabels.empty() && static_cast<int64_t>(panel.rowLabels.size()) != v.size(0)) {
            fail(path, "heatmap panel '" + panel.title + "' has " + std::to_string(panel.rowLabels.size()) +
                           " row labels for " + std::to_string(v.size(0)) + " rows");
        }
        if (!panel.columnLabels.empty() && static_cast<int64_t>(panel.columnLabels.size()) != v.size(1)) {
            fail(path, "heatmap panel '" + panel.title + "' has " + std::to_string(panel.columnLabels.size()) +
                           " column labels for " + std::to_string(v.size(1)) + " columns");
        }
        auto finite = v.masked_select(torch::isfinite(v));
        if (finite.numel() > 0) {
            low = std::min(low, finite.min().item<double>());
            high = std::max(high, finite.max().item<double>());
        }
        maxRows = std::max(maxRows, v.size(0));
        maxColumns = std::max(maxColumns, v.size(1));
        values.push_back(v);
    }
    low = heatmap.min.value_or(low);
    high = heatmap.max.value_or(high);
    if (!std::isfinite(low) || !std::isfinite(high)) fail(path, "a heatmap needs finite values or a given range");
    if (high <= low) high = low + 1.0;

    const auto panelCount = static_cast<int>(heatmap.panels.size());
    const int columns = heatmap.columns > 0 ? std::min(heatmap.columns, panelCount)
                                            : static_cast<int>(std::ceil(std::sqrt(static_cast<double>(panelCount))));
    const int rows = (panelCount + columns - 1) / columns;
    const int cell = static_cast<int>(std::clamp<int64_t>(360 / std::max(maxRows, maxColumns), 10, 48));
    const int labelBand = 44, panelTitle = 24, gap = 18;
    const int panelWidth = labelBand + cell * static_cast<int>(maxColumns);
    const int panelHeight = panelTitle + cell * static_cast<int>(maxRows) + 26;
    const int top = heatmap.title.empty() ? 10 : 40, barBand = 110;
    const int titleWidth = heatmap.title.empty() ? 0 : textSize(heatmap.title, 0.6).width + 30;
    const int width = std::max(gap + columns * (panelWidth + gap) + barBand, titleWidth);
    const int height = top + rows * (panelHeight + gap);
    cv::Mat image(height, width, CV_8UC3, kWhite);
    if (!heatmap.title.empty()) drawText(image, heatmap.title, cv::Point(width / 2, 27), 0.6, 1);
    const double labelScale = cell >= 28 ? 0.4 : 0.33;

    for (int p = 0; p < panelCount; ++p) {
        const auto& panel = heatmap.panels[p];
        const auto& v = values[p];
        const int x0 = gap + (p % columns) * (panelWidth + gap) + labelBand;
        const int y0 = top + (p / columns) * (panelHeight + gap) + panelTitle;
        drawText(image, panel.title, cv::Point(x0 + cell * static_cast<int>(v.size(1)) / 2, y0 - 8), 0.45, 1);
        auto data = v.accessor<double, 2>();
        for (int64_t r = 0; r < v.size(0); ++r) {
            for (int64_t c = 0; c < v.size(1); ++c) {
                const cv::Rect box(x0 + static_cast<int>(c) * cell, y0 + static_cast<int>(r) * cell, cell, cell);
                const double value = data[r][c];
                const bool finite = std::isfinite(value);
                const auto color = finite ? viridis((value - low) / (high - low)) : cv::Vec3b(200, 200, 200);
                cv::rectangle(image, box, cv::Scalar(color[0], color[1], color[2]), cv::FILLED);
                if (heatmap.annotate && finite && cell >= 34) {
                    const double luminance = 0.114 * color[0] + 0.587 * color[1] + 0.299 * color[2];
                    char text[16];
                    std::snprintf(text, sizeof(text), "%.2f", value);
                    drawText(image, text, cv::Point(box.x + cell / 2, box.y + cell / 2 + 4), 0.34, 1,
                             luminance > 128 ? kBlack : kWhite);
                }
            }
            if (!panel.rowLabels.empty()) {
                drawText(image, panel.rowLabels[r], cv::Point(x0 - 4, y0 + static_cast<int>(r) * cell + cell / 2 + 4),
                         labelScale, 2);
            }
        }
        for (int64_t c = 0; c < v.size(1) && !panel.columnLabels.empty(); ++c) {
            drawText(image, panel.columnLabels[c],
                     cv::Point(x0 + static_cast<int>(c) * cell + cell / 2, y0 + static_cast<int>(v.size(0)) * cell + 14),
                     labelScale, 1);
        }
    }
    // Colour bar.
    const int barX = width - barBand + 16, barY = top + panelTitle, barH = std::max(120, height - barY - 40), barW = 18;
    for (int y = 0; y < barH; ++y) {
        const auto color = viridis(1.0 - static_cast<double>(y) / (barH - 1));
        cv::line(image, cv::Point(barX, barY + y), cv::Point(barX + barW - 1, barY + y),
                 cv::Scalar(color[0], color[1], color[2]), 1);
    }
    cv::rectangle(image, cv::Rect(barX, barY, barW, barH), kAxis, 1);
    for (double t : ticks(low, high, 5)) {
        const int y = barY + static_cast<int>(std::lround((1 - (t - low) / (high - low)) * (barH - 1)));
        cv::line(image, cv::Point(barX + barW, y), cv::Point(barX + barW + 4, y), kAxis, 1);
        drawText(image, number(t), cv::Point(barX + barW + 7, y + 4), 0.38);
    }
    if (!heatmap.colorLabel.empty()) drawVerticalText(image, heatmap.colorLabel, cv::Point(width - 14, barY + barH / 2), 0.42);
    encodeAndWrite(path, image);
}

}  // namespace latentlens
