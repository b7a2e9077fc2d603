// latentlens-cli batch: many commands in one process, each line as its own command would run, the
// model loaded once; errors name the script's line, and nothing runs when a line is not a command.
#include <fstream>

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "cli/CliRunner.h"
#include "io/NpyFile.h"
#include "support/TestSupport.h"

namespace latentlens {
namespace {
namespace fs = std::filesystem;

using test::expectCleanError;
using test::runCli;

fs::path writeScript(const test::TempDir& dir, const std::string& text) {
    const auto path = dir / "jobs.txt";
    std::ofstream(path) << text;
    return path;
}

size_t count(const std::string& text, const std::string& what) {
    size_t n = 0;
    for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
    return n;
}

TEST(CliBatch, RunsEveryLineInOneProcessWithTheModelLoadedOnce) {
    test::TempDir dir;
    const auto a = (dir / "a").string();
    const auto b = (dir / "b").string();
    const auto script = writeScript(dir, "# two bases of one sample and a look at the model\n"
                                         "latentlens-cli basis --seed 0 --t 650 --k 4 --steps 20 --verbose --out " + a + "\n"
                                         "\n"
                                         "info --verbose\n"
                                         "basis --seed 0 --t 600 --k 4 --steps 20 --verbose \\\n"
                                         "      --warm-start " + a + " --out '" + b + "'\n");
    const auto result = runCli("batch " + script.string());
    ASSERT_EQ(result.exitCode, 0) << result.output;
    EXPECT_EQ(count(result.output, "model cache: loading"), 1u) << result.output;
    EXPECT_EQ(count(result.output, "krylov basis, k=4"), 2u) << result.output;
    EXPECT_NE(result.output.find("batch: ran 3 of 3 commands"), std::string::npos) << result.output;

    // A line gives what the same command gives on its own (same solver, same start; tolerance for
    // the order of floating-point sums only).
    const auto alone = (dir / "alone").string();
    ASSERT_EQ(runCli("basis --seed 0 --t 600 --k 4 --steps 20 --warm-start " + a + " --out " + alone).exitCode, 0);
    const auto sigmaBatch = readNpy(fs::path(b) / "sigma.npy").to(torch::kFloat64);
    const auto sigmaAlone = readNpy(fs::path(alone) / "sigma.npy").to(torch::kFloat64);
    EXPECT_LE(((sigmaBatch - sigmaAlone).abs() / sigmaAlone).max().item<double>(), 1e-4);
}

TEST(CliBatch, ReadsTheScriptFromStandardInput) {
    test::TempDir dir;
    const auto script = writeScript(dir, "info\ninfo --model " + test::fixtureDir("ddpm-rgb16").string() + "\n");
    const auto result = runCli("batch - < " + script.string());
    ASSERT_EQ(result.exitCode, 0) << result.output;
    EXPECT_NE(result.output.find("fmnist32"), std::string::npos) << result.output;
    EXPECT_NE(result.output.find("ddpm-rgb16"), std::string::npos) << result.output;
    EXPECT_NE(result.output.find("batch: ran 2 of 2 commands"), std::string::npos) << result.output;
}

TEST(CliBatch, ALineThatIsNotACommandStopsTheScriptBeforeAnythingRuns) {
    test::TempDir dir;
    const auto out = dir / "a";
    auto script = writeScript(dir, "basis --seed 0 --t 600 --k 2 --out " + out.string() + "\n\nbasiss --seed 1\n");
    expectCleanError(runCli("batch " + script.string()), script.string() + ":3: unknown command 'basiss'");
    EXPECT_FALSE(fs::exists(out));
    script = writeScript(dir, "info\nbatch other.txt\n");
    expectCleanError(runCli("batch " + script.string()), ":2: batch cannot run inside a batch script");
    script = writeScript(dir, "info\nsample --prompt \"open\n");
    expectCleanError(runCli("batch " + script.string()), ":2: the quote \" is not closed");
    script = writeScript(dir, "# nothing\n");
    expectCleanError(runCli("batch " + script.string()), "holds no command");
    expectCleanError(runCli("batch " + (dir / "missing.txt").string()), "missing.txt: cannot read the batch script");
}

TEST(CliBatch, AFailingLineStopsTheRestUnlessKeepGoing) {
    test::TempDir dir;
    const auto after = dir / "after";
    const auto script = writeScript(dir, "info\nbasis --seed 0 --t 5000 --out " + (dir / "x").string() +
                                             "\nbasis --seed 0 --t 600 --k 2 --steps 10 --out " + after.string() + "\n");
    auto result = runCli("batch " + script.string());
    EXPECT_EQ(result.exitCode, 1) << result.output;
    EXPECT_NE(result.output.find("error: " + script.string() + ":2: "), std::string::npos) << result.output;
    EXPECT_NE(result.output.find("batch: ran 2 of 3 commands"), std::string::npos) << result.output;
    EXPECT_FALSE(fs::exists(after));

    result = runCli("batch --keep-going " + script.string());
    EXPECT_EQ(result.exitCode, 1) << result.output;
    EXPECT_NE(result.output.find("batch: ran 3 of 3 commands"), std::string::npos) << result.output;
    EXPECT_TRUE(fs::exists(after / "v.npy"));

    // Bad flags of a line are reported with its line, as CLI11 words them.
    const auto flags = writeScript(dir, "info --no-such-flag\n");
    result = runCli("batch " + flags.string());
    EXPECT_NE(result.exitCode, 0);
    EXPECT_NE(result.output.find("error: " + flags.string() + ":1: "), std::string::npos) << result.output;
    EXPECT_NE(result.output.find("--no-such-flag"), std::string::npos) << result.output;
}

}  // namespace
}  // namespace latentlens
