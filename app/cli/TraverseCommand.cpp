#include <cstdio>

#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include "app/cli/CliSupport.h"
#include "core/Error.h"
#include "core/sampling/DdimSampler.h"
#include "io/BasisFile.h"
#include "io/FrameExport.h"

namespace latentlens::cli {
namespace {

// "-3:3" → {-3, 3}
std::pair<double, double> parseRange(const std::string& text) {
    const auto colon = text.find(':', 1);
    try {
        if (colon == std::string::npos) throw std::invalid_argument("no colon");
        return {std::stod(text.substr(0, colon)), std::stod(text.substr(colon + 1))};
    } catch (const std::exception&) {
        throw Error("--range \"" + text + "\": expected FROM:TO, e.g. -3:3");
    }
}

}  // namespace

void addTraverseCommand(CLI::App& app) {
    struct Options : CommonOptions, EditPromptOptions {
        std::string basis;
        std::vector<int64_t> directions{0};
        std::string range = "-3:3";
        int frames = 9;
        std::string mode = "linear";
        int64_t steps = 50;
        double fps = 6;
        int upscale = 4;
        std::string out;
    };
    auto options = std::make_shared<Options>();
    auto* command = app.add_subcommand(
        "traverse", "Frames of x_0 as x_t moves along a direction: a strip (.png), an animation (.gif, .mp4), or a grid of several directions");
    command->add_option("--basis", options->basis, "basis folder written by `basis`")->required()->check(CLI::ExistingDirectory);
    command->add_option("--dir", options->directions, "direction index; several (comma-separated) make a grid PNG")
        ->delimiter(',')
        ->capture_default_str();
    command->add_option("--range", options->range, "strengths FROM:TO (unit: ‖x_t‖/20)")->capture_default_str();
    command->add_option("--frames", options->frames, "frames from FROM to TO")->check(CLI::Range(2, 1000))->capture_default_str();
    command->add_option("--mode", options->mode, "linear or guidance")->check(CLI::IsMember({"linear", "guidance"}))->capture_default_str();
    command->add_option("--steps", options->steps, "DDIM steps of a full trajectory")->capture_default_str();
    command->add_option("--fps", options->fps, "frames per second of .gif/.mp4")->capture_default_str();
    command->add_option("--upscale", options->upscale, "enlarge frames by this integer factor")->check(CLI::Range(1, 64))->capture_default_str();
    command->add_option("--out", options->out, "strip.png, traversal.gif, traversal.mp4 (one direction) or grid.png")->required();
    options->EditPromptOptions::addTo(*command);
    options->CommonOptions::addTo(*command);
    command->callback([options] {
        const auto [from, to] = parseRange(options->range);
        auto model = options->loadModel();
        auto basis = readBasis(options->basis);
        options->defaultsFrom(basis, options->basis);
        const auto sampling = options->PromptOptions::conditioning(*model);
        DdimSampler sampler(*model, options->steps, std::nullopt, sampling);
        GuidanceOptions guidance;
        guidance.conditioning = options->editConditioning(*model, basis, options->basis);
        options->applyGuidanceDefaults(*model, guidance, false, false);
        std::vector<std::vector<torch::Tensor>> rows;
        std::vector<std::string> rowLabels, columnLabels;
        for (int f = 0; f < options->frames; ++f) {
            char label[32];
            std::snprintf(label, sizeof(label), "%+.2g", from + (to - from) * f / (options->frames - 1));
            columnLabels.push_back(label);
        }
        for (int64_t direction : options->directions) {
            std::vector<torch::Tensor> frames;
            for (int f = 0; f < options->frames; ++f) {
                const double alpha = from + (to - from) * f / (options->frames - 1);
                auto edited = editLatent(*model, basis, {direction}, {alpha}, options->mode, guidance);
                frames.push_back(decodeLatents(*model, sampler.denoise(edited, basis.timestep).result)[0].cpu());
                spdlog::debug("direction {} frame {}/{} (alpha {:.3g})", direction, f + 1, options->frames, alpha);
            }
            rows.push_back(std::move(frames));
            rowLabels.push_back("v" + std::to_string(direction + 1));
        }
        if (rows.size() == 1) {
            writeFrames(options->out, rows[0], options->fps, options->upscale);
        } else {
            writeGrid(options->out, rows, options->upscale, rowLabels, columnLabels);
        }
        spdlog::info("wrote {}", options->out);
    });
}

}  // namespace latentlens::cli
