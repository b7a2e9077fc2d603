// UNet2DConditionModel (the Stable Diffusion U-Net) against diffusers' own float64 outputs for the
// tiny SD pipelines in ../shared/fixtures/sd{1,2}-tiny (reference.safetensors; fixture.json says how
// they were made: float64, attention upcasts off, time_proj in float32). Tolerances: relative error
// ≤ 1e-6 in float64, ≤ 1e-4 in float32.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>

#include "core/config/JsonConfigReader.h"
#include "core/geometry/ForwardAdLevel.h"
#include "core/model/SafetensorsFile.h"
#include "core/model/UNet2DConditionModel.h"
#include "support/TestSupport.h"

namespace latentlens {
namespace {

using test::expectError;
using test::fixtureDir;
using test::relativeError;
using json = nlohmann::json;

constexpr double kFloat64Tolerance = 1e-6;
constexpr double kFloat32Tolerance = 1e-4;
const int64_t kTimesteps[] = {1, 500, 999};

std::filesystem::path unetDir(const std::string& fixture) { return fixtureDir(fixture) / "unet"; }

json readJson(const std::filesystem::path& file) { return readJsonConfigFile(file, "test config"); }

using test::recordError;

// A model with seeded random weights (the constructor's default init) in float64.
UNet2DConditionModel randomModel(const json& config, const std::string& source) {
    torch::manual_seed(7);
    UNet2DConditionModel unet(UNet2DConditionConfig::fromJson(config, source));
    unet->to(torch::kFloat64);
    return unet;
}

// ---------------------------------------------------------------------------------------------
// Config

TEST(UNet2DConditionConfigTest, ParsesStableDiffusion15) {
    const auto file = test::fixturesDir().parent_path() / "configs" / "sd15" / "unet" / "config.json";
    const auto c = UNet2DConditionConfig::load(file);
    EXPECT_EQ(c.sampleHeight, 64);
    EXPECT_EQ(c.sampleWidth, 64);
    EXPECT_EQ(c.inChannels, 4);
    EXPECT_EQ(c.outChannels, 4);
    EXPECT_EQ(c.blockOutChannels, (std::vector<int64_t>{320, 640, 1280, 1280}));
    EXPECT_EQ(c.downBlockTypes, (std::vector<std::string>{"CrossAttnDownBlock2D", "CrossAttnDownBlock2D",
                                                          "CrossAttnDownBlock2D", "DownBlock2D"}));
    EXPECT_EQ(c.upBlockTypes, (std::vector<std::string>{"UpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D",
                                                        "CrossAttnUpBlock2D"}));
    EXPECT_TRUE(c.hasMidBlock());
    EXPECT_EQ(c.layersPerBlock, (std::vector<int64_t>{2, 2, 2, 2}));
    EXPECT_EQ(c.transformerLayersPerBlock, (std::vector<int64_t>{1, 1, 1, 1}));
    EXPECT_EQ(c.attentionHeads, (std::vector<int64_t>{8, 8, 8, 8}));  // legacy attention_head_dim = heads
    EXPECT_EQ(c.crossAttentionDim, (std::vector<int64_t>{768, 768, 768, 768}));
    EXPECT_EQ(c.contextDim(), 768);
    EXPECT_FALSE(c.useLinearProjection);
    EXPECT_FALSE(c.upcastAttention);  // null in the file
    EXPECT_TRUE(c.flipSinToCos);
    EXPECT_EQ(c.freqShift, 0.0);
    EXPECT_EQ(c.normNumGroups, 32);
    EXPECT_EQ(c.normEps, 1e-5);
    EXPECT_EQ(c.timeEmbedDim(), 1280);
    EXPECT_EQ(c.downsamplingFactor(), 8);
}

TEST(UNet2DConditionConfigTest, ParsesStableDiffusion21Base) {
    const auto file = test::fixturesDir().parent_path() / "configs" / "sd21-base" / "unet" / "config.json";
    const auto c = UNet2DConditionConfig::load(file);
    EXPECT_EQ(c.attentionHeads, (std::vector<int64_t>{5, 10, 20, 20}));  // 64 channels per head everywhere
    EXPECT_EQ(c.crossAttentionDim, (std::vector<int64_t>{1024, 1024, 1024, 1024}));
    EXPECT_TRUE(c.useLinearProjection);
    EXPECT_FALSE(c.upcastAttention);
    EXPECT_EQ(c.midBlockType, UNet2DConditionConfig::kMidBlockCrossAttn);  // absent: diffusers' default
    EXPECT_EQ(c.sampleHeight, 64);
}

TEST(UNet2DConditionConfigTest, ParsesPerBlockListsAndNumAttentionHeads) {
    auto j = readJson(unetDir("sd1-tiny") / "config.json");
    j["layers_per_block"] = {1, 2};
    j["transformer_layers_per_block"] = {1, 2};
    j["num_attention_heads"] = {2, 4};
    j["sample_size"] = {16, 24};
    const auto c = UNet2DConditionConfig::fromJson(j, "lists.json");
    EXPECT_EQ(c.layersPerBlock, (std::vector<int64_t>{1, 2}));
    EXPECT_EQ(c.transformerLayersPerBlock, (std::vector<int64_t>{1, 2}));
    EXPECT_EQ(c.attentionHeads, (std::vector<int64_t>{2, 4}));  // num_attention_heads wins over attention_head_dim
    EXPECT_EQ(c.sampleHeight, 16);
    EXPECT_EQ(c.sampleWidth, 24);
}

TEST(UNet2DConditionConfigTest, RoundTripsThroughJson) {
    for (const auto& fixture : test::pipelineFixtureNames()) {
        const auto c = UNet2DConditionConfig::load(unetDir(fixture) / "config.json");
        const auto back = UNet2DConditionConfig::fromJson(c.toJson(), "round trip");
        EXPECT_EQ(back.toJson(), c.toJson()) << fixture;
    }
}

TEST(UNet2DConditionConfigTest, RefusesOptionsThatChangeTheMath) {
    const auto file = unetDir("sd1-tiny") / "config.json";
    const json base = readJson(file);
    const std::vector<std::pair<std::string, json>> refused = {
        {"class_embed_type", "timestep"},
        {"num_class_embeds", 10},
        {"addition_embed_type", "text_time"},
        {"dual_cross_attention", true},
        {"only_cross_attention", true},
        {"only_cross_attention", {false, true}},
        {"encoder_hid_dim", 768},
        {"encoder_hid_dim_type", "text_proj"},
        {"time_cond_proj_dim", 256},
        {"conv_in_kernel", 7},
        {"conv_out_kernel", 1},
        {"resnet_time_scale_shift", "scale_shift"},
        {"attention_type", "gated"},
        {"cross_attention_norm", "group_norm"},
        {"time_embedding_type", "fourier"},
        {"time_embedding_act_fn", "silu"},
        {"timestep_post_act", "silu"},
        {"class_embeddings_concat", true},
        {"reverse_transformer_layers_per_block", {{1}, {1, 2, 3}}},
        {"transformer_layers_per_block", {{1, 2}, {1, 2}}},
        {"mid_block_type", "UNetMidBlock2DSimpleCrossAttn"},
        {"down_block_types", {"DownBlock2D", "SimpleCrossAttnDownBlock2D"}},
        {"up_block_types", {"KCrossAttnUpBlock2D", "UpBlock2D"}},
        {"attention_head_dim", nullptr},
        {"attention_head_dim", 3},
        {"attention_head_dim", {8, 8, 8}},
        {"norm_num_groups", nullptr},
        {"act_fn", "tanh"},
        {"sample_size", 15},
    };
    for (const auto& [key, value] : refused) {
        SCOPED_TRACE(key + " = " + value.dump());
        json j = base;
        j[key] = value;
        expectError(file, "\"" + key + "\"", [&] { UNet2DConditionConfig::fromJson(j, file.string()); });
    }
    json j = base;
    j["down_block_types"] = {"CrossAttnDownBlock2D", "CrossAttnDownBlock2D"};
    j["cross_attention_dim"] = {32, 64};  // one encoder_hidden_states cannot feed both
    expectError(file, "\"cross_attention_dim\"", [&] { UNet2DConditionConfig::fromJson(j, file.string()); });
    j = base;
    j["_class_name"] = "UNet2DModel";
    expectError(file, "UNet2DConditionModel", [&] { UNet2DConditionConfig::fromJson(j, file.string()); });
}

// ---------------------------------------------------------------------------------------------
// Parity with diffusers on the tiny SD fixtures

class UNet2DConditionFixture : public ::testing::TestWithParam<std::string> {
protected:
    UNet2DConditionModel load(c10::ScalarType dtype) { return loadUNet2DConditionModel(unetDir(GetParam()), dtype); }
    torch::Tensor reference(const std::string& key, c10::ScalarType dtype = torch::kFloat64) {
        SafetensorsFile file(fixtureDir(GetParam()) / "reference.safetensors");
        return file.tensor(key).to(dtype).clone();
    }
};

TEST_P(UNet2DConditionFixture, EveryStageAtT500MatchesDiffusersInFloat64) {
    auto unet = load(torch::kFloat64);
    const auto z = reference("z");
    const auto ehs = reference("ehs");
    torch::NoGradGuard noGrad;
    const auto stages = unet->stageOutputs(z, torch::tensor(int64_t(500)), ehs);
    std::vector<std::string> names = {"time_proj", "time_embedding", "conv_in", "mid_block", "conv_norm_out"};
    for (int i = 0; i < unet->config().numBlocks(); ++i) {
        names.push_back("down_blocks." + std::to_string(i));
        names.push_back("up_blocks." + std::to_string(i));
    }
    for (const auto& name : names) {
        ASSERT_TRUE(stages.count(name)) << name;
        const double error = relativeError(stages.at(name), reference("t500." + name));
        EXPECT_LE(error, kFloat64Tolerance) << name;
        recordError("t500." + name, error);
    }
    EXPECT_EQ(stages.at("time_proj").scalar_type(), torch::kFloat32);  // diffusers computes it in float32
    EXPECT_TRUE(torch::equal(stages.at("conv_out"), unet->forward(z, 500, ehs)));

    // features() of every block gives the same tensors, with the shapes featureShape() promises.
    for (int i = 0; i < unet->config().numBlocks(); ++i) {
        for (const BlockId block : {BlockId{BlockId::Kind::Down, i}, BlockId{BlockId::Kind::Up, i}}) {
            const auto name = (block.kind == BlockId::Kind::Down ? "down_blocks." : "up_blocks.") + std::to_string(i);
            const auto features = unet->features(z, 500, ehs, block);
            EXPECT_LE(relativeError(features, stages.at(name)), 1e-12) << block.name();
            EXPECT_EQ(features.sizes().slice(1).vec(), unet->featureShape(block)) << block.name();
        }
    }
    EXPECT_EQ(unet->featureShape(BlockId::mid()), (std::vector<int64_t>{64, 8, 8}));  // fixture.json h_shape
}

TEST_P(UNet2DConditionFixture, OutputAndMidFeaturesMatchDiffusersInFloat64) {
    auto unet = load(torch::kFloat64);
    const auto z = reference("z");
    const auto ehs = reference("ehs");
    torch::NoGradGuard noGrad;
    for (int64_t t : kTimesteps) {
        const auto out = unet->forwardWithFeatures(z, torch::tensor(t), ehs, BlockId::mid());
        const auto suffix = "_t" + std::to_string(t);
        const double epsError = relativeError(out.sample, reference("eps" + suffix));
        const double hError = relativeError(out.features, reference("h" + suffix));
        EXPECT_LE(epsError, kFloat64Tolerance) << "eps at t=" << t;
        EXPECT_LE(hError, kFloat64Tolerance) << "h at t=" << t;
        recordError("eps" + suffix, epsError);
        recordError("h" + suffix, hError);
        // features() stops after the mid block and gives the same h.
        EXPECT_TRUE(torch::equal(unet->features(z, t, ehs, BlockId::mid()), out.features));
    }
}

TEST_P(UNet2DConditionFixture, OutputAndMidFeaturesMatchDiffusersInFloat32) {
    auto unet = load(torch::kFloat32);
    const auto z = reference("z", torch::kFloat32);
    const auto ehs = reference("ehs", torch::kFloat32);
    torch::NoGradGuard noGrad;
    for (int64_t t : kTimesteps) {
        const auto out = unet->forwardWithFeatures(z, torch::tensor(t), ehs, BlockId::mid());
        EXPECT_EQ(out.sample.scalar_type(), torch::kFloat32);
        const auto suffix = "_t" + std::to_string(t);
        const double epsError = relativeError(out.sample, reference("eps" + suffix));
        const double hError = relativeError(out.features, reference("h" + suffix));
        EXPECT_LE(epsError, kFloat32Tolerance) << "eps at t=" << t;
        EXPECT_LE(hError, kFloat32Tolerance) << "h at t=" << t;
        recordError("eps" + suffix, epsError);
        recordError("h" + suffix, hError);
    }
}

// Per-sample timesteps in one batch agree with one call per sample (to rounding: batch layouts
// may take different kernel paths, so no bit-equality is expected).
TEST_P(UNet2DConditionFixture, PerSampleTimestepsMatchSeparateCalls) {
    auto unet = load(torch::kFloat64);
    const auto z = reference("z");
    const auto ehs = reference("ehs");
    torch::NoGradGuard noGrad;
    const auto both = unet->forward(z, torch::tensor({int64_t(1), int64_t(999)}), ehs);
    const auto first = unet->forward(z.slice(0, 0, 1), 1, ehs.slice(0, 0, 1));
    const auto second = unet->forward(z.slice(0, 1, 2), 999, ehs.slice(0, 1, 2));
    EXPECT_LE(relativeError(both.slice(0, 0, 1), first), 1e-12);
    EXPECT_LE(relativeError(both.slice(0, 1, 2), second), 1e-12);
    EXPECT_LE(relativeError(both[0], reference("eps_t1")[0]), kFloat64Tolerance);
    EXPECT_LE(relativeError(both[1], reference("eps_t999")[1]), kFloat64Tolerance);
    // One embedding row for the whole batch is broadcast.
    const auto shared = unet->forward(z, 500, ehs.slice(0, 0, 1));
    const auto firstAt500 = unet->forward(z.slice(0, 1, 2), 500, ehs.slice(0, 0, 1));
    EXPECT_LE(relativeError(shared.slice(0, 1, 2), firstAt500), 1e-12);
}

// Weight files in half precision (diffusers' *.fp16.safetensors variants) load converted to the
// compute dtype. The conversion itself is exact, so the loaded parameters equal the float32 ones
// rounded to half / bfloat16. The output then differs from the float32 checkpoint's only through
// that rounding of the weights: relative error per weight ≤ 2^-11 (F16) or 2^-8 (BF16), and the
// output error, a sum of many such independent perturbations through ~40 layers, stays within a
// few times that; the bounds are 10 × the unit roundoff (measured: see the printed errors).
TEST_P(UNet2DConditionFixture, HalfPrecisionWeightFilesLoadIntoFloat32) {
    const auto z = reference("z", torch::kFloat32);
    const auto ehs = reference("ehs", torch::kFloat32);
    auto full = load(torch::kFloat32);
    torch::NoGradGuard noGrad;
    const auto expected = full->forward(z, 500, ehs);
    const auto weights = test::readAllTensors(unetDir(GetParam()) / "diffusion_pytorch_model.safetensors");
    for (const auto& [dtype, tolerance] : {std::pair{torch::kHalf, 10 * std::ldexp(1.0, -11)},
                                           std::pair{torch::kBFloat16, 10 * std::ldexp(1.0, -8)}}) {
        SCOPED_TRACE(c10::toString(dtype));
        test::TempDir dir;
        std::filesystem::copy_file(unetDir(GetParam()) / "config.json", dir / "config.json");
        std::vector<std::pair<std::string, torch::Tensor>> rounded;
        for (const auto& [name, tensor] : weights) rounded.emplace_back(name, tensor.to(dtype));
        writeSafetensors(dir / "diffusion_pytorch_model.fp16.safetensors", rounded);
        {
            SafetensorsFile file(dir / "diffusion_pytorch_model.fp16.safetensors");
            EXPECT_EQ(file.entry(weights.front().first).dtype, dtype);
        }

        auto half = loadUNet2DConditionModel(dir.path(), torch::kFloat32);
        const auto params = half->named_parameters();
        for (const auto& [name, tensor] : rounded) {
            ASSERT_EQ(params[name].scalar_type(), torch::kFloat32) << name;
            EXPECT_TRUE(torch::equal(params[name], tensor.to(torch::kFloat32))) << name;
        }
        const double error = relativeError(half->forward(z, 500, ehs), expected);
        recordError(std::string("eps_from_") + c10::toString(dtype) + "_weights", error);
        EXPECT_GT(error, 0.0);
        EXPECT_LE(error, tolerance);
    }
}

// Forward-mode AD (the Jacobian work): a dual latent gives J·v of h, checked against a central
// difference in float64.
TEST_P(UNet2DConditionFixture, MidFeaturesSupportForwardModeAD) {
    auto unet = load(torch::kFloat64);
    unet->setSoftmaxInFloat32(false);
    const auto z = reference("z").slice(0, 0, 1);
    const auto ehs = reference("ehs").slice(0, 0, 1);
    auto generator = at::detail::createCPUGenerator(3);
    auto v = at::randn(z.sizes(), generator, torch::kFloat64);
    v = v / v.norm();
    torch::Tensor jvp;
    {
        torch::NoGradGuard noGrad;
        ForwardAdLevel level;
        jvp = level.tangent(unet->features(level.makeDual(z, v), 500, ehs, BlockId::mid()));
    }
    ASSERT_TRUE(jvp.defined());
    torch::NoGradGuard noGrad;
    const double step = 1e-5;
    const auto plus = unet->features(z + step * v, 500, ehs, BlockId::mid());
    const auto minus = unet->features(z - step * v, 500, ehs, BlockId::mid());
    EXPECT_LE(relativeError(jvp, (plus - minus) / (2 * step)), 1e-6);
}

// A checkpoint that does not fit the config: one Error naming the file and every bad key.
TEST_P(UNet2DConditionFixture, MismatchedCheckpointNamesTheFileAndEveryKey) {
    auto weights = test::readAllTensors(unetDir(GetParam()) / "diffusion_pytorch_model.safetensors");
    const std::string missing = "mid_block.attentions.0.transformer_blocks.0.attn2.to_k.weight";
    const std::string reshaped = "down_blocks.1.attentions.0.transformer_blocks.0.ff.net.2.weight";
    const std::string extra = "mid_block.attentions.0.transformer_blocks.0.attn2.to_k.bias";
    std::vector<std::pair<std::string, torch::Tensor>> bad;
    for (auto& [name, tensor] : weights) {
        if (name == missing) continue;
        bad.emplace_back(name, name == reshaped ? tensor.narrow(1, 0, 128).clone() : tensor);
    }
    bad.emplace_back(extra, torch::zeros({64}));
    test::TempDir dir;
    const auto path = dir / "bad.safetensors";
    writeSafetensors(path, bad);
    auto unet = UNet2DConditionModel(UNet2DConditionConfig::load(unetDir(GetParam()) / "config.json"));
    SafetensorsFile file(path);
    expectError(path, "3 problems", [&] { unet->loadWeights(file); });
    for (const auto& key : {missing, reshaped, extra}) {
        expectError(path, key, [&] { unet->loadWeights(file); });
    }
    expectError(path, "[64, 128] but the model expects [64, 256]", [&] { unet->loadWeights(file); });
}

INSTANTIATE_TEST_SUITE_P(UNet2DConditionFixtures, UNet2DConditionFixture,
                         ::testing::ValuesIn(test::pipelineFixtureNames()), test::fixtureTestName);

// ---------------------------------------------------------------------------------------------
// Variants without weights of their own

// BK-SDM-Small / -Tiny drop the mid block: the up path starts from the last down block.
TEST(UNet2DConditionModelTest, WithoutMidBlockBuildsAndRuns) {
    const auto file = unetDir("sd1-tiny") / "config.json";
    auto j = readJson(file);
    j["mid_block_type"] = nullptr;
    auto unet = randomModel(j, file.string());
    EXPECT_FALSE(unet->hasMidBlock());
    EXPECT_FALSE(unet->config().hasMidBlock());
    for (const auto& item : unet->named_parameters()) EXPECT_NE(item.key().rfind("mid_block.", 0), 0u) << item.key();

    const BlockId lastDown{BlockId::Kind::Down, 1};
    EXPECT_EQ(unet->featureShape(lastDown), (std::vector<int64_t>{64, 8, 8}));
    EXPECT_EQ(unet->featureShape(lastDown, 32, 48), (std::vector<int64_t>{64, 16, 24}));
    torch::NoGradGuard noGrad;
    const auto z = torch::randn({2, 4, 16, 16}, torch::kFloat64);
    const auto ehs = torch::randn({2, 77, 32}, torch::kFloat64);
    const auto out = unet->forwardWithFeatures(z, torch::tensor({int64_t(10), int64_t(900)}), ehs, lastDown);
    EXPECT_EQ(out.sample.sizes().vec(), (std::vector<int64_t>{2, 4, 16, 16}));
    EXPECT_TRUE(torch::isfinite(out.sample).all().item<bool>());
    EXPECT_EQ(out.features.sizes().slice(1).vec(), unet->featureShape(lastDown));
    EXPECT_FALSE(unet->stageOutputs(z, torch::tensor(int64_t(10)), ehs).count("mid_block"));

    const auto expectNoMid = [](auto action) {
        try {
            action();
            ADD_FAILURE() << "no Error for block mid";
        } catch (const Error& e) {
            EXPECT_NE(std::string(e.what()).find("no mid block"), std::string::npos) << e.what();
        }
    };
    expectNoMid([&] { unet->featureShape(BlockId::mid()); });
    expectNoMid([&] { unet->features(z, 10, ehs, BlockId::mid()); });

    // The fixture's checkpoint has a mid block this model lacks.
    SafetensorsFile weights(unetDir("sd1-tiny") / "diffusion_pytorch_model.safetensors");
    expectError(weights.path(), "unexpected mid_block.", [&] { unet->loadWeights(weights); });
}

// SD 2.1-768-v sets upcast_attention: scores in float32. In float32 that changes nothing; in
// float64 it rounds the scores to float32 like diffusers, unless setSoftmaxInFloat32(false).
TEST(UNet2DConditionModelTest, UpcastAttentionRuns) {
    const std::string fixture = "sd2-tiny";
    auto j = readJson(unetDir(fixture) / "config.json");
    j["upcast_attention"] = true;
    SafetensorsFile weights(unetDir(fixture) / "diffusion_pytorch_model.safetensors");
    SafetensorsFile reference(fixtureDir(fixture) / "reference.safetensors");
    const auto z = reference.tensor("z").clone();
    const auto ehs = reference.tensor("ehs").clone();
    const auto eps = reference.tensor("eps_t500").clone();

    UNet2DConditionModel unet(UNet2DConditionConfig::fromJson(j, "upcast"));
    EXPECT_TRUE(unet->config().upcastAttention);
    unet->to(torch::kFloat64);
    unet->loadWeights(weights);
    torch::NoGradGuard noGrad;
    const double rounded = relativeError(unet->forward(z, 500, ehs), eps);
    EXPECT_LE(rounded, kFloat32Tolerance);
    unet->setSoftmaxInFloat32(false);
    const double full = relativeError(unet->forward(z, 500, ehs), eps);
    EXPECT_LE(full, kFloat64Tolerance);
    recordError("eps_scores_in_float32", rounded);
    recordError("eps_scores_in_float64", full);

    unet->to(torch::kFloat32);
    const auto out = unet->forward(z.to(torch::kFloat32), 500, ehs.to(torch::kFloat32));
    EXPECT_EQ(out.scalar_type(), torch::kFloat32);
    EXPECT_LE(relativeError(out, eps), kFloat32Tolerance);
}

TEST(UNet2DConditionModelTest, RejectsBadInputs) {
    const auto file = unetDir("sd1-tiny") / "config.json";
    auto unet = randomModel(readJson(file), file.string());
    torch::NoGradGuard noGrad;
    const auto z = torch::randn({2, 4, 16, 16}, torch::kFloat64);
    const auto ehs = torch::randn({2, 77, 32}, torch::kFloat64);
    const auto expectMessage = [](const std::string& fragment, auto action) {
        try {
            action();
            ADD_FAILURE() << "no Error (expected '" << fragment << "')";
        } catch (const Error& e) {
            EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
        }
    };
    expectMessage("encoder_hidden_states", [&] { unet->forward(z, 1, torch::randn({2, 77, 16}, torch::kFloat64)); });
    expectMessage("encoder_hidden_states", [&] { unet->forward(z, 1, torch::randn({3, 77, 32}, torch::kFloat64)); });
    expectMessage("encoder_hidden_states", [&] { unet->forward(z, 1, torch::Tensor()); });
    expectMessage("dtype", [&] { unet->forward(z, 1, ehs.to(torch::kFloat32)); });
    expectMessage("dtype", [&] { unet->forward(z.to(torch::kFloat32), 1, ehs); });
    expectMessage("multiples of 2", [&] { unet->forward(torch::randn({2, 4, 15, 16}, torch::kFloat64), 1, ehs); });
    expectMessage("timesteps", [&] { unet->forward(z, torch::tensor({1, 2, 3}), ehs); });
    expectMessage("block down.2", [&] { unet->features(z, 1, ehs, BlockId{BlockId::Kind::Down, 2}); });
    // Other sizes than sample_size are fine.
    EXPECT_EQ(unet->forward(torch::randn({1, 4, 8, 24}, torch::kFloat64), 1, ehs.slice(0, 0, 1)).sizes().vec(),
              (std::vector<int64_t>{1, 4, 8, 24}));
}

}  // namespace
}  // namespace latentlens
