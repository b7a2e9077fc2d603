#pragma once

#include <string>

namespace latentlens::test {

// What a latentlens-cli run printed and returned.
struct CommandResult {
    int exitCode = -1;
    std::string output;  // stdout and stderr together
};

// Runs the built latentlens-cli with `arguments` (shell syntax) and waits for it.
CommandResult runCli(const std::string& arguments);

// A failure prints exactly one line, "error: ...", mentioning `mustMention`, and exits with 1.
void expectCleanError(const CommandResult& result, const std::string& mustMention);

}  // namespace latentlens::test
