#pragma once

#include <functional>
#include <string>

#include <CLI/CLI.hpp>

namespace latentlens::cli {

// Registers every command of latentlens-cli on `app` (all but batch, which main adds).
void addCommands(CLI::App& app);

// The exit status a command asks for without printing anything more (batch, after its lines have
// printed their own errors).
struct CommandExit {
    int code;
};

// Runs `parseAndRun` (which parses a command line on `app`, running its command) and maps what it
// throws to latentlens-cli's exit status and its one-line message on stderr: 0 success, CLI11's
// status for bad usage, 1 for an Error, 130 cancelled (as a shell reports Ctrl+C), 2 for LibTorch
// and anything else. `where` (e.g. "jobs.txt:3: ") goes in front of each message.
int runCommand(CLI::App& app, const std::function<void()>& parseAndRun, const std::string& where = {});

}  // namespace latentlens::cli
