#include <spdlog/spdlog.h>

#include "app/cli/CliSupport.h"
#include "core/sampling/DdimSampler.h"

namespace latentlens::cli {

void addInvertCommand(CLI::App& app) {
    struct Options : CommonOptions, TrajectoryOptions, PromptOptions {
        std::string input;
        int64_t t = -1;
        std::string out = "xt.npy";
    };
    auto options = std::make_shared<Options>();
    auto* command = app.add_subcommand("invert", "DDIM-invert a clean image x_0 to x_t");
    command->add_option("--image,--in", options->input,
                        "image (.png/.jpg, fitted to the model's size and encoded) or the clean latent x_0 as .npy "
                        "(pixel models: the image in [-1, 1])")
        ->required()
        ->check(CLI::ExistingFile);
    command->add_option("--t", options->t, "target timestep (default: the first timestep of a full trajectory)");
    command->add_option("--out", options->out, "x_t as .npy")->capture_default_str();
    // Inversion runs the prompt alone (guidance 1), as DDIM inversion with diffusers does.
    options->PromptOptions::addTo(*command, /*withGuidance=*/false);
    options->TrajectoryOptions::addTo(*command);
    options->CommonOptions::addTo(*command);
    command->callback([options] {
        auto model = options->loadModel();
        auto x0 = readImageOrLatents(options->input, *model);
        PromptOptions prompt = *options;
        prompt.guidance = 1.0;
        auto sampler = options->sampler(*model, prompt.conditioning(*model), x0.sizes().slice(1).vec());
        const int64_t t = options->t < 0 ? sampler.startTimestep() : options->t;
        auto run = sampler.invert(x0, t, options->keepTrajectory(), loggingProgress());
        spdlog::debug("{} inversion steps to t={}", run.steps.size(), t);
        writeSamples(options->out, run.result, 1);
        options->writeTrajectoryIfAsked(run);
    });
}

}  // namespace latentlens::cli
