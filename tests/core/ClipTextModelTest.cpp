// ClipTextModel against the float64 CLIPTextModel outputs of ../shared/fixtures/sd{1,2}-tiny
// (reference.safetensors text_emb = last_hidden_state, text_pooled = the EOS position; the
// reference softmax ran in float64). Tolerances: relative error ≤ 1e-6 in float64, ≤ 1e-4 in float32.
#include "core/model/ClipTextModel.h"

#include <algorithm>
#include <fstream>
#include <iomanip>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include "core/Error.h"
#include "core/model/ClipTokenizer.h"
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

std::string scientific(double value) {
    std::ostringstream out;
    out << std::scientific << std::setprecision(3) << value;
    return out.str();
}

fs::path configsDir() { return test::fixturesDir().parent_path() / "configs"; }

torch::Tensor reference(const std::string& fixture, const std::string& key) {
    SafetensorsFile file(fixtureDir(fixture) / "reference.safetensors");
    return file.tensor(key).clone();
}

// The fixture checkpoint's tensors, possibly altered, for writing spoiled copies.
std::vector<std::pair<std::string, torch::Tensor>> checkpointTensors(const std::string& fixture) {
    return test::readAllTensors(fixtureDir(fixture) / "text_encoder" / "model.safetensors");
}

class ClipTextModelFixture : public ::testing::TestWithParam<std::string> {
protected:
    ClipTextModel load(c10::ScalarType dtype) { return loadClipTextModel(fixtureDir(GetParam()) / "text_encoder", dtype); }

    void expectParity(c10::ScalarType dtype, double tolerance) {
        auto model = load(dtype);
        const auto ids = reference(GetParam(), "token_ids");
        torch::NoGradGuard noGrad;
        const auto out = model->forward(ids);
        EXPECT_EQ(out.lastHiddenState.scalar_type(), dtype);
        ASSERT_EQ(out.lastHiddenState.sizes().vec(), (std::vector<int64_t>{13, 77, 32}));
        ASSERT_EQ(out.pooled.sizes().vec(), (std::vector<int64_t>{13, 32}));
        const double embError = relativeError(out.lastHiddenState, reference(GetParam(), "text_emb"));
        const double pooledError = relativeError(out.pooled, reference(GetParam(), "text_pooled"));
        const std::string suffix = dtype == torch::kDouble ? "_float64" : "_float32";
        ::testing::Test::RecordProperty("text_emb_rel_err" + suffix, scientific(embError));
        ::testing::Test::RecordProperty("text_pooled_rel_err" + suffix, scientific(pooledError));
        EXPECT_LE(embError, tolerance) << "text_emb";
        EXPECT_LE(pooledError, tolerance) << "text_pooled";
        // Each prompt on its own too (every row's error, not just the batch norm).
        const auto expected = reference(GetParam(), "text_emb");
        for (int64_t i = 0; i < ids.size(0); ++i) {
            EXPECT_LE(relativeError(out.lastHiddenState[i], expected[i]), tolerance) << "prompt " << i;
        }
    }
};

TEST_P(ClipTextModelFixture, MatchesTransformersInFloat64) { expectParity(torch::kDouble, kFloat64Tolerance); }

TEST_P(ClipTextModelFixture, MatchesTransformersInFloat32) { expectParity(torch::kFloat, kFloat32Tolerance); }

TEST_P(ClipTextModelFixture, TokenizerAndEncoderTogetherGiveTheReferenceEmbedding) {
    std::ifstream in(fixtureDir(GetParam()) / "fixture.json");
    const auto prompts = nlohmann::json::parse(in).at("prompts").get<std::vector<std::string>>();
    ClipTokenizer tokenizer(fixtureDir(GetParam()) / "tokenizer");
    auto model = load(torch::kDouble);
    torch::NoGradGuard noGrad;
    const auto out = model->forward(tokenizer.encodeBatch(prompts));
    EXPECT_LE(relativeError(out.lastHiddenState, reference(GetParam(), "text_emb")), kFloat64Tolerance);
}

TEST_P(ClipTextModelFixture, OnePromptAloneAgreesWithItsBatchRow) {
    auto model = load(torch::kDouble);
    const auto ids = reference(GetParam(), "token_ids");
    torch::NoGradGuard noGrad;
    const auto batch = model->forward(ids);
    const auto alone = model->forward(ids.slice(0, 3, 4));
    // Different batch layouts may sum in another order: close, not bit-equal.
    EXPECT_LE(relativeError(alone.lastHiddenState[0], batch.lastHiddenState[3]), 1e-12);
    EXPECT_LE(relativeError(alone.pooled[0], batch.pooled[3]), 1e-12);
    // The pooled output is the last hidden state at the (first) EOS.
    const int64_t eos = ids[3].argmax().item<int64_t>();
    EXPECT_EQ(ids[3][eos].item<int64_t>(), 49407);
    EXPECT_TRUE(torch::equal(batch.pooled[3], batch.lastHiddenState[3][eos]));
}

INSTANTIATE_TEST_SUITE_P(Clip, ClipTextModelFixture, ::testing::ValuesIn(test::pipelineFixtureNames()),
                         test::fixtureTestName);

TEST(ClipTextModel, HasTheFixtureArchitectureAndParameterCount) {
    auto model = loadClipTextModel(fixtureDir("sd1-tiny") / "text_encoder");
    EXPECT_EQ(model->parameterCount(), 1617529);  // fixture.json params.text_encoder
    EXPECT_EQ(model->config().hiddenAct, "quick_gelu");
    EXPECT_EQ(ClipTextConfig::load(fixtureDir("sd2-tiny") / "text_encoder" / "config.json").hiddenAct, "gelu");
    for (const auto& p : model->parameters()) EXPECT_FALSE(p.requires_grad());
    // State-dict keys are the transformers names.
    const auto names = model->named_parameters().keys();
    EXPECT_NE(std::find(names.begin(), names.end(), "text_model.encoder.layers.4.mlp.fc2.bias"), names.end());
    EXPECT_NE(std::find(names.begin(), names.end(), "text_model.embeddings.position_embedding.weight"), names.end());
}

TEST(ClipTextModel, ReadsTheRealStableDiffusionConfigs) {
    const auto sd15 = ClipTextConfig::load(configsDir() / "sd15" / "text_encoder" / "config.json");
    EXPECT_EQ(sd15.hiddenSize, 768);
    EXPECT_EQ(sd15.intermediateSize, 3072);
    EXPECT_EQ(sd15.numHiddenLayers, 12);
    EXPECT_EQ(sd15.numAttentionHeads, 12);
    EXPECT_EQ(sd15.maxPositionEmbeddings, 77);
    EXPECT_EQ(sd15.vocabSize, 49408);
    EXPECT_EQ(sd15.hiddenAct, "quick_gelu");
    EXPECT_DOUBLE_EQ(sd15.layerNormEps, 1e-5);
    const auto sd21 = ClipTextConfig::load(configsDir() / "sd21-base" / "text_encoder" / "config.json");
    EXPECT_EQ(sd21.hiddenSize, 1024);
    EXPECT_EQ(sd21.intermediateSize, 4096);
    EXPECT_EQ(sd21.numHiddenLayers, 23);
    EXPECT_EQ(sd21.numAttentionHeads, 16);
    EXPECT_EQ(sd21.hiddenAct, "gelu");
}

TEST(ClipTextModel, RefusesUnsupportedConfigValuesByName) {
    const auto base = nlohmann::json::parse(R"({"hidden_size": 32, "num_attention_heads": 4})");
    const auto refused = [&](const std::string& key, const nlohmann::json& value) {
        auto json = base;
        json[key] = value;
        try {
            ClipTextConfig::fromJson(json, "config.json");
            ADD_FAILURE() << key << " = " << value << " accepted";
        } catch (const Error& e) {
            EXPECT_NE(std::string(e.what()).find("config.json"), std::string::npos) << e.what();
            EXPECT_NE(std::string(e.what()).find("\"" + key + "\""), std::string::npos) << e.what();
        }
    };
    refused("hidden_act", "gelu_new");
    refused("hidden_act", 3);
    refused("num_attention_heads", 5);
    refused("architectures", nlohmann::json::array({"CLIPTextModelWithProjection"}));
    refused("model_type", "clip");
    refused("layer_norm_eps", -1.0);
    refused("vocab_size", "49408");
    EXPECT_NO_THROW(ClipTextConfig::fromJson(base, "config.json"));
}

TEST(ClipTextModel, WrongShapeOrMissingKeyNamesTheFile) {
    test::TempDir dir("clip-text");
    ClipTextModel model(ClipTextConfig::load(fixtureDir("sd1-tiny") / "text_encoder" / "config.json"));

    auto tensors = checkpointTensors("sd1-tiny");
    for (auto& [name, tensor] : tensors) {
        if (name == "text_model.encoder.layers.2.mlp.fc1.weight") tensor = tensor.slice(0, 0, 36).contiguous();
    }
    const auto wrongShape = dir / "wrong-shape.safetensors";
    writeSafetensors(wrongShape, tensors);
    expectError(wrongShape, "text_model.encoder.layers.2.mlp.fc1.weight has shape [36, 32] but the model expects [37, 32]",
                [&] { model->loadWeights(SafetensorsFile(wrongShape)); });

    tensors = checkpointTensors("sd1-tiny");
    tensors.erase(std::remove_if(tensors.begin(), tensors.end(),
                                 [](const auto& item) { return item.first == "text_model.final_layer_norm.bias"; }),
                  tensors.end());
    tensors.emplace_back("text_projection.weight", torch::zeros({32, 32}));
    const auto missingKey = dir / "missing-key.safetensors";
    writeSafetensors(missingKey, tensors);
    expectError(missingKey, "missing text_model.final_layer_norm.bias [32]",
                [&] { model->loadWeights(SafetensorsFile(missingKey)); });
    expectError(missingKey, "unexpected text_projection.weight", [&] { model->loadWeights(SafetensorsFile(missingKey)); });

    // A missing checkpoint or config names its file too.
    fs::create_directory(dir / "text_encoder");
    expectError(dir / "text_encoder" / "config.json", "cannot open",
                [&] { loadClipTextModel(dir / "text_encoder"); });
}

TEST(ClipTextModel, LoadsHalfPrecisionWeightsAndIgnoresPositionIds) {
    test::TempDir dir("clip-text");
    auto tensors = checkpointTensors("sd2-tiny");
    std::vector<std::pair<std::string, torch::Tensor>> half;
    for (const auto& [name, tensor] : tensors) half.emplace_back(name, tensor.to(torch::kHalf));
    half.emplace_back("text_model.embeddings.position_ids", torch::arange(77, torch::kLong).unsqueeze(0));
    const auto file = dir / "half.safetensors";
    writeSafetensors(file, half);

    ClipTextModel model(ClipTextConfig::load(fixtureDir("sd2-tiny") / "text_encoder" / "config.json"));
    model->to(torch::kDouble);
    model->loadWeights(SafetensorsFile(file));
    const auto params = model->named_parameters();
    for (const auto& [name, tensor] : half) {
        if (name == "text_model.embeddings.position_ids") continue;
        EXPECT_TRUE(torch::equal(params[name], tensor.to(torch::kDouble))) << name;
    }
}

TEST(ClipTextModel, RefusesBadTokenIds) {
    auto model = loadClipTextModel(fixtureDir("sd1-tiny") / "text_encoder");
    torch::NoGradGuard noGrad;
    EXPECT_THROW(model->forward(torch::zeros({1, 78}, torch::kLong)), Error);
    EXPECT_THROW(model->forward(torch::zeros({77}, torch::kLong)), Error);
    EXPECT_THROW(model->forward(torch::full({1, 77}, 49408, torch::kLong)), Error);
    EXPECT_THROW(model->forward(torch::zeros({1, 77}, torch::kFloat)), Error);
    // Shorter sequences are fine (positions 0..L-1).
    EXPECT_EQ(model->forward(torch::tensor({{int64_t(49406), int64_t(49407)}})).lastHiddenState.sizes().vec(),
              (std::vector<int64_t>{1, 2, 32}));
}

}  // namespace
}  // namespace latentlens
