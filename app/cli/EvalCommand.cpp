#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include "app/cli/CliSupport.h"
#include "core/Error.h"
#include "io/NpyFile.h"

namespace latentlens::cli {

void addEvalCommand(CLI::App& app) {
    struct Options : CommonOptions, PromptOptions {
        std::string input;
        int64_t t = 0;
        std::string block = "mid";
        std::string eps;
        std::string features;
    };
    auto options = std::make_shared<Options>();
    auto* command = app.add_subcommand("eval", "Evaluate the model output ε and a block's features for a batch");
    command->add_option("--in", options->input, "x_t as .npy, (N, C, S, S) or (C, S, S)")->required()->check(CLI::ExistingFile);
    command->add_option("--t", options->t, "timestep")->required();
    command->add_option("--block", options->block, "mid, down.N or up.N")->capture_default_str();
    command->add_option("--eps", options->eps, "write ε (model output) here (.npy)");
    command->add_option("--features", options->features, "write the block's output here (.npy)");
    options->PromptOptions::addTo(*command, /*withGuidance=*/false);
    options->CommonOptions::addTo(*command);
    command->callback([options] {
        if (options->eps.empty() && options->features.empty()) throw Error("eval: give --eps and/or --features to write");
        const auto block = BlockId::parse(options->block);
        auto model = options->loadModel();
        const int64_t last = model->scheduler().numTrainTimesteps() - 1;
        if (options->t < 0 || options->t > last) {
            throw Error("--t " + std::to_string(options->t) + " is outside 0.." + std::to_string(last));
        }
        auto x = readLatents(options->input, *model);
        PromptOptions prompt = *options;
        prompt.guidance = 1.0;  // the network's raw output under the prompt
        const auto conditioning = prompt.conditioning(*model);
        torch::NoGradGuard noGrad;
        auto output = model->denoiser().predictWithFeatures(x, torch::tensor(options->t), block, conditioning);
        if (!options->eps.empty()) {
            writeNpy(options->eps, output.prediction.cpu());
            spdlog::info("wrote {}", options->eps);
        }
        if (!options->features.empty()) {
            writeNpy(options->features, output.features.cpu());
            spdlog::info("wrote {}", options->features);
        }
    });
}

}  // namespace latentlens::cli
