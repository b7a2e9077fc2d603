// AutoencoderKL (the Stable Diffusion VAE) against diffusers' own float64 outputs in
// ../shared/fixtures/sd*-tiny/reference.safetensors (fixture.json): vae_mean and vae_logvar of
// AutoencoderKL.encode(vae_x).latent_dist, vae_dec = AutoencoderKL.decode(z / scaling_factor).
// The reference switched the mid-block attentions' upcast_softmax off (in float64 it would round
// the scores to float32), so the float64 tests run the softmax in float64 too.
// Tolerances: relative error ≤ 1e-6 in float64, ≤ 1e-4 in float32.
#include <algorithm>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include <ATen/CPUGeneratorImpl.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include "core/Error.h"
#include "core/model/AutoencoderKL.h"
#include "core/model/SafetensorsFile.h"
#include "support/TestSupport.h"

namespace latentlens {
namespace {

namespace fs = std::filesystem;
using test::expectError;
using test::fixtureDir;
using test::relativeError;

constexpr double kFloat64Tolerance = 1e-6;
constexpr double kFloat32Tolerance = 1e-4;
constexpr int64_t kTinyVaeParameters = 658375;         // fixture.json params.vae
constexpr int64_t kStableDiffusionVaeParameters = 83653863;  // SD 1.x / 2.x AutoencoderKL

const fs::path kWeightsName = "diffusion_pytorch_model.safetensors";

using test::readJson;
using test::recordError;
using test::writeJson;

// A VAE folder in `dir`: the fixture's config.json and the given tensors.
void writeVaeFolder(const fs::path& dir, const std::string& fixture,
                    const std::vector<std::pair<std::string, torch::Tensor>>& tensors) {
    fs::copy_file(fixtureDir(fixture) / "vae" / "config.json", dir / "config.json");
    writeSafetensors(dir / kWeightsName, tensors);
}

class AutoencoderKLParity : public ::testing::TestWithParam<std::string> {
protected:
    fs::path vaeDir() const { return fixtureDir(GetParam()) / "vae"; }
    AutoencoderKL load(c10::ScalarType dtype) const { return loadAutoencoderKL(vaeDir(), dtype); }
    // The float64 reference setting: softmax in float64 (diffusers' upcast switched off).
    AutoencoderKL loadFloat64Reference() const {
        auto vae = load(torch::kFloat64);
        vae->setSoftmaxInFloat32(false);
        return vae;
    }
    torch::Tensor reference(const std::string& key) const {
        SafetensorsFile file(fixtureDir(GetParam()) / "reference.safetensors");
        return file.tensor(key).clone();
    }
};

TEST_P(AutoencoderKLParity, PosteriorAndDecodeMatchDiffusersInFloat64) {
    auto vae = loadFloat64Reference();
    EXPECT_EQ(vae->parameterCount(), kTinyVaeParameters);
    EXPECT_DOUBLE_EQ(vae->scalingFactor(), 0.18215);
    torch::NoGradGuard noGrad;
    const auto posterior = vae->encode(reference("vae_x"));
    EXPECT_EQ(posterior.mean().scalar_type(), torch::kFloat64);
    const double meanError = relativeError(posterior.mean(), reference("vae_mean"));
    const double logvarError = relativeError(posterior.logvar(), reference("vae_logvar"));
    EXPECT_LE(meanError, kFloat64Tolerance);
    EXPECT_LE(logvarError, kFloat64Tolerance);
    // vae_dec is decode(z / scaling_factor): decode() takes the unscaled latent.
    const auto z = reference("z");
    const double decodeError = relativeError(vae->decode(z / vae->scalingFactor()), reference("vae_dec"));
    EXPECT_LE(decodeError, kFloat64Tolerance);
    recordError("float64_rel_error_mean", meanError);
    recordError("float64_rel_error_logvar", logvarError);
    recordError("float64_rel_error_dec", decodeError);
}

TEST_P(AutoencoderKLParity, PosteriorAndDecodeMatchDiffusersInFloat32) {
    auto vae = load(torch::kFloat32);
    torch::NoGradGuard noGrad;
    const auto posterior = vae->encode(reference("vae_x").to(torch::kFloat32));
    EXPECT_EQ(posterior.mean().scalar_type(), torch::kFloat32);
    const double meanError = relativeError(posterior.mean(), reference("vae_mean"));
    const double logvarError = relativeError(posterior.logvar(), reference("vae_logvar"));
    EXPECT_LE(meanError, kFloat32Tolerance);
    EXPECT_LE(logvarError, kFloat32Tolerance);
    const auto z = reference("z").to(torch::kFloat32);
    auto image = vae->decode(z / vae->scalingFactor());
    EXPECT_EQ(image.scalar_type(), torch::kFloat32);
    const double decodeError = relativeError(image, reference("vae_dec"));
    EXPECT_LE(decodeError, kFloat32Tolerance);
    recordError("float32_rel_error_mean", meanError);
    recordError("float32_rel_error_logvar", logvarError);
    recordError("float32_rel_error_dec", decodeError);
}

// By default the attention softmax runs in float32 as diffusers' upcast_softmax computes it: in a
// float64 model that rounds the scores, a change of the size fixture.json reports
// (info.vae_dec_if_diffusers_upcast_kept_in_float64_max_rel, about 3.5e-9).
TEST_P(AutoencoderKLParity, SoftmaxRunsInFloat32ByDefaultAsDiffusersUpcasts) {
    auto upcast = load(torch::kFloat64);
    auto exact = loadFloat64Reference();
    torch::NoGradGuard noGrad;
    const auto z = reference("z") / exact->scalingFactor();
    const auto upcastImage = upcast->decode(z);
    const auto exactImage = exact->decode(z);
    const double change = test::maxRelativeError(upcastImage, exactImage);
    const double reported =
        readJson(fixtureDir(GetParam()) / "fixture.json")["info"]["vae_dec_if_diffusers_upcast_kept_in_float64_max_rel"];
    recordError("upcast_change_max_rel", change);
    EXPECT_GT(change, reported / 10) << "the default softmax does not round like diffusers' upcast";
    EXPECT_LT(change, reported * 10);
    EXPECT_LE(relativeError(upcastImage, reference("vae_dec")), kFloat64Tolerance);
}

// The UNet works on scaling_factor · the VAE latent: fixture.json's inversion starts from
// vae_mean * scaling_factor and its DDIM image is decode(latent / scaling_factor).
TEST_P(AutoencoderKLParity, ScaledLatentsFollowThePipelineConvention) {
    auto vae = loadFloat64Reference();
    torch::NoGradGuard noGrad;
    EXPECT_LE(relativeError(vae->encodeLatent(reference("vae_x")), reference("inv10_traj")[0].unsqueeze(0)),
              kFloat64Tolerance);
    const auto finalLatent = reference("ddim10_traj").slice(0, 10, 11);
    EXPECT_LE(relativeError(vae->decodeLatent(finalLatent), reference("ddim10_image")), kFloat64Tolerance);
}

TEST_P(AutoencoderKLParity, PosteriorSampleIsMeanPlusStdTimesSeededNoise) {
    auto vae = loadFloat64Reference();
    torch::NoGradGuard noGrad;
    const auto posterior = vae->encode(reference("vae_x"));
    const auto sample = posterior.sample(uint64_t(7));
    auto generator = at::detail::createCPUGenerator(7);
    const auto noise = at::randn(posterior.mean().sizes(), generator, torch::TensorOptions().dtype(torch::kFloat64));
    EXPECT_LE(relativeError(sample, reference("vae_mean") + torch::exp(0.5 * reference("vae_logvar")) * noise),
              kFloat64Tolerance);
    EXPECT_GT(relativeError(posterior.sample(uint64_t(8)), sample), 1e-3);
    // One generator advances: two draws differ.
    auto shared = at::detail::createCPUGenerator(7);
    const auto first = posterior.sample(shared);
    EXPECT_GT(relativeError(posterior.sample(shared), first), 1e-3);
}

// Checkpoints saved before diffusers renamed the attention parameters use query/key/value/
// proj_attn; diffusers' from_pretrained renames them, and so does loadWeights.
TEST_P(AutoencoderKLParity, LegacyAttentionNamesLoadTheSameWeights) {
    const std::pair<std::string, std::string> renames[] = {
        {".to_q.", ".query."}, {".to_k.", ".key."}, {".to_v.", ".value."}, {".to_out.0.", ".proj_attn."}};
    auto tensors = test::readAllTensors(vaeDir() / kWeightsName);
    int renamed = 0;
    for (auto& [name, tensor] : tensors) {
        for (const auto& [current, legacy] : renames) {
            const auto at = name.find(current);
            if (at == std::string::npos) continue;
            name.replace(at, current.size(), legacy);
            ++renamed;
        }
    }
    EXPECT_EQ(renamed, 16);  // 8 tensors in each of the encoder's and decoder's mid-block attention
    test::TempDir dir("latentlens-vae-legacy");
    writeVaeFolder(dir.path(), GetParam(), tensors);
    auto legacy = loadAutoencoderKL(dir.path(), torch::kFloat64);
    auto current = load(torch::kFloat64);
    const auto expected = current->named_parameters();
    for (const auto& item : legacy->named_parameters()) {
        EXPECT_TRUE(torch::equal(item.value(), expected[item.key()])) << item.key();
    }
}

TEST_P(AutoencoderKLParity, HalfPrecisionCheckpointsConvertToTheModelDtype) {
    for (const auto halfType : {torch::kFloat16, torch::kBFloat16}) {
        auto tensors = test::readAllTensors(vaeDir() / kWeightsName);
        for (auto& item : tensors) item.second = item.second.to(halfType);
        test::TempDir dir("latentlens-vae-half");
        writeVaeFolder(dir.path(), GetParam(), tensors);
        auto vae = loadAutoencoderKL(dir.path(), torch::kFloat32);
        const auto loaded = vae->named_parameters();
        for (const auto& [name, tensor] : tensors) {
            ASSERT_TRUE(loaded.contains(name)) << name;
            EXPECT_EQ(loaded[name].scalar_type(), torch::kFloat32) << name;
            EXPECT_TRUE(torch::equal(loaded[name], tensor.to(torch::kFloat32))) << name;
        }
    }
}

INSTANTIATE_TEST_SUITE_P(AutoencoderKL, AutoencoderKLParity, ::testing::ValuesIn(test::pipelineFixtureNames()),
                         test::fixtureTestName);

TEST(AutoencoderKLConfigTest, ParsesTheStableDiffusion15And21BaseVaeConfigs) {
    const auto configs = test::fixturesDir().parent_path() / "configs";
    for (const char* pipeline : {"sd15", "sd21-base"}) {
        SCOPED_TRACE(pipeline);
        const auto config = AutoencoderKLConfig::load(configs / pipeline / "vae" / "config.json");
        EXPECT_EQ(config.inChannels, 3);
        EXPECT_EQ(config.outChannels, 3);
        EXPECT_EQ(config.latentChannels, 4);
        EXPECT_EQ(config.blockOutChannels, (std::vector<int64_t>{128, 256, 512, 512}));
        EXPECT_EQ(config.downBlockTypes, std::vector<std::string>(4, "DownEncoderBlock2D"));
        EXPECT_EQ(config.upBlockTypes, std::vector<std::string>(4, "UpDecoderBlock2D"));
        EXPECT_EQ(config.layersPerBlock, 2);
        EXPECT_EQ(config.normNumGroups, 32);
        EXPECT_EQ(config.actFn, "silu");
        EXPECT_DOUBLE_EQ(config.scalingFactor, 0.18215);  // sd15 states no scaling_factor: the default
        EXPECT_EQ(config.downsamplingFactor(), 8);
        EXPECT_TRUE(config.useQuantConv);
        EXPECT_TRUE(config.usePostQuantConv);
        EXPECT_TRUE(config.midBlockAddAttention);
        EXPECT_EQ(config.sampleSize, std::string(pipeline) == "sd15" ? 512 : 768);
        EXPECT_EQ(AutoencoderKL(config)->parameterCount(), kStableDiffusionVaeParameters);
    }
}

TEST(AutoencoderKLConfigTest, OptionalConvsAndMidAttentionFollowTheConfig) {
    auto json = readJson(fixtureDir("sd1-tiny") / "vae" / "config.json");
    json["use_quant_conv"] = false;
    json["use_post_quant_conv"] = false;
    json["mid_block_add_attention"] = false;
    AutoencoderKL vae(AutoencoderKLConfig::fromJson(json, "config.json"));
    for (const auto& item : vae->named_parameters()) {
        EXPECT_EQ(item.key().find("quant_conv"), std::string::npos) << item.key();
        EXPECT_EQ(item.key().find("attentions"), std::string::npos) << item.key();
    }
    torch::NoGradGuard noGrad;
    const auto posterior = vae->encode(torch::zeros({1, 3, 32, 32}));
    EXPECT_EQ(posterior.mean().sizes().vec(), (std::vector<int64_t>{1, 4, 16, 16}));
    EXPECT_EQ(vae->decode(posterior.mean()).sizes().vec(), (std::vector<int64_t>{1, 3, 32, 32}));
}

TEST(AutoencoderKLConfigTest, BadOptionsNameTheFileAndTheOption) {
    const auto good = readJson(fixtureDir("sd1-tiny") / "vae" / "config.json");
    const std::vector<std::pair<nlohmann::json, std::string>> cases = {
        {{{"_class_name", "AutoencoderTiny"}}, "\"_class_name\" is AutoencoderTiny"},
        {{{"down_block_types", {"DownEncoderBlock2D", "AttnDownEncoderBlock2D"}}},
         "\"down_block_types\" contains AttnDownEncoderBlock2D"},
        {{{"up_block_types", {"UpDecoderBlock2D"}}}, "\"up_block_types\" must have one entry per block_out_channels"},
        {{{"block_out_channels", {32, 48}}}, "\"norm_num_groups\" (32) must divide"},
        {{{"act_fn", "tanh"}}, "\"act_fn\" is tanh"},
        {{{"layers_per_block", 0}}, "\"layers_per_block\" must be positive"},
        {{{"latent_channels", "4"}}, "\"latent_channels\" must be an integer, not a string"},
        {{{"scaling_factor", 0}}, "\"scaling_factor\" must be positive"},
        {{{"force_upcast", 1}}, "\"force_upcast\" must be true or false"},
        {{{"shift_factor", 0.1159}}, "\"shift_factor\" is not supported"},
        {{{"latents_mean", {0.1, 0.2, 0.3, 0.4}}}, "\"latents_mean\" is not supported"},
        {{{"latents_std", {1.0, 1.0, 1.0, 1.0}}}, "\"latents_std\" is not supported"},
        {{{"sample_size", {32, 64}}}, "\"sample_size\" must be square"},
    };
    test::TempDir dir("latentlens-vae-config");
    const auto path = dir / "config.json";
    for (const auto& [change, fragment] : cases) {
        auto json = good;
        json.update(change);
        writeJson(path, json);
        expectError(path, fragment, [&] { AutoencoderKLConfig::load(path); });
    }
    // Null means the default, as diffusers writes it for these.
    auto json = good;
    json.update(nlohmann::json{{"shift_factor", nullptr}, {"latents_mean", nullptr}, {"scaling_factor", nullptr}});
    writeJson(path, json);
    EXPECT_DOUBLE_EQ(AutoencoderKLConfig::load(path).scalingFactor, 0.18215);
}

TEST(AutoencoderKLLoadingTest, MismatchedCheckpointNamesTheFileAndEveryKey) {
    auto tensors = test::readAllTensors(fixtureDir("sd1-tiny") / "vae" / kWeightsName);
    std::vector<std::pair<std::string, torch::Tensor>> broken;
    for (auto& [name, tensor] : tensors) {
        if (name == "decoder.conv_out.bias") continue;                               // missing
        if (name == "encoder.conv_in.weight") tensor = torch::zeros({32, 3, 3, 2});  // wrong shape
        broken.emplace_back(name, tensor);
    }
    broken.emplace_back("encoder.mid_block.attentions.0.to_x.weight", torch::zeros({64, 64}));  // unexpected
    test::TempDir dir("latentlens-vae-broken");
    writeVaeFolder(dir.path(), "sd1-tiny", broken);
    const auto weights = dir / kWeightsName.string();
    for (const std::string fragment :
         {"checkpoint does not match config.json (3 problems)", "missing decoder.conv_out.bias [3]",
          "encoder.conv_in.weight has shape [32, 3, 3, 2] but the model expects [32, 3, 3, 3]",
          "unexpected encoder.mid_block.attentions.0.to_x.weight [64, 64]"}) {
        expectError(weights, fragment, [&] { loadAutoencoderKL(dir.path()); });
    }

    test::TempDir empty("latentlens-vae-empty");
    fs::copy_file(fixtureDir("sd1-tiny") / "vae" / "config.json", empty / "config.json");
    expectError(empty.path(), "no diffusion_pytorch_model.safetensors", [&] { loadAutoencoderKL(empty.path()); });
    const auto missing = empty / "missing";
    expectError(missing / "config.json", "cannot open the VAE config", [&] { loadAutoencoderKL(missing); });
}

TEST(AutoencoderKLInputTest, WrongShapesAndDtypesAreRefused) {
    auto vae = loadAutoencoderKL(fixtureDir("sd1-tiny") / "vae");
    torch::NoGradGuard noGrad;
    const auto expectRefused = [](const std::function<void()>& action, const std::string& fragment) {
        try {
            action();
            ADD_FAILURE() << "no Error (expected '" << fragment << "')";
        } catch (const Error& e) {
            EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
        }
    };
    expectRefused([&] { vae->encode(torch::zeros({1, 4, 32, 32})); }, "got [1, 4, 32, 32]");
    expectRefused([&] { vae->encode(torch::zeros({1, 3, 31, 32})); }, "multiples of 2");
    expectRefused([&] { vae->encode(torch::zeros({3, 32, 32})); }, "got [3, 32, 32]");
    expectRefused([&] { vae->encode(torch::zeros({1, 3, 32, 32}, torch::kFloat64)); }, "dtype float64");
    expectRefused([&] { vae->decode(torch::zeros({1, 3, 16, 16})); }, "got [1, 3, 16, 16]");
    expectRefused([&] { loadAutoencoderKL(fixtureDir("sd1-tiny") / "vae", torch::kFloat16); }, "CUDA only");
}

}  // namespace
}  // namespace latentlens
