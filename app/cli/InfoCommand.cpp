#include <cstdio>

#include "app/cli/CliSupport.h"

namespace latentlens::cli {

void addInfoCommand(CLI::App& app) {
    auto options = std::make_shared<CommonOptions>();
    auto* command = app.add_subcommand("info", "Describe a model: architecture, parameter count, scheduler");
    command->add_option("MODEL", options->model, "diffusers model folder (default: the embedded model)");
    options->addTo(*command);
    command->callback([options] {
        auto model = options->loadModel();
        std::fputs(model->describe().c_str(), stdout);
    });
}

}  // namespace latentlens::cli
