// Local edits (LOCO Edit, Chen et al. 2024): the Jacobian of the posterior mean x̂0(x_t) under a
// mask, products against central differences on the pixel and Stable Diffusion fixtures, the
// null-space projection, and on the default model the test that matters to artists: an edit along
// a masked direction changes the masked region far more than the rest of the image.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "core/Error.h"
#include "core/edit/DirectionEdit.h"
#include "core/geometry/DirectionSpace.h"
#include "core/geometry/NullSpaceJacobian.h"
#include "core/geometry/PosteriorMeanJacobian.h"
#include "core/geometry/SubspaceSimilarity.h"
#include "core/model/SafetensorsFile.h"
#include "core/pipeline/DiffusionPipeline.h"
#include "core/sampling/DdimSampler.h"
#include "support/TestSupport.h"

namespace latentlens {
namespace {

using test::fixtureDir;
using test::relativeError;

// x̂0 = (x − √(1 − ᾱ_t) ε) / √ᾱ_t unclipped, with diffusers' float32 coefficients, for the
// difference quotients.
torch::Tensor posteriorMeanOf(const DiffusionPipeline& model, const torch::Tensor& x, int64_t t,
                              const Conditioning& conditioning) {
    torch::NoGradGuard noGrad;
    auto eps = model.denoiser().predict(x, t, conditioning);
    auto alpha = model.scheduler().alphasCumprod()[t];  // 0-d float32
    return (x - (1 - alpha).pow(0.5) * eps) / alpha.pow(0.5);
}

// J·v (forward mode) and Jᵀ·u (reverse mode) of W·x̂0 against central differences, and
// ⟨J v, u⟩ = ⟨v, Jᵀ u⟩, in float64: a pixel model and a conditioned SD UNet (x̂0 in latent space).
void expectProductsMatch(const std::string& fixture, const char* prompt, int64_t t) {
    ModelOptions exact{torch::kFloat64, c10::Device(c10::kCPU)};
    exact.softmaxInFloat32 = false;
    auto model = DiffusionPipeline::load(fixtureDir(fixture), exact);
    SafetensorsFile reference(fixtureDir(fixture) / "reference.safetensors");
    auto x = reference.tensor(prompt ? "z" : "x").slice(0, 0, 1).clone().to(torch::kFloat64);
    const auto conditioning = prompt ? model->condition(prompt) : Conditioning::none();
    const auto shape = model->latentShape();
    auto generator = at::detail::createCPUGenerator(11);
    auto weight = at::rand({shape[1], shape[2]}, generator, torch::kFloat64);
    PosteriorMeanJacobian jacobian(*model, x, t, weight, /*chunkSize=*/2, conditioning);
    EXPECT_EQ(jacobian.outputName(), "x0");
    EXPECT_EQ(jacobian.outputDim(), jacobian.inputDim());
    auto V = at::randn({3, jacobian.inputDim()}, generator, torch::kFloat64);
    auto U = at::randn({3, jacobian.outputDim()}, generator, torch::kFloat64);
    auto JV = jacobian.jvp(V);
    auto JtU = jacobian.vjp(U);
    EXPECT_EQ(jacobian.jvpCount(), 3);
    EXPECT_EQ(jacobian.vjpCount(), 3);
    EXPECT_LE(relativeError(jacobian.posteriorMean(),
                            (posteriorMeanOf(*model, x, t, conditioning) * weight).reshape({-1})),
              1e-12);
    const double step = 1e-5;
    for (int64_t i = 0; i < 3; ++i) {
        auto direction = V[i].reshape(x.sizes());
        auto plus = posteriorMeanOf(*model, x + step * direction, t, conditioning);
        auto minus = posteriorMeanOf(*model, x - step * direction, t, conditioning);
        EXPECT_LE(relativeError(JV[i], ((plus - minus) / (2 * step) * weight).reshape({-1})), 1e-7)
            << fixture << " column " << i;
    }
    EXPECT_LE(relativeError(JV.matmul(U.t()), V.matmul(JtU.t())), 1e-12) << fixture;
}

TEST(PosteriorMeanJacobian, ProductsMatchFiniteDifferencesOnAPixelModel) {
    expectProductsMatch("ddpm-rgb16", nullptr, 500);
}

TEST(PosteriorMeanJacobian, ProductsMatchFiniteDifferencesOnStableDiffusionLatents) {
    expectProductsMatch("sd1-tiny", "a photo of a cat", 500);
}

// J·P with P = I − N Nᵀ: products equal the inner Jacobian's on projected vectors, Jᵀ·U is
// projected, and the adjoint identity holds.
TEST(NullSpaceJacobian, RestrictsTheInnerJacobianToTheComplement) {
    ModelOptions exact{torch::kFloat64, c10::Device(c10::kCPU)};
    exact.softmaxInFloat32 = false;
    auto model = DiffusionPipeline::load(fixtureDir("ddpm-rgb16"), exact);
    SafetensorsFile reference(fixtureDir("ddpm-rgb16") / "reference.safetensors");
    auto x = reference.tensor("x").slice(0, 0, 1).clone().to(torch::kFloat64);
    PosteriorMeanJacobian inner(*model, x, 500);
    auto generator = at::detail::createCPUGenerator(3);
    auto N = std::get<0>(torch::linalg_qr(at::randn({inner.inputDim(), 4}, generator, torch::kFloat64))).t();
    NullSpaceJacobian restricted(inner, N);
    auto V = at::randn({2, inner.inputDim()}, generator, torch::kFloat64);
    auto U = at::randn({2, inner.outputDim()}, generator, torch::kFloat64);
    auto projected = V - V.matmul(N.t()).matmul(N);
    EXPECT_LE(relativeError(restricted.jvp(V), inner.jvp(projected)), 1e-12);
    auto JtU = restricted.vjp(U);
    EXPECT_LE(JtU.matmul(N.t()).abs().max().item<double>(), 1e-10 * JtU.abs().max().item<double>());
    EXPECT_LE(relativeError(restricted.jvp(V).matmul(U.t()), V.matmul(JtU.t())), 1e-12);
    EXPECT_EQ(restricted.jvpCount(), 4);  // two calls of two vectors
    EXPECT_EQ(restricted.vjpCount(), 2);
}

TEST(MaskOnLatentGrid, AveragesEachLatentCellOfTheImageGrid) {
    auto model = DiffusionPipeline::load(fixtureDir("sd1-tiny"));
    const auto image = model->imageShape();
    const auto latent = model->latentShape();
    const int64_t f = image[1] / latent[1];  // the VAE's downsampling factor
    ASSERT_GE(f, 2);
    ASSERT_EQ(image[1], f * latent[1]);
    auto mask = torch::zeros({image[1], image[2]}, torch::kFloat64);
    mask.slice(0, 0, image[1] / 2).slice(1, 0, image[2] / 2).fill_(1.0);
    mask.slice(0, 0, f).slice(1, image[2] - f / 2, image[2]).fill_(1.0);  // half of the top-right cell
    auto grid = maskOnLatentGrid(*model, mask);
    ASSERT_EQ(grid.sizes(), (std::vector<int64_t>{latent[1], latent[2]}));
    EXPECT_DOUBLE_EQ(grid[0][0].item<double>(), 1.0);
    EXPECT_DOUBLE_EQ(grid[latent[1] / 2 - 1][latent[2] / 2 - 1].item<double>(), 1.0);
    EXPECT_DOUBLE_EQ(grid[latent[1] / 2][latent[2] / 2].item<double>(), 0.0);
    EXPECT_DOUBLE_EQ(grid[0][latent[2] - 1].item<double>(), 0.5);
    EXPECT_NEAR(grid.sum().item<double>(), mask.sum().item<double>() / static_cast<double>(f * f), 1e-12);
    // Already on the latent grid: used as given. Another aspect or out-of-range values: errors.
    EXPECT_TRUE(torch::equal(maskOnLatentGrid(*model, grid), grid));
    EXPECT_THROW(maskOnLatentGrid(*model, torch::ones({image[1], image[2] / 2}, torch::kFloat64)), Error);
    EXPECT_THROW(maskOnLatentGrid(*model, mask * 2), Error);
}

TEST(MaskIsPartial, EmptyAndFullMasksAreClearErrors) {
    auto mask = torch::zeros({32, 32}, torch::kFloat64);
    test::expectError("mask.png", "empty", [&] { checkMaskIsPartial(mask, "mask.png"); });
    test::expectError("mask.png", "whole image", [&] { checkMaskIsPartial(mask + 1, "mask.png"); });
    mask[3][4] = 1.0;
    EXPECT_NO_THROW(checkMaskIsPartial(mask, "mask.png"));
}

// The default model at t = 0.6T: masked directions with a mask of a quarter of the image, the
// centred 16×16 square where Fashion-MNIST's garments are (a corner holds only background, which
// the model keeps black whatever the direction: nothing there to edit).
class DefaultModelMaskedBasis : public ::testing::Test {
protected:
    static constexpr int64_t kT = 600;
    static constexpr int64_t kSteps = 20;
    static void SetUpTestSuite() {
        model = DiffusionPipeline::load(test::defaultModelDir());
        DdimSampler sampler(*model, kSteps);
        xt = sampler.descend(sampler.noise(0, 1), sampler.startTimestep(), kT).result;
        const auto shape = model->imageShape();
        quarter = torch::zeros({shape[1], shape[2]}, torch::kFloat64);
        quarter.slice(0, shape[1] / 4, 3 * shape[1] / 4).slice(1, shape[2] / 4, 3 * shape[2] / 4).fill_(1.0);
    }
    static void TearDownTestSuite() { model.reset(); }

    static PullbackBasis masked(int64_t nullRank, int64_t k = 5) {
        BasisOptions options;
        options.k = k;
        return findBasis(*model, xt, kT, DirectionSpace::posteriorMean(quarter, nullRank), Conditioning::none(), options);
    }
    // Mean |Δ pixel| inside and outside the mask after editing along each direction by ±α and
    // denoising to 0, over all directions and both signs.
    static std::pair<double, double> insideOutsideChange(const PullbackBasis& basis, double alpha) {
        DdimSampler sampler(*model, kSteps);
        torch::NoGradGuard noGrad;
        const auto original = sampler.denoise(xt, kT).result;
        const auto inside = quarter.to(torch::kFloat32).unsqueeze(0).unsqueeze(0);
        const double insideCount = inside.sum().item<double>(), outsideCount = (1 - inside).sum().item<double>();
        double in = 0, out = 0;
        for (int64_t i = 0; i < basis.k; ++i) {
            for (double sign : {-1.0, 1.0}) {
                auto edited = sampler.denoise(shiftAlongDirections(xt, basis, {i}, {sign * alpha}), kT).result;
                auto change = (edited - original).abs().mean(1, true);  // over channels
                in += (change * inside).sum().item<double>() / insideCount;
                out += (change * (1 - inside)).sum().item<double>() / outsideCount;
            }
        }
        return {in / (2 * basis.k), out / (2 * basis.k)};
    }
    static std::shared_ptr<DiffusionPipeline> model;
    static torch::Tensor xt;
    static torch::Tensor quarter;
};
std::shared_ptr<DiffusionPipeline> DefaultModelMaskedBasis::model;
torch::Tensor DefaultModelMaskedBasis::xt;
torch::Tensor DefaultModelMaskedBasis::quarter;

// Issue 17's bar: edits along the masked directions (α = 2, full re-denoise) change the mean
// absolute pixel value inside the mask ≥ 4× more than outside, and the null-space projection
// lowers the outside change against the same solve without it. Measured on this seed: ratio 5.2
// (inside 0.318, outside 0.062) with r = 5; 2.3 without projection (outside 0.162).
TEST_F(DefaultModelMaskedBasis, EditsChangeTheMaskedRegionAndBarelyTheRest) {
    const auto projected = masked(5);
    EXPECT_EQ(projected.kind, PullbackBasis::kPosteriorMean);
    EXPECT_EQ(projected.block, "x0");
    EXPECT_EQ(projected.nullRank, 5);
    EXPECT_EQ(projected.outsideSigma.size(), 5u);
    EXPECT_TRUE(projected.converged);
    ASSERT_TRUE(projected.isMasked());
    EXPECT_TRUE(torch::equal(projected.mask, quarter));
    const auto plain = masked(0);
    EXPECT_EQ(plain.nullRank, 0);
    const auto [inside, outside] = insideOutsideChange(projected, 2.0);
    const auto [plainInside, plainOutside] = insideOutsideChange(plain, 2.0);
    RecordProperty("inside_change", std::to_string(inside));
    RecordProperty("outside_change", std::to_string(outside));
    RecordProperty("ratio", std::to_string(inside / outside));
    RecordProperty("ratio_without_projection", std::to_string(plainInside / plainOutside));
    std::printf("masked edits, alpha 2: inside %.4f, outside %.4f (ratio %.1f); without projection: inside %.4f, "
                "outside %.4f (ratio %.1f)\n",
                inside, outside, inside / outside, plainInside, plainOutside, plainInside / plainOutside);
    EXPECT_GE(inside, 4.0 * outside);
    EXPECT_LT(outside, plainOutside);
}

// The directions have no component along the outside's top directions (the null space), and
// they are unit vectors, nearly orthogonal (to the solver's tolerance).
TEST_F(DefaultModelMaskedBasis, DirectionsLieInTheNullSpaceOfTheOutsidesTopDirections) {
    const auto basis = masked(5);
    BasisOptions options;
    options.k = 5;
    PosteriorMeanJacobian outside(*model, xt, kT, 1.0 - quarter);
    const auto top = solvePullbackBasis(outside, options);
    for (size_t i = 0; i < basis.outsideSigma.size(); ++i) {
        EXPECT_NEAR(basis.outsideSigma[i], top.sigma[static_cast<int64_t>(i)].item<double>(),
                    1e-9 * top.sigma[0].item<double>());
    }
    auto V = basis.v.reshape({basis.k, -1});
    auto N = top.v.reshape({top.k, -1});
    EXPECT_LE(V.matmul(N.t()).abs().max().item<double>(), 1e-10);
    EXPECT_LE((V.norm(2, 1) - 1).abs().max().item<double>(), 1e-12);
    EXPECT_LE((V.matmul(V.t()) - torch::eye(basis.k, torch::kFloat64)).abs().max().item<double>(), 1e-3);
}

// A mask of all ones is the whole image: the unmasked posterior-mean basis (no projection, since
// nothing is outside).
TEST_F(DefaultModelMaskedBasis, AMaskOfAllOnesReproducesTheUnmaskedPosteriorMeanBasis) {
    BasisOptions options;
    options.k = 5;
    const auto whole = findBasis(*model, xt, kT, DirectionSpace::posteriorMean(), Conditioning::none(), options);
    EXPECT_EQ(whole.kind, PullbackBasis::kPosteriorMean);
    EXPECT_FALSE(whole.isMasked());
    auto ones = torch::ones_like(quarter);
    const auto all = findBasis(*model, xt, kT, DirectionSpace::posteriorMean(ones, 5), Conditioning::none(), options);
    EXPECT_EQ(all.nullRank, 0);
    EXPECT_LE(((all.sigma - whole.sigma).abs() / whole.sigma).max().item<double>(), 1e-6);
    EXPECT_GE(principalCosines(all.v, whole.v).min().item<double>(), 0.9999);
    // An all-zero mask selects nothing.
    EXPECT_THROW(findBasis(*model, xt, kT, DirectionSpace::posteriorMean(torch::zeros_like(quarter)),
                           Conditioning::none(), options),
                 Error);
}

}  // namespace
}  // namespace latentlens
