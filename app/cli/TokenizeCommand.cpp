#include <cstdio>
#include <memory>
#include <string>

#include <CLI/CLI.hpp>

#include "app/cli/CliSupport.h"
#include "core/Error.h"

namespace latentlens::cli {

void addTokenizeCommand(CLI::App& app) {
    auto options = std::make_shared<CommonOptions>();
    auto prompt = std::make_shared<std::string>();
    auto* command = app.add_subcommand("tokenize", "Print the token ids a text-conditioned model reads for a prompt");
    command->add_option("--prompt", *prompt, "the prompt")->required();
    options->addTo(*command);
    command->callback([options, prompt] {
        auto model = options->loadModel();
        if (!model->textEncoder()) {
            throw Error("model " + model->name() + " is unconditional (" + model->denoiser().className() +
                        "): it has no tokenizer");
        }
        std::string line;
        for (const int64_t id : model->textEncoder()->tokenIds(*prompt)) {
            line += (line.empty() ? "" : " ") + std::to_string(id);
        }
        std::printf("%s\n", line.c_str());
    });
}

}  // namespace latentlens::cli
