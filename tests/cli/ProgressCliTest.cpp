// The progress line of long commands: drawn in place on a terminal (a pseudo-terminal made by
// util-linux's script(1)), absent when stderr is a pipe or with --quiet; Ctrl+C cancels.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>

#include <gtest/gtest.h>
#include <sys/wait.h>

#include "app/cli/TerminalProgress.h"
#include "cli/CliRunner.h"
#include "support/TestSupport.h"

namespace latentlens {
namespace {

using cli::TerminalProgress;
using test::runCli;
using namespace std::chrono_literals;

// Runs latentlens-cli with its stdin, stdout and stderr on a pseudo-terminal; returns what the
// terminal showed (script's typescript, escape codes included).
test::CommandResult runCliOnTerminal(const std::string& arguments) {
    const std::string inner = std::string(LATENTLENS_CLI_PATH) + " " + arguments;
    std::string quoted = "'";
    for (char c : inner) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
    quoted += "'";
    const std::string command = "script -qefc " + quoted + " /dev/null";
    test::CommandResult result;
    FILE* pipe = popen((command + " 2>&1 </dev/null").c_str(), "r");
    if (!pipe) return result;
    char buffer[4096];
    size_t n = 0;
    while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) result.output.append(buffer, n);
    const int status = pclose(pipe);
    result.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return result;
}

TEST(TerminalProgressLine, SaysWhatHowFarAndHowLongIsLeft) {
    EXPECT_EQ(TerminalProgress::format("denoising: step 5/50", 0.5, 10s, 120),
              "denoising: step 5/50  [##########          ]  50%  ETA 0:10");
    // Too early for an estimate: the time so far instead.
    EXPECT_EQ(TerminalProgress::format("basis", 0.01, 0.5s, 120), "basis  [                    ]   1%  0:01");
    EXPECT_EQ(TerminalProgress::format("sweep", 1.0, 3725s, 120), "sweep  [####################] 100%  done in 1:02:05");
    // A narrow terminal shortens the message, never the bar or the ETA, and never wraps.
    const auto narrow = TerminalProgress::format("a very long description of the work", 0.25, 30s, 50);
    EXPECT_LE(narrow.size(), 49u);
    EXPECT_NE(narrow.find("...  [#####"), std::string::npos) << narrow;
    EXPECT_EQ(narrow.substr(narrow.size() - 8), "ETA 1:30") << narrow;
}

TEST(CliProgress, DrawnInPlaceOnATerminal) {
    test::TempDir dir;
    const auto result = runCliOnTerminal("sample --seed 0 --steps 20 --threads 1 --out " + (dir / "x.png").string());
    ASSERT_EQ(result.exitCode, 0) << result.output;
    EXPECT_NE(result.output.find("\r"), std::string::npos) << result.output;
    EXPECT_NE(result.output.find("denoising: step 20/20"), std::string::npos) << result.output;
    EXPECT_NE(result.output.find("100%  done in"), std::string::npos) << result.output;
}

TEST(CliProgress, ResultsStartOnALineOfTheirOwn) {
    // The solver converges before its product budget: its line still ends, as done, before the
    // command prints its summary to stdout.
    test::TempDir dir;
    const auto result = runCliOnTerminal("basis --seed 0 --t 600 --k 3 --threads 1 --out " + (dir / "b").string());
    ASSERT_EQ(result.exitCode, 0) << result.output;
    const auto summary = result.output.find("krylov basis");
    ASSERT_NE(summary, std::string::npos) << result.output;
    ASSERT_GT(summary, 0u);
    EXPECT_EQ(result.output[summary - 1], '\n') << result.output;
    EXPECT_NE(result.output.rfind("100%  done in", summary), std::string::npos) << result.output;
}

TEST(CliProgress, NothingExtraWhenPipedOrQuiet) {
    test::TempDir dir;
    const auto piped = runCli("sample --seed 0 --steps 20 --threads 1 --out " + (dir / "x.png").string());
    ASSERT_EQ(piped.exitCode, 0) << piped.output;
    EXPECT_EQ(piped.output.find('\r'), std::string::npos) << piped.output;
    EXPECT_EQ(piped.output.find("denoising"), std::string::npos) << piped.output;
    const auto quiet = runCliOnTerminal("sample --quiet --seed 0 --steps 20 --threads 1 --out " + (dir / "y.png").string());
    ASSERT_EQ(quiet.exitCode, 0) << quiet.output;
    EXPECT_EQ(quiet.output.find("denoising"), std::string::npos) << quiet.output;
}

TEST(CliProgress, InterruptCancelsAtTheNextCheck) {
    test::TempDir dir;
    // A thousand U-Net calls on a batch of 64: far longer than the 4 s before the interrupt.
    const std::string command = "timeout --preserve-status -s INT 4 " + std::string(LATENTLENS_CLI_PATH) +
                                " sample --seed 0 --count 64 --steps 1000 --threads 1 --out " +
                                (dir / "x.png").string() + " 2>&1";
    test::CommandResult result;
    FILE* pipe = popen(command.c_str(), "r");
    ASSERT_NE(pipe, nullptr);
    char buffer[4096];
    while (fgets(buffer, sizeof buffer, pipe)) result.output += buffer;
    const int status = pclose(pipe);
    result.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    EXPECT_EQ(result.exitCode, 130) << result.output;
    EXPECT_NE(result.output.find("error: cancelled"), std::string::npos) << result.output;
    EXPECT_FALSE(std::filesystem::exists(dir / "x.png"));
}

}  // namespace
}  // namespace latentlens
