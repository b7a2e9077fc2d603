// Stable Diffusion pipeline folders (../shared/fixtures/sd1-tiny, sd2-tiny) loaded as one
// DiffusionPipeline, against diffusers' float64 references (fixture.json): the prompt's token ids
// (exact) and embeddings, the 10-step classifier-free-guided DDIM trajectory (guidance 7.5,
// negative prompt ""), its decoded image, the VAE latent of vae_x and the 10-step inversion with
// the prompt (guidance 1). Tolerances: relative error per trajectory row ≤ 1e-6 in float64 (the
// references round the DDIM coefficients through float32 exactly as we do), ≤ 1e-4 in float32.
// Then what a bad folder gives: one line naming the file at fault.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include "core/Error.h"
#include "core/model/SafetensorsFile.h"
#include "core/pipeline/DiffusionPipeline.h"
#include "core/pipeline/PipelineLoader.h"
#include "core/sampling/DdimSampler.h"
#include "support/TestSupport.h"

namespace latentlens {
namespace {

namespace fs = std::filesystem;
using test::fixtureDir;
using test::relativeError;

constexpr double kFloat64Tolerance = 1e-6;
constexpr double kFloat32Tolerance = 1e-4;
constexpr double kGuidance = 7.5;  // fixture.json: ddim10_traj
const char* const kPrompt = "a photo of a cat";  // prompts[1]

using test::readJson;
using test::writeJson;

// The largest row error of a trajectory against its reference, recorded for the test report
// (--gtest_output=xml) and checked against `tolerance` row by row.
void expectTrajectory(const torch::Tensor& actual, const torch::Tensor& expected, double tolerance,
                      const std::string& name) {
    ASSERT_EQ(actual.size(0), expected.size(0));
    double worst = 0.0;
    for (int64_t k = 0; k < expected.size(0); ++k) {
        const double error = relativeError(actual[k][0], expected[k]);
        worst = std::max(worst, error);
        EXPECT_LE(error, tolerance) << name << " row " << k;
    }
    test::recordError(name, worst);
}

// Float64 throughout, softmax included (the references switch diffusers' float32 upcasts off).
ModelOptions float64Options() {
    ModelOptions options;
    options.dtype = torch::kFloat64;
    options.softmaxInFloat32 = false;
    return options;
}

// A copy of a fixture pipeline folder to break.
fs::path copyFixture(const std::string& name, const test::TempDir& dir) {
    const auto target = dir / name;
    fs::copy(fixtureDir(name), target, fs::copy_options::recursive);
    fs::remove(target / "reference.safetensors");
    return target;
}

class StableDiffusionFixture : public ::testing::TestWithParam<std::string> {
protected:
    void SetUp() override {
        reference = std::make_unique<SafetensorsFile>(fixtureDir(GetParam()) / "reference.safetensors");
        fixture = readJson(fixtureDir(GetParam()) / "fixture.json");
    }
    std::vector<int64_t> ints(const std::string& key) const {
        const auto t = reference->tensor(key).contiguous();
        return std::vector<int64_t>(t.data_ptr<int64_t>(), t.data_ptr<int64_t>() + t.numel());
    }
    std::unique_ptr<SafetensorsFile> reference;
    nlohmann::json fixture;
};

TEST_P(StableDiffusionFixture, LoadsAsALatentTextConditionedPipeline) {
    auto pipeline = DiffusionPipeline::load(fixtureDir(GetParam()));
    EXPECT_EQ(pipeline->denoiser().className(), "UNet2DConditionModel");
    EXPECT_EQ(pipeline->latentShape(), (std::vector<int64_t>{4, 16, 16}));
    EXPECT_EQ(pipeline->imageShape(), (std::vector<int64_t>{3, 32, 32}));
    EXPECT_EQ(pipeline->codec().downsamplingFactor(), 2);
    ASSERT_NE(pipeline->textEncoder(), nullptr);
    EXPECT_EQ(pipeline->textEncoder()->embeddingShape(), (std::vector<int64_t>{77, 32}));
    EXPECT_EQ(pipeline->parameterCount(), fixture["params"]["unet"].get<int64_t>());
    EXPECT_EQ(pipeline->codec().parameterCount(), fixture["params"]["vae"].get<int64_t>());
    EXPECT_EQ(pipeline->textEncoder()->parameterCount(), fixture["params"]["text_encoder"].get<int64_t>());
    EXPECT_EQ(pipeline->denoiser().defaultFeatureBlock(), BlockId::mid());
    EXPECT_EQ(pipeline->denoiser().featureShape(BlockId::mid()), fixture["h_shape"].get<std::vector<int64_t>>());
    EXPECT_EQ(pipeline->scheduler().config().predictionType, fixture["config"]["scheduler"]["prediction_type"]);
    const auto text = pipeline->describe();
    for (const char* part : {"UNet2DConditionModel", "AutoencoderKL", "CLIPTextModel", "DDIMScheduler"}) {
        EXPECT_NE(text.find(part), std::string::npos) << part << " missing in\n" << text;
    }
}

TEST_P(StableDiffusionFixture, PromptsTokenizeAndEncodeAsDiffusers) {
    auto pipeline = DiffusionPipeline::load(fixtureDir(GetParam()), float64Options());
    const auto ids = reference->tensor("token_ids");
    const auto embeddings = reference->tensor("text_emb");
    const auto prompts = fixture["prompts"].get<std::vector<std::string>>();
    for (size_t i = 0; i < prompts.size(); ++i) {
        const auto row = ids[static_cast<int64_t>(i)].contiguous();
        EXPECT_EQ(pipeline->textEncoder()->tokenIds(prompts[i]),
                  std::vector<int64_t>(row.data_ptr<int64_t>(), row.data_ptr<int64_t>() + row.numel()))
            << "prompt " << i;
    }
    for (int64_t i : {0, 1, 12}) {
        const auto encoded = pipeline->textEncoder()->encode(prompts[static_cast<size_t>(i)]);
        ASSERT_EQ(encoded.sizes(), (std::vector<int64_t>{1, 77, 32}));
        EXPECT_LE(relativeError(encoded[0], embeddings[i]), kFloat64Tolerance) << "prompt " << i;
    }
    const auto conditioning = pipeline->condition(kPrompt, "", kGuidance);
    EXPECT_LE(relativeError(conditioning.embeddings[0], embeddings[1]), kFloat64Tolerance);
    EXPECT_LE(relativeError(conditioning.unconditionalEmbeddings[0], embeddings[0]), kFloat64Tolerance);
    EXPECT_TRUE(conditioning.needsGuidance());
    EXPECT_EQ(conditioning.id, Conditioning::idFor(kPrompt, "", kGuidance));
    EXPECT_EQ(conditioning.id.size(), 16u);
    // Guidance 1 runs the prompt alone.
    EXPECT_FALSE(pipeline->condition(kPrompt).needsGuidance());
    // A remembered prompt comes back as a copy: a caller's change to it does not reach the next
    // caller; after more other prompts than are remembered it is encoded again, the same.
    auto changed = pipeline->textEncoder()->encode(kPrompt);
    changed.zero_();
    EXPECT_LE(relativeError(pipeline->textEncoder()->encode(kPrompt)[0], embeddings[1]), kFloat64Tolerance);
    for (const auto& prompt : prompts) pipeline->textEncoder()->encode(prompt + " (other)");
    EXPECT_LE(relativeError(pipeline->textEncoder()->encode(kPrompt)[0], embeddings[1]), kFloat64Tolerance);
}

TEST_P(StableDiffusionFixture, GuidedDdim10TrajectoryAndImageMatchDiffusers) {
    for (const bool float64 : {true, false}) {
        SCOPED_TRACE(float64 ? "float64" : "float32");
        const double tolerance = float64 ? kFloat64Tolerance : kFloat32Tolerance;
        auto pipeline = DiffusionPipeline::load(fixtureDir(GetParam()), float64 ? float64Options() : ModelOptions{});
        const auto options = pipeline->tensorOptions();
        EXPECT_EQ(pipeline->scheduler().timesteps(10), ints("ddim10_timesteps"));
        const auto conditioning = pipeline->condition(kPrompt, "", kGuidance);
        DdimSampler sampler(*pipeline, 10, std::nullopt, conditioning);
        const auto expected = reference->tensor("ddim10_traj");
        torch::NoGradGuard noGrad;
        const auto run = sampler.sample(expected.slice(0, 0, 1).to(options), 0.0, 0, /*keepTrajectory=*/true);
        expectTrajectory(run.trajectory, expected, tolerance, float64 ? "ddim10_traj_f64" : "ddim10_traj_f32");
        const auto image = pipeline->codec().decode(run.result);
        EXPECT_LE(relativeError(image, reference->tensor("ddim10_image")), tolerance);
    }
}

TEST_P(StableDiffusionFixture, ImageEncodesAndInvertsWithItsPromptAsDiffusers) {
    auto pipeline = DiffusionPipeline::load(fixtureDir(GetParam()), float64Options());
    EXPECT_EQ(pipeline->scheduler().inverseTimesteps(10), ints("inv10_timesteps"));
    torch::NoGradGuard noGrad;
    const auto latent = pipeline->codec().encode(reference->tensor("vae_x"));
    const auto expected = reference->tensor("inv10_traj");
    EXPECT_LE(relativeError(latent[0], expected[0]), kFloat64Tolerance);
    // A posterior sample is seeded: the same seed, the same latent; near the mean (std ≤ e^(1.6/2)).
    const auto sampled = pipeline->codec().encodeSampled(reference->tensor("vae_x"), 7);
    EXPECT_TRUE(torch::equal(sampled, pipeline->codec().encodeSampled(reference->tensor("vae_x"), 7)));
    EXPECT_FALSE(torch::equal(sampled, latent));

    DdimSampler sampler(*pipeline, 10, std::nullopt, pipeline->condition(kPrompt));
    const auto run = sampler.invert(latent, ints("inv10_timesteps").back(), /*keepTrajectory=*/true);
    expectTrajectory(run.trajectory, expected, kFloat64Tolerance, "inv10_traj_f64");
}

TEST_P(StableDiffusionFixture, Fp16VariantLoadsTheSameNetworkAsItsFloat32Twin) {
    test::TempDir dir;
    const auto root = copyFixture(GetParam(), dir);
    // The twin: every UNet weight rounded to float16, stored once as F16 (the variant) and once
    // widened back to F32 (the plain file): both must give the same ε.
    std::vector<std::pair<std::string, torch::Tensor>> half;
    std::vector<std::pair<std::string, torch::Tensor>> widened;
    for (const auto& [name, tensor] : test::readAllTensors(root / "unet" / "diffusion_pytorch_model.safetensors")) {
        const auto rounded = tensor.to(torch::kFloat16);
        half.emplace_back(name, rounded);
        widened.emplace_back(name, rounded.to(torch::kFloat32));
    }
    writeSafetensors(root / "unet" / "diffusion_pytorch_model.fp16.safetensors", half);
    writeSafetensors(root / "unet" / "diffusion_pytorch_model.safetensors", widened);
    ModelOptions fp16 = float64Options();
    fp16.variant = "fp16";
    auto fromHalf = DiffusionPipeline::load(root, fp16);
    auto fromFloat = DiffusionPipeline::load(root, float64Options());
    EXPECT_EQ(fromHalf->folder().weights.filename(), "diffusion_pytorch_model.fp16.safetensors");
    EXPECT_EQ(fromFloat->folder().weights.filename(), "diffusion_pytorch_model.safetensors");
    torch::NoGradGuard noGrad;
    const auto z = reference->tensor("z");
    const auto conditioning = fromFloat->condition(kPrompt);
    const auto expected = fromFloat->denoiser().predict(z, 500, conditioning);
    EXPECT_LE(relativeError(fromHalf->denoiser().predict(z, 500, conditioning), expected), 1e-12);
    // And it differs from the unrounded network (the rounding is real).
    auto original = DiffusionPipeline::load(fixtureDir(GetParam()), float64Options());
    EXPECT_GT(relativeError(original->denoiser().predict(z, 500, conditioning), expected), 1e-7);
}

INSTANTIATE_TEST_SUITE_P(Fixtures, StableDiffusionFixture, ::testing::ValuesIn(test::pipelineFixtureNames()),
                         test::fixtureTestName);

TEST(StableDiffusionPipeline, TheDenoiserNeedsAPromptAndGuidanceIsTheSamplersBusiness) {
    auto pipeline = DiffusionPipeline::load(fixtureDir("sd1-tiny"));
    const auto z = torch::randn({1, 4, 16, 16});
    torch::NoGradGuard noGrad;
    EXPECT_THROW(pipeline->denoiser().predict(z, 500), Error);
    EXPECT_THROW(pipeline->denoiser().predict(z, 500, pipeline->condition("a cat", "", 3.0)), Error);
    // Guidance batches both passes into one call and equals ε_u + s (ε_c − ε_u).
    const auto guided = pipeline->noisePredictor(pipeline->condition("a cat", "a dog", 3.0))->predict(z, 500);
    const auto conditional = pipeline->denoiser().predict(z, 500, pipeline->condition("a cat"));
    const auto unconditional = pipeline->denoiser().predict(z, 500, pipeline->condition("a dog"));
    EXPECT_LE(relativeError(guided, unconditional + 3.0 * (conditional - unconditional)), 1e-5);
}

TEST(StableDiffusionPipeline, LatentsOfOtherSizesSampleAndDecode) {
    auto pipeline = DiffusionPipeline::load(fixtureDir("sd1-tiny"));
    torch::NoGradGuard noGrad;
    const auto conditioning = pipeline->condition(kPrompt, "", kGuidance);
    const auto epsilon = pipeline->noisePredictor(conditioning)->predict(torch::randn({2, 4, 8, 12}), 300);
    EXPECT_EQ(epsilon.sizes(), (std::vector<int64_t>{2, 4, 8, 12}));
    EXPECT_EQ(pipeline->codec().decode(epsilon).sizes(), (std::vector<int64_t>{2, 3, 16, 24}));
}

TEST(StableDiffusionPipeline, BrokenFoldersNameTheFileAtFault) {
    test::TempDir dir;
    const auto root = copyFixture("sd1-tiny", dir);
    const auto index = readJson(root / "model_index.json");

    // A missing component file.
    fs::rename(root / "vae" / "config.json", root / "vae" / "config.moved");
    test::expectError(root / "vae" / "config.json", "missing", [&] { PipelineLoader::load(root); });
    fs::rename(root / "vae" / "config.moved", root / "vae" / "config.json");
    fs::rename(root / "tokenizer" / "merges.txt", root / "tokenizer" / "merges.moved");
    test::expectError(root / "tokenizer" / "merges.txt", "missing", [&] { PipelineLoader::load(root); });
    fs::rename(root / "tokenizer" / "merges.moved", root / "tokenizer" / "merges.txt");
    fs::rename(root / "text_encoder" / "model.safetensors", root / "text_encoder" / "model.moved");
    test::expectError(root / "text_encoder", "no model.safetensors", [&] { PipelineLoader::load(root); });
    fs::rename(root / "text_encoder" / "model.moved", root / "text_encoder" / "model.safetensors");

    // Other pipeline classes, components and component classes are refused by name.
    auto changed = index;
    changed["_class_name"] = "StableDiffusionXLPipeline";
    writeJson(root / "model_index.json", changed);
    test::expectError(root / "model_index.json", "StableDiffusionXLPipeline is not supported",
                      [&] { PipelineLoader::load(root); });
    changed = index;
    changed["text_encoder_2"] = {"transformers", "CLIPTextModelWithProjection"};
    writeJson(root / "model_index.json", changed);
    test::expectError(root / "model_index.json", "text_encoder_2", [&] { PipelineLoader::load(root); });
    changed = index;
    changed["vae"] = {"diffusers", "AutoencoderTiny"};
    writeJson(root / "model_index.json", changed);
    test::expectError(root / "model_index.json", "AutoencoderTiny", [&] { PipelineLoader::load(root); });
    changed = index;
    changed.erase("tokenizer");
    writeJson(root / "model_index.json", changed);
    test::expectError(root / "model_index.json", "tokenizer", [&] { PipelineLoader::load(root); });
    std::ofstream(root / "model_index.json") << "{ not json";
    test::expectError(root / "model_index.json", "", [&] { PipelineLoader::load(root); });
    writeJson(root / "model_index.json", index);

    // Weights of the wrong shape: the strict loader names the file and the key.
    {
        auto config = readJson(root / "unet" / "config.json");
        config["block_out_channels"] = {32, 96};
        writeJson(root / "unet" / "config.json", config);
        test::expectError(root / "unet" / "diffusion_pytorch_model.safetensors", "does not match",
                          [&] { PipelineLoader::load(root); });
        config["block_out_channels"] = {32, 64};
        writeJson(root / "unet" / "config.json", config);
    }
    // A text encoder whose width the UNet does not take.
    {
        auto config = readJson(root / "unet" / "config.json");
        config["cross_attention_dim"] = 48;
        writeJson(root / "unet" / "config.json", config);
        EXPECT_THROW(PipelineLoader::load(root), Error);
        config["cross_attention_dim"] = 32;
        writeJson(root / "unet" / "config.json", config);
    }
    // Bad tokenizer files.
    std::ofstream(root / "tokenizer" / "vocab.json") << "[1, 2, 3]";
    test::expectError(root / "tokenizer" / "vocab.json", "", [&] { PipelineLoader::load(root); });
    fs::copy_file(fixtureDir("sd1-tiny") / "tokenizer" / "vocab.json", root / "tokenizer" / "vocab.json",
                  fs::copy_options::overwrite_existing);
    // A scheduler with no beta schedule.
    writeJson(root / "scheduler" / "scheduler_config.json", {{"_class_name", "FlowMatchEulerDiscreteScheduler"}});
    test::expectError(root / "scheduler" / "scheduler_config.json", "FlowMatchEulerDiscreteScheduler",
                      [&] { PipelineLoader::load(root); });
    fs::copy_file(fixtureDir("sd1-tiny") / "scheduler" / "scheduler_config.json",
                  root / "scheduler" / "scheduler_config.json", fs::copy_options::overwrite_existing);
    // Repaired, it loads; a lone UNet2DConditionModel folder asks for its pipeline.
    EXPECT_NO_THROW(PipelineLoader::load(root));
    test::expectError(root / "unet", "pipeline", [&] { PipelineLoader::load(root / "unet"); });
}

TEST(StableDiffusionPipeline, HalfPrecisionRunsOnCudaOnly) {
    ModelOptions options;
    options.dtype = torch::kFloat16;
    test::expectError(fixtureDir("sd1-tiny"), "CUDA only", [&] { PipelineLoader::load(fixtureDir("sd1-tiny"), options); });
    options.dtype = torch::kBFloat16;
    test::expectError(fixtureDir("sd1-tiny"), "CUDA only", [&] { PipelineLoader::load(fixtureDir("sd1-tiny"), options); });
}

}  // namespace
}  // namespace latentlens
