#include <fstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <torch/torch.h>

#include "core/Error.h"
#include "io/BasisFile.h"
#include "io/DirectionSheet.h"
#include "io/NpyFile.h"
#include "support/TestSupport.h"

namespace latentlens {
namespace {

PullbackBasis sampleBasis() {
    PullbackBasis basis;
    basis.modelName = "fmnist32";
    basis.block = "mid";
    basis.method = "krylov";
    basis.timestep = 600;
    basis.k = 3;
    basis.sigma = torch::tensor({3.0, 2.0, 1.0}, torch::kFloat64);
    basis.v = torch::randn({3, 1, 8, 8}, torch::kFloat64);
    basis.u = torch::randn({3, 20}, torch::kFloat64);
    basis.xt = torch::randn({1, 8, 8}, torch::kFloat64);
    basis.featureShape = {5, 2, 2};
    basis.jvpProducts = 12;
    basis.vjpProducts = 12;
    basis.residuals = {1e-4, 2e-4, 3e-4};
    basis.iterations = 2;
    basis.converged = true;
    basis.wallSeconds = 0.5;
    basis.seed = 7;
    basis.history.push_back({1, 12, 0.2, {3.0, 2.0, 1.0}, {1e-2, 1e-2, 1e-2}});
    return basis;
}

TEST(BasisFile, RoundTripKeepsEverything) {
    test::TempDir dir;
    auto basis = sampleBasis();
    writeBasis(dir / "b", basis);
    auto back = readBasis(dir / "b");
    EXPECT_EQ(back.modelName, "fmnist32");
    EXPECT_EQ(back.block, "mid");
    EXPECT_EQ(back.method, "krylov");
    EXPECT_EQ(back.timestep, 600);
    EXPECT_EQ(back.k, 3);
    EXPECT_TRUE(torch::equal(back.sigma, basis.sigma));
    EXPECT_TRUE(torch::equal(back.v, basis.v));
    EXPECT_TRUE(torch::equal(back.u, basis.u));
    EXPECT_TRUE(torch::equal(back.xt, basis.xt));
    EXPECT_EQ(back.featureShape, basis.featureShape);
    EXPECT_EQ(back.products(), 24);
    EXPECT_EQ(back.residuals, basis.residuals);
    EXPECT_TRUE(back.converged);
    EXPECT_EQ(back.seed, 7u);
}

// A masked (posterior-mean) basis keeps its kind, mask and null rank; a pullback basis written
// over it into the same folder leaves no stale mask behind.
TEST(BasisFile, MaskedBasisKeepsItsKindMaskAndNullRank) {
    test::TempDir dir;
    auto basis = sampleBasis();
    basis.kind = PullbackBasis::kPosteriorMean;
    basis.block = "x0";
    basis.featureShape = {1, 8, 8};
    basis.u = torch::randn({3, 64}, torch::kFloat64);
    basis.mask = torch::rand({16, 16}, torch::kFloat64);
    basis.nullRank = 5;
    basis.outsideSigma = {4.0, 3.5, 2.0, 1.0, 0.5};
    writeBasis(dir / "b", basis);
    EXPECT_TRUE(std::filesystem::exists(dir / "b" / "mask.npy"));
    auto back = readBasis(dir / "b");
    EXPECT_EQ(back.kind, PullbackBasis::kPosteriorMean);
    EXPECT_EQ(back.block, "x0");
    ASSERT_TRUE(back.isMasked());
    EXPECT_TRUE(torch::equal(back.mask, basis.mask));
    EXPECT_EQ(back.nullRank, 5);
    EXPECT_EQ(back.outsideSigma, basis.outsideSigma);

    writeBasis(dir / "b", sampleBasis());
    EXPECT_FALSE(std::filesystem::exists(dir / "b" / "mask.npy"));
    back = readBasis(dir / "b");
    EXPECT_EQ(back.kind, PullbackBasis::kPullback);
    EXPECT_FALSE(back.isMasked());

    // A folder that says it is masked but lost its mask, or an unknown kind, is named.
    writeBasis(dir / "b", basis);
    std::filesystem::remove(dir / "b" / "mask.npy");
    test::expectError(dir / "b" / "mask.npy", "missing", [&] { readBasis(dir / "b"); });
    auto json = test::readJson(dir / "b" / "basis.json");
    json["kind"] = "saliency";
    json["masked"] = false;
    test::writeJson(dir / "b" / "basis.json", json);
    test::expectError(dir / "b" / "basis.json", "unknown basis kind", [&] { readBasis(dir / "b"); });
}

TEST(BasisFile, RecordsThePromptsAsText) {
    test::TempDir dir;
    auto basis = sampleBasis();
    basis.conditioning = "0123456789abcdef";
    basis.jacobianPrompt = "a photo of a dog";
    basis.samplingPrompt = "a photo of a cat";
    basis.negativePrompt = "blurry";
    basis.guidance = 5.5;
    writeBasis(dir / "b", basis);
    const auto back = readBasis(dir / "b");
    EXPECT_EQ(back.jacobianPrompt, "a photo of a dog");
    EXPECT_EQ(back.samplingPrompt, "a photo of a cat");
    EXPECT_EQ(back.negativePrompt, "blurry");
    EXPECT_EQ(back.guidance, 5.5);
    // Unconditional bases have none.
    writeBasis(dir / "u", sampleBasis());
    EXPECT_FALSE(test::readJson(dir / "u" / "basis.json").contains("prompts"));
}

TEST(BasisFile, RecordsTheConditioningId) {
    test::TempDir dir;
    auto basis = sampleBasis();
    basis.conditioning = "0123456789abcdef";
    writeBasis(dir / "b", basis);
    EXPECT_EQ(readBasis(dir / "b").conditioning, "0123456789abcdef");
    basis.conditioning.clear();
    writeBasis(dir / "u", basis);
    EXPECT_EQ(readBasis(dir / "u").conditioning, "");
}

TEST(BasisFile, FolderWithoutConditioningIdReadsAsUnconditional) {
    test::TempDir dir;
    writeBasis(dir / "b", sampleBasis());
    // basis.json as written before the conditioning id existed: the same keys without it.
    std::ifstream in(dir / "b" / "basis.json");
    auto json = nlohmann::json::parse(in);
    in.close();
    ASSERT_TRUE(json.contains("conditioning"));
    json.erase("conditioning");
    std::ofstream(dir / "b" / "basis.json") << json.dump(2);
    const auto back = readBasis(dir / "b");
    EXPECT_EQ(back.conditioning, "");
    EXPECT_EQ(back.modelName, "fmnist32");
    EXPECT_EQ(back.k, 3);
}

TEST(BasisFile, InconsistentFilesAreNamed) {
    test::TempDir dir;
    writeBasis(dir / "b", sampleBasis());
    writeNpy(dir / "b" / "u.npy", torch::zeros({3, 19}, torch::kFloat64));
    try {
        readBasis(dir / "b");
        FAIL() << "expected an error";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("u.npy"), std::string::npos) << e.what();
    }
    EXPECT_THROW(readBasis(dir / "nothing"), Error);
    std::ofstream(dir / "b" / "basis.json") << "{ not json";
    EXPECT_THROW(readBasis(dir / "b"), Error);
}

TEST(DirectionSheet, DivergingColorsAreWhiteAtZeroRedPositiveBluNegative) {
    auto field = torch::tensor({{-2.0, 0.0, 1.0}});  // own scale: max |value| = 2
    auto colors = divergingColors(field);           // (3, 1, 3) in [-1, 1]
    EXPECT_NEAR(colors[0][0][1].item<float>(), 1.0, 1e-6);  // zero → white
    EXPECT_NEAR(colors[1][0][1].item<float>(), 1.0, 1e-6);
    EXPECT_NEAR(colors[2][0][1].item<float>(), 1.0, 1e-6);
    EXPECT_LT(colors[0][0][0].item<float>(), colors[2][0][0].item<float>());  // −max → blue
    EXPECT_GT(colors[0][0][2].item<float>(), colors[2][0][2].item<float>());  // +half → reddish
}

TEST(DirectionSheet, WritesOneTilePerDirection) {
    test::TempDir dir;
    writeDirectionSheet(dir / "sheet.png", torch::randn({7, 1, 32, 32}), torch::linspace(7, 1, 7, torch::kFloat64), 5);
    auto image = cv::imread((dir / "sheet.png").string());
    ASSERT_FALSE(image.empty());
    // 5 columns of 128-px tiles with 6-px gaps; 2 rows of 128 + 22 label + 6.
    EXPECT_EQ(image.cols, 5 * (128 + 6) + 6);
    EXPECT_EQ(image.rows, 2 * (128 + 22 + 6) + 6);
    EXPECT_THROW(writeDirectionSheet(dir / "missing" / "s.png", torch::randn({2, 1, 8, 8}), {}), Error);
}

}  // namespace
}  // namespace latentlens
