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
