// loadParametersStrict (core/model/ModuleWeights.h), the one checkpoint loader of UNet2DModel,
// UNet2DConditionModel, AutoencoderKL and ClipTextModel: the checks every network relies on, on a
// small module and on a UNet2DModel fixture. Each network's own tests check its messages.
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "core/model/ModuleWeights.h"
#include "core/model/SafetensorsFile.h"
#include "core/model/UNet2DConfig.h"
#include "core/model/UNet2DModel.h"
#include "support/TestSupport.h"

namespace latentlens {
namespace {

using test::expectError;
using Tensors = std::vector<std::pair<std::string, torch::Tensor>>;

// Two parameters: proj.weight [3, 2], proj.bias [3].
struct TinyImpl : torch::nn::Module {
    TinyImpl() { proj = register_module("proj", torch::nn::Linear(2, 3)); }
    torch::nn::Linear proj{nullptr};
};
TORCH_MODULE(Tiny);

Tensors goodTensors() {
    return {{"proj.weight", torch::arange(6, torch::kFloat32).reshape({3, 2})}, {"proj.bias", torch::ones({3})}};
}

std::filesystem::path write(const test::TempDir& dir, const std::string& name, const Tensors& tensors) {
    const auto path = dir / name;
    writeSafetensors(path, tensors);
    return path;
}

TEST(ModuleWeights, ShapeTextAndParameterCount) {
    EXPECT_EQ(shapeText({2, 4, 16, 16}), "[2, 4, 16, 16]");
    EXPECT_EQ(shapeText({}), "[]");
    EXPECT_EQ(countParameters(*Tiny()), 9);
}

TEST(ModuleWeights, ConvertsEveryFloatingDtypeToTheParameterDtype) {
    test::TempDir dir("latentlens-weights");
    for (const auto dtype : {torch::kFloat16, torch::kBFloat16, torch::kFloat32, torch::kFloat64}) {
        Tensors tensors = goodTensors();
        for (auto& item : tensors) item.second = item.second.to(dtype);
        SafetensorsFile file(write(dir, "tiny.safetensors", tensors));
        Tiny tiny;
        tiny->to(torch::kFloat64);
        loadParametersStrict(*tiny, file);
        EXPECT_EQ(tiny->proj->weight.scalar_type(), torch::kFloat64);
        EXPECT_TRUE(torch::equal(tiny->proj->weight, tensors[0].second.to(torch::kFloat64))) << c10::toString(dtype);
        EXPECT_TRUE(torch::equal(tiny->proj->bias, tensors[1].second.to(torch::kFloat64))) << c10::toString(dtype);
    }
}

TEST(ModuleWeights, OneErrorNamesTheFileAndCountsEveryProblem) {
    test::TempDir dir("latentlens-weights");
    Tensors tensors = {{"proj.weight", torch::zeros({3, 3})}};  // wrong shape; proj.bias missing
    for (int i = 0; i < 6; ++i) tensors.emplace_back("extra." + std::to_string(i), torch::zeros({1}));
    SafetensorsFile file(write(dir, "bad.safetensors", tensors));
    Tiny tiny;
    const auto before = tiny->proj->weight.clone();
    for (const std::string fragment :
         {"checkpoint does not match config.json (8 problems)", "proj.weight has shape [3, 3] but the model expects [3, 2]",
          "missing proj.bias [3]", "unexpected extra.0 [1]", "; ... and 2 more"}) {
        expectError(file.path(), fragment, [&] { loadParametersStrict(*tiny, file); });
    }
    EXPECT_TRUE(torch::equal(tiny->proj->weight, before)) << "nothing is copied from a mismatched file";
}

TEST(ModuleWeights, RefusesIntegerTensorsAndNonFiniteValues) {
    test::TempDir dir("latentlens-weights");
    Tensors integer = goodTensors();
    integer[1].second = torch::ones({3}, torch::kLong);
    SafetensorsFile integerFile(write(dir, "integer.safetensors", integer));
    Tiny tiny;
    expectError(integerFile.path(), "proj.bias has non-floating dtype Long", [&] { loadParametersStrict(*tiny, integerFile); });

    for (const double bad : {std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::infinity()}) {
        Tensors tensors = goodTensors();
        tensors[0].second[1][1] = bad;
        SafetensorsFile file(write(dir, "nonfinite.safetensors", tensors));
        expectError(file.path(), "proj.weight contains NaN or infinite values", [&] { loadParametersStrict(*tiny, file); });
    }
}

TEST(ModuleWeights, IgnoredKeysAndSubject) {
    test::TempDir dir("latentlens-weights");
    Tensors tensors = goodTensors();
    tensors.emplace_back("buffer.ids", torch::arange(4, torch::kLong));
    SafetensorsFile file(write(dir, "buffer.safetensors", tensors));
    Tiny tiny;
    expectError(file.path(), "tiny checkpoint does not match config.json (1 problem): unexpected buffer.ids [4]",
                [&] { loadParametersStrict(*tiny, file, StrictLoadOptions{"tiny checkpoint", {}}); });
    loadParametersStrict(*tiny, file, StrictLoadOptions{"tiny checkpoint", {"buffer.ids"}});
    EXPECT_TRUE(torch::equal(tiny->proj->bias, torch::ones({3})));
}

// diffusers' from_pretrained renames query/key/value/proj_attn inside the old AttentionBlock, for
// UNet2DModel as for the VAE (AutoencoderKLTest checks the VAE); the loader does the same.
TEST(ModuleWeights, UNet2DModelAcceptsLegacyAttentionNames) {
    const auto fixture = test::fixtureDir("ddpm-rgb16");
    const std::pair<std::string, std::string> renames[] = {
        {".to_q.", ".query."}, {".to_k.", ".key."}, {".to_v.", ".value."}, {".to_out.0.", ".proj_attn."}};
    SafetensorsFile original(fixture / "diffusion_pytorch_model.safetensors");
    Tensors tensors;
    int renamed = 0;
    for (const auto& name : original.names()) {
        std::string key = name;
        for (const auto& [current, legacy] : renames) {
            const auto at = key.find(current);
            if (at == std::string::npos) continue;
            key.replace(at, current.size(), legacy);
            ++renamed;
        }
        tensors.emplace_back(key, original.tensor(name).clone());
    }
    EXPECT_GT(renamed, 0);
    test::TempDir dir("latentlens-weights");
    SafetensorsFile legacyFile(write(dir, "legacy.safetensors", tensors));

    const auto config = UNet2DConfig::load(fixture / "config.json");
    UNet2DModel current(config), legacy(config);
    current->loadWeights(original);
    legacy->loadWeights(legacyFile);
    const auto expected = current->named_parameters();
    for (const auto& item : legacy->named_parameters()) {
        EXPECT_TRUE(torch::equal(item.value(), expected[item.key()])) << item.key();
    }

    // A legacy name outside an attention block is not a parameter.
    tensors.emplace_back("conv_in.query.weight", torch::zeros({1}));
    SafetensorsFile extraFile(write(dir, "extra.safetensors", tensors));
    expectError(extraFile.path(), "checkpoint does not match config.json (1 problem): unexpected conv_in.query.weight",
                [&] { legacy->loadWeights(extraFile); });
}

}  // namespace
}  // namespace latentlens
