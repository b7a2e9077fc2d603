#include "io/DirectionSheet.h"

#include <algorithm>
#include <cstdio>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <torch/torch.h>

#include "core/Error.h"

namespace latentlens {

torch::Tensor divergingColors(const torch::Tensor& field) {
    auto f = field.to(torch::kCPU, torch::kFloat32);
    const float peak = std::max(f.abs().max().item<float>(), 1e-30f);
    auto s = (f / peak).clamp(-1, 1);
    auto positive = s.clamp_min(0);
    auto negative = (-s).clamp_min(0);
    // white at 0; red (1, 0.15, 0.1) at +1; blue (0.1, 0.3, 1) at −1 — in [0, 1] first.
    auto r = 1 - negative * 0.9;
    auto g = 1 - positive * 0.85 - negative * 0.7;
    auto b = 1 - positive * 0.9;
    return torch::stack({r, g, b}) * 2 - 1;
}

torch::Tensor directionPicture(const torch::Tensor& v) {
    if (v.dim() != 3) throw Error("a direction is (C, H, W), not " + c10::str(v.sizes()));
    auto f = v.to(torch::kCPU, torch::kFloat32);
    if (f.size(0) == 1) return divergingColors(f[0]);
    auto rgb = (f / std::max(f.abs().max().item<float>(), 1e-30f)).slice(0, 0, 3);
    if (rgb.size(0) < 3) rgb = rgb.mean(0, true).expand({3, f.size(1), f.size(2)});
    return rgb;
}

void writeDirectionSheet(const std::filesystem::path& path, const torch::Tensor& directions, const torch::Tensor& sigma,
                         int columns) {
    if (directions.dim() != 4 || directions.size(0) == 0) throw Error(path.string() + ": expected directions (k, C, S, S)");
    const int64_t k = directions.size(0);
    const int height = static_cast<int>(directions.size(2));
    const int width = static_cast<int>(directions.size(3));
    const int scale = std::max(1, 128 / std::max(height, width));
    const int tileW = width * scale, tileH = height * scale;
    const int labelH = 22, pad = 6;
    columns = static_cast<int>(std::min<int64_t>(std::max(columns, 1), k));
    const int rows = static_cast<int>((k + columns - 1) / columns);
    cv::Mat sheet(rows * (tileH + labelH + pad) + pad, columns * (tileW + pad) + pad, CV_8UC3, cv::Scalar(255, 255, 255));
    for (int64_t i = 0; i < k; ++i) {
        const auto rgb = directionPicture(directions[i]);  // (3, H, W) in [-1, 1]
        auto bytes = ((rgb.clamp(-1, 1) + 1) * 127.5).round().to(torch::kUInt8).permute({1, 2, 0}).contiguous();
        cv::Mat tile(height, width, CV_8UC3, bytes.data_ptr<uint8_t>());
        cv::Mat bgr, big;
        cv::cvtColor(tile, bgr, cv::COLOR_RGB2BGR);
        cv::resize(bgr, big, cv::Size(tileW, tileH), 0, 0, cv::INTER_NEAREST);
        const int col = static_cast<int>(i % columns), row = static_cast<int>(i / columns);
        const int x0 = pad + col * (tileW + pad), y0 = pad + row * (tileH + labelH + pad);
        big.copyTo(sheet(cv::Rect(x0, y0, tileW, tileH)));
        char label[64];
        if (sigma.defined()) {
            std::snprintf(label, sizeof(label), "v%lld sigma %.3g", static_cast<long long>(i + 1), sigma[i].item<double>());
        } else {
            std::snprintf(label, sizeof(label), "v%lld", static_cast<long long>(i + 1));
        }
        cv::putText(sheet, label, cv::Point(x0 + 2, y0 + tileH + 16), cv::FONT_HERSHEY_SIMPLEX, 0.45,
                    cv::Scalar(40, 40, 40), 1, cv::LINE_AA);
    }
    bool written = false;
    try {
        written = cv::imwrite(path.string(), sheet);
    } catch (const cv::Exception& e) {
        throw Error(path.string() + ": cannot write the direction sheet (" + e.what() + ")");
    }
    if (!written) throw Error(path.string() + ": cannot write the direction sheet");
}

}  // namespace latentlens
