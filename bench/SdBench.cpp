// latentlens-bench-sd: Stable Diffusion networks on this machine, with synthetic weights.
//
// --synthetic CONFIG_DIR takes a diffusers pipeline folder that may hold only configs
// (unet/config.json, vae/config.json, text_encoder/config.json; tokenizer/ optional), builds each
// network from its config in float32 and fills it with seeded random weights (normal(0, 0.02);
// GroupNorm/LayerNorm weight 1, bias 0), so no checkpoint is needed and none is written. Then it
// times, under InferenceMode: the U-Net forward on a classifier-free-guidance pair (batch 2,
// latent size/8, a random (2, 77, D) text embedding), the VAE decode of one latent, and the text
// encoding of one 77-token prompt; medians after one warm-up call. Peak RSS is VmHWM from
// /proc/self/status, reset (clear_refs 5) before each measurement, so each row's figure is the
// process's peak during that measurement, every built network's weights included; --only builds
// a single network, which gives that network's own footprint. The markdown table goes to stdout,
// progress to stderr.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include "core/Runtime.h"
#include "core/edit/LatentRgbPreview.h"
#include "core/model/AutoencoderKL.h"
#include "core/model/ClipTextModel.h"
#include "core/model/ClipTokenizer.h"
#include "core/model/GroupNorm.h"
#include "core/model/ModuleWeights.h"
#include "core/model/UNet2DConditionModel.h"

namespace {

namespace fs = std::filesystem;
using namespace latentlens;
using Clock = std::chrono::steady_clock;

constexpr const char* kUsage =
    "usage: latentlens-bench-sd --synthetic CONFIG_DIR [--only unet|vae|text] [--sizes 256,512]\n"
    "                           [--repeats N] [--threads N] [--seed S] [--tokenizer DIR]\n"
    "  CONFIG_DIR: a diffusers pipeline folder with unet/, vae/ and text_encoder/ config.json\n"
    "  --repeats N: timed runs per measure after one warm-up (default: 5 below 512 px, 3 at\n"
    "               512 px and above, 20 for the text encoder)\n"
    "  --threads N: LibTorch threads (default 2)\n";

double secondsSince(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

// A field of /proc/self/status in KiB ("VmHWM", "VmRSS"), 0 if unreadable.
int64_t procStatusKiB(const std::string& field) {
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line)) {
        if (line.rfind(field + ":", 0) == 0) {
            std::istringstream value(line.substr(field.size() + 1));
            int64_t kib = 0;
            value >> kib;
            return kib;
        }
    }
    return 0;
}

// Resets VmHWM to the current RSS (Linux ≥ 4.0); false if the kernel refuses.
bool resetPeakRss() {
    std::ofstream clear("/proc/self/clear_refs");
    clear << "5";
    clear.flush();
    return static_cast<bool>(clear);
}

double gib(int64_t bytes) { return static_cast<double>(bytes) / (1024.0 * 1024.0 * 1024.0); }
double kibToGib(int64_t kib) { return static_cast<double>(kib) / (1024.0 * 1024.0); }

std::string format(const char* pattern, double value) {
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, pattern, value);
    return buffer;
}

// Seeded synthetic weights: normal(0, 0.02) everywhere, except norm layers (weight 1, bias 0),
// which keeps every activation finite and of order one through the whole depth. In place: the
// module's own parameter storage is the only copy.
void fillSynthetic(torch::nn::Module& module, uint64_t seed) {
    torch::NoGradGuard noGrad;
    torch::manual_seed(seed);
    for (auto& parameter : module.parameters()) {
        parameter.set_requires_grad(false);
        parameter.normal_(0.0, 0.02);
    }
    for (const auto& child : module.modules(/*include_self=*/false)) {
        if (auto* groupNorm = dynamic_cast<GroupNormImpl*>(child.get())) {
            for (auto& p : groupNorm->named_parameters(/*recurse=*/false)) p.value().fill_(p.key() == "weight" ? 1.0 : 0.0);
        } else if (auto* layerNorm = dynamic_cast<torch::nn::LayerNormImpl*>(child.get())) {
            layerNorm->weight.fill_(1.0);
            layerNorm->bias.fill_(0.0);
        }
    }
    module.eval();
}

struct Timing {
    double medianSeconds = 0;
    int runs = 0;
    int64_t peakKiB = 0;  // VmHWM during warm-up and runs
    double outputStd = 0;
    bool finite = true;
};

// One warm-up call, then `repeats` timed calls; progress on stderr.
Timing measure(const std::string& what, int repeats, const std::function<torch::Tensor()>& work) {
    const bool reset = resetPeakRss();
    Timing timing;
    std::vector<double> seconds;
    for (int i = 0; i <= repeats; ++i) {
        const auto start = Clock::now();
        auto output = work();
        const double elapsed = secondsSince(start);
        if (i == 0) {
            timing.finite = torch::isfinite(output).all().item<bool>();
            timing.outputStd = output.std().item<double>();
            spdlog::info("{}: warm-up {:.3f} s (output std {:.3g}{})", what, elapsed, timing.outputStd,
                         timing.finite ? "" : ", NOT FINITE");
        } else {
            seconds.push_back(elapsed);
            spdlog::info("{}: run {}/{} {:.3f} s", what, i, repeats, elapsed);
        }
    }
    std::sort(seconds.begin(), seconds.end());
    timing.medianSeconds = seconds[seconds.size() / 2];
    timing.runs = repeats;
    timing.peakKiB = procStatusKiB("VmHWM");
    if (!reset) spdlog::warn("could not reset VmHWM: the peak RSS figures are the process's whole-run peak");
    return timing;
}

std::vector<int64_t> parseSizes(const std::string& text) {
    std::vector<int64_t> sizes;
    std::stringstream stream(text);
    std::string item;
    while (std::getline(stream, item, ',')) {
        const int64_t size = std::stoll(item);
        if (size <= 0 || size % 64 != 0) throw std::invalid_argument("--sizes: " + item + " is not a positive multiple of 64");
        sizes.push_back(size);
    }
    if (sizes.empty()) throw std::invalid_argument("--sizes: no size given");
    return sizes;
}

struct Row {
    std::string measure;
    std::string value;
    std::string peak;
};

std::string timingValue(const Timing& timing) {
    const double s = timing.medianSeconds;
    std::string value = s < 1.0 ? format("%.1f ms", s * 1000.0) : format("%.2f s", s);
    value += " (median of " + std::to_string(timing.runs) + ")";
    if (!timing.finite) value += ", output not finite";
    return value;
}

}  // namespace

int main(int argc, char** argv) {
    spdlog::set_default_logger(spdlog::stderr_color_mt("bench-sd"));
    fs::path configDir;
    fs::path tokenizerDir;
    std::string only;
    std::string sizesText = "256,512";
    int repeatsOverride = 0;
    int threads = 2;
    uint64_t seed = 0;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        const bool hasValue = i + 1 < argc;
        if (arg == "--synthetic" && hasValue) configDir = argv[++i];
        else if (arg == "--only" && hasValue) only = argv[++i];
        else if (arg == "--sizes" && hasValue) sizesText = argv[++i];
        else if (arg == "--repeats" && hasValue) repeatsOverride = std::atoi(argv[++i]);
        else if (arg == "--threads" && hasValue) threads = std::atoi(argv[++i]);
        else if (arg == "--seed" && hasValue) seed = std::strtoull(argv[++i], nullptr, 10);
        else if (arg == "--tokenizer" && hasValue) tokenizerDir = argv[++i];
        else {
            std::fputs(kUsage, stderr);
            return 2;
        }
    }
    if (configDir.empty() || (!only.empty() && only != "unet" && only != "vae" && only != "text") || threads <= 0 ||
        repeatsOverride < 0) {
        std::fputs(kUsage, stderr);
        return 2;
    }
    const bool doUnet = only.empty() || only == "unet";
    const bool doVae = only.empty() || only == "vae";
    const bool doText = only.empty() || only == "text";
    try {
        const auto sizes = parseSizes(sizesText);
        configureThreads(threads);
        const auto repeatsFor = [&](int64_t size, int fallbackSmall, int fallbackLarge) {
            return repeatsOverride > 0 ? repeatsOverride : (size < 512 ? fallbackSmall : fallbackLarge);
        };

        std::vector<Row> rows;
        int64_t weightBytes = 0;
        int64_t worstPeakKiB = 0;
        const auto addBuilt = [&](const char* name, torch::nn::Module& module, double buildSeconds) {
            const int64_t parameters = countParameters(module);
            const int64_t bytes = parameters * static_cast<int64_t>(sizeof(float));
            weightBytes += bytes;
            const int64_t peak = procStatusKiB("VmHWM");
            worstPeakKiB = std::max(worstPeakKiB, peak);
            spdlog::info("{}: {} parameters ({:.3f} GiB fp32), built and filled in {:.1f} s", name, parameters, gib(bytes),
                         buildSeconds);
            rows.push_back({std::string(name) + " parameters", format("%.1f M", parameters / 1e6) + " (" +
                                                                    format("%.3f GiB fp32", gib(bytes)) + ")",
                            format("%.2f GiB", kibToGib(peak)) + " after building"});
        };

        // Build every requested network first, so each measurement's peak holds all their weights
        // (what a pipeline in one process holds).
        std::optional<UNet2DConditionModel> unet;
        std::optional<AutoencoderKL> vae;
        std::optional<ClipTextModel> text;
        resetPeakRss();
        if (doUnet) {
            const auto start = Clock::now();
            unet.emplace(UNet2DConditionConfig::load(configDir / "unet" / "config.json"));
            fillSynthetic(**unet, seed);
            addBuilt("U-Net", **unet, secondsSince(start));
        }
        if (doVae) {
            const auto start = Clock::now();
            vae.emplace(AutoencoderKLConfig::load(configDir / "vae" / "config.json"));
            fillSynthetic(**vae, seed + 1);
            addBuilt("VAE", **vae, secondsSince(start));
        }
        if (doText) {
            const auto start = Clock::now();
            text.emplace(ClipTextConfig::load(configDir / "text_encoder" / "config.json"));
            fillSynthetic(**text, seed + 2);
            addBuilt("text encoder", **text, secondsSince(start));
        }
        const int64_t builtRssKiB = procStatusKiB("VmRSS");

        c10::InferenceMode inference;
        torch::manual_seed(seed + 100);
        if (unet) {
            const auto& config = (*unet)->config();
            const auto context = torch::randn({2, 77, config.contextDim()});
            for (const int64_t size : sizes) {
                const int64_t latent = size / 8;
                const auto x = torch::randn({2, config.inChannels, latent, latent});
                const std::string what = "U-Net forward, " + std::to_string(size) + " px (latent " +
                                         std::to_string(latent) + "², batch 2)";
                const auto timing =
                    measure(what, repeatsFor(size, 5, 3), [&] { return (*unet)->forward(x, int64_t(500), context); });
                worstPeakKiB = std::max(worstPeakKiB, timing.peakKiB);
                rows.push_back({what, timingValue(timing), format("%.2f GiB", kibToGib(timing.peakKiB))});
            }
        }
        if (vae) {
            const auto& config = (*vae)->config();
            const int64_t factor = config.downsamplingFactor();
            for (const int64_t size : sizes) {
                const int64_t latent = size / factor;
                const auto z = torch::randn({1, config.latentChannels, latent, latent});
                const std::string what = "VAE decode, " + std::to_string(size) + " px (latent " +
                                         std::to_string(latent) + "², batch 1)";
                const auto timing = measure(what, repeatsFor(size, 5, 3), [&] { return (*vae)->decode(z); });
                worstPeakKiB = std::max(worstPeakKiB, timing.peakKiB);
                rows.push_back({what, timingValue(timing), format("%.2f GiB", kibToGib(timing.peakKiB))});
                // The window's drag preview instead of the decode: the fitted latent → RGB map
                // (its cost does not depend on the fitted values, so random pairs fit it here).
                const auto preview = LatentRgbPreview::fitPairs(z, torch::randn({1, 3, size, size}));
                const std::string cheap = "latent → RGB preview, " + std::to_string(size) + " px (the drag preview)";
                const auto fast = measure(cheap, 20, [&] { return preview.render(z); });
                rows.push_back({cheap, timingValue(fast), format("%.2f GiB", kibToGib(fast.peakKiB))});
            }
        }
        if (text) {
            const auto& config = (*text)->config();
            const int64_t length = config.maxPositionEmbeddings;
            torch::Tensor ids;
            if (tokenizerDir.empty() && fs::exists(configDir / "tokenizer" / "vocab.json")) tokenizerDir = configDir / "tokenizer";
            const std::string prompt = "a photograph of an astronaut riding a horse on the moon, highly detailed";
            if (!tokenizerDir.empty()) {
                ClipTokenizer tokenizer(tokenizerDir);
                const auto start = Clock::now();
                ids = tokenizer.encodeBatch({prompt});
                rows.push_back({"tokenize the prompt (CLIP BPE)", format("%.2f ms", secondsSince(start) * 1e3),
                                ""});
            } else {
                // No tokenizer in the folder: BOS, a prompt's worth of ids, EOS, EOS padding. The
                // encoder attends all positions alike, so the cost is the same.
                ids = torch::full({1, length}, config.vocabSize - 1, torch::kLong);
                ids.index_put_({0, 0}, config.vocabSize - 2);
                ids.index_put_({0, torch::indexing::Slice(1, 16)}, torch::randint(0, config.vocabSize - 2, {15}, torch::kLong));
            }
            const std::string what = "text encoding, " + std::to_string(ids.size(1)) + " tokens, batch 1";
            const auto timing = measure(what, repeatsOverride > 0 ? repeatsOverride : 20,
                                        [&] { return (*text)->forward(ids).lastHiddenState; });
            worstPeakKiB = std::max(worstPeakKiB, timing.peakKiB);
            rows.push_back({what, timingValue(timing), format("%.2f GiB", kibToGib(timing.peakKiB))});
        }

        std::printf("%s, float32, %d threads, synthetic weights (seed %llu)\n\n", configDir.string().c_str(),
                    torch::get_num_threads(), static_cast<unsigned long long>(seed));
        std::printf("| measure | value | peak RSS |\n| --- | --- | --- |\n");
        for (const auto& row : rows) std::printf("| %s | %s | %s |\n", row.measure.c_str(), row.value.c_str(), row.peak.c_str());
        const double ratio = kibToGib(worstPeakKiB) / gib(weightBytes);
        std::printf("| fp32 weights of the built networks | %.3f GiB | RSS %.2f GiB once built |\n", gib(weightBytes),
                    kibToGib(builtRssKiB));
        std::printf("| peak RSS / fp32 weight bytes | %.2f (target ≤ 1.25) | peak %.2f GiB |\n", ratio,
                    kibToGib(worstPeakKiB));
    } catch (const std::exception& e) {
        spdlog::error("{}", e.what());
        return 1;
    }
    return 0;
}
