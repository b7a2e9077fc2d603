// latentlens-cli analyze end to end on the embedded default model with small budgets (k = 3, two
// or three timesteps, 10-step trajectories): the files each analysis writes, their shapes and
// value ranges, and clean errors.
#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>
#include <opencv2/imgcodecs.hpp>

#include "cli/CliRunner.h"
#include "support/TestSupport.h"

namespace latentlens {
namespace {
namespace fs = std::filesystem;

using test::CommandResult;
using test::expectCleanError;
using test::runCli;

struct Csv {
    std::vector<std::string> header;
    std::vector<std::vector<std::string>> rows;
    size_t column(const std::string& name) const {
        auto it = std::find(header.begin(), header.end(), name);
        EXPECT_NE(it, header.end()) << name;
        return static_cast<size_t>(it - header.begin());
    }
    double number(size_t row, const std::string& name) const { return std::stod(rows.at(row).at(column(name))); }
};

Csv readCsv(const fs::path& path) {
    Csv csv;
    std::ifstream in(path);
    std::string line;
    auto split = [](const std::string& text) {
        std::vector<std::string> cells;
        std::stringstream stream(text);
        std::string item;
        while (std::getline(stream, item, ',')) cells.push_back(item);
        return cells;
    };
    if (std::getline(in, line)) csv.header = split(line);
    while (std::getline(in, line)) {
        csv.rows.push_back(split(line));
        EXPECT_EQ(csv.rows.back().size(), csv.header.size()) << path << ": " << line;
    }
    return csv;
}

// Every PNG decodes, and report.md embeds every one of them.
void expectPlotsAndReport(const fs::path& folder, const std::vector<std::string>& plots) {
    std::ifstream in(folder / "report.md");
    const std::string report((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_EQ(report.rfind("# ", 0), 0u) << report;
    for (const auto& plot : plots) {
        auto image = cv::imread((folder / plot).string());
        EXPECT_FALSE(image.empty()) << plot;
        EXPECT_GE(image.cols, 200) << plot;
        EXPECT_NE(report.find("](" + plot + ")"), std::string::npos) << plot << " not in the report";
    }
}

const std::string kSmall = " --k 3 --steps 10 ";

TEST(AnalyzeCli, CoarseToFineWritesFrequenciesSpectraPlotsAndReport) {
    test::TempDir dir;
    auto result = runCli("analyze coarse-to-fine --count 3" + kSmall + "--out " + (dir / "c2f").string());
    ASSERT_EQ(result.exitCode, 0) << result.output;
    auto frequency = readCsv(dir / "c2f" / "frequency.csv");
    ASSERT_EQ(frequency.rows.size(), 3u);
    EXPECT_EQ(frequency.header.size(), 2u + 3 + 3);  // t, mean, 3 frequencies, 3 sigmas
    EXPECT_EQ(frequency.rows[0][0], "900");
    EXPECT_EQ(frequency.rows[1][0], "500");
    EXPECT_EQ(frequency.rows[2][0], "100");
    for (size_t t = 0; t < 3; ++t) {
        EXPECT_GT(frequency.number(t, "mean_frequency"), 0.0);
        EXPECT_LT(frequency.number(t, "mean_frequency"), 16 * std::sqrt(2.0));
        EXPECT_GE(frequency.number(t, "sigma_1"), frequency.number(t, "sigma_3"));
    }
    auto spectrum = readCsv(dir / "c2f" / "spectrum.csv");
    EXPECT_EQ(spectrum.rows.size(), 3u * 4);     // 3 directions + their mean per t
    EXPECT_EQ(spectrum.header.size(), 2u + 17);  // radii 0..16 of a 32 x 32 image
    expectPlotsAndReport(dir / "c2f", {"mean_frequency.png", "spectrum.png", "v1_strip.png"});
}

TEST(AnalyzeCli, SimilarityAcrossSamplesAndAcrossTimesteps) {
    test::TempDir dir;
    auto result = runCli("analyze similarity --samples 3 --t 800,300" + kSmall + "--out " + (dir / "sim").string());
    ASSERT_EQ(result.exitCode, 0) << result.output;
    auto means = readCsv(dir / "sim" / "similarity.csv");
    ASSERT_EQ(means.rows.size(), 2u);
    for (size_t t = 0; t < 2; ++t) {
        for (const char* column : {"x_similarity", "h_similarity"}) {
            EXPECT_GE(means.number(t, column), 0.0);
            EXPECT_LE(means.number(t, column), 1.0);
        }
        EXPECT_LE(means.number(t, "x_distance"), M_PI / 2 * std::sqrt(3.0));
        EXPECT_NEAR(means.number(t, "x_random_similarity"), 3.0 / 1024, 1e-9);
    }
    EXPECT_EQ(readCsv(dir / "sim" / "pairs.csv").rows.size(), 2u * 3);  // 3 pairs at 2 timesteps
    expectPlotsAndReport(dir / "sim", {"similarity.png", "distance.png", "heatmaps_x.png", "heatmaps_h.png"});

    result = runCli("analyze timesteps --seed 2 --t 800,500,300" + kSmall + "--out " + (dir / "ts").string());
    ASSERT_EQ(result.exitCode, 0) << result.output;
    auto table = readCsv(dir / "ts" / "timesteps.csv");
    ASSERT_EQ(table.rows.size(), 9u);
    for (size_t i = 0; i < 9; ++i) {
        const bool diagonal = table.rows[i][0] == table.rows[i][1];
        if (diagonal) {
            EXPECT_NEAR(table.number(i, "x_similarity"), 1.0, 1e-9);
            EXPECT_NEAR(table.number(i, "h_distance"), 0.0, 1e-6);
        }
        EXPECT_GE(table.number(i, "h_similarity"), 0.0);
        EXPECT_LE(table.number(i, "h_similarity"), 1.0);
    }
    expectPlotsAndReport(dir / "ts", {"timesteps.png"});
}

TEST(AnalyzeCli, CurvednessAndModelComparison) {
    test::TempDir dir;
    auto result = runCli("analyze curvedness --seed-a 0 --seed-b 5 --segments 2 --t 700,200" + kSmall + "--out " +
                         (dir / "curv").string());
    ASSERT_EQ(result.exitCode, 0) << result.output;
    auto table = readCsv(dir / "curv" / "curvedness.csv");
    ASSERT_EQ(table.rows.size(), 2u);
    for (size_t t = 0; t < 2; ++t) {
        EXPECT_GE(table.number(t, "turning"), table.number(t, "chord") - 1e-9);
        EXPECT_NEAR(table.number(t, "curvedness"), table.number(t, "turning") / table.number(t, "euclidean_length"), 1e-6);
    }
    EXPECT_EQ(readCsv(dir / "curv" / "steps.csv").rows.size(), 2u * 2);
    expectPlotsAndReport(dir / "curv", {"curvedness.png", "turning.png"});

    const auto other = test::fixtureDir("trainer-gray16");
    result = runCli("analyze compare --model-b " + other.string() + " --samples 2 --count 2" + kSmall + "--out " +
                    (dir / "cmp").string());
    ASSERT_EQ(result.exitCode, 0) << result.output;
    auto compare = readCsv(dir / "cmp" / "compare.csv");
    ASSERT_EQ(compare.rows.size(), 4u);
    EXPECT_EQ(compare.rows[0][0], "fmnist32");
    EXPECT_EQ(compare.rows[2][0], "trainer-gray16");
    EXPECT_NEAR(compare.number(2, "x_random_similarity"), 3.0 / 256, 1e-9);  // a 16 x 16 model
    EXPECT_NEAR(compare.number(0, "t_over_T"), 0.9, 1e-9);
    expectPlotsAndReport(dir / "cmp", {"compare_x.png", "compare_h.png"});
}

std::string fileText(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    EXPECT_TRUE(in.good()) << path;
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

TEST(AnalyzeCli, ShardsMergeToExactlyTheUnshardedFiles) {
    test::TempDir dir;
    const std::string sweep = "analyze similarity --samples 3 --t 800,300" + kSmall;
    auto whole = runCli(sweep + "--out " + (dir / "whole").string());
    ASSERT_EQ(whole.exitCode, 0) << whole.output;

    // Three shards into one shared folder; the first is run twice and skips its finished jobs.
    for (int i = 1; i <= 3; ++i) {
        auto shard = runCli(sweep + "--shard " + std::to_string(i) + "/3 --out " + (dir / "shared").string());
        ASSERT_EQ(shard.exitCode, 0) << shard.output;
        EXPECT_NE(shard.output.find("shard " + std::to_string(i) + "/3: 2 of its 2 jobs computed"), std::string::npos)
            << shard.output;
        EXPECT_FALSE(fs::exists(dir / "shared" / "similarity.csv")) << "a shard wrote the finished analysis";
    }
    auto rerun = runCli(sweep + "--shard 1/3 --out " + (dir / "shared").string());
    ASSERT_EQ(rerun.exitCode, 0) << rerun.output;
    EXPECT_NE(rerun.output.find("0 of its 2 jobs computed, 2 already done"), std::string::npos) << rerun.output;
    auto merged = runCli("analyze merge " + (dir / "shared").string());
    ASSERT_EQ(merged.exitCode, 0) << merged.output;
    for (const char* file : {"similarity.csv", "pairs.csv"}) {
        EXPECT_EQ(fileText(dir / "shared" / file), fileText(dir / "whole" / file)) << file;
    }

    // Shards in folders of their own, merged into a third; a missing shard is named.
    for (int i = 1; i <= 2; ++i) {
        auto shard = runCli(sweep + "--shard " + std::to_string(i) + "/2 --out " + (dir / ("own" + std::to_string(i))).string());
        ASSERT_EQ(shard.exitCode, 0) << shard.output;
    }
    expectCleanError(runCli("analyze merge " + (dir / "own1").string()), "3 of the sweep's 6 jobs are not done");
    merged = runCli("analyze merge " + (dir / "own1").string() + " " + (dir / "own2").string() + " --out " +
                    (dir / "gathered").string());
    ASSERT_EQ(merged.exitCode, 0) << merged.output;
    EXPECT_EQ(fileText(dir / "gathered" / "pairs.csv"), fileText(dir / "whole" / "pairs.csv"));

    // A shard of other settings cannot join, and nothing of the folder changes.
    const auto before = fileText(dir / "shared" / "sweep.json");
    expectCleanError(runCli("analyze similarity --samples 3 --t 800,300 --k 4 --steps 10 --shard 2/3 --out " +
                            (dir / "shared").string()),
                     "settings.k differs");
    EXPECT_EQ(fileText(dir / "shared" / "sweep.json"), before);
    expectCleanError(runCli(sweep + "--shard 4/3 --out " + (dir / "x").string()), "--shard \"4/3\"");
    auto other = runCli("analyze similarity --samples 2 --t 800" + kSmall + "--shard 1/2 --out " + (dir / "other").string());
    ASSERT_EQ(other.exitCode, 0) << other.output;
    expectCleanError(runCli("analyze merge " + (dir / "own1").string() + " " + (dir / "other").string()),
                     "a sweep of other settings");
}

TEST(AnalyzeCli, PromptsAndTextDependenceOnStableDiffusion) {
    test::TempDir dir;
    const auto model = test::fixtureDir("sd1-tiny").string();
    std::ofstream(dir / "prompts.txt") << "# the same prompt twice, then another\na photograph of a cat\n\n"
                                          "a photograph of a cat\na red car, parked\n";
    const std::string small = " --t 700,300 --k 3 --steps 5 ";
    auto result = runCli("analyze prompts --model " + model + " --prompts " + (dir / "prompts.txt").string() + small +
                         "--out " + (dir / "p").string());
    ASSERT_EQ(result.exitCode, 0) << result.output;
    auto pairs = readCsv(dir / "p" / "prompt_pairs.csv");
    ASSERT_EQ(pairs.rows.size(), 2u * 3);  // 3 prompt pairs at 2 timesteps
    for (size_t i = 0; i < pairs.rows.size(); ++i) {
        const bool samePrompt = pairs.rows[i][1] == "P1" && pairs.rows[i][2] == "P2";
        if (samePrompt) {  // the same J at the same z_t
            EXPECT_NEAR(pairs.number(i, "x_similarity"), 1.0, 1e-9);
            EXPECT_NEAR(pairs.number(i, "text_similarity"), 1.0, 1e-6);
        } else {
            EXPECT_LT(pairs.number(i, "text_similarity"), 1.0 - 1e-4);
            EXPECT_LT(pairs.number(i, "x_similarity"), 1.0 - 1e-9);
        }
        EXPECT_GE(pairs.number(i, "h_similarity"), 0.0);
        EXPECT_LE(pairs.number(i, "h_similarity"), 1.0 + 1e-9);
    }
    EXPECT_EQ(readCsv(dir / "p" / "prompt_similarity.csv").rows.size(), 2u);
    EXPECT_NE(fileText(dir / "p" / "prompts.csv").find("\"a red car, parked\""), std::string::npos);
    expectPlotsAndReport(dir / "p", {"prompt_similarity.png", "prompt_heatmaps_x.png", "prompt_heatmaps_h.png",
                                     "text_similarity.png", "text_scatter_x.png", "text_scatter_h.png"});
    EXPECT_NE(fileText(dir / "p" / "report.md").find("reference prompt \"a photograph of a cat\""), std::string::npos);

    result = runCli("analyze text-dependence --model " + model + " --prompt \"a photograph of a cat\"" + small +
                    "--out " + (dir / "t").string());
    ASSERT_EQ(result.exitCode, 0) << result.output;
    auto dependence = readCsv(dir / "t" / "text_dependence.csv");
    ASSERT_EQ(dependence.rows.size(), 2u);
    for (size_t t = 0; t < 2; ++t) {
        EXPECT_GT(dependence.number(t, "x_distance"), 1e-4);
        EXPECT_LE(dependence.number(t, "x_distance"), M_PI / 2 * std::sqrt(3.0));
    }
    expectPlotsAndReport(dir / "t", {"text_dependence.png", "text_dependence_similarity.png"});
    // A prompt of only a space reads as the empty prompt: the same J, so distance 0 and similarity 1.
    result = runCli("analyze text-dependence --model " + model + " --prompt \" \"" + small + "--guidance 1 --out " +
                    (dir / "e").string());
    ASSERT_EQ(result.exitCode, 0) << result.output;
    auto none = readCsv(dir / "e" / "text_dependence.csv");
    ASSERT_EQ(none.rows.size(), 2u);
    for (size_t t = 0; t < 2; ++t) {
        EXPECT_LT(none.number(t, "x_distance"), 1e-6);
        EXPECT_NEAR(none.number(t, "h_similarity"), 1.0, 1e-9);
    }

    // One prompt for the whole sweep on the other analyses; pixel models refuse prompts.
    result = runCli("analyze timesteps --model " + model + " --prompt \"a red car\"" + small + "--out " +
                    (dir / "ts").string());
    ASSERT_EQ(result.exitCode, 0) << result.output;
    EXPECT_NE(fileText(dir / "ts" / "report.md").find("the prompt \"a red car\""), std::string::npos);
    // Dataset comparison of an SD pipeline (under the prompt) with a pixel model (unconditioned).
    result = runCli("analyze compare --model " + model + " --model-b " + test::fixtureDir("trainer-gray16").string() +
                    " --prompt \"a red car\" --samples 2 --count 2 --k 3 --steps 10 --out " + (dir / "cmp").string());
    ASSERT_EQ(result.exitCode, 0) << result.output;
    auto compare = readCsv(dir / "cmp" / "compare.csv");
    ASSERT_EQ(compare.rows.size(), 4u);
    EXPECT_EQ(compare.rows[0][0], "sd1-tiny");
    EXPECT_NEAR(compare.number(0, "x_random_similarity"), 3.0 / 1024, 1e-9);  // 4 x 16 x 16 latents
    expectCleanError(runCli("analyze prompts --prompts " + (dir / "prompts.txt").string() + small + "--out " +
                            (dir / "px").string()),
                     "takes no prompt");
    expectCleanError(runCli("analyze similarity --prompt cat --samples 2" + small + "--out " + (dir / "py").string()),
                     "takes no prompt");
}

TEST(AnalyzeCli, BadRequestsAreOneLineErrors) {
    test::TempDir dir;
    expectCleanError(runCli("analyze timesteps --t 1000 --out " + (dir / "a").string()), "outside [0, 1000)");
    expectCleanError(runCli("analyze curvedness --seed-a 2 --seed-b 2 --out " + (dir / "b").string()), "different seeds");
    auto missing = runCli("analyze");
    EXPECT_NE(missing.exitCode, 0);
    EXPECT_NE(runCli("analyze similarity --samples 1 --out " + (dir / "c").string()).exitCode, 0);
}

}  // namespace
}  // namespace latentlens
