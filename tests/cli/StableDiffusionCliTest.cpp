// latentlens-cli on the Stable Diffusion fixture pipelines (../shared/fixtures/sd1-tiny, sd2-tiny):
// info, tokenize and encode-prompt against the fixture's ids and embeddings, the guided DDIM-10
// denoise and the prompted inversion against diffusers' trajectories (float32 run: relative error
// per row ≤ 1e-4), sample with a prompt and --size, basis under a prompt against the exact
// Jacobian SVD, and the one-line errors.
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include "cli/CliRunner.h"
#include "core/model/SafetensorsFile.h"
#include "core/pipeline/Conditioning.h"
#include "io/ImageFile.h"
#include "io/NpyFile.h"
#include "support/TestSupport.h"

namespace latentlens {
namespace {
namespace fs = std::filesystem;

using test::expectCleanError;
using test::fixtureDir;
using test::relativeError;
using test::runCli;

constexpr double kFloat32Tolerance = 1e-4;

// The first line of `output` that is a list of integers.
std::vector<int64_t> idsIn(const std::string& output) {
    std::istringstream lines(output);
    std::string line;
    while (std::getline(lines, line)) {
        if (line.empty() || !std::isdigit(static_cast<unsigned char>(line[0]))) continue;
        std::istringstream numbers(line);
        std::vector<int64_t> ids;
        for (int64_t id; numbers >> id;) ids.push_back(id);
        return ids;
    }
    return {};
}

std::vector<int64_t> row(const torch::Tensor& ids, int64_t i) {
    const auto r = ids[i].contiguous();
    return std::vector<int64_t>(r.data_ptr<int64_t>(), r.data_ptr<int64_t>() + r.numel());
}

// k = 3 directions of seed 1 at t = 500 under "a photo of a cat" (10 steps), written to `out`.
test::CommandResult findCatBasis(const std::string& model, const std::string& out) {
    return runCli("basis --model " + model + " --seed 1 --steps 10 --t 500 --k 3 --prompt \"a photo of a cat\" --out " +
                  out);
}

class StableDiffusionCli : public ::testing::TestWithParam<std::string> {
protected:
    void SetUp() override {
        model = fixtureDir(GetParam()).string();
        reference = std::make_unique<SafetensorsFile>(fixtureDir(GetParam()) / "reference.safetensors");
    }
    std::string model;
    std::unique_ptr<SafetensorsFile> reference;
};

TEST_P(StableDiffusionCli, InfoListsTheComponents) {
    const auto result = runCli("info " + model);
    ASSERT_EQ(result.exitCode, 0) << result.output;
    for (const char* part : {"UNet2DConditionModel, 1427012 parameters", "AutoencoderKL, 658375 parameters",
                             "CLIPTextModel, 1617529 parameters", "latent 4 x 16 x 16", "3 x 32 x 32",
                             "h (mid):     64 x 8 x 8"}) {
        EXPECT_NE(result.output.find(part), std::string::npos) << part << " missing in\n" << result.output;
    }
}

TEST_P(StableDiffusionCli, TokenizeAndEncodePromptMatchTheFixture) {
    const auto ids = reference->tensor("token_ids");
    // prompts[2], [6] and [12] of fixture.json: punctuation, an apostrophe and an over-long prompt.
    const std::vector<std::pair<int64_t, std::string>> prompts = {
        {2, "hello, world!"},
        {6, "it's a dog's life, isn't it?"},
        {1, "a photo of a cat"},
    };
    for (const auto& [index, prompt] : prompts) {
        const auto result = runCli("tokenize --model " + model + " --prompt \"" + prompt + "\"");
        ASSERT_EQ(result.exitCode, 0) << result.output;
        EXPECT_EQ(idsIn(result.output), row(ids, index)) << prompt;
    }
    test::TempDir dir;
    const auto out = dir / "emb.npy";
    const auto result = runCli("encode-prompt --model " + model + " --dtype float64 --prompt \"a photo of a cat\" --out " +
                               out.string());
    ASSERT_EQ(result.exitCode, 0) << result.output;
    const auto embeddings = readNpy(out);
    ASSERT_EQ(embeddings.sizes().vec(), (std::vector<int64_t>{77, 32}));
    EXPECT_LE(relativeError(embeddings, reference->tensor("text_emb")[1]), 1e-6);
}

TEST_P(StableDiffusionCli, GuidedDenoiseAndPromptedInversionMatchDiffusers) {
    test::TempDir dir;
    const auto trajectory = reference->tensor("ddim10_traj");
    writeNpy(dir / "zT.npy", trajectory[0]);
    const auto timesteps = reference->tensor("ddim10_timesteps");
    const auto start = std::to_string(timesteps[0].item<int64_t>());
    // Guidance 7.5 and the empty negative prompt are the defaults.
    const auto denoise = runCli("denoise --model " + model + " --in " + (dir / "zT.npy").string() + " --t " + start +
                                " --steps 10 --prompt \"a photo of a cat\" --out " + (dir / "x0.npy").string() +
                                " --latents " + (dir / "traj.npy").string());
    ASSERT_EQ(denoise.exitCode, 0) << denoise.output;
    const auto ours = readNpy(dir / "traj.npy");
    ASSERT_EQ(ours.size(0), trajectory.size(0));
    for (int64_t k = 0; k < trajectory.size(0); ++k) {
        EXPECT_LE(relativeError(ours[k], trajectory[k]), kFloat32Tolerance) << "row " << k;
    }
    // The .npy output is the decoded image before any clamping.
    EXPECT_LE(relativeError(readNpy(dir / "x0.npy"), reference->tensor("ddim10_image")), kFloat32Tolerance);

    const auto inversion = reference->tensor("inv10_traj");
    writeNpy(dir / "z0.npy", inversion[0]);
    const auto target = reference->tensor("inv10_timesteps")[-1].item<int64_t>();
    const auto invert = runCli("invert --model " + model + " --in " + (dir / "z0.npy").string() + " --t " +
                               std::to_string(target) + " --steps 10 --prompt \"a photo of a cat\" --out " +
                               (dir / "zt.npy").string() + " --latents " + (dir / "inv.npy").string());
    ASSERT_EQ(invert.exitCode, 0) << invert.output;
    const auto inverted = readNpy(dir / "inv.npy");
    ASSERT_EQ(inverted.size(0), inversion.size(0));
    for (int64_t k = 0; k < inversion.size(0); ++k) {
        EXPECT_LE(relativeError(inverted[k], inversion[k]), kFloat32Tolerance) << "row " << k;
    }
}

INSTANTIATE_TEST_SUITE_P(Fixtures, StableDiffusionCli, ::testing::ValuesIn(test::pipelineFixtureNames()),
                         test::fixtureTestName);

// basis on an SD pipeline: J = ∂h/∂z_t under the prompt's embedding, no guidance. From the
// fixture's z[0] at t = 500 with the fixture's prompt, σ matches the exact dense-Jacobian SVD
// (jac_t500_sigma) within 1e-3; --edit-prompt takes J under another prompt (another id, other σ).
TEST_P(StableDiffusionCli, BasisOfAPromptMatchesTheExactSvd) {
    test::TempDir dir;
    writeNpy(dir / "z.npy", reference->tensor("z").slice(0, 0, 1).to(torch::kFloat32));
    const auto common = "basis --model " + model + " --xt " + (dir / "z.npy").string() + " --t 500 --k 5 ";
    auto result = runCli(common + "--prompt \"a photo of a cat\" --out " + (dir / "cat").string());
    ASSERT_EQ(result.exitCode, 0) << result.output;
    const auto sigma = readNpy(dir / "cat" / "sigma.npy").to(torch::kFloat64);
    const auto exact = reference->tensor("jac_t500_sigma").slice(0, 0, 5);
    EXPECT_LE(((sigma - exact).abs() / exact).max().item<double>(), 1e-3);
    const auto json = test::readJson(dir / "cat" / "basis.json");
    // The basis records the prompt J was taken under: the prompt alone, guidance 1.
    EXPECT_EQ(json.at("conditioning").get<std::string>(), Conditioning::idFor("a photo of a cat", "", 1.0));

    result = runCli(common + "--prompt \"a photo of a cat\" --edit-prompt \"a dog\" --out " + (dir / "dog").string());
    ASSERT_EQ(result.exitCode, 0) << result.output;
    EXPECT_NE(test::readJson(dir / "dog" / "basis.json").at("conditioning"), json.at("conditioning"));
    EXPECT_GT(relativeError(readNpy(dir / "dog" / "sigma.npy").to(torch::kFloat64), sigma), 1e-3);

    // x_t from a seed: the guided generation with the prompt, descended to t.
    result = runCli("basis --model " + model + " --seed 3 --steps 10 --t 500 --k 3 --prompt \"a photo of a cat\" --out " +
                    (dir / "seed").string());
    ASSERT_EQ(result.exitCode, 0) << result.output;
    EXPECT_EQ(readNpy(dir / "seed" / "v.npy").sizes().vec(), (std::vector<int64_t>{3, 4, 16, 16}));
}

// edit and traverse with an SD basis: α = 0 denoises x_t exactly as `denoise` does with the same
// prompt and guidance; α ≠ 0 (linear or the paper's guidance, γ = 1, 16 iterations) changes the
// image; the frames are VAE-decoded images; a basis of another prompt is refused by name.
TEST(StableDiffusionCliEdit, EditAndTraverseUseThePromptTheBasisWasFoundUnder) {
    const auto model = fixtureDir("sd1-tiny").string();
    test::TempDir dir;
    const auto basis = (dir / "b").string();
    ASSERT_EQ(findCatBasis(model, basis).exitCode, 0);
    const auto prompt = std::string(" --prompt \"a photo of a cat\" --guidance 3 --steps 10 ");
    auto result = runCli("edit --model " + model + " --basis " + basis + " --dir 0 --alpha 0" + prompt + "--out " +
                         (dir / "zero.npy").string());
    ASSERT_EQ(result.exitCode, 0) << result.output;
    ASSERT_EQ(runCli("denoise --model " + model + " --in " + basis + "/xt.npy --t 500" + prompt + "--out " +
                     (dir / "plain.npy").string())
                  .exitCode,
              0);
    const auto zero = readNpy(dir / "zero.npy");
    EXPECT_EQ(zero.sizes().vec(), (std::vector<int64_t>{1, 3, 32, 32}));  // the decoded image
    EXPECT_LE(relativeError(zero, readNpy(dir / "plain.npy")), 1e-6);
    for (const char* mode : {"linear", "guidance"}) {
        const auto out = dir / (std::string(mode) + ".npy");
        result = runCli("edit --model " + model + " --basis " + basis + " --dir 0 --alpha 2 --mode " + mode + prompt +
                        "--out " + out.string());
        ASSERT_EQ(result.exitCode, 0) << mode << ": " << result.output;
        EXPECT_GT(relativeError(readNpy(out), zero), 1e-3) << mode;
    }
    result = runCli("traverse --model " + model + " --basis " + basis + " --dir 1 --frames 3 --upscale 1" + prompt +
                    "--out " + (dir / "strip.png").string());
    ASSERT_EQ(result.exitCode, 0) << result.output;
    EXPECT_TRUE(fs::exists(dir / "strip.png"));

    expectCleanError(runCli("edit --model " + model + " --basis " + basis + " --dir 0 --alpha 1 --prompt \"a dog\" --out " +
                            (dir / "x.npy").string()),
                     "found under another prompt");
    EXPECT_FALSE(fs::exists(dir / "x.npy"));

    // Without prompt flags, edit uses the prompts basis.json recorded: "a photo of a cat" at the
    // default guidance 7.5, as the basis's x_t was sampled.
    const auto prompts = test::readJson(dir / "b" / "basis.json").at("prompts");
    EXPECT_EQ(prompts.at("sampling"), "a photo of a cat");
    EXPECT_EQ(prompts.at("jacobian"), "a photo of a cat");
    EXPECT_EQ(prompts.at("guidance"), 7.5);
    result = runCli("edit --model " + model + " --basis " + basis + " --dir 0 --alpha 0 --steps 10 --out " +
                    (dir / "recorded.npy").string());
    ASSERT_EQ(result.exitCode, 0) << result.output;
    EXPECT_NE(result.output.find("using the basis's prompt \"a photo of a cat\""), std::string::npos) << result.output;
    ASSERT_EQ(runCli("denoise --model " + model + " --in " + basis + "/xt.npy --t 500 --prompt \"a photo of a cat\" "
                     "--steps 10 --out " + (dir / "guided.npy").string())
                  .exitCode,
              0);
    EXPECT_LE(relativeError(readNpy(dir / "recorded.npy"), readNpy(dir / "guided.npy")), 1e-6);
}

// transport on SD: B is sampled under the prompt, B's basis found under the prompt A's basis was
// found under (its conditioning id), the previews are decoded images; another prompt is refused.
TEST(StableDiffusionCliEdit, TransportUsesThePromptTheBasisWasFoundUnder) {
    const auto model = fixtureDir("sd1-tiny").string();
    test::TempDir dir;
    const auto basis = (dir / "b").string();
    ASSERT_EQ(findCatBasis(model, basis).exitCode, 0);
    auto result = runCli("transport --model " + model + " --from " + basis + " --to-seed 2 --dir 0 --steps 10 --prompt " +
                         "\"a photo of a cat\" --guidance 3 --out " + (dir / "moved").string());
    ASSERT_EQ(result.exitCode, 0) << result.output;
    EXPECT_EQ(test::readJson(dir / "moved" / "basis" / "basis.json").at("conditioning"),
              test::readJson(dir / "b" / "basis.json").at("conditioning"));
    EXPECT_EQ(readNpy(dir / "moved" / "direction.npy").sizes().vec(), (std::vector<int64_t>{4, 16, 16}));
    EXPECT_TRUE(fs::exists(dir / "moved" / "edit.png"));  // −α, 0, +α of B, VAE-decoded
    expectCleanError(runCli("transport --model " + model + " --from " + basis + " --to-seed 2 --steps 10 --prompt \"a dog\" "
                            "--out " + (dir / "x").string()),
                     "found under another prompt");
    EXPECT_FALSE(fs::exists(dir / "x"));
    expectCleanError(runCli("transport --from " + basis + " --to-seed 2 --prompt cat --out " + (dir / "y").string()),
                     "another shape");
}

TEST(StableDiffusionCliSample, PromptAndSizeMakeImages) {
    test::TempDir dir;
    const auto model = fixtureDir("sd1-tiny").string();
    const auto cat = runCli("sample --model " + model + " --prompt \"a photo of a cat\" --steps 5 --out " +
                            (dir / "cat.png").string() + " --noise-out " + (dir / "noise.npy").string());
    ASSERT_EQ(cat.exitCode, 0) << cat.output;
    const auto image = readImage(dir / "cat.png", 3, 32);
    EXPECT_EQ(image.pixels.sizes().vec(), (std::vector<int64_t>{3, 32, 32}));
    EXPECT_EQ(readNpy(dir / "noise.npy").sizes().vec(), (std::vector<int64_t>{1, 4, 16, 16}));
    // Another size: a 48 px image from 24² latents; the .npy is the decoded image.
    const auto large = runCli("sample --model " + model + " --prompt cat --guidance 3 --steps 5 --size 48 --count 2 "
                              "--out " + (dir / "large.npy").string());
    ASSERT_EQ(large.exitCode, 0) << large.output;
    EXPECT_EQ(readNpy(dir / "large.npy").sizes().vec(), (std::vector<int64_t>{2, 3, 48, 48}));
    // The prompt matters: another prompt, the same seed, another image.
    const auto dog = runCli("sample --model " + model + " --prompt \"a photo of a dog\" --steps 5 --out " +
                            (dir / "dog.npy").string());
    const auto cat2 = runCli("sample --model " + model + " --prompt \"a photo of a cat\" --steps 5 --out " +
                             (dir / "cat.npy").string());
    ASSERT_EQ(dog.exitCode, 0) << dog.output;
    ASSERT_EQ(cat2.exitCode, 0) << cat2.output;
    EXPECT_GT(relativeError(readNpy(dir / "dog.npy"), readNpy(dir / "cat.npy")), 1e-3);
}

TEST(StableDiffusionCliSample, BadPromptAndSizeInputsAreOneLineErrors) {
    const auto model = fixtureDir("sd1-tiny").string();
    expectCleanError(runCli("sample --model " + model + " --size 30"), "multiple of 4");
    expectCleanError(runCli("sample --prompt \"a shoe\""), "unconditional");
    expectCleanError(runCli("sample --guidance 3"), "unconditional");
    test::TempDir out;
    expectCleanError(runCli("basis --seed 0 --prompt \"a shoe\" --out " + (out / "b").string()), "unconditional");
    expectCleanError(runCli("basis --seed 0 --edit-prompt \"a shoe\" --out " + (out / "b").string()), "takes no prompt");
    EXPECT_FALSE(fs::exists(out / "b"));
    expectCleanError(runCli("tokenize --prompt x"), "no tokenizer");
    expectCleanError(runCli("encode-prompt --prompt x"), "no text encoder");
    expectCleanError(runCli("sample --model " + model + " --dtype float16"), "CUDA only");
    test::TempDir dir;
    writeNpy(dir / "odd.npy", torch::zeros({1, 4, 9, 16}));
    expectCleanError(runCli("denoise --model " + model + " --in " + (dir / "odd.npy").string()), "multiples of 2");
}

}  // namespace
}  // namespace latentlens
