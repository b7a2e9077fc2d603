// Which parts a model folder loads as, and the prompt rules of a pipeline without a text encoder.
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "core/Error.h"
#include "core/pipeline/DiffusionPipeline.h"
#include "core/pipeline/PipelineLoader.h"
#include "support/TestSupport.h"

namespace latentlens {
namespace {
namespace fs = std::filesystem;

TEST(PipelineLoader, UNet2DModelFolderIsAPixelPipeline) {
    auto pipeline = PipelineLoader::load(test::defaultModelDir());
    EXPECT_EQ(pipeline->denoiser().className(), "UNet2DModel");
    EXPECT_EQ(pipeline->imageShape(), pipeline->latentShape());
    EXPECT_EQ(pipeline->textEncoder(), nullptr);
    EXPECT_EQ(pipeline->denoiser().defaultFeatureBlock(), BlockId::mid());
    const auto x = torch::randn({1, 1, 32, 32});
    EXPECT_TRUE(torch::equal(pipeline->codec().encode(x), x));
    EXPECT_TRUE(torch::equal(pipeline->codec().decode(x), x));
}

TEST(PipelineLoader, PipelineFolderWithUNetAndSchedulerLoadsTheSame) {
    test::TempDir dir;
    const auto root = dir / "fmnist-pipeline";
    fs::create_directories(root / "unet");
    fs::create_directories(root / "scheduler");
    for (const char* file : {"config.json", "diffusion_pytorch_model.safetensors"})
        fs::copy_file(test::defaultModelDir() / file, root / "unet" / file);
    fs::copy_file(test::defaultModelDir() / "scheduler_config.json", root / "scheduler" / "scheduler_config.json");
    std::ofstream(root / "model_index.json")
        << R"({"_class_name": "DDPMPipeline", "scheduler": ["diffusers", "DDPMScheduler"], "unet": ["diffusers", "UNet2DModel"]})";
    auto pipeline = DiffusionPipeline::load(root);
    auto plain = DiffusionPipeline::load(test::defaultModelDir());
    EXPECT_EQ(pipeline->name(), "fmnist-pipeline");
    EXPECT_EQ(pipeline->parameterCount(), plain->parameterCount());
    EXPECT_EQ(pipeline->scheduler().config().className, plain->scheduler().config().className);
    torch::NoGradGuard noGrad;
    const auto x = torch::randn({1, 1, 32, 32});
    EXPECT_TRUE(torch::equal(pipeline->denoiser().predict(x, 300), plain->denoiser().predict(x, 300)));
}

TEST(DiffusionPipeline, UnconditionalModelTakesNoPrompt) {
    auto pipeline = DiffusionPipeline::load(test::defaultModelDir());
    const auto none = pipeline->condition("");
    EXPECT_TRUE(none.isUnconditional());
    EXPECT_EQ(none.id, "");
    EXPECT_THROW(pipeline->condition("a shoe"), Error);
    EXPECT_THROW(pipeline->condition("", "", 7.5), Error);
    Conditioning prompted;
    prompted.embeddings = torch::zeros({1, 4, 8});
    EXPECT_THROW(pipeline->denoiser().predict(torch::zeros({1, 1, 32, 32}), 10, prompted), Error);
}

}  // namespace
}  // namespace latentlens
