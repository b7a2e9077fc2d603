// Classifier-free guidance on a linear fake denoiser: ε = ε_u + s (ε_c − ε_u) from one batched call,
// and s = 1 (or no prompt at all) is a single conditional pass.
#include <memory>
#include <vector>

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "core/Error.h"
#include "core/pipeline/Conditioning.h"
#include "core/pipeline/Denoiser.h"
#include "core/sampling/GuidedNoisePredictor.h"

namespace latentlens {
namespace {

// ε = 0.5 x + 0.001 t + e, where the embeddings e (B, 1, 4) are laid over the (1, 2, 2) latent;
// records the batch size of every call.
class LinearDenoiser : public Denoiser {
public:
    std::string className() const override { return "LinearDenoiser"; }
    std::vector<int64_t> latentShape() const override { return {1, 2, 2}; }
    std::vector<int64_t> featureShape(const BlockId&) const override { return {1, 2, 2}; }
    int64_t levelCount() const override { return 1; }
    int64_t parameterCount() const override { return 0; }
    c10::ScalarType dtype() const override { return torch::kFloat64; }
    c10::Device device() const override { return c10::Device(c10::kCPU); }
    void moveTo(c10::ScalarType, c10::Device) override {}
    std::string describe() const override { return "class:       LinearDenoiser\n"; }

    mutable std::vector<int64_t> batches;

protected:
    Output evaluate(const torch::Tensor& x, const torch::Tensor& timesteps, const Conditioning& conditioning,
                    const BlockId*, bool) const override {
        batches.push_back(x.size(0));
        auto t = timesteps.to(torch::kFloat64).reshape({-1, 1, 1, 1});
        auto eps = 0.5 * x + 0.001 * t;
        if (conditioning.embeddings.defined()) eps = eps + conditioning.embeddings.reshape({-1, 1, 2, 2});
        return {eps, eps};
    }
};

Conditioning prompt(double scale) {
    Conditioning conditioning;
    conditioning.embeddings = torch::tensor({1.0, -2.0, 3.0, 0.5}, torch::kFloat64).reshape({1, 1, 4});
    conditioning.unconditionalEmbeddings = torch::tensor({0.25, 0.0, -1.0, 2.0}, torch::kFloat64).reshape({1, 1, 4});
    conditioning.guidanceScale = scale;
    conditioning.id = Conditioning::idFor("a shoe", "", scale);
    return conditioning;
}

TEST(GuidedNoisePredictor, GuidanceMixesBothPassesFromOneBatchedCall) {
    auto denoiser = std::make_shared<LinearDenoiser>();
    const auto conditioning = prompt(7.5);
    GuidedNoisePredictor predictor(denoiser, conditioning);
    const auto x = torch::randn({3, 1, 2, 2}, torch::kFloat64);
    const auto eps = predictor.predict(x, 500);
    ASSERT_EQ(denoiser->batches, (std::vector<int64_t>{6}));

    Conditioning conditional;
    conditional.embeddings = conditioning.embeddings;
    Conditioning unconditional;
    unconditional.embeddings = conditioning.unconditionalEmbeddings;
    const auto epsC = denoiser->predict(x, 500, conditional);
    const auto epsU = denoiser->predict(x, 500, unconditional);
    EXPECT_TRUE(torch::allclose(eps, epsU + 7.5 * (epsC - epsU), 1e-12, 1e-12));
}

TEST(GuidedNoisePredictor, PerSampleTimestepsAreRepeatedForBothHalves) {
    auto denoiser = std::make_shared<LinearDenoiser>();
    GuidedNoisePredictor predictor(denoiser, prompt(3.0));
    const auto x = torch::zeros({2, 1, 2, 2}, torch::kFloat64);
    const auto t = torch::tensor({int64_t(100), int64_t(900)});
    const auto eps = predictor.predict(x, t);
    // The timestep term is the same in both passes, so guidance leaves it as it is.
    const auto expected = 0.001 * t.to(torch::kFloat64).reshape({-1, 1, 1, 1}) +
                          (prompt(3.0).unconditionalEmbeddings +
                           3.0 * (prompt(3.0).embeddings - prompt(3.0).unconditionalEmbeddings))
                              .reshape({1, 1, 2, 2});
    EXPECT_TRUE(torch::allclose(eps, expected, 1e-12, 1e-12));
}

TEST(GuidedNoisePredictor, ScaleOneRunsTheConditionalPassOnly) {
    auto denoiser = std::make_shared<LinearDenoiser>();
    const auto conditioning = prompt(1.0);
    GuidedNoisePredictor predictor(denoiser, conditioning);
    const auto x = torch::randn({2, 1, 2, 2}, torch::kFloat64);
    const auto eps = predictor.predict(x, 10);
    EXPECT_EQ(denoiser->batches, (std::vector<int64_t>{2}));
    Conditioning conditional;
    conditional.embeddings = conditioning.embeddings;
    EXPECT_TRUE(torch::equal(eps, denoiser->predict(x, 10, conditional)));
}

TEST(GuidedNoisePredictor, UnconditionalIsOnePlainPass) {
    auto denoiser = std::make_shared<LinearDenoiser>();
    GuidedNoisePredictor predictor(denoiser, Conditioning::none());
    const auto x = torch::randn({4, 1, 2, 2}, torch::kFloat64);
    EXPECT_TRUE(torch::equal(predictor.predict(x, 42), 0.5 * x + 0.001 * 42));
    EXPECT_EQ(denoiser->batches, (std::vector<int64_t>{4}));
}

TEST(Conditioning, IdNamesThePromptStably) {
    EXPECT_EQ(Conditioning::idFor("", "", 1.0), "");
    EXPECT_EQ(Conditioning::none().id, "");
    const auto id = Conditioning::idFor("a red shoe", "blurry", 7.5);
    EXPECT_EQ(id.size(), 16u);
    EXPECT_EQ(id, Conditioning::idFor("a red shoe", "blurry", 7.5));
    EXPECT_NE(id, Conditioning::idFor("a red shoe", "blurry", 7.0));
    EXPECT_NE(id, Conditioning::idFor("a red shoeblurry", "", 7.5));
    EXPECT_NE(id, Conditioning::idFor("blurry", "a red shoe", 7.5));
}

}  // namespace
}  // namespace latentlens
