#include <spdlog/spdlog.h>

#include "app/cli/CliSupport.h"
#include "core/sampling/DdimSampler.h"

namespace latentlens::cli {

void addDenoiseCommand(CLI::App& app) {
    struct Options : CommonOptions, TrajectoryOptions, PromptOptions {
        std::string input;
        int64_t t = -1;
        double eta = 0.0;
        uint64_t seed = 0;
        std::string out = "x0.png";
        int upscale = 1;
    };
    auto options = std::make_shared<Options>();
    auto* command = app.add_subcommand("denoise", "Run DDIM from x_t at timestep t down to x_0");
    command->add_option("--in", options->input, "x_t as .npy, (N, C, S, S) or (C, S, S)")->required()->check(CLI::ExistingFile);
    command->add_option("--t", options->t, "timestep of x_t (default: the first timestep of a full trajectory)");
    command->add_option("--eta", options->eta, "DDIM eta (0: deterministic)")->check(CLI::Range(0.0, 1.0))->capture_default_str();
    command->add_option("--seed", options->seed, "seed of the eta noise")->capture_default_str();
    command->add_option("--out", options->out,
                        "x_0 as .png/.jpg (a grid for a batch) or .npy (the decoded images in [-1, 1], not clamped)")
        ->capture_default_str();
    command->add_option("--upscale", options->upscale, "enlarge images by this integer factor")->check(CLI::Range(1, 64));
    options->PromptOptions::addTo(*command);
    options->TrajectoryOptions::addTo(*command);
    options->CommonOptions::addTo(*command);
    command->callback([options] {
        auto model = options->loadModel();
        auto xt = readLatents(options->input, *model);
        auto sampler = options->sampler(*model, options->conditioning(*model), xt.sizes().slice(1).vec());
        const int64_t t = options->t < 0 ? sampler.startTimestep() : options->t;
        auto run = sampler.denoise(xt, t, options->eta, options->seed, options->keepTrajectory(), loggingProgress());
        spdlog::debug("{} denoising steps from t={}", run.steps.size(), t);
        writeSamples(options->out, decodeLatents(*model, run.result), options->upscale);
        options->writeTrajectoryIfAsked(run);
    });
}

}  // namespace latentlens::cli
