#include "cli/CliRunner.h"

#include <algorithm>
#include <array>
#include <cstdio>

#include <gtest/gtest.h>
#include <sys/wait.h>

namespace latentlens::test {

CommandResult runCli(const std::string& arguments) {
    const std::string command = std::string(LATENTLENS_CLI_PATH) + " " + arguments + " 2>&1";
    CommandResult result;
    FILE* pipe = popen(command.c_str(), "r");
    if (!pipe) return result;
    std::array<char, 4096> buffer{};
    while (fgets(buffer.data(), buffer.size(), pipe)) result.output += buffer.data();
    const int status = pclose(pipe);
    result.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return result;
}

void expectCleanError(const CommandResult& result, const std::string& mustMention) {
    EXPECT_EQ(result.exitCode, 1) << result.output;
    EXPECT_EQ(result.output.rfind("error: ", 0), 0u) << result.output;
    EXPECT_EQ(std::count(result.output.begin(), result.output.end(), '\n'), 1) << result.output;
    EXPECT_NE(result.output.find(mustMention), std::string::npos) << "expected '" << mustMention << "' in: " << result.output;
}

}  // namespace latentlens::test
