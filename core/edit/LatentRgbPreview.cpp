#include "core/edit/LatentRgbPreview.h"

#include <algorithm>
#include <fstream>
#include <sstream>
#include <vector>

#include <ATen/CPUGeneratorImpl.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include "core/Error.h"

namespace latentlens {
namespace fs = std::filesystem;
namespace {

// FNV-1a, 64 bits, as 16 hex digits: stable across runs and builds.
std::string hashText(const std::string& text) {
    uint64_t hash = 1469598103934665603ull;
    for (unsigned char c : text) {
        hash ^= c;
        hash *= 1099511628211ull;
    }
    char out[17];
    std::snprintf(out, sizeof out, "%016llx", static_cast<unsigned long long>(hash));
    return out;
}

// The VAE's files (the pipeline's vae/ folder, else the model folder itself) by name, size and
// modification time, with the latent shape: a new or changed VAE gets a new fingerprint.
std::string fingerprintOf(const DiffusionPipeline& pipeline) {
    const fs::path root = pipeline.folder().root;
    const fs::path vae = fs::is_directory(root / "vae") ? root / "vae" : root;
    std::vector<std::string> entries;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(vae, ec)) {
        if (!entry.is_regular_file(ec)) continue;
        const auto size = entry.file_size(ec);
        const auto time = entry.last_write_time(ec).time_since_epoch().count();
        entries.push_back(entry.path().filename().string() + ":" + std::to_string(size) + ":" + std::to_string(time));
    }
    std::sort(entries.begin(), entries.end());
    std::string text = fs::absolute(vae, ec).string();
    for (int64_t d : pipeline.latentShape()) text += ":" + std::to_string(d);
    for (const auto& e : entries) text += "|" + e;
    return hashText(text);
}

fs::path cacheFileFor(const fs::path& cacheFolder, const std::string& fingerprint) {
    return cacheFolder / ("latent-rgb-" + fingerprint + ".json");
}

}  // namespace

bool LatentRgbPreview::suits(const DiffusionPipeline& pipeline) {
    return pipeline.codec().downsamplingFactor() > 1 && pipeline.imageShape()[0] == 3;
}

LatentRgbPreview LatentRgbPreview::fitPairs(const torch::Tensor& latents, const torch::Tensor& images) {
    if (latents.dim() != 4 || images.dim() != 4 || images.size(0) != latents.size(0) || images.size(1) != 3) {
        throw Error("a latent preview is fit from latents (N, C, h, w) and RGB images (N, 3, H, W)");
    }
    const int64_t factor = images.size(2) / latents.size(2);
    if (factor < 1 || images.size(2) != factor * latents.size(2) || images.size(3) != factor * latents.size(3)) {
        throw Error("the images are not a whole multiple of the latents' size");
    }
    torch::NoGradGuard noGrad;
    const auto z = latents.to(torch::kCPU, torch::kFloat64);
    const auto rgb = torch::avg_pool2d(images.to(torch::kCPU, torch::kFloat64), factor);
    const int64_t channels = z.size(1);
    auto X = torch::cat({z.permute({0, 2, 3, 1}).reshape({-1, channels}), torch::ones({z.numel() / channels, 1}, torch::kFloat64)}, 1);
    auto Y = rgb.permute({0, 2, 3, 1}).reshape({-1, 3});
    LatentRgbPreview preview;
    preview.weights_ = std::get<0>(torch::linalg_lstsq(X, Y, c10::nullopt, c10::string_view("gelsd"))).contiguous();
    preview.fitRms_ = (X.matmul(preview.weights_) - Y).pow(2).mean().sqrt().item<double>();
    preview.factor_ = factor;
    return preview;
}

LatentRgbPreview LatentRgbPreview::fit(const DiffusionPipeline& pipeline, int64_t count, uint64_t seed,
                                       const Progress& progress) {
    if (pipeline.imageShape()[0] != 3) throw Error("a latent preview needs an RGB image decoder");
    // The VAE is convolutional and the map per pixel: small latents (at most 16 × 16, 128 px for
    // SD) fit it as well as full-size ones, at a fraction of the decode time.
    const auto shape = pipeline.latentShape();
    const int64_t height = std::min<int64_t>(shape[1], kFitSide), width = std::min<int64_t>(shape[2], kFitSide);
    auto generator = at::detail::createCPUGenerator(seed);
    const auto latents = at::randn({count, shape[0], height, width}, generator, torch::kFloat64);
    std::vector<torch::Tensor> images;
    torch::NoGradGuard noGrad;
    for (int64_t i = 0; i < count; ++i) {
        progress.throwIfCancelled();
        progress.report(static_cast<double>(i) / static_cast<double>(count), "fitting the latent preview to the VAE");
        images.push_back(pipeline.codec().decode(latents.slice(0, i, i + 1).to(pipeline.tensorOptions())).cpu());
    }
    auto preview = fitPairs(latents, torch::cat(images));
    spdlog::debug("latent preview fit to {} VAE decodes: rms {:.4f}", count, preview.fitRms_);
    return preview;
}

fs::path LatentRgbPreview::cacheFile(const DiffusionPipeline& pipeline, const fs::path& cacheFolder) {
    return cacheFileFor(cacheFolder, fingerprintOf(pipeline));
}

LatentRgbPreview LatentRgbPreview::forPipeline(const DiffusionPipeline& pipeline, const fs::path& cacheFolder,
                                               const Progress& progress) {
    const auto fingerprint = fingerprintOf(pipeline);
    const auto file = cacheFileFor(cacheFolder, fingerprint);
    std::error_code ec;
    if (fs::exists(file, ec)) {
        std::ifstream in(file);
        std::stringstream text;
        text << in.rdbuf();
        try {
            return fromJson(text.str(), fingerprint, file.string());
        } catch (const Error& e) {
            spdlog::warn("{}; fitting it again", e.what());
        }
    }
    auto preview = fit(pipeline, 4, 0, progress);
    fs::create_directories(cacheFolder, ec);
    const auto temporary = file.string() + ".tmp";
    {
        std::ofstream out(temporary, std::ios::trunc);
        out << preview.toJson(fingerprint);
        if (!out) {
            spdlog::warn("{}: cannot write the latent preview cache", file.string());
            return preview;
        }
    }
    fs::rename(temporary, file, ec);
    if (ec) spdlog::warn("{}: cannot write the latent preview cache ({})", file.string(), ec.message());
    return preview;
}

torch::Tensor LatentRgbPreview::render(const torch::Tensor& latents) const {
    if (!isValid()) throw Error("the latent preview has not been fit");
    auto z = latents.dim() == 3 ? latents.unsqueeze(0) : latents;
    if (z.dim() != 4 || z.size(1) + 1 != weights_.size(0)) {
        throw Error("the latent preview maps " + std::to_string(weights_.size(0) - 1) + "-channel latents");
    }
    torch::NoGradGuard noGrad;
    const auto w = weights_.to(z.options());
    // (N, h, w, C) · (C, 3) + bias, back to (N, 3, h, w).
    auto rgb = (z.permute({0, 2, 3, 1}).matmul(w.slice(0, 0, z.size(1))) + w[z.size(1)]).permute({0, 3, 1, 2});
    if (factor_ == 1) return rgb.contiguous();
    return torch::upsample_bilinear2d(rgb, {z.size(2) * factor_, z.size(3) * factor_}, false);
}

std::string LatentRgbPreview::toJson(const std::string& fingerprint) const {
    nlohmann::json json;
    json["format"] = "latentlens-latent-rgb-1";
    json["fingerprint"] = fingerprint;
    json["factor"] = factor_;
    json["fit_rms"] = fitRms_;
    const auto w = weights_.contiguous();
    json["weights"] = std::vector<double>(w.data_ptr<double>(), w.data_ptr<double>() + w.numel());
    json["rows"] = w.size(0);
    return json.dump(2) + "\n";
}

LatentRgbPreview LatentRgbPreview::fromJson(const std::string& text, const std::string& fingerprint,
                                            const std::string& where) {
    LatentRgbPreview preview;
    try {
        const auto json = nlohmann::json::parse(text);
        if (json.at("format").get<std::string>() != "latentlens-latent-rgb-1") throw Error(where + ": unknown format");
        if (json.at("fingerprint").get<std::string>() != fingerprint) throw Error(where + ": made for another VAE");
        const auto values = json.at("weights").get<std::vector<double>>();
        const auto rows = json.at("rows").get<int64_t>();
        if (rows < 2 || static_cast<int64_t>(values.size()) != rows * 3) throw Error(where + ": the weights are not (rows, 3)");
        preview.weights_ = torch::tensor(values, torch::kFloat64).reshape({rows, 3});
        preview.factor_ = json.at("factor").get<int64_t>();
        preview.fitRms_ = json.value("fit_rms", 0.0);
        if (preview.factor_ < 1) throw Error(where + ": the factor must be at least 1");
    } catch (const nlohmann::json::exception& e) {
        throw Error(where + ": not a latent preview (" + e.what() + ")");
    }
    return preview;
}

}  // namespace latentlens
