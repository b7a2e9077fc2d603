#include <spdlog/spdlog.h>

#include "app/cli/CliSupport.h"
#include "core/sampling/DdimSampler.h"

namespace latentlens::cli {

void addSampleCommand(CLI::App& app) {
    struct Options : CommonOptions, TrajectoryOptions, PromptOptions {
        int64_t size = 0;
        uint64_t seed = 0;
        int64_t count = 1;
        double eta = 0.0;
        std::string out = "sample.png";
        std::string noiseOut;
        int upscale = 1;
    };
    auto options = std::make_shared<Options>();
    auto* command = app.add_subcommand("sample", "Generate images by DDIM from seeded noise");
    command->add_option("--seed", options->seed, "noise seed; sample i of a batch uses seed + i")->capture_default_str();
    command->add_option("--count", options->count, "number of samples")->check(CLI::Range(1, 4096))->capture_default_str();
    command->add_option("--eta", options->eta, "DDIM eta (0: deterministic)")->check(CLI::Range(0.0, 1.0))->capture_default_str();
    command->add_option("--out", options->out,
                        "output: .png/.jpg (a grid if --count > 1) or .npy (the decoded images in [-1, 1], not clamped)")
        ->capture_default_str();
    command->add_option("--size", options->size,
                        "image height and width in pixels (latent models: a multiple of their size step; default: the "
                        "model's own)")
        ->check(CLI::PositiveNumber);
    command->add_option("--noise-out", options->noiseOut, "also write the starting noise x_T (.npy)");
    command->add_option("--upscale", options->upscale, "enlarge images by this integer factor")->check(CLI::Range(1, 64));
    options->PromptOptions::addTo(*command);
    options->TrajectoryOptions::addTo(*command);
    options->CommonOptions::addTo(*command);
    command->callback([options] {
        auto model = options->loadModel();
        auto latentShape = model->latentShape();
        if (options->size > 0) latentShape = latentShapeForSize(*model, options->size);
        auto sampler = options->sampler(*model, options->conditioning(*model), latentShape);
        auto noise = sampler.noise(options->seed, options->count);
        if (!options->noiseOut.empty()) writeSamples(options->noiseOut, noise, 1);
        auto run = sampler.sample(noise, options->eta, options->seed, options->keepTrajectory(), loggingProgress());
        spdlog::debug("{} steps from t={}", run.steps.size(), sampler.startTimestep());
        writeSamples(options->out, decodeLatents(*model, run.result), options->upscale);
        options->writeTrajectoryIfAsked(run);
    });
}

}  // namespace latentlens::cli
