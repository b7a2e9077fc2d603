// latentlens-cli basis --mask: local-edit directions (LOCO Edit) from a mask image, and the
// masked basis through edit and transport like any other; bad masks are one-line errors that
// write nothing.
#include <fstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include "cli/CliRunner.h"
#include "io/ImageFile.h"
#include "io/MaskFile.h"
#include "io/NpyFile.h"
#include "support/TestSupport.h"

namespace latentlens {
namespace {
namespace fs = std::filesystem;

using test::expectCleanError;
using test::runCli;

// A size × size mask with the centred square of half the side painted (a quarter of the image).
fs::path writeCentredMask(const test::TempDir& dir, const std::string& name, int size) {
    auto mask = torch::zeros({size, size}, torch::kFloat64);
    mask.slice(0, size / 4, 3 * size / 4).slice(1, size / 4, 3 * size / 4).fill_(1.0);
    writeMask(dir / name, mask);
    return dir / name;
}

TEST(CliMaskedBasis, FindsDirectionsThatEditTheMaskedRegion) {
    test::TempDir dir;
    // 64×64 for a 32×32 model: resized, and the output says so.
    const auto maskFile = writeCentredMask(dir, "mask.png", 64);
    auto result = runCli("basis --seed 0 --t 600 --k 3 --steps 20 --mask " + maskFile.string() + " --null-rank 4 --out " +
                         (dir / "b").string());
    ASSERT_EQ(result.exitCode, 0) << result.output;
    EXPECT_NE(result.output.find("resized the mask from 64x64"), std::string::npos) << result.output;
    EXPECT_NE(result.output.find("masked (25.0% of the image), 4 outside directions projected off"), std::string::npos)
        << result.output;
    const auto json = test::readJson(dir / "b" / "basis.json");
    EXPECT_EQ(json.at("kind"), "posterior-mean");
    EXPECT_EQ(json.at("block"), "x0");
    EXPECT_EQ(json.at("null_rank"), 4);
    EXPECT_EQ(json.at("outside_sigma").size(), 4u);
    const auto mask = readNpy(dir / "b" / "mask.npy");
    ASSERT_EQ(mask.sizes().vec(), (std::vector<int64_t>{32, 32}));
    EXPECT_NEAR(mask.mean().item<double>(), 0.25, 1e-9);

    // Edits along it change the painted square more than the rest (the core test measures the ratio).
    ASSERT_EQ(runCli("edit --basis " + (dir / "b").string() + " --dir 0 --alpha 0 --steps 20 --out " +
                     (dir / "original.png").string())
                  .exitCode,
              0);
    ASSERT_EQ(runCli("edit --basis " + (dir / "b").string() + " --dir 0 --alpha 2 --steps 20 --out " +
                     (dir / "edited.png").string())
                  .exitCode,
              0);
    const auto change = (readImage(dir / "edited.png", 1, 32).pixels - readImage(dir / "original.png", 1, 32).pixels).abs()[0];
    const auto inside = mask.to(torch::kFloat32);
    const double insideChange = (change * inside).sum().item<double>() / inside.sum().item<double>();
    const double outsideChange = (change * (1 - inside)).sum().item<double>() / (1 - inside).sum().item<double>();
    EXPECT_GT(insideChange, 2 * outsideChange) << insideChange << " vs " << outsideChange;

    // Transport finds the target's basis under the same mask.
    auto transport = runCli("transport --from " + (dir / "b").string() + " --to-seed 1 --dir 0 --steps 20 --out " +
                            (dir / "moved").string());
    ASSERT_EQ(transport.exitCode, 0) << transport.output;
    EXPECT_EQ(test::readJson(dir / "moved" / "basis" / "basis.json").at("kind"), "posterior-mean");
    EXPECT_TRUE(fs::exists(dir / "moved" / "basis" / "mask.npy"));
}

// Stable Diffusion: the mask is painted on the image grid and taken to the latent grid; the
// posterior mean is conditioned on the prompt, whose id the basis records.
TEST(CliMaskedBasis, StableDiffusionMasksLiveOnTheImageGrid) {
    test::TempDir dir;
    const auto model = test::fixtureDir("sd1-tiny").string();
    const auto maskFile = writeCentredMask(dir, "mask.png", 32);  // the fixture's images are 32×32, latents 16×16
    auto result = runCli("basis --model " + model + " --prompt 'a photo of a cat' --seed 0 --t 500 --k 2 --steps 10 "
                         "--null-rank 2 --mask " + maskFile.string() + " --out " + (dir / "b").string());
    ASSERT_EQ(result.exitCode, 0) << result.output;
    const auto json = test::readJson(dir / "b" / "basis.json");
    EXPECT_EQ(json.at("kind"), "posterior-mean");
    EXPECT_EQ(json.at("input_shape"), nlohmann::json({4, 16, 16}));
    EXPECT_NE(json.at("conditioning").get<std::string>(), "");
    EXPECT_EQ(readNpy(dir / "b" / "mask.npy").sizes().vec(), (std::vector<int64_t>{32, 32}));
    auto edit = runCli("edit --model " + model + " --prompt 'a photo of a cat' --basis " + (dir / "b").string() +
                       " --dir 0 --alpha 2 --steps 10 --out " + (dir / "e.png").string());
    EXPECT_EQ(edit.exitCode, 0) << edit.output;
}

TEST(CliMaskedBasis, EmptyOrFullMasksAndBadCombinationsAreCleanErrors) {
    test::TempDir dir;
    writeMask(dir / "black.png", torch::zeros({32, 32}, torch::kFloat64));
    writeMask(dir / "white.png", torch::ones({32, 32}, torch::kFloat64));
    const auto centred = writeCentredMask(dir, "centred.png", 32);
    const std::string out = " --out " + (dir / "b").string();
    expectCleanError(runCli("basis --seed 0 --t 600 --k 3 --mask " + (dir / "black.png").string() + out), "black.png");
    expectCleanError(runCli("basis --seed 0 --t 600 --k 3 --mask " + (dir / "black.png").string() + out), "empty");
    expectCleanError(runCli("basis --seed 0 --t 600 --k 3 --mask " + (dir / "white.png").string() + out), "whole image");
    expectCleanError(runCli("basis --seed 0 --t 600 --k 3 --mask " + centred.string() + " --block down.1" + out), "--block");
    expectCleanError(runCli("basis --seed 0 --t 600 --k 3 --null-rank 3" + out), "--mask");
    std::ofstream(dir / "broken.png") << "not an image";
    expectCleanError(runCli("basis --seed 0 --t 600 --k 3 --mask " + (dir / "broken.png").string() + out), "broken.png");
    EXPECT_FALSE(fs::exists(dir / "b"));  // nothing written
}

}  // namespace
}  // namespace latentlens
