// latentlens-cli: scripted access to the LatentLens core (sampling, inversion, features).
#include <cstdio>

#include <CLI/CLI.hpp>
#include <c10/util/Exception.h>
#include <spdlog/spdlog.h>

#include "app/cli/CliSupport.h"
#include "app/cli/TerminalProgress.h"
#include "core/Error.h"

int main(int argc, char** argv) {
    using namespace latentlens;
    CLI::App app{"LatentLens command-line tool: explore the latent space of diffusion models (pixel DDPMs and Stable Diffusion)"};
    app.require_subcommand(1);
    app.set_version_flag("--version", "latentlens-cli 0.1.0");
    cli::addInfoCommand(app);
    cli::addSampleCommand(app);
    cli::addInvertCommand(app);
    cli::addDenoiseCommand(app);
    cli::addEvalCommand(app);
    cli::addTokenizeCommand(app);
    cli::addEncodePromptCommand(app);
    cli::addBasisCommand(app);
    cli::addEditCommand(app);
    cli::addTraverseCommand(app);
    cli::addTransportCommand(app);
    cli::addAnalyzeCommand(app);
    // Error messages start on a line of their own, after any progress line.
    struct EndProgressLine {
        ~EndProgressLine() { cli::TerminalProgress::instance().finish(); }
    };
    try {
        EndProgressLine endLine;
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e);
    } catch (const Error& e) {
        std::fprintf(stderr, "error: %s\n", e.what());
        return 1;
    } catch (const Cancelled&) {
        std::fprintf(stderr, "error: cancelled\n");
        return 130;  // as a shell reports Ctrl+C
    } catch (const c10::Error& e) {
        std::fprintf(stderr, "error: LibTorch: %s\n", e.what_without_backtrace());
        return 2;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "error: %s\n", e.what());
        return 2;
    }
    return 0;
}
