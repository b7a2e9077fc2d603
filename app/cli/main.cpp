// latentlens-cli: scripted access to the LatentLens core (sampling, inversion, features).
#include <CLI/CLI.hpp>

#include "app/cli/CliSupport.h"
#include "app/cli/CommandLine.h"

int main(int argc, char** argv) {
    using namespace latentlens;
    CLI::App app{"LatentLens command-line tool: explore the latent space of diffusion models (pixel DDPMs and Stable Diffusion)"};
    app.require_subcommand(1);
    app.set_version_flag("--version", "latentlens-cli 0.1.0");
    cli::addCommands(app);
    cli::addBatchCommand(app);
    return cli::runCommand(app, [&] { app.parse(argc, argv); });
}
