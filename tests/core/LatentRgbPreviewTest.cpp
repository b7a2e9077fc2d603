// The cheap latent → RGB preview of latent-diffusion pipelines: the least-squares fit recovers an
// exactly affine map, on the SD fixture's VAE it beats the best constant picture on latents it
// was not fit to, and the map is cached by the VAE's files.
#include <fstream>

#include <ATen/CPUGeneratorImpl.h>
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "core/edit/LatentRgbPreview.h"
#include "core/pipeline/DiffusionPipeline.h"
#include "support/TestSupport.h"

namespace latentlens {
namespace {

TEST(LatentRgbPreview, LeastSquaresRecoversAnAffineMap) {
    auto generator = at::detail::createCPUGenerator(2);
    const auto latents = at::randn({3, 4, 6, 5}, generator, torch::kFloat64);
    const auto W = at::randn({5, 3}, generator, torch::kFloat64);
    // Images whose every 4 × 4 cell is the affine map of its latent pixel.
    auto rgb = (latents.permute({0, 2, 3, 1}).matmul(W.slice(0, 0, 4)) + W[4]).permute({0, 3, 1, 2});
    const auto images = rgb.repeat_interleave(4, 2).repeat_interleave(4, 3);
    const auto preview = LatentRgbPreview::fitPairs(latents, images);
    EXPECT_EQ(preview.factor(), 4);
    EXPECT_LE((preview.weights() - W).abs().max().item<double>(), 1e-10);
    EXPECT_LE(preview.fitRms(), 1e-10);
    const auto rendered = preview.render(latents);
    EXPECT_EQ(rendered.sizes(), images.sizes());
    // Bilinear upsampling keeps each cell's mean only approximately; the cell centres are exact
    // where the neighbours agree, so compare the pooled picture.
    EXPECT_LE((torch::avg_pool2d(rendered, 4) - rgb).abs().max().item<double>(), 0.5 * rgb.abs().max().item<double>());
    EXPECT_THROW(preview.render(at::randn({1, 3, 6, 5}, generator, torch::kFloat64)), Error);
}

// fit() is the least-squares map of the VAE's own decodes: on the fit's latents (seed 0,
// standard normal) the residual is orthogonal to [z, 1] (the normal equations), and on latents it
// did not see it still beats the best constant picture (R² > 0). The fixture's VAE has random
// weights and is far from linear (held-out R² about 0.04 here); a trained SD VAE is close to
// linear in colour, which is what makes the preview useful.
TEST(LatentRgbPreview, FitIsTheLeastSquaresMapOfTheVaesDecodes) {
    auto model = DiffusionPipeline::load(test::fixtureDir("sd1-tiny"));
    const auto preview = LatentRgbPreview::fit(*model, 4, 0);
    const auto shape = model->latentShape();
    const int64_t f = preview.factor();
    EXPECT_EQ(f, model->imageShape()[1] / shape[1]);
    torch::NoGradGuard noGrad;
    auto seeded = at::detail::createCPUGenerator(0);
    const int64_t side = std::min<int64_t>(shape[1], LatentRgbPreview::kFitSide);
    const auto latents = at::randn({4, shape[0], side, std::min<int64_t>(shape[2], LatentRgbPreview::kFitSide)}, seeded,
                                   torch::kFloat64);
    std::vector<torch::Tensor> images;  // one decode per latent, as fit() does
    for (int64_t i = 0; i < 4; ++i) images.push_back(model->codec().decode(latents.slice(0, i, i + 1).to(torch::kFloat32)));
    const auto decoded = torch::cat(images);
    const auto Y = torch::avg_pool2d(decoded.to(torch::kFloat64), f).permute({0, 2, 3, 1}).reshape({-1, 3});
    auto X = torch::cat({latents.permute({0, 2, 3, 1}).reshape({-1, shape[0]}), torch::ones({Y.size(0), 1}, torch::kFloat64)}, 1);
    const auto residual = X.matmul(preview.weights()) - Y;
    // Float32 decodes: the normal equations hold to float32 precision.
    EXPECT_LE(X.t().matmul(residual).abs().max().item<double>(), 1e-6 * X.t().matmul(Y).abs().max().item<double>());
    EXPECT_NEAR(preview.fitRms(), residual.pow(2).mean().sqrt().item<double>(), 1e-6);

    auto generator = at::detail::createCPUGenerator(99);
    const auto unseen = at::randn({2, shape[0], shape[1], shape[2]}, generator, torch::kFloat32);
    const auto truth = torch::avg_pool2d(model->codec().decode(unseen), f).to(torch::kFloat64);
    const auto rendered = torch::avg_pool2d(preview.render(unseen), f).to(torch::kFloat64);
    const double r2 = 1.0 - (rendered - truth).pow(2).mean().item<double>() /
                                (truth - truth.mean({0, 2, 3}, true)).pow(2).mean().item<double>();
    RecordProperty("r2_held_out", std::to_string(r2));
    EXPECT_GT(r2, 0.0);
}

TEST(LatentRgbPreview, IsCachedByTheVaesFiles) {
    test::TempDir dir;
    auto model = DiffusionPipeline::load(test::fixtureDir("sd1-tiny"));
    const auto file = LatentRgbPreview::cacheFile(*model, dir.path());
    EXPECT_FALSE(std::filesystem::exists(file));
    const auto first = LatentRgbPreview::forPipeline(*model, dir.path());
    ASSERT_TRUE(std::filesystem::exists(file));
    const auto second = LatentRgbPreview::forPipeline(*model, dir.path());
    EXPECT_TRUE(torch::allclose(first.weights(), second.weights(), 0, 1e-12));
    // A damaged cache is fit again and replaced.
    std::ofstream(file) << "{ broken";
    const auto third = LatentRgbPreview::forPipeline(*model, dir.path());
    EXPECT_TRUE(torch::allclose(first.weights(), third.weights(), 0, 1e-12));
    EXPECT_NO_THROW(LatentRgbPreview::fromJson(test::readJson(file).dump(), file.stem().string().substr(11), file.string()));
    test::expectError(file, "another VAE", [&] {
        std::ifstream in(file);
        std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        LatentRgbPreview::fromJson(text, "0000000000000000", file.string());
    });
}

}  // namespace
}  // namespace latentlens
