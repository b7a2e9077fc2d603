#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <set>
#include <sstream>
#include <vector>

#include <spdlog/spdlog.h>

#include "app/cli/BatchScript.h"
#include "app/cli/CliSupport.h"
#include "app/cli/CommandLine.h"
#include "app/cli/TerminalProgress.h"
#include "core/Error.h"
#include "core/FileSystem.h"
#include "core/Text.h"

namespace latentlens::cli {
namespace {

std::string readScript(const std::string& file) {
    if (file == "-") {
        return std::string(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
    }
    if (isDirectory(file)) throw Error(file + ": is a folder, not a batch script");
    std::ifstream in(file, std::ios::binary);
    if (!in) throw Error(file + ": cannot read the batch script (" + std::strerror(errno) + ")");
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

// A fresh app for each line, so that no option keeps a value from the line before.
std::unique_ptr<CLI::App> commandApp() {
    auto app = std::make_unique<CLI::App>("latentlens-cli");
    app->require_subcommand(1);
    addCommands(*app);
    return app;
}

}  // namespace

void addBatchCommand(CLI::App& app) {
    struct Options {
        std::string file;
        bool keepGoing = false;
    };
    auto options = std::make_shared<Options>();
    auto* command = app.add_subcommand(
        "batch",
        "Run many commands in one process: one command line per line of FILE (- for standard input), with the same "
        "commands and flags as on the shell. LibTorch starts once and the model stays loaded between lines.");
    command->add_option("file", options->file,
                        "the script: one command per line (with or without a leading latentlens-cli), shell quoting, "
                        "# comments, a trailing \\ continues a line")
        ->required();
    command->add_flag("--keep-going", options->keepGoing,
                      "after a line fails, run the rest (the exit status is still the first failure's)");
    command->callback([options] {
        configureLogging(false);
        const std::string source = options->file == "-" ? "standard input" : options->file;
        auto lines = parseBatchScript(readScript(options->file), source);

        // Every line must name a command before any runs.
        std::vector<std::string> commands;  // in the order of --help
        const auto probe = commandApp();
        for (const auto* sub : probe->get_subcommands({})) commands.push_back(sub->get_name());
        const std::set<std::string> known(commands.begin(), commands.end());
        for (auto& line : lines) {
            const auto where = source + ":" + std::to_string(line.number) + ": ";
            const auto& first = line.words.front();
            if (std::filesystem::path(first).filename() == "latentlens-cli") line.words.erase(line.words.begin());
            if (line.words.empty()) throw Error(where + "names no command");
            const auto& name = line.words.front();
            if (name == "batch") throw Error(where + "batch cannot run inside a batch script");
            if (!known.count(name)) throw Error(where + "unknown command '" + name + "' (commands: " + joinedText(commands) + ")");
        }
        if (lines.empty()) throw Error(source + ": holds no command");

        ModelsKeptLoaded keepModels;
        const auto start = std::chrono::steady_clock::now();
        int firstFailure = 0;
        int ran = 0;
        int failed = 0;
        for (const auto& line : lines) {
            if (TerminalProgress::instance().cancelRequested()) {
                if (firstFailure == 0) firstFailure = 130;
                break;
            }
            const auto where = source + ":" + std::to_string(line.number) + ": ";
            spdlog::debug("{}{}", where, joinedText(line.words, " "));
            auto lineApp = commandApp();
            std::vector<std::string> arguments(line.words.rbegin(), line.words.rend());  // CLI11 takes them reversed
            const int code = runCommand(*lineApp, [&] { lineApp->parse(arguments); }, where);
            ++ran;
            if (code != 0) {
                ++failed;
                if (firstFailure == 0) firstFailure = code;
                if (!options->keepGoing || code == 130) break;
            }
        }
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        spdlog::info("batch: ran {} of {} commands in {:.1f} s{}", ran, lines.size(), seconds,
                     failed == 0 ? std::string() : ", " + std::to_string(failed) + " failed");
        if (firstFailure != 0) throw CommandExit{firstFailure};
    });
}

}  // namespace latentlens::cli
