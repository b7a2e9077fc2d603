#include <spdlog/spdlog.h>

#include "app/cli/CliSupport.h"
#include "core/sampling/DdimSampler.h"

namespace latentlens::cli {

void addInvertCommand(CLI::App& app) {
    struct Options : CommonOptions {
        std::string input;
        int64_t t = -1;
        int64_t steps = 50;
        std::string out = "xt.npy";
        std::string latents;
        std::string clip = "config";
    };
    auto options = std::make_shared<Options>();
    auto* command = app.add_subcommand("invert", "DDIM-invert a clean image x_0 to x_t");
    command->add_option("--image,--in", options->input, "image (.png/.jpg, fitted to the model) or x_0 .npy in [-1, 1]")
        ->required()
        ->check(CLI::ExistingFile);
    command->add_option("--t", options->t, "target timestep (default: the first timestep of a full trajectory)");
    command->add_option("--steps", options->steps, "DDIM steps of a full 0..T trajectory")->check(CLI::Range(1, 100000))->capture_default_str();
    command->add_option("--out", options->out, "x_t as .npy")->capture_default_str();
    command->add_option("--latents", options->latents, "also write the trajectory (.npy), start included");
    command->add_option("--clip-sample", options->clip, "clamp the predicted x_0 at every step: config (as scheduler_config.json says), on, off")
        ->check(CLI::IsMember({"config", "on", "off"}))
        ->capture_default_str();
    options->addTo(*command);
    command->callback([options] {
        auto model = options->loadModel();
        DdimSampler sampler(*model, options->steps, clipOverride(options->clip));
        auto x0 = readImageOrLatents(options->input, *model);
        const int64_t t = options->t < 0 ? sampler.startTimestep() : options->t;
        const bool keep = !options->latents.empty();
        auto run = sampler.invert(x0, t, keep, loggingProgress());
        spdlog::debug("{} inversion steps to t={}", run.steps.size(), t);
        writeSamples(options->out, run.result, 1);
        if (keep) writeTrajectory(options->latents, run.trajectory);
    });
}

}  // namespace latentlens::cli
