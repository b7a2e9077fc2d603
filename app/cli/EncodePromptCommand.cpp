#include <memory>
#include <string>

#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include "app/cli/CliSupport.h"
#include "core/Error.h"
#include "io/NpyFile.h"

namespace latentlens::cli {

void addEncodePromptCommand(CLI::App& app) {
    struct Options : CommonOptions {
        std::string prompt;
        std::string out = "prompt.npy";
    };
    auto options = std::make_shared<Options>();
    auto* command = app.add_subcommand(
        "encode-prompt", "Write the text encoder's embeddings of a prompt (last hidden state, L x D) as .npy");
    command->add_option("--prompt", options->prompt, "the prompt (may be empty)")->required();
    command->add_option("--out", options->out, "output .npy")->capture_default_str();
    options->addTo(*command);
    command->callback([options] {
        auto model = options->loadModel();
        if (!model->textEncoder()) {
            throw Error("model " + model->name() + " is unconditional (" + model->denoiser().className() +
                        "): it has no text encoder");
        }
        const auto embeddings = model->textEncoder()->encode(options->prompt);
        writeNpy(options->out, embeddings[0].cpu());
        spdlog::info("wrote {} ({} x {})", options->out, embeddings.size(1), embeddings.size(2));
    });
}

}  // namespace latentlens::cli
